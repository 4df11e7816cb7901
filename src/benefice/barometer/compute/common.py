"""What every family of figures shares: the edition's window (year, observation date, perimeter), shares and
changes rounded alike, and custodians' file-name keys."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any

from benefice.errors import BeneficeError
from benefice.sources.registry import fold

SHARE_DIGITS = 4


@dataclass(frozen=True)
class Window:
    """The edition year, its observation date and the publication years it covers."""

    year: int
    observed_at: str
    first: int
    last: int

    @property
    def years(self) -> list[int]:
        return list(range(self.first, self.last + 1))


def check_edition_year(year: int, observed: _dt.date) -> None:
    """Refuse an edition year the observation date cannot have seen.

    An edition is the state of the corpus on its observation date, published in the year it is observed
    (as the French Open Science Barometer's editions are): the 2026 edition, observed in 2026, counts
    publications up to 2025. An edition of a later year than its observation is a future edition, whose
    corpus nobody has seen yet, so building it would publish figures for a year that has not happened.
    """
    if not 1900 <= year <= 2200:
        raise BeneficeError(f"edition year out of range: {year}", field="year")
    if year > observed.year:
        raise BeneficeError(
            f"the {year} edition is in the future: an edition is observed in its own year or later, and this "
            f"one would be observed on {observed.isoformat()}",
            field="year",
        )


def window_for(year: int, observed_at: str, params: dict[str, Any]) -> Window:
    try:
        observed = _dt.date.fromisoformat(observed_at)
    except (TypeError, ValueError) as exc:
        raise BeneficeError(
            f"observation date must be YYYY-MM-DD, got {observed_at!r}", field="observed_at"
        ) from exc
    check_edition_year(year, observed)
    last = params.get("last_publication_year") or year - 1
    if last > observed.year:
        raise BeneficeError(
            f"the perimeter ends in {last}, after the observation date {observed_at}", field="observed_at"
        )
    return Window(year, observed.isoformat(), last - int(params["span"]) + 1, last)


def _share(numerator: float, denominator: float) -> float | None:
    return round(float(numerator) / float(denominator), SHARE_DIGITS) if denominator else None


def _change(current: int, previous: int | None) -> tuple[int | None, float | None]:
    if previous is None:
        return None, None
    return current - previous, (round((current - previous) / previous, SHARE_DIGITS) if previous else None)


def slug(text: str) -> str:
    """A file-name-safe key for a custodian (folded, hyphenated, at most 60 characters)."""
    return "-".join(fold(text).split())[:60].strip("-") or "unknown"
