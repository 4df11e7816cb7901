"""The one CSV writer of every export: cells a spreadsheet would run as a formula are neutralised.

A spreadsheet (Excel, LibreOffice, Google Sheets) reads a cell that starts with ``=``, ``+``, ``-`` or ``@``
as a formula, and a leading tab or carriage return can hide one; titles, abstracts, transcripts and answers
come from outside the team, so an export must never carry a formula to its reader. As OWASP recommends
("CSV Injection"), such a text cell is written with a single quote in front (``'=HYPERLINK(…)``): the
spreadsheet shows the text, the quote is visible in a text editor and easy to strip.

Choice for numbers: a value that is a number (``int``, ``float``, ``Decimal``) is never changed, and neither is
a text cell that is entirely a plain decimal number (``-3.2``, ``+1``, ``-1.5e-3``), because a spreadsheet reads
it as that number, not as a formula, and open data must stay numerically readable. Every other text starting
with one of the six characters is prefixed, whatever follows (``-1+2`` and ``-A1`` are formulas).

A carriage return inside a cell is quoted (Python 3.11's csv module quotes LF but not a lone CR when the line
terminator is LF, so a reader would split the row there and the text after the CR would start a new row): a
row holding one is written with every cell quoted.

No Django import: used by the CLI, the web views and the barometer's open-data package alike. The output is
a pure function of the rows, so rebuilt barometer editions stay byte-identical.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise(value: Any) -> Any:
    """``value`` unchanged unless it is text a spreadsheet would run as a formula; then ``"'" + value``."""
    if isinstance(value, str) and value[:1] in FORMULA_START and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [neutralise(v) for v in row]


def _has_cr(values: Iterable[Any]) -> bool:
    return any(isinstance(v, str) and "\r" in v for v in values)


def _quote_all(options: dict[str, Any]) -> dict[str, Any] | None:
    """Options for rows holding a CR, or None when the caller's quoting already quotes every text cell."""
    if options.get("quoting", csv.QUOTE_MINIMAL) != csv.QUOTE_MINIMAL:
        return None
    return options | {"quoting": csv.QUOTE_ALL}


class Writer:
    """``csv.writer`` whose every cell goes through :func:`neutralise` (header included)."""

    def __init__(self, stream: IO[str] | Any, **options: Any) -> None:
        options.setdefault("lineterminator", "\n")
        self._writer = csv.writer(stream, **options)
        quoted = _quote_all(options)
        self._quoted = csv.writer(stream, **quoted) if quoted else self._writer

    def writerow(self, row: Iterable[Any]) -> Any:
        cells = safe_row(row)
        return (self._quoted if _has_cr(cells) else self._writer).writerow(cells)

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class DictWriter:
    """``csv.DictWriter`` whose every value goes through :func:`neutralise`."""

    def __init__(self, stream: IO[str] | Any, fieldnames: Sequence[str], **options: Any) -> None:
        options.setdefault("lineterminator", "\n")
        self.fieldnames = list(fieldnames)
        self._writer = csv.DictWriter(stream, fieldnames=self.fieldnames, **options)
        quoted = _quote_all(options)
        self._quoted = (
            csv.DictWriter(stream, fieldnames=self.fieldnames, **quoted) if quoted else self._writer
        )

    def writeheader(self) -> Any:
        return self._writer.writeheader()

    def writerow(self, row: Mapping[str, Any]) -> Any:
        cells = {k: neutralise(v) for k, v in row.items()}
        return (self._quoted if _has_cr(cells.values()) else self._writer).writerow(cells)

    def writerows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(stream: IO[str] | Any, **options: Any) -> Writer:
    return Writer(stream, **options)
