"""The phrase rules: cue phrases of use, of mere mention (background, comparison, future work, literature),
of the genres that discuss sources, and of a part named within a whole, matched as whole words over folded
text."""

from __future__ import annotations

import re
from collections.abc import Iterable

import ahocorasick

from benefice.sources.registry import fold


class _CueSet:
    """Cue phrases matched as whole words over folded, space-padded text, with an Aho–Corasick automaton
    (much faster than a regex alternation, which Python tries at every position)."""

    def __init__(self, phrases: Iterable[str], prefix: bool = False) -> None:
        self.automaton = ahocorasick.Automaton()
        count = 0
        for phrase in phrases:
            key = fold(phrase.rstrip("*"))
            if not key:
                continue
            open_ended = prefix or phrase.rstrip().endswith("*")
            # value: (characters of padding after the cue, the cue)
            self.automaton.add_word(f" {key}" if open_ended else f" {key} ", (0 if open_ended else 1, key))
            count += 1
        if count:
            self.automaton.make_automaton()
        self.empty = count == 0

    def matches(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, cue) of every cue in ``text`` (which must start with a space)."""
        if self.empty:
            return []
        out = []
        for end_index, (pad, key) in self.automaton.iter(text):
            end = end_index + 1 - pad
            out.append((end - len(key), end, key))
        return out

    def search(self, text: str) -> bool:
        if self.empty:
            return False
        for _item in self.automaton.iter(text):
            return True
        return False


def _cue_regex(phrases: Iterable[str], prefix: bool = False) -> _CueSet:
    """Cue phrases as whole words; a phrase ending with ``*`` (or every phrase, with ``prefix``) may
    continue its last word ("cohort" → "cohorts", "cohorte")."""
    return _CueSet(phrases, prefix)


# Cues that the data were analysed in this study.
USED_CUES = _cue_regex(
    """we used|we use|we analysed|we analyzed|we extracted|we identified|we included|we linked|we conducted|
    we studied|we performed|we selected|we examined|we assessed|we investigated|we estimated|we matched|
    using|used|use of|based on|data from|data of|extracted from|derived from|obtained from|drawn from|
    retrieved from|collected in|collected from|identified in|identified from|identified through|recorded in|
    registered in|included in|enrolled in|participant*|participating|linked|linkage|analysis of|analyses of|
    analysed|analyzed|cohort study|population based|nationwide|results from|findings from|
    evidence from|lessons from|study of|a partir|issu*|extrait*|extraction*|donnees du|donnees de|donnees des|
    base de donnees|utilise|utilisee|utilisees|utilises|utilisant|utilisation|chaine*|chainage|apparie*|
    appariement*|inclu*|dans la cohorte|de la cohorte|resultats de|etude a partir|repere*|enregistre*|recense*|
    selon|source|sources""".replace("\n", "|").split("|")
)
# In a title, prepositions that introduce the study population or data right before the source name.
TITLE_USED_CUES = _cue_regex(
    """in the|in a|from the|among|within the|in participants of|dans la|dans le|dans les|au sein de|
    au sein du|au sein des|chez les""".replace("\n", "|").split("|")
)
_TITLE_CUE_GAP = 12  # characters between the preposition and the source ("in the French CONSTANCES")
# Cues that the source is only background, comparison, discussion, literature or future work. Comparison
# cues count only before the mention ("compared with the Swedish registers"), because after it they
# usually compare groups inside the data ("in the CONSTANCES cohort, compared with non-users…").
MENTIONED_BEFORE_CUES = _cue_regex(
    """compared with|compared to|in comparison with|in comparison to|unlike|in contrast to|contrary to|
    similar to|such as|for example|for instance|e g|en comparaison|par comparaison|comparativement|
    contrairement|a la difference|tels que|telles que|tel que|par exemple""".replace("\n", "|").split("|")
)


class _DirectedComparison:
    """The comparator of a nominal comparison: "Comparaison des données DO aux données PMSI", "comparison of
    notified cases with hospital data". French and English write a one-way comparison as the noun, what is
    compared, then the preposition that introduces the yardstick (à / au / aux / avec; with / to / against):
    the source after that preposition is the benchmark the study's own data are measured against, which
    the labelling policy counts as mentioned, as it already does after "compared with". Only the noun form
    with at most five words between noun and preposition is read, and only the preposition is returned as
    the cue, so a source named inside the compared part ("comparaison des données du SNDS aux …") keeps its
    role; symmetric comparisons ("comparison between A and B", "analyse comparée de A et de B") analyse both
    sources and have no such preposition. As after "compared with", a use cue between the preposition and the
    source ("… with data from the PMSI", "… aux données du PMSI") still makes it used: this rule only adds the
    noun form to the comparison cues, it does not outrank them."""

    _PATTERN = re.compile(
        r" (?:comparaison (?:de|des|du|d) |comparison of )(?:[^ ,;:()\[\]]+ ){0,5}?"
        r"(?P<prep>a|au|aux|avec|with|to|against) "
    )

    def matches(self, text: str) -> list[tuple[int, int, str]]:
        if "compar" not in text:
            return []
        return [
            (m.start("prep"), m.end("prep"), "comparison of … " + m["prep"])
            for m in self._PATTERN.finditer(text)
        ]


DIRECTED_COMPARISON = _DirectedComparison()
MENTIONED_CUES = _cue_regex(
    """future|could be|could also|could|may be used|might|should be|should|would be|would|will be|will allow|
    further studies|further research|planned|is planned|are planned|warranted|envisag*|prevu*|prevue*|
    has been used|have been used|has been widely used|have been widely used|widely used|increasingly used|
    potential*|perspective*|opportunit*|review|reviews|literature|studies using|studies based on|
    studies that used|published studies|previous studies|previous study|prior studies|other databases|
    other data sources|other sources|other countries|guidance|guideline*|recommendation*|challenge*|
    limitations of|advantage*|strengths and|pourr*|a l avenir|futur*|revue de la litterature|
    revue de litterature|revue systematique|etudes utilisant|etudes publiees|limites|recommandation*|
    autres bases|autres sources""".replace("\n", "|").split("|")
)
# First-person cues: the authors analysed the data themselves (overrides the review default).
FIRST_PERSON_CUES = _cue_regex(
    """we used|we use|we analysed|we analyzed|we extracted|we linked|we identified|our study used|
    this study used|nous avons utilise|nous avons analyse|nous avons extrait|a partir des donnees""".replace(
        "\n", "|"
    ).split("|")
)
_REVIEW = _cue_regex(
    """systematic review|literature review|scoping review|narrative review|umbrella review|review of the literature|
    systematic literature review|revue systematique|revue de la litterature|revue de litterature|
    revue narrative""".replace("\n", "|").split("|")
)
_GUIDANCE = _cue_regex(
    """tutorial|guide|good practice*|bonnes pratiques|recommendations for|user guide|guide d utilisation|
    how to|primer|introduction to|practical guide|mode d emploi|
    methodological guide|guide methodologique""".replace("\n", "|").split("|")
)
# An inventory compares candidate data sources: both a "data sources" phrase and an evaluative one.
_INVENTORY_SOURCES = _cue_regex(
    """data sources|sources of data|sources de donnees|nouvelles sources|new sources|sources nouvelles|
    available databases|bases de donnees disponibles""".replace("\n", "|").split("|")
)
_INVENTORY_EVAL = _cue_regex(
    """advantages and disadvantages|advantages and limitations|strengths and limitations|strengths and weaknesses|
    avantages et inconvenients|avantages et limites|interet et limites|forces et faiblesses|pertinence""".replace(
        "\n", "|"
    ).split("|")
)
_PART_OF = _cue_regex(
    """sample of|part of|component of|subset of|extract of|extraction of|drawn from|echantillon|
    composante|partie du|partie de|extrait du|extrait de|issu du|issu de""".replace("\n", "|").split("|")
)
