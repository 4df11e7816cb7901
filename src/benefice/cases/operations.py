"""Ranking the cases and aggregating indicator values: one service each, called by the CLI and the web.

``benefice rank`` once ranked the bundled YAML file while the web page ranked the cases stored in the
database: the same ranks only until someone edited a case on the web. Both now call these functions on the
same data — the stored cases, as people edited them (``benefice init`` loads the bundled file into the
database) — and a cases file is an explicit input (``--cases FILE``, :func:`cases_from_file`), never a
silent fallback. The arithmetic stays in the pure modules (:mod:`benefice.cases.rank`,
:mod:`benefice.indicators.values`); this module only chooses the inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from benefice.cases import catalogue as case_catalogue
from benefice.cases import rank as ranking
from benefice.errors import BeneficeError
from benefice.indicators import catalogue as indicator_catalogue
from benefice.indicators.values import ValueRow, aggregate
from benefice.uses.typology import Typology, load_typology, shipped_typology

__all__ = ["CaseInput", "case_input", "cases_from_file", "rank", "stored_cases", "values"]


@dataclass(frozen=True)
class CaseInput:
    """The cases an operation runs on, with the typology and catalogue they are checked against, and where
    they came from ("database" or the file's path), for the output to say."""

    typology: Typology
    indicators: indicator_catalogue.IndicatorCatalogue
    cases: list[case_catalogue.Case]
    origin: str


def stored_cases(*, allow_empty: bool = False) -> CaseInput:
    """The cases in the database, as people edited them. A BeneficeError when none is stored, unless
    ``allow_empty`` (a web page says so in its own words)."""
    from benefice.cases import services as case_services
    from benefice.indicators import (
        services as indicator_services,  # Django models: only when the database is the input
    )

    cases = case_services.db_cases()
    if not cases and not allow_empty:
        raise BeneficeError(
            "no impact case is stored in the database; run `benefice init` to load the bundled cases, "
            "or give a cases file (--cases FILE)"
        )
    return CaseInput(shipped_typology(), indicator_services.db_indicator_catalogue(), cases, "database")


def cases_from_file(path: Path | str) -> CaseInput:
    """The cases of a cases.yaml file, checked against the bundled typology and indicator catalogue."""
    typology = load_typology()
    indicators = indicator_catalogue.load_indicators(typology=typology)
    book = case_catalogue.load_cases(str(path), typology=typology, indicators=indicators)
    return CaseInput(typology, indicators, list(book.cases.values()), str(path))


def case_input(cases_path: Path | str | None = None) -> CaseInput:
    """The file when one is given, otherwise the stored cases."""
    return cases_from_file(cases_path) if cases_path else stored_cases()


def rank(
    inputs: CaseInput,
    *,
    method: str = "weighted_sum",
    category: str | None = None,
    samples: int | None = None,
    seed: int = 0,
    concentration: float | None = None,
    weights_path: Path | str | None = None,
    spec: ranking.RankingSpec | None = None,
) -> ranking.CaseRanking:
    """Rank the cases with the published weights (or another weights file); draws and concentration default
    to the weights file's, so the page, the command and the barometer give the same ranks for the same
    data and seed. ``spec``: weights already read (a caller ranking several categories reads them once)."""
    spec = spec or ranking.load_weights(weights_path)
    return ranking.rank_cases(
        inputs.cases,
        inputs.typology,
        inputs.indicators,
        spec,
        method=method,
        category=category,
        samples=spec.samples if samples is None else samples,
        seed=seed,
        concentration=spec.concentration if concentration is None else concentration,
    )


def values(inputs: CaseInput, by: str = "case", *, include_unverified: bool = False) -> list[ValueRow]:
    """Indicator values per case, data source, year or category (people counted once, ranges carried)."""
    return aggregate(inputs.cases, inputs.indicators, by, include_unverified=include_unverified)
