"""Fit the learned stage of detection on gold files and people's corrections, and write it (pure: no Django).

Gold files are JSON lines in the format of the development gold set (``gold_sources_used``,
``gold_sources_mentioned_only``; records with ``exclude_from_eval`` left out); their labels are complete, so
every other candidate of a gold record is an example of "not used" — but only for the sources the gold set
scores (:data:`GOLD_SCORED`), since it lumps the rest into ``OTHER_FR``. Corrections count for the sources
a person judged. A source a person *added* where the rules propose nothing is no example for a model that
scores the rules' candidates: it is counted and listed in the report instead (``added_sources``), since it
shows a description the grammar lacks.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from benefice.errors import BeneficeError
from benefice.sources.detect import Detector
from benefice.sources.learn import (
    MentionModel,
    added_sources,
    cross_validate,
    examples_from,
    file_digest,
    fit,
    gold_labels,
)

GOLD_SCORED = frozenset(
    "SNDS SNIIRAM DCIR PMSI CEPIDC EGB ESND CONSTANCES E3N NUTRINET ELFE GAZEL 3C CANTO FRANCIM REIN "
    "EDS_APHP EDP_SANTE ESPS_EHIS EPIPHARE".split()
)


def read_gold(path: Path) -> list[dict[str, Any]]:
    """Scorable gold records of one file; a bad line is named."""
    records = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise BeneficeError(f"cannot read the gold file: {exc}", path=str(path)) from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BeneficeError(f"not JSON: {exc.msg}", path=str(path), line=number) from exc
        if not isinstance(record, dict) or not isinstance(record.get("gold_sources_used"), list):
            raise BeneficeError("a gold record needs a list gold_sources_used", path=str(path), line=number)
        if not record.get("exclude_from_eval"):
            records.append(record)
    return records


def train(
    gold_paths: Iterable[Path],
    corrections: Iterable[tuple[Mapping[str, Any], Mapping[str, str]]] = (),
    *,
    detector: Detector | None = None,
    c: float = 1.0,
) -> tuple[MentionModel, dict[str, Any]]:
    """The fitted model and a report (examples, cross-validated log-loss and accuracy, and
    ``added_sources``: the sources people added that the rules do not propose, see
    :func:`~benefice.sources.learn.added_sources`)."""
    detector = detector or Detector(model=None)
    gold_paths = list(gold_paths)
    labelled: list[tuple[Mapping[str, Any], Mapping[str, Any]]] = []
    files = []
    for path in gold_paths:
        records = read_gold(path)
        labelled += [(r, gold_labels(r)) for r in records]
        files.append({"file": Path(path).name, "sha256": file_digest(path), "records": len(records)})
    examples = examples_from(labelled, detector, only=set(GOLD_SCORED))
    corrections = list(corrections)
    corrected = examples_from(corrections, detector)
    for example in corrected:
        example.group = f"correction:{example.group}"
    examples += corrected
    added = added_sources(corrections, detector)
    report: dict[str, Any] = {
        "examples": len(examples),
        "corrections": len(corrected),
        "added_not_learnable": len(added),
        "files": files,
    }
    if len({e.group for e in examples}) >= 5:
        import math

        probabilities = cross_validate(examples, c=c)
        eps = 1e-9
        report["cv_log_loss"] = round(
            -sum(
                math.log(max(eps, p if e.used else 1 - p))
                for e, p in zip(examples, probabilities, strict=True)
            )
            / len(examples),
            4,
        )
        report["cv_accuracy"] = round(
            sum((p >= 0.5) == e.used for e, p in zip(examples, probabilities, strict=True)) / len(examples), 4
        )
    version = f"{date.today().isoformat()}-{len(examples)}"
    model = fit(examples, c=c, version=version, provenance={**report, "registry": detector.registry.version})
    report["added_sources"] = added  # in the report, not in the model file (it holds people's selections)
    return model, report
