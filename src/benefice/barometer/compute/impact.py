"""Impact of the cases: indicator values per data source and category of use (from
:mod:`benefice.indicators.values`) and the ranking of cases with its stability (from :mod:`benefice.cases.rank`).

Both modules are looked up here, as attributes of this module, when an edition is computed: a stand-in
replaces them by patching ``benefice.barometer.compute.impact.rank`` (or ``.values``)."""

from __future__ import annotations

import dataclasses
import re
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from benefice.barometer.compute.cases import _known_at, case_as_known
from benefice.barometer.compute.common import SHARE_DIGITS, Window
from benefice.barometer.inputs import WEIGHTS_FILE, EditionInputs
from benefice.cases import rank
from benefice.indicators import values

RANK_SAMPLES = 1000  # weight draws behind the ranks' stability, unless the weights file says otherwise
#: the ranking methods of ``cases.rank`` in words (French, English), for the note under the ranking
RANK_METHOD_NAMES = {
    "weighted_sum": ("somme pondérée", "weighted sum"),
    "topsis": ("TOPSIS", "TOPSIS"),
    "promethee": ("PROMETHEE", "PROMETHEE"),
}


def _unavailable_ranking(reason_fr: str, reason_en: str) -> dict[str, Any]:
    return {
        "available": False,
        "rows": [],
        "method": "",
        "samples": 0,
        "note_fr": f"Le classement des cas et sa stabilité ne figurent pas dans cette édition : {reason_fr}.",
        "note_en": f"The ranking of cases and its stability are not part of this edition: {reason_en}.",
    }


def _plain(value: Any) -> Any:
    """JSON-ready, floats rounded to SHARE_DIGITS (numpy scalars and mappings included), so that a rebuild
    on another machine writes the same bytes."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return round(float(value), SHARE_DIGITS)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple | np.ndarray):
        return [_plain(v) for v in value]
    return str(value)


VALUE_GROUPINGS = ("source", "category")
_FIGURE_REF = re.compile(r"[\w.-]+#figure-\d+")


def impact_values(inputs: EditionInputs, window: Window) -> dict[str, Any]:
    """Indicator values per data source and per category of use, from ``benefice.indicators.values`` (ranges
    added as intervals, the same population counted once), over the cases as known at the observation date.
    Rows of different keys must not be added up: a case with two sources counts under both."""
    include = bool(inputs.params["include_unverified"])
    cases = [case_as_known(c, window.observed_at, include) for c in inputs.cases.cases.values()]
    # values names a figure by its position in the case it was given; the edition names it by its figure id
    ids: dict[str, str] = {}
    for case in inputs.cases.cases.values():
        counter: dict[str, int] = defaultdict(int)
        kept = 0
        for f in case.figures:
            counter[f.indicator] += 1
            if _known_at(f.entered_at, window.observed_at) and (f.verified or include):
                ids[f"{case.id}#figure-{kept}"] = f"{case.id}/{f.indicator}/{counter[f.indicator]}"
                kept += 1
    out: dict[str, Any] = {"available": True}
    for by in VALUE_GROUPINGS:
        rows = values.aggregate(cases, inputs.indicators, by, include_unverified=include)
        plain = []
        for r in rows:
            row = r.to_dict() if hasattr(r, "to_dict") else dataclasses.asdict(r)
            refs = row.get("figure_refs") or ""
            refs = [r for r in (refs.split("|") if isinstance(refs, str) else refs) if r]
            row["figure_ids"] = "|".join(ids.get(r, r) for r in refs)
            row.pop("figure_refs", None)
            row["case_ids"] = "|".join(sorted({r.split("#")[0] for r in refs}))
            row["deduplicated_populations"] = _FIGURE_REF.sub(
                lambda m: ids.get(m.group(0), m.group(0)), str(row.get("deduplicated_populations") or "")
            )
            plain.append(_plain(row))
        out[f"by_{by}"] = plain
    return out


def ranking(inputs: EditionInputs, window: Window) -> dict[str, Any]:
    """The ranking of cases with its stability, from ``benefice.cases.rank`` when it is installed.

    The criteria and weights come from the edition's frozen ``ranking.yaml`` when it has one (else the
    ranking module's defaults); cases are taken as known at the observation date. Each row gives the rank, the score and
    the range of ranks the case takes under uncertain weights (``rank_low``–``rank_high``).
    """
    spec = None
    weights = inputs.files.get(WEIGHTS_FILE)
    if weights is not None:
        with tempfile.TemporaryDirectory(prefix="benefice-weights-") as tmp:
            path = Path(tmp) / WEIGHTS_FILE
            path.write_bytes(weights)
            # a frozen copy may be an English-only ranking.yaml (before issue 19): read its rationales as English
            spec = rank.load_weights(path, one_language=True)
    include = bool(inputs.params["include_unverified"])
    cases = [case_as_known(c, window.observed_at, include) for c in inputs.cases.cases.values()]
    if not cases:
        return _unavailable_ranking("aucun cas documenté", "no documented case")
    if spec is None and hasattr(rank, "load_weights"):
        spec = rank.load_weights()
    samples = int(getattr(spec, "samples", RANK_SAMPLES) or RANK_SAMPLES)
    result = rank.rank_cases(cases, inputs.typology, inputs.indicators, spec, samples=samples, seed=0)
    rows = []
    for r in sorted(result.rows, key=lambda r: (r.rank, r.case_id)):
        rows.append(
            {
                "case": r.case_id,
                "rank": int(r.rank),
                "score": _plain(r.score),
                "rank_low": int(r.rank_low),
                "rank_high": int(r.rank_high),
                "rank_probabilities": _plain(r.rank_probabilities),
                "criteria": _plain(r.criteria),
            }
        )
    method = str(getattr(result, "method", "") or "weighted_sum")
    names = RANK_METHOD_NAMES.get(method, (method, method))
    samples_fr = f"{samples:,}".replace(",", "\u202f")  # "1 000": the French thousands separator
    return {
        "available": True,
        "rows": rows,
        "method": method,
        "weights_version": str(getattr(getattr(result, "spec", None), "version", "") or ""),
        "samples": samples,
        "note_fr": f"Rang avec les pondérations publiées et intervalle des rangs (5e–95e centile) sur "
        f"{samples_fr} tirages des pondérations (méthode {names[0]}, graine fixe)\u00a0: plus "
        "l'intervalle est étroit, plus le rang est stable.",
        "note_en": f"Rank under the published weights and range of ranks (5th–95th percentile) over "
        f"{samples:,} draws of the weights (method {names[1]}, fixed seed): the narrower the "
        "range, the more stable the rank.",
    }
