"""What the kind-of-use classifier sees of a publication: one row of features per (publication, category).

Each feature says how well a publication matches one category's *description* in the typology (its cues,
objects, outcomes, actors, typical study designs and typical kinds of data source) and *where* the match is.
No feature names a category: the same weights apply to every category, so what the model learns from the
many drug-safety examples carries over to a category with three examples, and a category added to the
typology tomorrow is classified from its description alone. This is what lets a few hundred labelled
records train a classifier that generalises, where one model per category (TF-IDF words) fits the words
of its examples and loses to a keyword list on new text.

Why these features, from how such publications are written:
- **Title and aim first.** A title and the aim sentence ("The aim of this study was...", "L'objectif de
  cette étude était...", a structured abstract's OBJECTIVE) state what a study is about; the rest of an
  abstract also carries context (the COVID-19 period of a vaccine-effectiveness study, the cohort's
  general purpose). So matches in the title and the aim count apart from matches elsewhere.
- **Dominance.** A publication touches several categories' vocabulary; its kind of use is the one it is
  *most* about. So each category's match is also given relative to the best-matching category.
- **Context is not aim.** Some words say when or where a study took place rather than what it studies
  (the COVID-19 epidemic, a lockdown): the typology lists them as a category's ``context``, and they
  count apart, so that a 2021 vaccine-effectiveness study is about effectiveness first.
- **Design.** A self-controlled case series asks a drug-safety question; an interrupted time series
  evaluates a policy; a validation study is about methods and data. A design found in the text counts
  for the categories whose description lists it.
- **Data source.** Environment and social determinants are studied in cohorts and surveys, AI in hospital
  data warehouses, drug use in claims: the kinds of the sources used count for the categories whose
  description lists them.
- **Similarity.** Words nobody listed: TF-IDF cosine between the text and the category's whole
  description (accents folded, French and English together, since French papers often carry an English
  abstract).

Pure Python (no Django, no scikit-learn at run time): fast enough to run on every scan.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from benefice.uses.typology import Category, Typology

#: Feature names, in the order of the model's weights. Changing the list means retraining the model.
FEATURES = (
    "bias",
    "rule",  # summed weights of the category's readable rules (data/use_rules.yaml) that fired, capped
    "rule_title",
    "cue_title",  # distinct description phrases of the category in the title (capped)
    "cue_aim",  # ... in the aim sentences
    "cue_text",  # log(1 + distinct phrases anywhere)
    "dominance",  # cue_text relative to the best-matching category (1 = the best)
    "top_match",  # the category has the most phrases in title + aim
    "outcome",  # an outcome phrase of the category appears
    "design",  # designs found that the category lists
    "design_aim",  # ... found in the title or aim
    "design_title",  # ... found in the title (a title about a source itself is a data-resource design)
    "context",  # the category's context phrases or rules (the situation, e.g. COVID-19) appear
    "context_focus",  # ... in the title or aim
    "source_kind",  # a source used is of a kind the category lists
    "similarity",  # TF-IDF cosine with the category's description
    "similarity_top",  # the category is the most similar
)

_DASHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "–": "-", "—": "-", "‐": "-", "‑": "-"})


def fold(text: str) -> str:
    """Lower case, accents removed, typographic quotes and dashes made plain; the same length is not kept
    (evidence quotes the matched phrase, not an offset)."""
    text = unicodedata.normalize("NFKD", text.translate(_DASHES).lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


class PhraseSet:
    """Phrases matched as whole words in folded text (one alternation regex, longest phrase first)."""

    def __init__(self, phrases: Iterable[str]) -> None:
        folded = sorted({fold(p).strip() for p in phrases if p and p.strip()}, key=lambda p: (-len(p), p))
        self.phrases = tuple(folded)
        self._regex = (
            re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(p) for p in folded) + r")(?![a-z0-9])")
            if folded
            else None
        )

    def found(self, folded_text: str) -> set[str]:
        if self._regex is None or not folded_text:
            return set()
        return {m.group(0) for m in self._regex.finditer(folded_text)}


class Lexicon:
    """Every phrase of every category and design in one alternation, each phrase tagged with what it is
    evidence of (``("phrase", category)``, ``("outcome", category)``, ``("context", category)``,
    ``("design", design)``). A text is read once, left to right, each stretch of words by the longest
    phrase that covers it: "vaccine safety" is read as that phrase, not also as "vaccine" — the longer
    phrase is what the words mean — and one pass replaces one search per category and part."""

    def __init__(self, tagged: Iterable[tuple[str, tuple[str, str]]]) -> None:
        self.tags: dict[str, set[tuple[str, str]]] = {}
        for phrase, tag in tagged:
            folded = fold(phrase).strip()
            if folded:
                self.tags.setdefault(folded, set()).add(tag)
        self._set = PhraseSet(self.tags)

    def scan(self, folded_text: str, title_end: int = 0) -> tuple[dict, dict]:
        """(tag -> phrases found in the text, tag -> phrases found before ``title_end``)."""
        whole: dict[tuple[str, str], set[str]] = {}
        title: dict[tuple[str, str], set[str]] = {}
        regex = self._set._regex
        if regex is None or not folded_text:
            return whole, title
        for m in regex.finditer(folded_text):
            phrase = m.group(0)
            in_title = m.end() <= title_end
            for tag in self.tags[phrase]:
                whole.setdefault(tag, set()).add(phrase)
                if in_title:
                    title.setdefault(tag, set()).add(phrase)
        return whole, title


# ------------------------------------------------------------------------------------------ the text
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")
#: Words with which authors state a study's aim, in French and English (structured abstracts' headings too).
_AIM = PhraseSet(
    [
        "aim", "aims", "aimed", "objective", "objectives", "purpose", "we sought", "this study",
        "the present study", "we assessed", "we evaluated", "we estimated", "we investigated", "we describe",
        "we examined", "we compared", "we quantified", "we measured", "we analysed", "we analyzed",
        "to assess", "to evaluate", "to estimate", "to investigate", "to describe", "to compare",
        "to examine", "to determine", "to identify", "to quantify", "to measure",
        "objectif", "objectifs", "but de", "visait", "vise a", "a pour but", "cette etude",
        "nous avons evalue", "nous avons estime", "nous avons decrit", "nous avons compare",
        "evaluer", "estimer", "decrire", "comparer", "mesurer", "quantifier", "identifier",
    ]
)  # fmt: skip
_TOKEN = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    """the and for with from that this were was are been have has had not but all any its their than into
    our who which between among after before during about over under per also using used use based study
    studies data patients les des une pour par dans sur avec est sont ete aux etude etudes donnees patients
    qui que entre chez plus leur leurs ces cette selon ont pas ainsi afin lors apres avant""".split()
)


def tokens(folded_text: str) -> list[str]:
    """Content words for the similarity: three letters or more, common words dropped, a plural -s cut so
    that 'costs' meets 'cost' and 'hospitalisations' meets 'hospitalisation' in both languages."""
    out = []
    for tok in _TOKEN.findall(folded_text):
        if len(tok) < 3 or tok in _STOP or tok.isdigit():
            continue
        if len(tok) > 4 and tok.endswith("s") and not tok.endswith("ss"):
            tok = tok[:-1]
        out.append(tok)
    return out


@dataclass(frozen=True)
class Text:
    """A publication's text, folded, in the parts the features look at."""

    title: str
    aim: str
    whole: str


def record_parts(record: Mapping[str, Any]) -> Text:
    """Title, aim sentences and whole text (title, abstract, keywords, MeSH) of a record, folded.

    The aim is every abstract sentence holding an aim word; an abstract without one (a short summary) gives
    its first sentence, which is where such summaries say what was done."""
    title = fold(str(record.get("title") or ""))
    abstract = fold(str(record.get("abstract") or ""))
    extra = []
    for key in ("keywords", "mesh"):
        value = record.get(key)
        if isinstance(value, list):
            extra.append("; ".join(str(v) for v in value))
        elif isinstance(value, str):
            extra.append(value)
    sentences = [s for s in _SENTENCE.split(abstract) if s.strip()]
    aims = [s for s in sentences if _AIM.found(s)]
    if not aims and sentences:
        aims = sentences[:1]
    whole = "\n".join(p for p in (title, abstract, fold("\n".join(extra))) if p)
    return Text(title, " \n ".join(aims), whole)


# ------------------------------------------------------------------------------------ the reference
class Reference:
    """The typology's categories as the classifier compares publications with them (built once)."""

    def __init__(
        self,
        typology: Typology,
        source_kinds: Mapping[str, str] | None = None,
        source_names: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self.categories: tuple[str, ...] = tuple(typology.categories)
        self.source_kinds = dict(source_kinds or {})
        #: each source's acronyms and names, to see whether a title is *about* a source (see _subject_is_source)
        self.source_names = {sid: PhraseSet(names) for sid, names in (source_names or {}).items()}
        self.phrases: dict[str, PhraseSet] = {}
        self.outcomes: dict[str, PhraseSet] = {}
        self.context: dict[str, PhraseSet] = {}
        self.designs_of: dict[str, frozenset[str]] = {}
        self.kinds_of: dict[str, frozenset[str]] = {}
        self.design_sets = {
            did: PhraseSet([*d.phrases.get("fr", ()), *d.phrases.get("en", ())])
            for did, d in typology.study_designs.items()
        }
        docs: dict[str, list[str]] = {}
        for cid, cat in typology.categories.items():
            desc = cat.description
            context = [w for lang in ("fr", "en") for w in (desc.context.get(lang, ()) if desc else ())]
            self.context[cid] = PhraseSet(context)
            folded_context = {fold(w) for w in context}
            words = [w for w in self._phrases_of(cat) if fold(w) not in folded_context]
            self.phrases[cid] = PhraseSet(words)
            self.outcomes[cid] = PhraseSet(desc.phrases("outcomes") if desc else ())
            self.designs_of[cid] = frozenset(desc.designs if desc else ())
            self.kinds_of[cid] = frozenset(desc.source_kinds if desc else ())
            design_words = [
                p
                for did in self.designs_of[cid]
                for lang in ("fr", "en")
                for p in (*typology.study_designs[did].phrases.get(lang, ()),)
            ]
            doc = " ".join(
                [cat.name.fr, cat.name.en, cat.definition.fr, cat.definition.en, *words, *design_words]
            )
            docs[cid] = tokens(fold(doc))
        tagged: list[tuple[str, tuple[str, str]]] = []
        for cid in typology.categories:
            tagged += [(w, ("phrase", cid)) for w in self.phrases[cid].phrases]
            tagged += [(w, ("outcome", cid)) for w in self.outcomes[cid].phrases]
            tagged += [(w, ("context", cid)) for w in self.context[cid].phrases]
        for did, ps in self.design_sets.items():
            tagged += [(w, ("design", did)) for w in ps.phrases]
        self.lexicon = Lexicon(tagged)
        df = Counter(tok for doc in docs.values() for tok in set(doc))
        n = len(docs)
        self.idf = {tok: math.log((1 + n) / (1 + k)) + 1.0 for tok, k in df.items()}
        self.vectors = {cid: _unit(self._weights(doc)) for cid, doc in docs.items()}

    @staticmethod
    def _phrases_of(cat: Category) -> list[str]:
        words = [*cat.cues.get("fr", ()), *cat.cues.get("en", ())]
        if cat.description:
            words += list(cat.description.phrases())
        return words

    def _weights(self, toks: Sequence[str]) -> dict[str, float]:
        counts = Counter(t for t in toks if t in self.idf)
        return {t: (1.0 + math.log(k)) * self.idf[t] for t, k in counts.items()}

    def similarity(self, folded_text: str) -> dict[str, float]:
        vec = _unit(self._weights(tokens(folded_text)))
        if not vec:
            return {cid: 0.0 for cid in self.categories}
        return {cid: sum(w * ref.get(t, 0.0) for t, w in vec.items()) for cid, ref in self.vectors.items()}


def _unit(weights: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {t: w / norm for t, w in weights.items()} if norm else {}


# ------------------------------------------------------------------------------------- the features
def _subject_is_source(title: str, sources_used: Sequence[str], reference: Reference) -> bool:
    """Whether the title is about a data source itself: "CONSTANCES: a cohort profile", "The X cohort:
    design and follow-up", "10 years of the Y database: ...". Publications describing a database or cohort
    put its name in the head of the title (before the colon or dash that opens the subtitle), and the head is
    short; a study *using* the source names it, if at all, after what it studies ("... in the X cohort")."""
    head = re.split(r"\s[:\-]\s|:\s", title, maxsplit=1)
    if len(head) < 2 or len(head[0].split()) > 8:
        return False
    return any(
        reference.source_names[sid].found(head[0]) for sid in sources_used if sid in reference.source_names
    )


@dataclass(frozen=True)
class Row:
    """The features of one (publication, category) pair and the words behind them (the label's evidence)."""

    category: str
    values: dict[str, float]
    evidence: tuple[str, ...]


def feature_rows(
    record: Mapping[str, Any],
    sources_used: Sequence[str],
    reference: Reference,
    rule_hits: Mapping[str, tuple[float, float, tuple[str, ...]]] | None = None,
    context_rules: Mapping[str, tuple[float, tuple[str, ...]]] | None = None,
) -> list[Row]:
    """One row per category. ``rule_hits`` maps a category to (weight of its aim rules that fired in the
    whole text, in the title, their evidence), ``context_rules`` to (weight, evidence) of its context rules,
    from ``RuleSet.hits``; missing categories had none."""
    text = record_parts(record)
    rule_hits = rule_hits or {}
    context_rules = context_rules or {}
    title_end = len(text.title) if text.whole.startswith(text.title) else 0
    whole_hits, title_hits = reference.lexicon.scan(text.whole, title_end)
    aim_hits, _ = reference.lexicon.scan(text.aim)

    def of(hits: dict, kind: str, key: str) -> set[str]:
        return hits.get((kind, key), set())

    designs_found = {did for (kind, did) in whole_hits if kind == "design"}
    designs_title = {did for (kind, did) in title_hits if kind == "design"}
    designs_aim = designs_title | {did for (kind, did) in aim_hits if kind == "design"}
    if "data_resource" in reference.design_sets and _subject_is_source(text.title, sources_used, reference):
        designs_found.add("data_resource")
        designs_aim.add("data_resource")
        designs_title.add("data_resource")
    kinds = {reference.source_kinds.get(s, "") for s in sources_used} - {""}
    sims = reference.similarity(text.whole)
    best_sim = max(sims.values(), default=0.0)
    found = {cid: of(whole_hits, "phrase", cid) for cid in reference.categories}
    in_title = {cid: of(title_hits, "phrase", cid) for cid in reference.categories}
    in_aim = {cid: of(aim_hits, "phrase", cid) for cid in reference.categories}
    best_text = max((len(v) for v in found.values()), default=0)
    focus = {cid: len(in_title[cid]) + len(in_aim[cid]) for cid in reference.categories}
    best_focus = max(focus.values(), default=0)
    rows = []
    for cid in reference.categories:
        rule, rule_title, rule_evidence = rule_hits.get(cid, (0.0, 0.0, ()))
        design = reference.designs_of[cid] & designs_found
        design_aim = reference.designs_of[cid] & designs_aim
        design_title = reference.designs_of[cid] & designs_title
        kind = reference.kinds_of[cid] & kinds
        outcomes = of(whole_hits, "outcome", cid)
        context = of(whole_hits, "context", cid)
        context_focus = of(title_hits, "context", cid) | of(aim_hits, "context", cid)
        context_rule, context_evidence = context_rules.get(cid, (0.0, ()))
        values = {
            "bias": 1.0,
            "rule": min(rule, 3.0),
            "rule_title": min(rule_title, 2.0),
            "cue_title": float(min(len(in_title[cid]), 3)),
            "cue_aim": float(min(len(in_aim[cid]), 3)),
            "cue_text": math.log1p(len(found[cid])),
            "dominance": len(found[cid]) / best_text if best_text else 0.0,
            "top_match": 1.0 if best_focus and focus[cid] == best_focus else 0.0,
            "outcome": 1.0 if outcomes else 0.0,
            "design": float(min(len(design), 2)),
            "design_aim": float(min(len(design_aim), 2)),
            "design_title": 1.0 if design_title else 0.0,
            "context": 1.0 if context or context_rule else 0.0,
            "context_focus": 1.0 if context_focus else 0.0,
            "source_kind": 1.0 if kind else 0.0,
            "similarity": sims[cid],
            "similarity_top": 1.0 if best_sim > 0 and sims[cid] == best_sim else 0.0,
        }
        evidence: list[str] = list(rule_evidence)
        focus_words = sorted(in_title[cid] | in_aim[cid])
        if focus_words:
            evidence.append("words: " + ", ".join(repr(w) for w in focus_words[:5]))
        elif found[cid]:
            evidence.append("words: " + ", ".join(repr(w) for w in sorted(found[cid])[:5]))
        if context or context_evidence:
            evidence.append("context: " + ", ".join(repr(w) for w in sorted(context)[:3]))
        if design:
            evidence.append("design: " + ", ".join(sorted(design)))
        if kind:
            evidence.append("source kind: " + ", ".join(sorted(kind)))
        rows.append(Row(cid, values, tuple(evidence)))
    return rows
