"""The learned second stage of detection: how sure is it that a publication *uses* a source it names?

The rules of :mod:`.detect` find every candidate (a source named or described) and give it a role from the
words around it. Whether those cues are enough differs from text to text: an acronym in a title-only record,
a description met once in a background sentence, an ambiguous cohort name confirmed elsewhere. This stage
scores each candidate from what the rules saw — how it is written (acronym, full name, description), where
(title, abstract, keywords), how often, with which cues, in which kind of publication — never from the
source's identity, so that what it learns on the SNDS applies to a source it has few examples of.

A logistic regression (scikit-learn to fit; the fitted weights are a small JSON file, applied here with plain
arithmetic, so detection stays fast and needs no scikit-learn at run time). Its probability is calibrated by
construction of the log-loss fit, and checked by cross-validation over records (see
``benchmarks/detect.py``). Trained on the development gold files and on people's corrections: each example
is a (record, {source: "used" | "mentioned" | "rejected"}) pair.

The model decides between "used" and "not used"; a candidate it is unsure about (probability between
``review_low`` and ``review_high``) goes to the review queue and counts in no figure until a person decides.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benefice.errors import BeneficeError
from benefice.learned import ModelFile, read_json, save_json
from benefice.paths import package_data

FORMS = ("acronym", "official_name", "translation", "former_name", "description")
TEXT_FIELDS = ("title", "abstract", "keywords", "mesh", "full_text", "acknowledgements", "funding")
MODEL_FILE = "detect_model.json"
FORMAT = 1


def candidate_features(
    source: str,
    own: Sequence[Any],
    all_mentions: Sequence[Any],
    *,
    genre: str,
    has_abstract: bool,
    kind: str,
    ancestors: frozenset[str],
    descendants: frozenset[str],
) -> dict[str, float]:
    """Features of one candidate source from the detector's mentions (objects with form, field, role,
    confidence, cue, start). No feature names the source itself."""
    features: dict[str, float] = {"bias": 1.0}
    n = len(own)
    features["log_mentions"] = math.log1p(n)
    used = [m for m in own if m.role == "used"]
    features["share_used"] = len(used) / n if n else 0.0
    features["rule_used"] = 1.0 if used else 0.0
    features["max_confidence"] = max((m.confidence for m in own), default=0.0)
    forms = {m.form for m in own}
    for form in FORMS:
        features[f"form={form}"] = 1.0 if form in forms else 0.0
    features["only_description"] = 1.0 if forms == {"description"} else 0.0
    fields = {m.field for m in own}
    for name in TEXT_FIELDS:
        if name in fields:
            features[f"field={name}"] = 1.0
    features["title_only_record"] = 0.0 if has_abstract else 1.0
    features["in_title_and_no_abstract"] = 1.0 if ("title" in fields and not has_abstract) else 0.0
    features[f"genre={genre or 'study'}"] = 1.0
    features[f"kind={kind}"] = 1.0
    cues = {m.cue for m in own if m.cue}
    features["has_use_cue"] = 1.0 if any(m.role == "used" and m.cue for m in own) else 0.0
    features["part_of_cue"] = 1.0 if "describes a component" in cues else 0.0
    features["has_mention_cue"] = (
        1.0 if any(m.role == "mentioned" and m.cue and m.cue != genre for m in own) else 0.0
    )
    features["only_mentioned"] = 0.0 if used else 1.0
    others = {m.source for m in all_mentions if m.source != source}
    features["log_other_sources"] = math.log1p(len(others))
    features["component_named"] = 1.0 if others & descendants else 0.0
    features["parent_named"] = 1.0 if others & ancestors else 0.0
    return features


@dataclass
class MentionModel:
    """Weights of a fitted logistic regression over named features, with where they came from."""

    weights: dict[str, float]
    review_low: float = 0.4
    review_high: float = 0.6
    version: str = ""
    provenance: dict[str, Any] = field(default_factory=dict)

    def probability(self, features: Mapping[str, float]) -> float:
        z = sum(self.weights.get(k, 0.0) * v for k, v in features.items())
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": self.version,
            "review": [self.review_low, self.review_high],
            "weights": dict(sorted(self.weights.items())),
            "provenance": self.provenance,
        }

    @classmethod
    def from_dict(cls, data: Any, path: str = "<model>") -> MentionModel:
        if not isinstance(data, Mapping) or data.get("format") != FORMAT:
            raise BeneficeError(f"not a detection model of format {FORMAT}", path=path)
        weights = data.get("weights")
        if not isinstance(weights, Mapping) or not all(
            isinstance(k, str) and isinstance(v, int | float) for k, v in weights.items()
        ):
            raise BeneficeError("weights must map feature names to numbers", path=path, field="weights")
        review = data.get("review") or [0.4, 0.6]
        if not (isinstance(review, list) and len(review) == 2 and 0 <= review[0] <= review[1] <= 1):
            raise BeneficeError("review must be [low, high] between 0 and 1", path=path, field="review")
        return cls(
            {k: float(v) for k, v in weights.items()},
            float(review[0]),
            float(review[1]),
            str(data.get("version") or ""),
            dict(data.get("provenance") or {}),
        )

    def save(self, path: Path) -> None:
        """Write the model whole or not at all (a temporary file renamed into place)."""
        save_json(path, self.to_dict())


def retrained_model_path() -> Path:
    """Where ``benefice sources train`` writes a model retrained with people's corrections (see
    :mod:`benefice.learned`)."""
    return MODEL.retrained_path()


def default_model() -> MentionModel | None:
    """The model in force: the retrained one in the data directory if present, else the shipped one, else
    none (the rules alone). Re-read when the retrained file changes."""
    return MODEL.current()


def load_model(path: str | Path | None = None) -> MentionModel:
    """The model at ``path``, or the one shipped with benefice."""
    path = Path(path) if path is not None else package_data(MODEL_FILE)
    return MentionModel.from_dict(read_json(path, "detection model"), str(path))


# ------------------------------------------------------------------------------------------------ training
LABELS = ("used", "mentioned", "rejected")


@dataclass
class Example:
    """One candidate with its features and whether a person (or the gold file) says it is used."""

    group: str  # the record it comes from: cross-validation keeps a record's candidates together
    source: str
    features: dict[str, float]
    used: bool
    rule_used: bool


def examples_from(
    labelled: Iterable[tuple[Mapping[str, Any], Mapping[str, str]]],
    detector: Any,
    *,
    only: set[str] | None = None,
) -> list[Example]:
    """Candidates of each labelled record: ``(record, {source: label})``. A candidate the labels say nothing
    about is an example of "not used" only when the record's labels are complete (gold files); for a
    person's corrections only the sources they judged count. ``only`` limits the sources scored."""
    out = []
    for number, (record, labels) in enumerate(labelled):
        complete = bool(labels.get("__complete__"))
        for source, features, rule_used in detector.candidates(record):
            label = labels.get(source)
            if only is not None and source not in only:
                label = _unscored_label(source, labels, detector.registry, only)
                if label is None:
                    continue
            if label is None and not complete:
                continue
            if label is not None and label not in LABELS:
                raise BeneficeError(f"label {label!r} for source {source!r} is not one of {list(LABELS)}")
            group = str(record.get("id", number))
            out.append(Example(group, source, features, label == "used", rule_used))
    return out


ADDED = ("used", "mentioned")


def added_sources(
    labelled: Iterable[tuple[Mapping[str, Any], Mapping[str, Any]]], detector: Any
) -> list[dict[str, Any]]:
    """Sources a person added to a record (verdict used or mentioned) that the rules do not propose there.

    The learned stage scores the rules' candidates, so such a source is no example for it: there is no
    candidate, hence no features, to learn from. What it does show is a wording the registry's names and
    the description grammar miss, which is a person's job to turn into an alias or a grammar rule (see the
    methodology). Each is returned with the record's id, the verdict and the words the person selected
    (``labels["__evidence__"][source]``, when given). Complete (gold) labels are not corrections: skipped."""
    out: list[dict[str, Any]] = []
    for number, (record, labels) in enumerate(labelled):
        if labels.get("__complete__"):
            continue
        wanted = {s: v for s, v in labels.items() if not s.startswith("__") and v in ADDED}
        if not wanted:
            continue
        proposed = {source for source, _features, _rule_used in detector.candidates(record)}
        evidence = labels.get("__evidence__") or {}
        for source, verdict in wanted.items():
            if source not in proposed:
                words = [str(w) for w in evidence.get(source, ())]
                out.append(
                    {"record": record.get("id", number), "source": source, "verdict": verdict, "words": words}
                )
    return out


def _unscored_label(source: str, labels: Mapping[str, Any], registry: Any, scored: set[str]) -> str | None:
    """What a complete gold record says of a source outside the scored ids: a foreign source is not used
    when the record uses no foreign source; another French system (the gold's ``OTHER_FR``) is not used
    when the record uses none. A component of a scored source is left out (the gold names its parent)."""
    if not labels.get("__complete__"):
        return None
    entry = registry.sources.get(source)
    if entry is None or set(registry.ancestors(source)) & scored:
        return None
    if entry.country != "FR":
        return None if labels.get("__foreign_used__") else "mentioned"
    return None if labels.get("__other_fr_used__") else "mentioned"


def fit(
    examples: Sequence[Example], *, c: float = 1.0, version: str = "", provenance: dict | None = None
) -> MentionModel:
    """Fit the logistic regression (L2, scikit-learn's lbfgs) on the examples."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    if len({e.used for e in examples}) < 2:
        raise BeneficeError("training needs examples of both used and not-used sources")
    vectoriser = DictVectorizer(sparse=False)
    x = vectoriser.fit_transform([e.features for e in examples])
    y = [e.used for e in examples]
    names = vectoriser.get_feature_names_out()
    bias = list(names).index("bias") if "bias" in names else None
    # the intercept is fitted as the "bias" feature's weight, so the file holds one dict of weights
    model = LogisticRegression(C=c, max_iter=2000, fit_intercept=bias is None).fit(x, y)
    weights = {str(n): float(w) for n, w in zip(names, model.coef_[0], strict=True)}
    if bias is None:
        weights["bias"] = float(model.intercept_[0])
    return MentionModel(weights, version=version, provenance=provenance or {})


def cross_validate(
    examples: Sequence[Example], *, folds: int = 5, seed: int = 0, c: float = 1.0
) -> list[float]:
    """Out-of-fold probabilities, folds made of whole records (a record never informs its own score)."""
    from sklearn.model_selection import GroupKFold

    groups = [e.group for e in examples]
    if len(set(groups)) < folds:
        raise BeneficeError(f"cross-validation needs at least {folds} records")
    out = [0.0] * len(examples)
    splitter = GroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(examples, groups=groups):
        model = fit([examples[i] for i in train], c=c)
        for i in test:
            out[i] = model.probability(examples[i].features)
    return out


def file_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def gold_labels(record: Mapping[str, Any]) -> dict[str, Any]:
    """A gold record's labels: its used sources "used", its mentioned-only sources "mentioned", and the
    marker that the labels are complete (every other candidate is not used)."""
    labels: dict[str, Any] = {
        "__complete__": True,
        "__foreign_used__": bool(record.get("foreign_sources")),
        "__other_fr_used__": "OTHER_FR" in (record.get("gold_sources_used") or []),
    }
    for source in record.get("gold_sources_mentioned_only") or []:
        labels[source] = "mentioned"
    for source in record.get("gold_sources_used") or []:
        labels[source] = "used"
    return labels


MODEL: ModelFile[MentionModel] = ModelFile(MODEL_FILE, load_model)
