"""The learned stage of the kind-of-use classifier: one logistic regression over (publication, category) rows.

The features (:mod:`.features`) never name a category, so one small set of weights (a dozen numbers) ranks
every category of the typology: trained on a few hundred labelled publications, it cannot memorise their
words, only how much a title match, an aim-sentence match, a study design or a kind of data source counts.
Its probability (log-loss fit, so calibrated by construction, checked by cross-validation over records in
``benchmarks/classify.py``) is what the barometer sums into expected counts.

scikit-learn fits; the fitted weights are a JSON file applied with plain arithmetic, so classification
needs no scikit-learn at run time. Trained on the development gold files (``use_category``) and on people's
corrections; ``benefice classify --train`` and the background retraining after corrections both call
:func:`retrain`, which writes ``$BENEFICE_HOME/models/use_model.json`` (the shipped file stays as shipped).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benefice.errors import BeneficeError
from benefice.learned import ModelFile, read_json, save_json
from benefice.paths import package_data
from benefice.uses.features import FEATURES, Row

MODEL_FILE = "use_model.json"
FORMAT = 1


@dataclass(frozen=True)
class UseModel:
    """Weights over :data:`.features.FEATURES` and the record of what they were trained on."""

    weights: dict[str, float]
    trained_on: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        digest = hashlib.sha256(json.dumps(self.weights, sort_keys=True).encode()).hexdigest()[:8]
        return f"use_model {FORMAT} {digest}"

    def probability(self, values: Mapping[str, float]) -> float:
        z = sum(self.weights.get(name, 0.0) * values.get(name, 0.0) for name in FEATURES)
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "features": list(FEATURES),
            "weights": {k: round(float(self.weights.get(k, 0.0)), 6) for k in FEATURES},
            "trained_on": self.trained_on,
        }

    @classmethod
    def from_dict(cls, data: Any, path: str = "<model>") -> UseModel:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BeneficeError(f"not a kind-of-use model of format {FORMAT}", path=path, field="format")
        weights = data.get("weights")
        if not isinstance(weights, dict) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in weights.values()
        ):
            raise BeneficeError("weights must map feature names to numbers", path=path, field="weights")
        unknown = sorted(set(weights) - set(FEATURES))
        if unknown or list(data.get("features") or []) != list(FEATURES):
            raise BeneficeError(
                "the model was trained on other features than this version computes: retrain it "
                "(`benefice classify --train`)",
                path=path,
                field="features",
            )
        return cls({k: float(v) for k, v in weights.items()}, dict(data.get("trained_on") or {}))

    def save(self, path: Path) -> None:
        """Write the model whole or not at all (a temporary file renamed into place)."""
        save_json(path, self.to_dict())


def retrained_model_path() -> Path:
    """Where a model retrained with people's corrections is written (see :mod:`benefice.learned`)."""
    return MODEL.retrained_path()


def default_model() -> UseModel | None:
    """The model in force: the retrained one in the data directory if present, else the shipped one, else
    none (the rules alone). Re-read when the retrained file changes."""
    return MODEL.current()


def load_model(path: str | Path | None = None) -> UseModel:
    path = Path(path) if path is not None else package_data(MODEL_FILE)
    return UseModel.from_dict(read_json(path, "kind-of-use model"), str(path))


MODEL: ModelFile[UseModel] = ModelFile(MODEL_FILE, load_model)


# ------------------------------------------------------------------------------------------- training
#: (record, sources used, categories main first). ``[]`` = "no category of use": such records carry no
#: ranking information (the classifier is asked "which kind", only of publications that use a source).
Example = tuple[Mapping[str, Any], Sequence[str], Sequence[str]]


#: Strength of the L2 penalty (1.0 is scikit-learn's C = 1, chosen by cross-validation over both files).
PENALTY = 1.0


def fit_rows(
    rows_per_record: Sequence[Sequence[Row]],
    positives: Sequence[Iterable[str]],
    *,
    prior: UseModel | None = None,
    penalty: float = PENALTY,
    **info: Any,
) -> UseModel:
    """Fit the weights on the rows of records that have at least one category.

    Minimises the log-loss plus ``penalty / 2 * |w - w0|^2`` (the bias not penalised), where ``w0`` are the
    ``prior`` model's weights, or zero. With no prior this is the usual L2-regularised logistic regression;
    with the shipped model as prior, a few dozen corrections *move* the weights the gold files set instead of
    replacing them with what a few examples say — a Gaussian prior centred on what was learnt before."""
    import numpy as np
    from scipy.optimize import minimize

    x, y = [], []
    for rows, cats in zip(rows_per_record, positives, strict=True):
        cats = set(cats)
        if not cats:
            continue
        for row in rows:
            x.append([row.values[name] for name in FEATURES])
            y.append(float(row.category in cats))
    if len(set(y)) < 2:
        raise BeneficeError(
            "too few labelled publications to train the kind-of-use model (need some with a category)"
        )
    xa, ya = np.asarray(x, dtype=float), np.asarray(y)
    w0 = np.asarray([prior.weights.get(n, 0.0) if prior else 0.0 for n in FEATURES])
    mask = np.asarray([0.0 if n == "bias" else 1.0 for n in FEATURES])

    def loss(w: Any) -> tuple[float, Any]:
        z = xa @ w
        # log(1 + e^z) - y z, computed stably; gradient X^T (sigmoid(z) - y)
        value = float(np.sum(np.logaddexp(0.0, z) - ya * z) + 0.5 * penalty * np.sum(mask * (w - w0) ** 2))
        grad = xa.T @ (1.0 / (1.0 + np.exp(-z)) - ya) + penalty * mask * (w - w0)
        return value, grad

    result = minimize(loss, w0.copy(), jac=True, method="L-BFGS-B", options={"maxiter": 5000})
    weights = {name: float(w) for name, w in zip(FEATURES, result.x, strict=True)}
    trained = {"records": sum(1 for c in positives if set(c)), **info}
    if prior is not None:
        trained["prior"] = prior.version
    return UseModel(weights, trained)


def retrain(
    examples: Iterable[Example],
    *,
    path: Path | None = None,
    prior: UseModel | None | str = "shipped",
    **info: Any,
) -> Path:
    """Train on ``examples`` (people's corrections, labelled files) and write the model where the classifier
    in force reads it (:func:`retrained_model_path` unless ``path``). By default the shipped model is the
    prior (see :func:`fit_rows`), so corrections refine what the gold files taught. Returns the path."""
    from benefice.uses.classify import KindsOfUse

    if prior == "shipped":
        shipped = package_data(MODEL_FILE)
        prior = load_model(shipped) if Path(shipped).exists() else None
    examples = list(examples)
    kinds = KindsOfUse(model=None)
    rows = [kinds.rows(dict(record), sources) for record, sources, _ in examples]
    model = fit_rows(rows, [cats for _, _, cats in examples], prior=prior, **info)  # type: ignore[arg-type]
    target = path or retrained_model_path()
    model.save(target)
    return target
