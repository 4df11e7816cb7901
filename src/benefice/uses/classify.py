"""Which kinds of use (typology categories) a publication belongs to: readable rules plus a learnt model.

Rules (``data/use_rules.yaml``) are versioned data a reviewer can read: each proposed label names the rules
that fired and the words they matched. The model (TF-IDF + one logistic regression per category) learns from
the labels people set or corrected, so the classifier improves with use without anyone editing regexes.
Every ``Label`` says how it was set: ``rule`` (score = summed weights of the distinct rules that fired
/ (2 x threshold), capped at 1), ``model`` (score = predicted probability) or ``person`` (score 1).
Multi-label: a publication may have several categories, or none. Pure Python + scikit-learn, no Django.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benefice.curated import Ctx, parse_yaml, read_text
from benefice.errors import BeneficeError, FormatError
from benefice.paths import package_data

METHODS = ("rule", "model", "person")
#: A rule's role. Most rules name what a study is about (``aim``). A ``context`` rule names the situation a
#: study is set in — the COVID-19 epidemic, a lockdown — which is the category's subject only when nothing
#: else is: a vaccine-effectiveness study of 2021 names COVID-19 in its title. Context rules propose their
#: category on their own in rules mode, as before; the learned stage weighs them apart from aim rules.
ROLES = ("aim", "context")
LANGS = ("fr", "en", "any")


@dataclass(frozen=True)
class Label:
    """One category of use for one publication, with how it was set and why."""

    category: str
    method: str  # 'rule' | 'model' | 'person'
    score: float
    evidence: tuple[str, ...] = ()  # rule ids with the matched text, top model terms, or who corrected
    main: bool = False  # the publication's main kind of use (one per publication)
    rule: str = ""  # ids of the rules that set it (method 'rule'), comma-separated
    model_version: str = ""  # the model that scored it (method 'model'), e.g. "use_model 1 ab12cd34"
    review: bool = False  # the machine is unsure: the label goes to the review queue

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "category": self.category,
            "method": self.method,
            "score": round(float(self.score), 4),
            "evidence": list(self.evidence),
            "main": self.main,
        }
        if self.rule:
            out["rule"] = self.rule
        if self.model_version:
            out["model_version"] = self.model_version
        if self.review:
            out["review"] = True
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Label:
        return cls(
            category=str(data["category"]),
            method=str(data.get("method", "rule")),
            score=float(data.get("score", 0.0)),
            evidence=tuple(str(e) for e in data.get("evidence", ())),
            main=bool(data.get("main", False)),
            rule=str(data.get("rule", "")),
            model_version=str(data.get("model_version", "")),
            review=bool(data.get("review", False)),
        )


@dataclass(frozen=True)
class UseRule:
    id: str
    category: str
    lang: str
    weight: float
    pattern: re.Pattern[str]
    role: str = "aim"  # 'aim': what a study is about; 'context': the situation it is set in (see ROLES)


@dataclass(frozen=True)
class RuleSet:
    version: str
    threshold: float
    rules: tuple[UseRule, ...]
    categories: tuple[str, ...] = field(default=())

    def hits(self, text: str, role: str = "aim") -> dict[str, tuple[float, tuple[str, ...]]]:
        """Per category, the summed weights of its distinct rules of ``role`` that fired and their evidence
        (rule id and the words matched), before any threshold: what the learned stage weighs."""
        out: dict[str, tuple[float, tuple[str, ...]]] = {}
        low = text.lower()
        same = len(low) == len(text)
        for rule in self.rules:
            if rule.role != role:
                continue
            m = rule.pattern.search(low)
            if m:
                matched = (text[m.start() : m.end()] if same else m.group(0)).strip()
                total, evidence = out.get(rule.category, (0.0, ()))
                out[rule.category] = (total + rule.weight, (*evidence, f"{rule.id}: {matched!r}"))
        return out

    def hits_with_title(
        self, text: str, title_end: int
    ) -> tuple[dict[str, tuple[float, float, tuple[str, ...]]], dict[str, tuple[float, tuple[str, ...]]]]:
        """In one pass over the rules: per category, (weight of the aim rules that fired, of those that
        fired in the title — the text's first ``title_end`` characters —, their evidence), and (weight,
        evidence) of its context rules. A rule fires in the title when its first match ends there; a first
        match that starts in the title and runs past it is checked on the title alone."""
        aim: dict[str, tuple[float, float, tuple[str, ...]]] = {}
        context: dict[str, tuple[float, tuple[str, ...]]] = {}
        low = text.lower()
        same = len(low) == len(text)
        for rule in self.rules:
            m = rule.pattern.search(low)
            if not m:
                continue
            matched = (text[m.start() : m.end()] if same else m.group(0)).strip()
            note = f"{rule.id}: {matched!r}"
            if rule.role == "context":
                total, evidence = context.get(rule.category, (0.0, ()))
                context[rule.category] = (total + rule.weight, (*evidence, note))
                continue
            in_title = m.end() <= title_end or (
                m.start() < title_end and rule.pattern.search(low[:title_end]) is not None
            )
            total, title, evidence = aim.get(rule.category, (0.0, 0.0, ()))
            aim[rule.category] = (
                total + rule.weight,
                title + (rule.weight if in_title else 0.0),
                (*evidence, note),
            )
        return aim, context

    def apply(self, text: str) -> list[Label]:
        """Labels proposed by the rules for one text (categories whose distinct rules weigh >= threshold)."""
        hits: dict[str, list[tuple[UseRule, str]]] = {}
        low = text.lower()  # patterns are lower case: cheaper than case-insensitive matching (2.5x)
        same = len(low) == len(text)  # then spans in `low` are spans in `text`: quote the original words
        for rule in self.rules:
            m = rule.pattern.search(low)
            if m:
                hits.setdefault(rule.category, []).append(
                    (rule, text[m.start() : m.end()] if same else m.group(0))
                )
        labels = []
        for category, found in hits.items():
            total = sum(r.weight for r, _ in found)
            if total + 1e-9 >= self.threshold:
                evidence = tuple(f"{r.id}: {matched.strip()!r}" for r, matched in found)
                labels.append(Label(category, "rule", min(1.0, total / (2 * self.threshold)), evidence))
        labels.sort(key=lambda lab: (-lab.score, lab.category))
        return labels


# --------------------------------------------------------------------------------------------------
# UseRule file
# --------------------------------------------------------------------------------------------------
def parse_rules(text: str, path: str = "<use_rules>", categories: Iterable[str] | None = None) -> RuleSet:
    """Parse and validate a rule file; every error names the file and the field (category/rule id)."""
    if categories is None:
        from benefice.uses.typology import load_typology

        categories = load_typology().categories
    known = set(categories)
    data = parse_yaml(text, path)
    ctx = Ctx(path, error=FormatError)
    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        raise ctx.fail("missing or empty", "version")
    threshold = data.get("threshold", 1.0)
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or threshold <= 0:
        raise ctx.fail(f"threshold must be a positive number, got {threshold!r}", "threshold")
    cats = data.get("categories")
    if not isinstance(cats, dict) or not cats:
        raise ctx.fail("expected a non-empty mapping of category id -> rules", "categories")
    rules: list[UseRule] = []
    seen: set[str] = set()
    for category, items in cats.items():
        where = f"categories.{category}"
        if category not in known:
            raise ctx.fail(f"unknown category of use {category!r} (known: {', '.join(sorted(known))})", where)
        if not isinstance(items, list) or not items:
            raise ctx.fail("expected a non-empty list of rules", where)
        for i, item in enumerate(items):
            fld = f"{where}[{i}]"
            if not isinstance(item, dict):
                raise ctx.fail("a rule is a mapping with id, lang, weight, pattern", fld)
            unknown = sorted(set(item) - {"id", "lang", "weight", "pattern", "note", "role"})
            if unknown:
                raise ctx.fail(f"unknown field(s) {', '.join(unknown)}", f"{fld}.{unknown[0]}")
            rid = item.get("id")
            if not isinstance(rid, str) or not rid.strip():
                raise ctx.fail("missing or empty", f"{fld}.id")
            if rid in seen:
                raise ctx.fail(f"duplicate rule id {rid!r}", f"{fld}.id")
            seen.add(rid)
            lang = item.get("lang", "any")
            if lang not in LANGS:
                raise ctx.fail(f"lang must be one of {', '.join(LANGS)}, got {lang!r}", f"{fld}.lang")
            weight = item.get("weight")
            if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 10:
                raise ctx.fail(f"weight must be a number in (0, 10], got {weight!r}", f"{fld}.weight")
            pattern = item.get("pattern")
            if not isinstance(pattern, str) or not pattern.strip():
                raise ctx.fail("missing or empty", f"{fld}.pattern")
            upper = [
                ch for k, ch in enumerate(pattern) if ch.isupper() and (k == 0 or pattern[k - 1] != "\\")
            ]
            if upper:
                raise ctx.fail(
                    f"write patterns in lower case (texts are lower-cased before matching): {upper[0]!r} in {rid}",
                    f"{fld}.pattern",
                )
            try:
                compiled = re.compile(pattern)
            except re.error as exc:
                raise ctx.fail(f"bad regular expression ({rid}): {exc}", f"{fld}.pattern") from exc
            if compiled.search(""):
                raise ctx.fail(f"pattern of {rid} matches the empty text", f"{fld}.pattern")
            role = item.get("role", "aim")
            if role not in ROLES:
                raise ctx.fail(f"role must be one of {', '.join(ROLES)}, got {role!r}", f"{fld}.role")
            rules.append(UseRule(rid, str(category), lang, float(weight), compiled, role))
    return RuleSet(str(version).strip(), float(threshold), tuple(rules), tuple(sorted(known)))


def load_rules(path: Path | str | None = None, categories: Iterable[str] | None = None) -> RuleSet:
    """The rule file shipped with benefice, or the one at `path`."""
    path = Path(path) if path else package_data("use_rules.yaml")
    return parse_rules(read_text(path), str(path), categories)


# --------------------------------------------------------------------------------------------------
# Records -> text
# --------------------------------------------------------------------------------------------------
def record_text(record: dict[str, Any]) -> str:
    """Title, abstract and keywords of a record (gold-set or ``benefice export --format jsonl`` fields)."""
    parts = [record.get("title"), record.get("abstract")]
    for key in ("keywords", "mesh"):
        value = record.get(key)
        if isinstance(value, list):
            parts.append("; ".join(str(v) for v in value))
        elif isinstance(value, str):
            parts.append(value)
    return "\n".join(str(p) for p in parts if p)


def record_id(record: dict[str, Any], line: int) -> str:
    """The record's id: `id`, else the export's benefice id, DOI, PMID or OpenAlex id, else the line number."""
    if record.get("id") not in (None, ""):
        return str(record["id"])
    extra = record.get("extra") if isinstance(record.get("extra"), dict) else {}
    for value in (extra.get("benefice_id"), record.get("doi"), record.get("pmid"), record.get("openalex_id")):
        if value not in (None, ""):
            return str(value)
    return f"line-{line}"


# --------------------------------------------------------------------------------------------------
# The classifier
# --------------------------------------------------------------------------------------------------
class UseClassifier:
    """Rules + (optionally) a TF-IDF / logistic-regression model per category, trained from corrections.

    ``mode`` chooses what ``predict`` returns: ``"rules"``, ``"model"`` or ``"both"`` (default). In
    ``both`` a category is kept when a rule fires or the model's probability reaches ``threshold``; the
    label keeps the rule's evidence and records the model's probability next to it. Before ``fit`` (or with
    too few examples), only rules are used.
    """

    MIN_POSITIVES = 2  # a category needs this many positive examples to get a model

    def __init__(self, rules: RuleSet | None = None, *, threshold: float = 0.5, mode: str = "both") -> None:
        if mode not in ("rules", "model", "both"):
            raise BeneficeError(f"unknown mode {mode!r} (choose rules, model or both)")
        self.rules = rules if rules is not None else load_rules()
        self.threshold = threshold
        self.mode = mode
        self._vectorizer: Any = None
        self._models: dict[str, Any] = {}

    @property
    def fitted(self) -> bool:
        return bool(self._models)

    @property
    def model_categories(self) -> tuple[str, ...]:
        """Categories that had enough examples to get a model (the others rely on rules alone)."""
        return tuple(self._models)

    def fit(self, texts: Sequence[str], label_sets: Sequence[Iterable[str]]) -> UseClassifier:
        """Learn one logistic regression per category from labelled texts (e.g. people's corrections)."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        sets = [set(s) for s in label_sets]
        if len(texts) != len(sets):
            raise BeneficeError(f"{len(texts)} texts but {len(sets)} label sets")
        unknown = sorted({c for s in sets for c in s} - set(self.rules.categories))
        if unknown:
            raise BeneficeError(f"unknown category of use {unknown[0]!r} in the training labels")
        self._models = {}
        if not texts:
            return self
        self._vectorizer = TfidfVectorizer(
            ngram_range=(1, 2), sublinear_tf=True, min_df=1, strip_accents="unicode", lowercase=True
        )
        x = self._vectorizer.fit_transform(list(texts))
        for category in self.rules.categories:
            y = [int(category in s) for s in sets]
            positives = sum(y)
            if positives < self.MIN_POSITIVES or positives == len(y):
                continue
            model = LogisticRegression(C=10.0, class_weight="balanced", max_iter=2000)
            model.fit(x, y)
            self._models[category] = model
        return self

    def _model_scores(self, texts: Sequence[str]) -> list[dict[str, tuple[float, tuple[str, ...]]]]:
        out: list[dict[str, tuple[float, tuple[str, ...]]]] = [{} for _ in texts]
        if not self._models or not texts:
            return out
        x = self._vectorizer.transform(list(texts))
        vocab = self._vectorizer.get_feature_names_out()
        for category, model in self._models.items():
            probs = model.predict_proba(x)[:, 1]
            coef = model.coef_[0]
            for i, p in enumerate(probs):
                row = x.getrow(i)
                contrib = sorted(
                    ((row.data[k] * coef[j], vocab[j]) for k, j in enumerate(row.indices) if coef[j] > 0),
                    reverse=True,
                )[:3]
                out[i][category] = (float(p), tuple(f"term {t!r}" for _, t in contrib))
        return out

    def predict(self, texts: Sequence[str]) -> list[list[Label]]:
        """Labels per text, strongest first; each says whether a rule or the model set it and why."""
        texts = list(texts)
        model_scores = self._model_scores(texts) if self.mode != "rules" else [{} for _ in texts]
        result: list[list[Label]] = []
        for text, scores in zip(texts, model_scores, strict=True):
            labels: dict[str, Label] = {}
            if self.mode != "model":
                for lab in self.rules.apply(text):
                    extra = ()
                    if lab.category in scores:
                        extra = (f"model p={scores[lab.category][0]:.2f}",)
                    labels[lab.category] = Label(lab.category, "rule", lab.score, lab.evidence + extra)
            for category, (p, terms) in scores.items():
                if p >= self.threshold and category not in labels:
                    labels[category] = Label(category, "model", p, terms)
            result.append(sorted(labels.values(), key=lambda lab: (-lab.score, lab.category)))
        return result


# --------------------------------------------------------------------------------------------------
# The classifier the product uses: scan, export, web and CLI all go through KindsOfUse
# --------------------------------------------------------------------------------------------------
MAX_LABELS = 2  # a publication gets at most its main kind of use and one other


@dataclass(frozen=True)
class UseResult:
    """What the classifier says about one publication.

    ``labels`` are main first (``labels[0].main``); ``probabilities`` the calibrated probability of each
    category (what the barometer's expected counts and intervals are computed from; empty when the
    publication uses no data source, since a kind of use is a use of a source); ``review`` is true when the
    decision was close, and ``margin`` says how close (smaller: more informative to review first)."""

    labels: tuple[Label, ...]
    probabilities: dict[str, float]
    review: bool
    margin: float | None
    version: str

    @property
    def categories(self) -> list[str]:
        return [label.category for label in self.labels]


class KindsOfUse:
    """Categories of use of publications, from their text and the data sources they use.

    ``classify(record, sources_used)`` is the one entry point: ``record`` has the export's fields (title,
    abstract, keywords, mesh, language...), ``sources_used`` the registry ids detection found used. A
    publication that uses no French source gets no kind of use (a kind of use is a use of a French source).

    With a model (:mod:`.learn`, the default when one is shipped or retrained), every category is scored
    from its match with the typology's description (:mod:`.features`); the most probable is the main kind
    of use, a second one is kept when its probability reaches ``SECOND``; a close call (main below
    ``REVIEW`` or within ``REVIEW_GAP`` of the next) goes to the review queue. Without a model, the readable
    rules alone propose labels, as ``benefice classify --mode rules`` does.
    """

    SECOND = 0.5
    REVIEW = 0.5
    REVIEW_GAP = 0.1

    def __init__(
        self,
        rules: RuleSet | None = None,
        *,
        typology: Any = None,
        registry: Any = None,
        model: Any = "default",
    ) -> None:
        from benefice.sources.registry import load_registry
        from benefice.uses.features import Reference
        from benefice.uses.learn import default_model
        from benefice.uses.typology import load_typology

        self.rules = rules if rules is not None else load_rules()
        self.typology = typology if typology is not None else load_typology()
        registry = registry if registry is not None else load_registry()
        self._french = frozenset(s.id for s in registry if registry.is_french(s.id))
        self.reference = Reference(
            self.typology,
            {s.id: s.kind for s in registry},
            {s.id: [*s.acronyms, *s.names.values()] for s in registry},
        )
        self.model = default_model() if model == "default" else model
        self._classifier = UseClassifier(self.rules, mode="rules")

    @property
    def version(self) -> str:
        base = f"rules {self.rules.version}, typology {self.typology.version}"
        return f"{base}, {self.model.version}" if self.model is not None else base

    def rows(self, record: dict[str, Any], sources_used: Sequence[str]) -> list[Any]:
        """The feature rows of one publication (one per category), as the model sees them."""
        from benefice.uses.features import feature_rows

        text = record_text(record)
        title = str(record.get("title") or "")
        aim, context = self.rules.hits_with_title(text, len(title) if text.startswith(title) else 0)
        return feature_rows(record, sources_used, self.reference, aim, context)

    def classify(self, record: dict[str, Any], sources_used: Sequence[str]) -> UseResult:
        return self.classify_many([record], [sources_used])[0]

    def classify_many(
        self, records: Sequence[dict[str, Any]], sources_used: Sequence[Sequence[str]]
    ) -> list[UseResult]:
        if len(records) != len(sources_used):
            raise BeneficeError(f"{len(records)} records but {len(sources_used)} source lists")
        version = self.version
        if self.model is None:
            return self._by_rules(records, sources_used, version)
        out = []
        for record, used in zip(records, sources_used, strict=True):
            if not self.uses_french_source(used):
                out.append(UseResult((), {}, False, None, version))
                continue
            out.append(self._by_model(self.rows(record, used), version))
        return out

    def uses_french_source(self, sources_used: Sequence[str]) -> bool:
        """Kinds of use are those of French health data (the typology's scope): a publication whose only
        sources are foreign ones (UK Biobank, a US claims database) gets none."""
        return any(s in self._french for s in sources_used)

    def _by_model(self, rows: list[Any], version: str) -> UseResult:
        scored = sorted(
            ((self.model.probability(row.values), row) for row in rows), key=lambda x: (-x[0], x[1].category)
        )
        probabilities = {row.category: round(p, 4) for p, row in scored}
        p1 = scored[0][0]
        p2 = scored[1][0] if len(scored) > 1 else 0.0
        review = p1 < self.REVIEW or p1 - p2 < self.REVIEW_GAP
        margin = round(min(abs(p1 - self.REVIEW), p1 - p2), 4)
        keep = [scored[0]] + [s for s in scored[1:MAX_LABELS] if s[0] >= self.SECOND]
        labels = tuple(
            Label(
                row.category,
                "model",
                p,
                row.evidence,
                main=k == 0,
                rule=", ".join(e.split(":", 1)[0] for e in row.evidence if "." in e.split(":", 1)[0]),
                model_version=self.model.version,
                review=review,
            )
            for k, (p, row) in enumerate(keep)
        )
        return UseResult(labels, probabilities, review, margin, version)

    def _by_rules(
        self, records: Sequence[dict[str, Any]], sources_used: Sequence[Sequence[str]], version: str
    ) -> list[UseResult]:
        results: list[UseResult] = []
        todo = [i for i, used in enumerate(sources_used) if self.uses_french_source(used)]
        predicted = self._classifier.predict([record_text(records[i]) for i in todo]) if todo else []
        by_index = dict(zip(todo, predicted, strict=True))
        for i in range(len(records)):
            if i not in by_index:
                results.append(UseResult((), {}, False, None, version))
                continue
            found = by_index[i][:MAX_LABELS]
            labels = tuple(
                Label(
                    lab.category,
                    "rule",
                    lab.score,
                    lab.evidence,
                    main=k == 0,
                    rule=", ".join(e.split(":", 1)[0] for e in lab.evidence),
                )
                for k, lab in enumerate(found)
            )
            probabilities = {lab.category: round(float(lab.score), 4) for lab in by_index[i]}
            results.append(UseResult(labels, probabilities, False, None, version))
        return results


_DEFAULT: KindsOfUse | None = None


def default_classifier() -> KindsOfUse:
    """The classifier in force: the shipped rules, typology and registry, with the model retrained from
    people's corrections if there is one (``$BENEFICE_HOME/models/use_model.json``), else the shipped model.
    Built once per process and rebuilt when the model file changes (its ``version`` says which is in force)."""
    global _DEFAULT
    from benefice.uses.learn import default_model

    model = default_model()
    if _DEFAULT is None or _DEFAULT.model is not model:
        _DEFAULT = KindsOfUse(model=model)
    return _DEFAULT
