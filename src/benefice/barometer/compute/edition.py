"""The edition: every family of figures computed from the inputs and put together as JSON-ready data."""

from __future__ import annotations

from typing import Any

from benefice.barometer.compute.cases import case_figures
from benefice.barometer.compute.common import window_for
from benefice.barometer.compute.impact import impact_values, ranking
from benefice.barometer.compute.publications import publication_figures
from benefice.barometer.inputs import EditionInputs
from benefice.errors import BeneficeError


def compute(inputs: EditionInputs, year: int, observed_at: str) -> dict[str, Any]:
    """All the figures of one edition as plain JSON-ready data (lists of rows, no floats beyond 4 digits)."""
    if inputs.publications.num_rows == 0:
        raise BeneficeError("the publication set is empty: an edition needs at least one publication")
    window = window_for(year, observed_at, inputs.params)
    pubs = publication_figures(inputs, window)
    if pubs["perimeter"]["in_perimeter"] == 0:
        raise BeneficeError(
            f"no publication falls in the perimeter {window.first}–{window.last} "
            f"({pubs['perimeter']['publications_in_file']} in the file, all outside it)"
        )
    cases = case_figures(inputs, window)
    for row in pubs["sources"]:
        extra = cases["cases_by_source"].get(row["source"], {})
        row["cases_own"] = extra.get("cases_own", 0)
        row["cases_family"] = extra.get("cases_family", 0)
        row["decisions_family"] = extra.get("decisions_family", 0)
    for row in cases["categories"]:  # corpus figures beside the cases' own: two columns, never added up
        row.update(pubs["categories_publications"][row["category"]])
    evidence = pubs.pop("_evidence")
    results = {
        "edition": {
            "year": window.year,
            "observed_at": window.observed_at,
            "first_publication_year": window.first,
            "last_publication_year": window.last,
        },
        "versions": {
            "registry": inputs.registry.version,
            "typology": inputs.typology.version,
            "indicators": inputs.indicators.version,
            "cases": inputs.cases.version,
        },
        "params": dict(sorted(inputs.params.items())),
        **{k: v for k, v in pubs.items() if k != "categories_publications"},
        "categories": cases["categories"],
        "cases": cases["cases"],
        "decisions": cases["decisions"],
        "decision_types": cases["decision_types"],
        "decisions_by_year": cases["decisions_by_year"],
        "figures": cases["figures"],
        "impact_ranges": cases["impact_ranges"],
        "delays": cases["delays"],
        "delay_summary": cases["delay_summary"],
        "excluded_unverified": cases["excluded_unverified"],
        "ranking": ranking(inputs, window),
        "impact_values": impact_values(inputs, window),
        "evidence": evidence,
    }
    if results["ranking"].get("weights_version"):
        results["versions"]["ranking"] = results["ranking"]["weights_version"]
    from benefice.barometer.texts import headline  # noqa: PLC0415 - texts imports this module's helpers

    results["headline"] = headline(results)
    return results
