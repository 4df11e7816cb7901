"""Find the health data sources a publication names, and whether it uses them or only mentions them.

Pure and fast (no Django, no model): every alias of the registry is folded (lower case, no accents, every
non-alphanumeric character a space) into one Aho–Corasick automaton, which also holds the slot words of the
description grammar (:mod:`.grammar`), so one pass over a text finds both; each text field is folded the
same way after markup is stripped, with an offset map so every mention's span points into the *original*
text (``text[start:end] == mention["text"]``). Word boundaries come for free because keys and text are
padded with spaces.

Rules, in the order they apply (each is general, none is about a particular publication):

* **Ambiguous forms** (CONSTANCES/"constances", ELFE, 3C, CANTO, REIN/"rein"…) are accepted only as
  written in the registry (case-sensitive) and when a context word of that source is near, or when the
  same record names the source unambiguously elsewhere. Lower-case ordinary words never count.
* **Descriptions** ("French hospital discharge database") count only with one of their ``requires`` cue
  words near or in the title, and are dropped when they merely introduce another source written right
  after them in parentheses ("the French national database (PMSI)").
* **Nesting**: the longest alias wins; an alias nested inside a longer one is kept only when it is the
  acronym of an ancestor (``PMSI-MCO`` names the PMSI and its MCO component).
* **Components and parents are independent**: a named component never adds its parent, nor a parent
  its components.
* **Role**: a mention is *used* unless the sentence around it carries a cue of background, comparison,
  future work or literature (nearer than any cue of use), or the publication is a literature review
  and the sentence has no first-person cue of analysis. A source is used when any of its mentions is.
* **Actors** (EPI-PHARE) are reported like sources, as the gold standard does; no source is inferred
  from them.
"""

from __future__ import annotations

import html
import json
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

import ahocorasick
from rapidfuzz import fuzz

from benefice.errors import BeneficeError
from benefice.sources.grammar import Grammar, RecordContext, add_hit
from benefice.sources.learn import Model, candidate_features, default_model
from benefice.sources.registry import Registry, fold, fold_chars, load_registry

FIELDS = ("title", "abstract", "keywords", "mesh", "full_text", "acknowledgements", "funding")
# Fields that may come as lists of strings (author keywords, MeSH headings): read joined by "; ", so a
# mention's offsets point into that joined text.
LIST_FIELDS = frozenset({"keywords", "mesh"})
_CONFIDENCE = {
    "acronym": 0.95,
    "official_name": 0.97,
    "translation": 0.92,
    "former_name": 0.9,
    "description": 0.8,
}
_CONTEXT_WINDOW = 90  # characters either side of an ambiguous form where a context word must be
_REQUIRES_WINDOW = 200  # characters either side of a description where a `requires` cue must be


# ---------------------------------------------------------------------------------------------- folding
_MARKUP = re.compile(
    r"<(/?)([A-Za-z][\w:.-]*)(?:\s[^<>]{0,500})?/?>|<!--.*?-->|&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});",
    re.S,
)
_INLINE_TAGS = frozenset(
    "i b em strong sup sub span a u small italic bold sc underline inline-formula abbr font mml:math "
    "jats:italic jats:bold jats:sup jats:sub jats:sc xref named-content styled-content".split()
)


@dataclass
class OffsetMap:
    """Maps positions of a rewritten string back to the string it was rewritten from.

    ``segments`` holds (new_start, old_start, old_end, copied): a copied segment maps one to one; a
    replaced one (a decoded entity, a collapsed space run) maps to the whole original span.
    """

    starts: list[int]
    segments: list[tuple[int, int, int, bool]]

    def start(self, i: int) -> int:
        new_start, old_start, _old_end, copied = self.segments[bisect_right(self.starts, i) - 1]
        return old_start + (i - new_start) if copied else old_start

    def end(self, i: int) -> int:
        """Original exclusive end for a new exclusive end ``i`` (> 0)."""
        new_start, old_start, old_end, copied = self.segments[bisect_right(self.starts, i - 1) - 1]
        return old_start + (i - new_start) if copied else old_end


def _rewrite(text: str, matches: Iterable[re.Match[str]], replace) -> tuple[str, OffsetMap | None]:
    pieces: list[str] = []
    starts: list[int] = []
    segments: list[tuple[int, int, int, bool]] = []
    new_pos = old_pos = 0
    for match in matches:
        if match.start() > old_pos:
            starts.append(new_pos)
            segments.append((new_pos, old_pos, match.start(), True))
            pieces.append(text[old_pos : match.start()])
            new_pos += match.start() - old_pos
        replacement = replace(match)
        if replacement:
            starts.append(new_pos)
            segments.append((new_pos, match.start(), match.end(), False))
            pieces.append(replacement)
            new_pos += len(replacement)
        old_pos = match.end()
    if not segments:
        return text, None
    starts.append(new_pos)
    segments.append((new_pos, old_pos, len(text), True))
    pieces.append(text[old_pos:])
    return "".join(pieces), OffsetMap(starts, segments)


def _markup_replacement(match: re.Match[str]) -> str:
    if match.group(3):  # entity
        decoded = html.unescape(match.group(0))
        return decoded if decoded != match.group(0) else match.group(0)
    if match.group(2) and match.group(2).lower() in _INLINE_TAGS:
        return ""
    return " "


@dataclass
class FoldedText:
    """A field folded for matching, with the way back to the original offsets.

    ``run_starts``/``run_shifts`` map the collapsed text back to the folded text before collapsing: from
    collapsed index ``run_starts[k]`` on, ``run_shifts[k]`` spaces had been removed. They are built in the
    same pass that collapses the space runs (one ``str.find`` per run, cheaper than a regex over the
    whole text), because nearly every abstract holds a word of the grammar and so needs them.
    """

    original: str
    folded: str  # " " + folded, collapsed text + " "
    uncollapsed: str  # folded text before collapsing space runs (same offsets as the markup-free text)
    maps: list[OffsetMap] = field(default_factory=list)  # markup map (applied after the space shifts)
    run_starts: list[int] = field(default_factory=list)
    run_shifts: list[int] = field(default_factory=list)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of the folded span [start, end) of ``folded`` (a span that starts and
        ends on a letter or digit, as every alias does)."""
        start, end = start - 1, end - 1  # padding
        if self.run_starts:
            index = bisect_right(self.run_starts, start) - 1
            start += self.run_shifts[index] if index >= 0 else 0
            index = bisect_right(self.run_starts, end - 1) - 1
            end += self.run_shifts[index] if index >= 0 else 0
        for offset_map in reversed(self.maps):
            start, end = offset_map.start(start), offset_map.end(end)
        return start, end

    def fold_slice(self, start: int, end: int) -> str:
        """``fold_chars(original[start:end])`` for original offsets: a slice of the folded text when no
        markup was stripped (folding maps one character to one), else folded anew."""
        if self.maps:
            return fold_chars(self.original[start:end])
        return self.uncollapsed[start:end]


def _collapse_spaces(folded: str) -> tuple[str, list[int], list[int]]:
    """``folded`` with every run of spaces made one space, and the shifts of :class:`FoldedText`."""
    find = folded.find
    i = find("  ")
    if i < 0:
        return folded, [], []
    n = len(folded)
    pieces: list[str] = []
    starts: list[int] = []
    shifts: list[int] = []
    removed = pos = 0
    while i >= 0:
        j = i + 2
        while j < n and folded[j] == " ":
            j += 1
        pieces.append(folded[pos : i + 1])
        pos = j
        removed += j - i - 1
        starts.append(j - removed)  # collapsed index from which the shift applies
        shifts.append(removed)
        i = find("  ", j)
    pieces.append(folded[pos:])
    return "".join(pieces), starts, shifts


def fold_text(text: str) -> FoldedText:
    """Strip markup, fold case/accents/punctuation and collapse spaces, keeping the offset maps."""
    maps: list[OffsetMap] = []
    stripped = text
    if "<" in text or "&" in text:
        stripped, markup_map = _rewrite(text, _MARKUP.finditer(text), _markup_replacement)
        if markup_map is not None:
            maps.append(markup_map)
    folded = fold_chars(stripped)
    collapsed, starts, shifts = _collapse_spaces(folded)
    return FoldedText(text, f" {collapsed} ", folded, maps, starts, shifts)


# ---------------------------------------------------------------------------------------------- cues
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
URL_RE = re.compile(
    r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:fr|org|com|net|eu|io)\b\S*|\S+@\S+", re.I
)
_URL_HINTS = ("://", "www.", "WWW.", "@", ".fr", ".org", ".com", ".net", ".eu", ".io")
_URL_HINT = re.compile("|".join(re.escape(hint) for hint in _URL_HINTS))  # one search, not ten
_CLAUSE_BREAK = re.compile(r"[,;:()\[\]]")
_SEPARATORS = (". ", "? ", "! ", "; ", ": ", ".\n", "\n\n", " – ", " — ", ".\t")
_SENTENCE_END = re.compile("|".join(re.escape(sep) for sep in _SEPARATORS))
_SENTENCE_START_REVERSED = re.compile("|".join(re.escape(sep[::-1]) for sep in _SEPARATORS))


# ---------------------------------------------------------------------------------------------- model
@dataclass(frozen=True)
class _Entry:
    source: str
    form: str
    requires: tuple[str, ...]  # folded cue prefixes (descriptions)
    surfaces: Mapping[str, bool] | None  # ambiguous key: allowed exact surfaces -> needs context
    length: int  # folded key length, for longest-match resolution


@dataclass
class Mention:
    """One occurrence of a source in one field."""

    source: str
    field: str
    start: int
    end: int
    text: str
    form: str
    role: str = "used"
    confidence: float = 0.0
    needs_context: bool = False
    cue: str = ""
    strong: bool = True  # an unambiguous form, able to confirm the source's ambiguous mentions elsewhere
    defined_as_other: bool = False  # "Ramipril Efficacy In Nephropathy (REIN)": another thing's acronym
    alternatives: tuple[str, ...] = ()  # a described source that another name of it in the text settles

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "form": self.form,
            "role": self.role,
            "confidence": round(self.confidence, 3),
        }


class Detector:
    """Compiled registry: call :meth:`detect` on one record (a mapping with text fields)."""

    def __init__(self, registry: Registry | None = None, model: Model | None | str = "default") -> None:
        """``model``: the learned second stage (see :mod:`.learn`); "default" is the one in force (the
        data directory's retrained model if there is one, else the shipped one), None the rules alone."""
        self.registry = registry or load_registry()
        self.model: Model | None = default_model() if model == "default" else model  # type: ignore[assignment]
        entries: dict[str, list[_Entry]] = {}
        contexts: dict[str, re.Pattern[str] | None] = {}
        for source in self.registry:
            contexts[source.id] = _cue_regex(source.context, prefix=True) if source.context else None
            ambiguous_by_key: dict[str, list[str]] = {}
            for form in source.ambiguous:
                ambiguous_by_key.setdefault(fold(form), []).append(form)
            for alias in source.aliases():
                key = fold(alias.text)
                surfaces: dict[str, bool] | None = None
                if key in ambiguous_by_key:
                    # Exact spellings only: the listed ambiguous ones need context, the other
                    # spellings of the same key (e.g. "CONSTANCES" beside "Constances") do not.
                    surfaces = {}
                    for other in source.aliases():
                        if fold(other.text) == key:
                            surfaces[other.text] = other.text in ambiguous_by_key[key]
                entry = _Entry(
                    source.id,
                    alias.form,
                    tuple(fold(r) for r in alias.requires),
                    surfaces,
                    len(key),
                )
                bucket = entries.setdefault(key, [])
                if all((e.source, e.form) != (entry.source, entry.form) for e in bucket):
                    bucket.append(entry)
        self._contexts = contexts
        self._ancestors = {s.id: frozenset(self.registry.ancestors(s.id)) for s in self.registry}
        self._long_names = {
            s.id: tuple(fold(a.text) for a in s.aliases() if a.form != "acronym" and len(a.text) > 12)
            for s in self.registry
        }
        self.grammar = Grammar({s.id: s.grammar for s in self.registry})
        # One pass over each text finds both the sources' names and the grammar's slot words: a key maps to
        # (its name entries or None, its slot values or ()).
        self._scanner = ahocorasick.Automaton()
        combined: dict[str, tuple] = {}
        for key, bucket in entries.items():
            combined[f" {key} "] = ((key, tuple(bucket)), ())
        if not self.grammar.empty:
            for padded, values in self.grammar.keys.items():
                combined[padded] = (combined.get(padded, (None, ()))[0], values)
        for padded, value in combined.items():
            self._scanner.add_word(padded, value)
        self._scanner.make_automaton()
        self._descendants = {s.id: frozenset(self.registry.descendants(s.id)) for s in self.registry}
        self._related = {
            s.id: frozenset({s.id, *self.registry.ancestors(s.id), *self.registry.descendants(s.id)})
            for s in self.registry
        }

    # -------------------------------------------------------------------------------- one field
    def _field_mentions(
        self,
        name: str,
        folded: FoldedText,
        title_folded: str,
        context: RecordContext | None = None,
    ) -> list[Mention]:
        text = folded.original
        norm = folded.folded
        raw: list[tuple[int, int, _Entry]] = []
        hits: dict[str, list[tuple[int, int]]] = {}
        for end_index, (name_entries, slot_values) in self._scanner.iter(norm):
            if name_entries is not None:
                key, bucket = name_entries
                end = end_index  # index of the trailing pad space
                start = end - len(key)  # first character of the key
                for entry in bucket:
                    raw.append((start, end, entry))
            if slot_values:
                add_hit(hits, norm, end_index, slot_values)
        grammar_matches = (
            self.grammar.matches(norm, text, folded.span, context or RecordContext({}, ()), hits)
            if hits
            else []
        )
        if not raw and not grammar_matches:
            return []
        raw.sort(key=lambda r: (r[0], -(r[1] - r[0])))
        kept: list[tuple[int, int, _Entry]] = []
        covering: list[tuple[int, int, _Entry]] = []
        for start, end, entry in raw:
            covering = [c for c in covering if c[1] > start]  # raw is sorted by start: drop expired
            outer = next(
                (c for c in covering if c[0] <= start and end <= c[1] and (c[0], c[1]) != (start, end)), None
            )
            if outer is not None:
                # Nested alias: keep only an ancestor's acronym inside a compound ("PMSI-MCO").
                if not (entry.form == "acronym" and entry.source in self._ancestors.get(outer[2].source, ())):
                    continue
            elif any(c[0] < end and start < c[1] and (c[0], c[1]) != (start, end) for c in covering):
                continue  # partial overlap with a longer, earlier alias
            kept.append((start, end, entry))
            covering.append((start, end, entry))
        mentions: list[Mention] = []
        shouting: bool | None = None
        described: set[tuple[int, int]] = set()
        for start, end, entry in kept:
            o_start, o_end = folded.span(start, end)
            surface = text[o_start:o_end]
            needs_context = False
            if entry.surfaces is not None:
                if surface not in entry.surfaces:
                    # Allow all-capitals fields ("THE CONSTANCES COHORT") to reach the context test.
                    if shouting is None:
                        shouting = _is_shouting(text)
                    if not (shouting and surface.isupper()):
                        continue
                    needs_context = True
                else:
                    needs_context = entry.surfaces[surface]
                    if not needs_context and surface.isupper():
                        if shouting is None:
                            shouting = _is_shouting(text)
                        needs_context = shouting
            ambiguous_here = needs_context
            if needs_context and not self._has_context(entry.source, norm, start, end):
                needs_context = True
                confidence = 0.0  # resolved later: accepted only if named elsewhere
            else:
                confidence = _CONFIDENCE[entry.form] * (0.9 if needs_context else 1.0)
                needs_context = False
            if entry.requires:
                if (start, end) in described or not _near(
                    norm, start, end, entry.requires, _REQUIRES_WINDOW, title_folded
                ):
                    continue
                described.add((start, end))  # a shared description goes to the first source whose cue is near
            mention = Mention(entry.source, name, o_start, o_end, surface, entry.form, "used", confidence)
            mention.needs_context, mention.strong = needs_context, not ambiguous_here
            mentions.append(mention)
        for match in grammar_matches:
            # A phrase around an alias of the same source or of its family is that alias ("French national
            # health insurance database (SNIIRAM)"), not a new description; another source named inside the
            # phrase is not ("les données du PMSI et celles de l'Assurance maladie").
            family = self._related.get(match.source, frozenset())
            if any(match.start < end and start < match.end and e.source in family for start, end, e in kept):
                continue
            o_start, o_end = folded.span(match.start, match.end)
            mention = Mention(
                match.source,
                name,
                o_start,
                o_end,
                text[o_start:o_end],
                "description",
                "used",
                _CONFIDENCE["description"],
            )
            rule = match.rule
            if rule.period_source:
                mention.alternatives = tuple(
                    dict.fromkeys((match.source, rule.period_source, *self._grammar_owner(match)))
                )
            mentions.append(mention)
        if mentions and _URL_HINT.search(text):
            # A name inside a URL or an e-mail address ("documentation-snds.health-data-hub.fr") is
            # not the text naming the source.
            urls = [(m.start(), m.end()) for m in URL_RE.finditer(text)]
            if urls:
                mentions = [m for m in mentions if not any(a <= m.start < b for a, b in urls)]
        for mention in mentions:
            if mention.form == "acronym" and _defined_as_other(
                text, mention, mentions, self._long_names.get(mention.source, ())
            ):
                mention.defined_as_other = True
        mentions = self._drop_introducing_descriptions(mentions, text)
        if mentions:
            self._assign_roles(mentions, folded)
        return mentions

    def _drop_family_descriptions(
        self, mentions: list[Mention], named: set[str], texts: Mapping[str, str]
    ) -> list[Mention]:
        """Descriptions that only restate a source the text names.

        * A description of a parent of a named source ("health care reimbursement data" in a text naming
          the EGB, a sample of those data) refers to what is named: the parent is not added.
        * A description of a component in the same sentence as its named parent ("les données hospitalières
          ont été extraites du SNDS") says which part of the parent was read: the parent is the source. A
          component described in a sentence of its own is a source used beside its parent.
        """
        parents = set().union(*(self._ancestors[sid] for sid in named)) if named else set()
        sentences: dict[tuple[str, int], tuple[int, int]] = {}
        kept = []
        for m in mentions:
            if m.form != "description":
                kept.append(m)
                continue
            if m.source in parents:
                continue
            if m.source not in named and self._ancestors[m.source] & named:
                same_sentence = False
                for other in mentions:
                    if other.form == "description" or other.field != m.field:
                        continue
                    if other.source not in self._ancestors[m.source]:
                        continue
                    key = (m.field, m.start)
                    if key not in sentences:
                        sentences[key] = _sentence_span(texts.get(m.field, ""), m.start, m.end)
                    lo, hi = sentences[key]
                    if lo <= other.start < hi:
                        same_sentence = True
                        break
                if same_sentence:
                    continue
            kept.append(m)
        return kept

    def _grammar_owner(self, match) -> tuple[str, ...]:
        """The source whose rule fired (a period rule may have renamed the match)."""
        return tuple(sid for sid, rules in self.grammar.rules.items() if match.rule in rules)

    def _has_context(self, source_id: str, norm: str, start: int, end: int) -> bool:
        pattern = self._contexts.get(source_id)
        if pattern is None:
            return False
        left = norm[max(0, start - _CONTEXT_WINDOW) : start]
        right = norm[end : end + _CONTEXT_WINDOW + 1]
        return bool(pattern.search(" " + left) or pattern.search(right))

    @staticmethod
    def _drop_introducing_descriptions(mentions: list[Mention], text: str) -> list[Mention]:
        """'the French national database (PMSI)': the description introduces the named source."""
        if len(mentions) < 2:
            return mentions
        drop = set()
        ordered = sorted(mentions, key=lambda m: m.start)
        for first, second in zip(ordered, ordered[1:], strict=False):
            if first.form == "description" and first.source != second.source and second.form != "description":
                gap = text[first.end : second.start]
                if len(gap) <= 8 and gap.strip().startswith(("(", "[")):
                    drop.add(id(first))
        return [m for m in mentions if id(m) not in drop]

    def _assign_roles(self, mentions: list[Mention], folded: FoldedText) -> None:
        text = folded.original
        sentence_of: dict[int, int] = {}
        cache: dict[tuple[int, int], tuple] = {}
        reversed_text = text[::-1]
        for mention in mentions:
            s_start, s_end = _sentence_span(text, mention.start, mention.end, reversed_text)
            sentence_of[id(mention)] = s_start
            if (s_start, s_end) not in cache:
                sentence = " " + folded.fold_slice(s_start, s_end) + " "
                cache[(s_start, s_end)] = (
                    USED_CUES.matches(sentence),
                    MENTIONED_CUES.matches(sentence),
                    MENTIONED_BEFORE_CUES.matches(sentence) + DIRECTED_COMPARISON.matches(sentence),
                )
            used_cues, mentioned_cues, before_cues = cache[(s_start, s_end)]
            offset = mention.start - s_start + 1
            length = mention.end - mention.start
            used = _nearest(used_cues, offset, length)
            used_before = _nearest(used_cues, offset, length, before_only=True)
            mentioned = _nearest(mentioned_cues, offset, length)
            before = _nearest(before_cues, offset, length, before_only=True)
            # A comparison cue in the same clause, right before the mention, wins over any use cue:
            # "Unlike the SNDS, we used the PMSI" mentions the SNDS.
            same_clause = (
                before is not None
                and not _CLAUSE_BREAK.search(text, mention.start - before[0], mention.start)
                and (used_before is None or used_before[0] > before[0])  # "compared with … using data from X"
            )
            if before is not None and (mentioned is None or before[0] < mentioned[0]):
                mentioned = before
            if mention.field == "title" and (used is None or used[0] > _TITLE_CUE_GAP):
                # A title names its study population with a preposition: "… in the CONSTANCES cohort",
                # "… among participants of the E3N study", "… dans la cohorte Elfe". Right before the
                # source, that is a cue of use nearer than any topic word ("Future trajectories of …").
                head = (
                    " " + folded.fold_slice(max(0, mention.start - _TITLE_CUE_GAP - 16), mention.start) + " "
                )
                near_cue = TITLE_USED_CUES.matches(head)
                if near_cue:
                    _start, cue_end, cue = near_cue[-1]
                    gap = len(head) - 1 - cue_end
                    if gap <= _TITLE_CUE_GAP:
                        used = (gap, cue)
            mention.role = "used"
            if mentioned is not None and (same_clause or used is None or mentioned[0] < used[0]):
                mention.role, mention.cue = "mentioned", mentioned[1]
                mention.confidence *= 0.85
            elif used is not None:
                mention.cue = used[1]
            else:
                mention.confidence *= 0.9
        # "the Permanent Sample of Beneficiaries, a sample of the SNIIRAM": the parent only describes
        # the component the study used, so it is mentioned, not used.
        for parent in mentions:
            for child in mentions:
                if (
                    child.start < parent.start
                    and sentence_of[id(child)] == sentence_of[id(parent)]
                    and parent.source in self._ancestors.get(child.source, ())
                    and _PART_OF.search(" " + folded.fold_slice(child.end, parent.start) + " ")
                ):
                    parent.role, parent.cue = "mentioned", "describes a component"
                    break

    # -------------------------------------------------------------------------------- one record
    def detect(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """Detect mentions in a record's text fields; return ``id``, ``sources_used``,
        ``sources_mentioned``, ``review`` (sources a person should decide; in neither list), ``decisions``
        (one per source: role, confidence, method, review) and ``mentions`` (dicts with source, field,
        start, end, text, form, role, confidence). Missing, empty or non-string fields are skipped."""
        mentions, genre = self._analyse(record)
        decisions = self._decide(record, mentions, genre)
        return {
            "id": record.get("id"),
            "sources_used": [d["source"] for d in decisions if d["role"] == "used" and not d["review"]],
            "sources_mentioned": [
                d["source"] for d in decisions if d["role"] == "mentioned" and not d["review"]
            ],
            "review": [d["source"] for d in decisions if d["review"]],
            "decisions": decisions,
            "mentions": [m.to_dict() for m in mentions],
        }

    def candidates(self, record: Mapping[str, Any]) -> list[tuple[str, dict[str, float], bool]]:
        """(source, features of the learned stage, whether the rules say used) for every source the
        record names or describes: what the model is trained and applied on."""
        mentions, genre = self._analyse(record)
        return [
            (source, self._features(record, source, own, mentions, genre), any(m.role == "used" for m in own))
            for source, own in _by_source(mentions).items()
        ]

    def _features(
        self, record: Mapping[str, Any], source: str, own: list[Mention], mentions: list[Mention], genre: str
    ) -> dict[str, float]:
        entry = self.registry.sources.get(source)
        return candidate_features(
            source,
            own,
            mentions,
            genre=genre,
            has_abstract=bool(
                field_text(record, "abstract").strip() or field_text(record, "full_text").strip()
            ),
            kind=entry.kind if entry is not None else "",
            ancestors=self._ancestors.get(source, frozenset()),
            descendants=self._descendants.get(source, frozenset()),
        )

    def _analyse(self, record: Mapping[str, Any]) -> tuple[list[Mention], str]:
        """The rules: every mention with its role, and the publication's genre."""
        texts = {name: field_text(record, name) for name in FIELDS}
        folded_fields = {name: fold_text(value) for name, value in texts.items() if value}
        title_text = folded_fields.get("title")
        title_folded = title_text.folded if title_text is not None else ""
        context = RecordContext(record, [f.folded for f in folded_fields.values()])
        mentions: list[Mention] = []
        for name, folded in folded_fields.items():
            mentions.extend(self._field_mentions(name, folded, title_folded, context))
        if mentions:
            # An acronym the text defines as something else means that thing everywhere in the record.
            other_things = {(m.source, m.text) for m in mentions if m.defined_as_other}
            if other_things:
                mentions = [
                    m for m in mentions if not (m.form == "acronym" and (m.source, m.text) in other_things)
                ]
        if mentions:
            confirmed = {m.source for m in mentions if m.strong}
            kept = []
            for mention in mentions:
                if mention.needs_context:
                    if mention.source not in confirmed:
                        continue
                    mention.needs_context = False
                    mention.confidence = _CONFIDENCE[mention.form] * 0.9
                kept.append(mention)
            mentions = kept
        if mentions:
            # A generic description ("French health insurance databases") in a text that names a parent or
            # component of the described source ("… the SNIIRAM and its sample, the EGB") describes what
            # is named, and adds nothing.
            named = {m.source for m in mentions if m.form != "description"}
            for mention in mentions:
                # "French claims data" in a pre-2016 study is the SNIIRAM, unless the text names the SNDS
                if mention.alternatives and mention.source not in named:
                    mention.source = next((a for a in mention.alternatives if a in named), mention.source)
            mentions = self._drop_family_descriptions(mentions, named, texts)
        genre = self._genre(record, mentions, folded_fields) if mentions else ""
        if genre:
            # Literature reviews, methods guidance and inventories of data sources discuss sources
            # without analysing them, unless the authors say they analysed one themselves.
            for mention in mentions:
                if mention.role == "used" and not self._first_person(record, mention):
                    mention.role, mention.cue = "mentioned", genre
                    mention.confidence *= 0.85
        return mentions, genre

    def _decide(self, record: Mapping[str, Any], mentions: list[Mention], genre: str) -> list[dict[str, Any]]:
        """One decision per source named: its role, a confidence, how it was set, and whether a person should
        review it (then it counts in no figure until someone does).

        The rules set the role. The learned stage, where there is one, gives the confidence (its calibrated
        probability that the source is used, ``score``) and sends a source to review when that probability
        lies between its review bounds. Cross-validated over the development records, letting the model set
        the role itself did not do better than the rules (benchmarks/README.md), so it does not."""
        decisions = []
        for source, own in _by_source(mentions).items():
            used = [m for m in own if m.role == "used"]
            role = "used" if used else "mentioned"
            decision: dict[str, Any] = {"source": source, "role": role, "method": "rule"}
            if self.model is None:
                decision["confidence"] = round(max(m.confidence for m in (used or own)), 3)
                decision["review"] = False
            else:
                p = self.model.probability(self._features(record, source, own, mentions, genre))
                decision["confidence"] = round(p if role == "used" else 1.0 - p, 3)
                decision["score"] = round(p, 3)
                decision["model"] = self.model.version
                decision["review"] = self.model.review_low < p < self.model.review_high
                decision["threshold"] = 0.5  # where the score would change the role (review queue order)
            decisions.append(decision)
        return decisions

    @staticmethod
    def _genre(
        record: Mapping[str, Any],
        mentions: list[Mention],
        folded_fields: Mapping[str, FoldedText] | None = None,
    ) -> str:
        """ "review", "guidance" or "inventory" when the publication discusses sources rather than
        analysing them; "" otherwise."""
        folded_fields = folded_fields or {}
        title = _raw_folded(record, "title", folded_fields)
        head = " " + title[:4000] + " " + _raw_folded(record, "abstract", folded_fields, 4000) + " "
        if _REVIEW.search(head):
            return "review"
        title = " " + title + " "
        if _GUIDANCE.search(title):
            return "guidance"
        if (
            len({m.source for m in mentions}) >= 2
            and _INVENTORY_SOURCES.search(head)
            and _INVENTORY_EVAL.search(head)
        ):
            return "inventory"
        return ""

    @staticmethod
    def _first_person(record: Mapping[str, Any], mention: Mention) -> bool:
        text = field_text(record, mention.field)
        window = text[max(0, mention.start - 200) : mention.end + 50]
        return bool(FIRST_PERSON_CUES.search(" " + fold_chars(window) + " "))


def _by_source(mentions: list[Mention]) -> dict[str, list[Mention]]:
    by_source: dict[str, list[Mention]] = {}
    for mention in mentions:
        by_source.setdefault(mention.source, []).append(mention)
    return by_source


def field_text(record: Mapping[str, Any], name: str) -> str:
    """The text detection reads of one field: a string as it is, a list of strings (keywords, MeSH) joined by
    "; ", anything else nothing."""
    value = record.get(name)
    if isinstance(value, list) and name in LIST_FIELDS:
        value = "; ".join(v.strip() for v in value if isinstance(v, str) and v.strip())
    if not isinstance(value, str):
        return ""
    return value


def _raw_folded(
    record: Mapping[str, Any], name: str, folded_fields: Mapping[str, FoldedText], limit=None
) -> str:
    """``fold_chars(str(record.get(name) or "")[:limit])``, read from the field as detection folded it
    when that is the same text (a string with no markup)."""
    value = record.get(name)
    folded = folded_fields.get(name)
    if isinstance(value, str) and folded is not None and folded.original is value and not folded.maps:
        return folded.uncollapsed[:limit]
    return fold_chars(str(value or "")[:limit])


_ASCII_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
_ASCII_UPPER = bytes(range(65, 91))


def _is_shouting(text: str) -> bool:
    """More than 60 % of the letters of the text's first 2,000 characters are capitals."""
    head = text[:2000]
    if head.isascii():  # counted by C-level deletions instead of a test per character
        raw = head.encode("ascii")
        letters = len(raw) - len(raw.translate(None, _ASCII_LETTERS))
        upper = len(raw) - len(raw.translate(None, _ASCII_UPPER))
        return bool(letters) and upper > 0.6 * letters
    alpha = list(filter(str.isalpha, head))
    return bool(alpha) and sum(map(str.isupper, alpha)) > 0.6 * len(alpha)


def _near(norm: str, start: int, end: int, cues: tuple[str, ...], window: int, title_folded: str) -> bool:
    left = norm[max(0, start - window) : start]
    right = norm[end : end + window]
    for cue in cues:
        needle = " " + cue
        if needle in left or needle in " " + right or (title_folded and needle in title_folded):
            return True
    return False


_STOPWORDS = frozenset("of and the in on for to a an de des du la le les et en d l au aux".split())
_WORD = re.compile(r"[^\W_]+")


def _defined_as_other(
    text: str, mention: Mention, mentions: list[Mention], own_names: tuple[str, ...] = ()
) -> bool:
    """True for "Ramipril Efficacy In Nephropathy (REIN)": the acronym, in parentheses, follows words
    whose initials spell it, and neither a name of the same source nor a near spelling of one precedes it."""
    before = text[max(0, mention.start - 160) : mention.start].rstrip()
    if not before.endswith("("):
        return False
    head = before[:-1].rstrip()
    cut = mention.start - (len(before) - len(head))
    if any(m.source == mention.source and m is not mention and abs(m.end - cut) <= 2 for m in mentions):
        return False  # "Renal Epidemiology and Information Network (REIN)": its own name
    letters = [c.lower() for c in mention.text if c.isalnum()]
    words = _WORD.findall(head)[-(len(letters) + 4) :]
    if len(letters) < 2 or len(words) < len(letters):
        return False
    index = len(letters) - 1
    consumed = 0
    for word in reversed(words):
        if index < 0:
            break
        consumed += 1
        if word[0].lower() == letters[index]:
            index -= 1
        elif word.lower() not in _STOPWORDS:
            return False
    if index >= 0:
        return False
    expansion = fold(" ".join(words[-consumed:]))
    # An unlisted spelling of the source's own name ("Système National De Données De Santé") is not
    # "something else".
    return not any(fuzz.ratio(expansion, name) >= 80 for name in own_names)


def _nearest(
    cues: list[tuple[int, int, str]], offset: int, length: int, before_only: bool = False
) -> tuple[int, str] | None:
    """Distance (in characters) from the mention to the nearest cue in its sentence, and the cue."""
    best: tuple[int, str] | None = None
    for start, end, cue in cues:
        if end <= offset:
            distance = offset - end
        elif start >= offset + length and not before_only:
            distance = start - (offset + length)
        else:
            continue  # the cue is inside the mention itself ("Permanent Sample ...")
        if best is None or distance < best[0]:
            best = (distance, cue)
    return best


def _sentence_span(text: str, start: int, end: int, reversed_text: str | None = None) -> tuple[int, int]:
    """The sentence around [start, end): bounded by sentence punctuation followed by a space, a blank
    line or a dash between spaces. Two regex searches that stop at the nearest separator on each side:
    forwards in ``text``, and backwards as a forward search in ``reversed_text`` (``text[::-1]``, which a
    caller with several mentions in one text reverses once)."""
    if reversed_text is None:
        reversed_text = text[::-1]
    before = _SENTENCE_START_REVERSED.search(reversed_text, len(text) - start)
    after = _SENTENCE_END.search(text, end)
    # a separator ending at i in the text starts at len(text) - i in the reversed text
    return (len(text) - before.start() if before else 0), (after.start() + 1 if after else len(text))


_DEFAULT: Detector | None = None


def default_detector() -> Detector:
    """The detector for the shipped registry, built once per process."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Detector()
    return _DEFAULT


def detect(record: Mapping[str, Any], detector: Detector | None = None) -> dict[str, Any]:
    """Detect the sources of one record (see :meth:`Detector.detect`)."""
    return (detector or default_detector()).detect(record)


def detect_records(
    records: Iterable[Mapping[str, Any]], detector: Detector | None = None
) -> Iterator[dict[str, Any]]:
    """Detect the sources of each record, lazily (constant memory): the entry point for the database
    scan, ``benefice detect`` and ``benefice scan``."""
    detector = detector or default_detector()
    for record in records:
        yield detector.detect(record)


def detect_jsonl(
    lines: Iterable[bytes],
    out: TextIO,
    *,
    detector: Detector | None = None,
    path: str = "<input>",
    skip_bad: bool = False,
    on_invalid_utf8: Callable[[int], None] | None = None,
) -> int:
    """Stream JSON lines (bytes) to JSON lines: one output line per input record, in input order.

    Memory stays flat: one line is held at a time. Blank lines are skipped. Invalid UTF-8 is decoded with
    U+FFFD replacement characters (offsets then refer to the decoded text) and reported through
    ``on_invalid_utf8(line_number)``. A line that is not a JSON object, or lacks an ``id``, raises
    BeneficeError naming the line, unless ``skip_bad`` is set: then an output line ``{"line": n, "error":
    …}`` keeps its place so nothing is silently lost. Returns the number of records written.
    """
    detector = detector or default_detector()
    written = 0
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("utf-8", errors="replace")
            if on_invalid_utf8 is not None:
                on_invalid_utf8(number)
        try:
            record = json.loads(text)
            if not isinstance(record, dict):
                raise ValueError(f"expected a JSON object, got {type(record).__name__}")
            if record.get("id") in (None, ""):
                raise ValueError("the record has no id")
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            message = f"not a valid record: {exc}"
            if not skip_bad:
                raise BeneficeError(message, path=path, line=number) from exc
            out.write(json.dumps({"line": number, "error": message}, ensure_ascii=False) + "\n")
            written += 1
            continue
        result = detector.detect(record)
        line = json.dumps(result, ensure_ascii=False)
        try:
            line.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate escaped in the input ("\\ud800"): keep it escaped
            line = json.dumps(result)
        out.write(line + "\n")
        written += 1
    return written
