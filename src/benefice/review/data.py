"""Read a fully labelled screening file (CSV) for simulations, with messages that say what is wrong where.

The file needs a ``title`` and an ``abstract`` column and a label column, ``label_included`` (ASReview's
name) or ``included``, holding 0 or 1. Column names are matched ignoring case and surrounding spaces;
comma, semicolon and tab separators are recognised from the header line. Line numbers in messages are
those of the file (a record whose abstract spans several lines is reported at its first line).

What is refused, and why (each raises :class:`~benefice.errors.BeneficeError`):

- missing columns (all missing ones are named, with the columns that were found);
- a label other than 0/1, including an empty one (a simulation needs the truth for every record);
- a file whose records are all relevant or all irrelevant (no metric is defined);
- two records with the same title and abstract but different labels (the truth contradicts itself).

What is accepted, with a warning (:attr:`LabelledRecords.warnings`):

- records with neither title nor abstract are **kept**, with an empty text: removing them would change
  the denominators of WSS and RRF; the model can only rank them by chance;
- duplicates with the same label are **kept**: published benchmark sets contain a few and ASReview keeps
  them, so removing them would make results incomparable. They are listed by line.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benefice.errors import BeneficeError
from benefice.i18n import Message, gettext_noop, render_plural
from benefice.review.active_learning import record_text

LABEL_COLUMNS = ("label_included", "included")
_MAX_LISTED = 10


@dataclass
class LabelledRecords:
    """Titles, abstracts and 0/1 labels, with the file line of each record."""

    titles: list[str]
    abstracts: list[str]
    labels: np.ndarray
    lines: list[int]
    path: str = ""
    label_column: str = "label_included"
    empty_lines: list[int] = field(default_factory=list)
    duplicate_lines: list[list[int]] = field(default_factory=list)
    #: the warnings in English (logs, the METRICS JSON), one per :attr:`notes` entry
    warnings: list[str] = field(default_factory=list)
    #: the same warnings, to be said in the reader's language (``note.localized(lang)``)
    notes: list[Note] = field(default_factory=list)

    def warn(self, note: Note) -> None:
        self.notes.append(note)
        self.warnings.append(note.localized("en"))

    def __len__(self) -> int:
        return len(self.titles)

    @property
    def texts(self) -> list[str]:
        return [record_text(t, a) for t, a in zip(self.titles, self.abstracts, strict=True)]

    @property
    def n_relevant(self) -> int:
        return int(self.labels.sum())


@dataclass(frozen=True)
class Note:
    """A warning whose words follow a count ("1 record has…", "2 records have…"): an English msgid pair
    marked for the catalogue and its parameters, said with the catalogue's plural forms when read."""

    singular: str
    plural: str
    count: int
    params: dict[str, Any] = field(default_factory=dict)

    def localized(self, lang: str | None) -> str:
        n: int | str = self.count
        if (lang or "").lower().startswith("fr") and self.count >= 1000:
            n = f"{self.count:,}".replace(
                ",", "\u202f"
            )  # French groups thousands with a narrow no-break space
        return render_plural(self.singular, self.plural, self.count, {"n": n, **self.params}, lang)

    def __str__(self) -> str:
        return self.localized("en")


_AND_MORE = gettext_noop("%(shown)s and %(n)s more")


def _listed(lines: list[int]) -> str | Message:
    """Line numbers for a message: all of them, or the first ``_MAX_LISTED`` and how many more (a nested
    message, said in the reader's language with the rest)."""
    shown = ", ".join(str(n) for n in lines[:_MAX_LISTED])
    if len(lines) <= _MAX_LISTED:
        return shown
    return Message(_AND_MORE, {"shown": shown, "n": len(lines) - _MAX_LISTED})


# the refusals, templates marked for the catalogue (parameters filled in when the error is said)
_ALL_IRRELEVANT = gettext_noop(
    "all %(n)s records are labelled irrelevant (0) in column %(column)r: a simulation needs at least one "
    "relevant and one irrelevant record"
)
_ALL_RELEVANT = gettext_noop(
    "all %(n)s records are labelled relevant (1) in column %(column)r: a simulation needs at least one "
    "relevant and one irrelevant record"
)
# a BeneficeError holds one template (so it can be stored and said later): the form is chosen by the count,
# which is never 0 here, where French and English agree on singular and plural
_MISSING_COLUMN = gettext_noop("missing column: %(missing)s (columns found: %(found)s)")
_MISSING_COLUMNS = gettext_noop("missing columns: %(missing)s (columns found: %(found)s)")
_EITHER = gettext_noop("%(first)s or %(second)s")
_COLUMNS_AND_EITHER = gettext_noop("%(columns)s, %(first)s or %(second)s")
_NONE_FOUND = gettext_noop("none")


def _parse_label(raw: str) -> int | None:
    value = raw.strip()
    if value in ("0", "1"):
        return int(value)
    if value in ("0.0", "1.0"):  # spreadsheets and pandas write integer columns with NaN as floats
        return int(float(value))
    return None


def _normalised(text: str) -> str:
    return " ".join(re.sub(r"\W+", " ", text.lower()).split())


def check_labelled(records: LabelledRecords) -> LabelledRecords:
    """Validate labels and text of already-parsed records; adds warnings, raises on contradictions."""
    path = records.path or None
    if len(records) == 0:
        raise BeneficeError(gettext_noop("no records in the file"), path=path)
    n_relevant = records.n_relevant
    if n_relevant == 0 or n_relevant == len(records):
        raise BeneficeError(
            _ALL_IRRELEVANT if n_relevant == 0 else _ALL_RELEVANT,
            params={"n": len(records), "column": records.label_column},
            path=path,
            field=records.label_column,
        )
    groups: dict[str, list[int]] = {}
    empty: list[int] = []
    for i, (title, abstract) in enumerate(zip(records.titles, records.abstracts, strict=True)):
        key = _normalised(record_text(title, abstract))
        if not key:
            empty.append(i)
            continue
        groups.setdefault(key, []).append(i)
    records.empty_lines = [records.lines[i] for i in empty]
    if empty:
        records.warn(
            Note(
                gettext_noop(
                    "%(n)s record has neither title nor abstract (line %(lines)s): kept with an empty text, "
                    "so the model can only rank it by chance"
                ),
                gettext_noop(
                    "%(n)s records have neither title nor abstract (lines %(lines)s): kept with an empty "
                    "text, so the model can only rank them by chance"
                ),
                len(empty),
                {"lines": _listed(records.empty_lines)},
            )
        )
    duplicates = [members for members in groups.values() if len(members) > 1]
    for members in duplicates:
        if len({int(records.labels[i]) for i in members}) > 1:
            lines = [records.lines[i] for i in members]
            raise BeneficeError(
                gettext_noop(
                    "records on lines %(lines)s have the same title and abstract but different labels"
                ),
                params={"lines": _listed(lines)},
                path=path,
                line=lines[0],
                field=records.label_column,
            )
    records.duplicate_lines = [[records.lines[i] for i in members] for members in duplicates]
    if duplicates:
        shown = "; ".join("+".join(str(n) for n in g) for g in records.duplicate_lines[:_MAX_LISTED])
        records.warn(
            Note(
                gettext_noop(
                    "%(n)s group of duplicate records with the same label (lines %(lines)s): kept, as ASReview "
                    "does, so that results stay comparable"
                ),
                gettext_noop(
                    "%(n)s groups of duplicate records with the same label (lines %(lines)s): kept, as "
                    "ASReview does, so that results stay comparable"
                ),
                len(duplicates),
                {"lines": shown},
            )
        )
    return records


def read_labelled_csv(path: str | Path) -> LabelledRecords:
    """Read and validate a labelled CSV file (see the module docstring for the rules)."""
    path = Path(path)
    where = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BeneficeError(
            gettext_noop("cannot read the file: %(reason)s"),
            params={"reason": str(exc.strerror or exc)},
            path=where,
        ) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BeneficeError(
            gettext_noop("the file is not UTF-8 text (save it as UTF-8 CSV)"), path=where, line=line
        ) from exc
    if not text.strip():
        raise BeneficeError(gettext_noop("the file is empty"), path=where)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise BeneficeError(
            gettext_noop("cannot read the header: %(reason)s"),
            params={"reason": str(exc)},
            path=where,
            line=1,
        ) from exc
    names = [h.strip().lower() for h in header]
    index = {name: i for i, name in reversed(list(enumerate(names)))}
    label_column = next((c for c in LABEL_COLUMNS if c in index), None)
    missing = [c for c in ("title", "abstract") if c not in index]
    if label_column is None:
        either = {"first": LABEL_COLUMNS[0], "second": LABEL_COLUMNS[1]}
        shown: str | Message = (
            Message(_COLUMNS_AND_EITHER, {"columns": ", ".join(missing), **either})
            if missing
            else Message(_EITHER, either)
        )
    else:
        shown = ", ".join(missing)
    count = len(missing) + (label_column is None)
    if count:
        found = ", ".join(repr(h) for h in header) or Message(_NONE_FOUND)
        raise BeneficeError(
            _MISSING_COLUMN if count == 1 else _MISSING_COLUMNS,
            params={"missing": shown, "found": found},
            path=where,
            line=1,
        )
    i_title, i_abstract, i_label = index["title"], index["abstract"], index[label_column]
    titles: list[str] = []
    abstracts: list[str] = []
    labels: list[int] = []
    lines: list[int] = []
    previous_end = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise BeneficeError(
                gettext_noop("malformed CSV: %(reason)s"),
                params={"reason": str(exc)},
                path=where,
                line=previous_end + 1,
            ) from exc
        start = previous_end + 1
        previous_end = reader.line_num
        if not any(cell.strip() for cell in row):
            continue  # blank line
        cells = row + [""] * (len(header) - len(row))
        label = _parse_label(cells[i_label])
        if label is None:
            raise BeneficeError(
                gettext_noop("label %(label)r is not 0 or 1 (every record needs its true label)"),
                params={"label": cells[i_label].strip()},
                path=where,
                line=start,
                record=len(titles) + 1,
                field=header[i_label].strip(),
            )
        titles.append(cells[i_title].strip())
        abstracts.append(cells[i_abstract].strip())
        labels.append(label)
        lines.append(start)
    records = LabelledRecords(
        titles, abstracts, np.asarray(labels, dtype=np.int8), lines, path=where, label_column=label_column
    )
    return check_labelled(records)
