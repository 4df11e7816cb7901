"""Read a custodian's directory of projects (the Health Data Hub's public directory, or any CSV/XLSX list).

Pure Python, no Django: the CLI, the web app and a notebook read a directory the same way. Directories are
maintained by hand and change shape between releases, so columns are found by name with synonyms, ignoring
case, accents and punctuation ("Référence" = "reference" = "REFERENCE"), merged cells of a spreadsheet are
filled from their top-left cell, dates are read in the formats people write them, and the data-source labels
are normalised to source-registry ids with the detector (a label no rule recognises is kept and flagged, never
dropped). A row that cannot be read is *rejected* with the file, line and field, never half-imported; a
reference seen twice is reported, not silently merged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benefice.errors import BeneficeError, FormatError
from benefice.i18n import gettext_noop, json_params, render
from benefice.sources.registry import fold

#: canonical field -> column names that mean it (compared folded: case, accents, punctuation ignored)
SYNONYMS: dict[str, tuple[str, ...]] = {
    "reference": ("Référence", "reference", "ref", "numéro de dossier", "numero", "identifiant",
                  "id projet", "project id", "project reference", "id"),
    "title": ("title", "titre", "titre du projet", "intitulé", "intitulé du projet", "project title", "nom"),
    "data_sources": ("Source de données utilisées", "sources de données", "source de données",
                     "data sources", "sources", "data source"),
    "snds_components": ("Composante(s) de la base principale du SNDS mobilisée(s)", "composantes du snds",
                        "composantes snds", "snds components"),
    "hdh_bases": ("Base(s) du catalogue du HDH mobilisée(s)", "bases du catalogue du hdh",
                  "bases du catalogue", "hdh catalogue databases"),
    "other_sources": ("Autre(s) source(s) de donnée(s) mobilisée(s)", "autres sources de données",
                      "autres sources", "other data sources", "other sources"),
    "status": ("statut calendrier", "statut", "status", "état", "etat du projet"),
    "medical_domains": ("Domaines médicaux investigués", "domaines médicaux", "domaine médical",
                        "medical domains", "domains"),
    "purpose": ("Finalité de l'étude", "finalité", "purpose", "finalite du projet"),
    "objectives": ("Objectifs poursuivis", "objectifs", "objectif", "objectives", "aims"),
    "custodian": ("Description Entité mettant à disposition", "Entité mettant à disposition",
                  "entité mettant à disposition les données", "custodian", "data custodian",
                  "responsable des données"),
    "start_date": ("Date de début", "date debut", "début", "start date", "start", "date de démarrage"),
    "investigators": ("investigateurs", "investigateur principal", "investigators", "principal investigator",
                      "porteurs", "chercheurs"),
}  # fmt: skip
#: numbered fields: "Responsable de traitement 1", "Type responsable traitement 2"…
NUMBERED: dict[str, tuple[str, ...]] = {
    "controller": ("responsable de traitement", "responsable du traitement", "data controller", "controller"),
    "controller_type": ("type responsable traitement", "type responsable de traitement",
                        "type du responsable de traitement", "data controller type", "controller type"),
}  # fmt: skip
REQUIRED = ("reference", "title")
#: the header that names each canonical field in messages (the HDH's own column names)
LABELS = {key: names[0] for key, names in SYNONYMS.items()} | {
    "controller": "Responsable de traitement",
    "controller_type": "Type responsable traitement",
}
# refusals said in the reader's language (templates marked for the catalogue, parameters apart)
_UNREADABLE_CSV = gettext_noop("unreadable CSV: %(reason)s")
_REQUIRED_COLUMN = gettext_noop("required column %(names)s not found (columns found: %(found)s)")
_REQUIRED_COLUMNS = gettext_noop("required columns %(names)s not found (columns found: %(found)s)")
_REQUIRED_COLUMN_NONE = gettext_noop("required column %(names)s not found (no column found)")
_REQUIRED_COLUMNS_NONE = gettext_noop("required columns %(names)s not found (no column found)")
LIST_FIELDS = (
    "data_sources",
    "snds_components",
    "hdh_bases",
    "other_sources",
    "medical_domains",
    "investigators",
)
TEXT_FIELDS = ("reference", "title", "status", "purpose", "objectives", "custodian")
MONTHS = {
    "janvier": 1, "janv": 1, "january": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "february": 2,
    "feb": 2, "mars": 3, "march": 3, "mar": 3, "avril": 4, "avr": 4, "april": 4, "apr": 4, "mai": 5,
    "may": 5, "juin": 6, "june": 6, "jun": 6, "juillet": 7, "juil": 7, "july": 7, "jul": 7, "aout": 8,
    "august": 8, "aug": 8, "septembre": 9, "sept": 9, "september": 9, "sep": 9, "octobre": 10, "oct": 10,
    "october": 10, "novembre": 11, "nov": 11, "november": 11, "decembre": 12, "dec": 12, "december": 12,
}  # fmt: skip
_SPLIT = re.compile(r"[;\n|•]")


def _key(header: str) -> str:
    """A header's comparison key: "Composante(s) … mobilisée(s)" → "composante … mobilisee"."""
    return fold(re.sub(r"\((?:s|x|es)\)", "", str(header), flags=re.IGNORECASE))


_FIELD_KEYS = {_key(name): canonical for canonical, names in SYNONYMS.items() for name in names}
_NUMBERED_KEYS = {_key(name): canonical for canonical, names in NUMBERED.items() for name in names}


@dataclass
class Rejection:
    """A row that was not imported, and why: enough to find and fix it in the file."""

    path: str
    line: int
    field: str
    reason: str  # in English (logs, the import's record); ``template`` and ``params`` say it in any language
    template: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, path: str, line: int, fld: str, template: str, **params: Any) -> Rejection:
        """A rejection whose reason is ``template`` (an English msgid marked with ``gettext_noop``) filled
        with ``params``, kept apart so that each reader gets it in their language (:meth:`localized`)."""
        params = json_params(params)
        return cls(path, line, fld, render(template, params, "en"), template, params)

    def error(self) -> BeneficeError:
        """The rejection as an error: file, line, field and reason, untranslated until said."""
        return BeneficeError(
            self.template or self.reason,
            params=self.params,
            path=self.path,
            line=self.line,
            field=self.field or None,
        )

    def localized(self, lang: str | None, *, name_only: bool = True) -> str:
        """The rejection in ``lang``, naming the file (without its server directory unless ``name_only`` is
        false), the line and the field."""
        return self.error().localized(lang, name_only=name_only)

    def __str__(self) -> str:
        return self.localized("en", name_only=False)


@dataclass
class ProjectRecord:
    """One project as read from a directory row, normalised."""

    reference: str
    title: str
    line: int
    data_sources: list[str] = field(default_factory=list)
    snds_components: list[str] = field(default_factory=list)
    hdh_bases: list[str] = field(default_factory=list)
    other_sources: list[str] = field(default_factory=list)
    status: str = ""
    medical_domains: list[str] = field(default_factory=list)
    purpose: str = ""
    objectives: str = ""
    controllers: list[dict[str, str]] = field(default_factory=list)
    custodian: str = ""
    start_date: str = ""  # ISO date, "" when the row gives none
    investigators: list[str] = field(default_factory=list)
    source_ids: list[str] = field(default_factory=list)  # registry ids the labels were normalised to
    unrecognised_labels: list[str] = field(default_factory=list)  # labels no registry rule recognises
    raw: dict[str, str] = field(default_factory=dict)  # the row as read, header -> text

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Directory:
    """What a file gave: the projects, the rows rejected, and how its columns were understood."""

    path: str
    rows_read: int = 0
    records: list[ProjectRecord] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # header -> canonical field
    ignored_columns: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------- columns
def match_columns(headers: list[str], path: str, required: Iterable[str] = REQUIRED) -> dict[int, str]:
    """Column index -> canonical field ("controller_2", "title"…). A required field with no column raises an
    error naming the file, the missing column and the columns that were found."""
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for index, header in enumerate(headers):
        if header is None or not str(header).strip():
            continue
        key = _key(header)
        canonical = _FIELD_KEYS.get(key)
        if canonical is None:
            number = re.fullmatch(r"(.*?)\s*(\d)", key)
            base, n = (number.group(1), number.group(2)) if number else (key, "1")
            numbered = _NUMBERED_KEYS.get(base)
            if numbered is not None:
                canonical = f"{numbered}_{n}"
        if canonical is None or canonical in taken:
            continue
        mapping[index] = canonical
        taken.add(canonical)
    missing = [f for f in required if f not in taken]
    if missing:
        found = ", ".join(repr(str(h)) for h in headers if h is not None and str(h).strip())
        names = ", ".join(repr(LABELS[m]) for m in missing)
        # one template per form, chosen by the count (never 0 here, where French and English agree)
        raise BeneficeError(
            (_REQUIRED_COLUMN if len(missing) == 1 else _REQUIRED_COLUMNS)
            if found
            else (_REQUIRED_COLUMN_NONE if len(missing) == 1 else _REQUIRED_COLUMNS_NONE),
            params={"names": names, "found": found},
            path=path,
        )
    return mapping


# --------------------------------------------------------------------------------------------- values
def split_labels(value: str) -> list[str]:
    """Split a multi-valued cell ("SNDS ; Cohorte CONSTANCES", "DCIR, PMSI (MCO, SSR)") into labels:
    semicolons, newlines, bars and bullets always separate; commas only outside parentheses."""
    parts: list[str] = []
    for chunk in _SPLIT.split(value or ""):
        depth, start = 0, 0
        for i, char in enumerate(chunk):
            if char in "([":
                depth += 1
            elif char in ")]":
                depth = max(0, depth - 1)
            elif char == "," and depth == 0:
                parts.append(chunk[start:i])
                start = i + 1
        parts.append(chunk[start:])
    seen: list[str] = []
    for part in parts:
        label = " ".join(part.split()).strip(" -–·")
        if label and label not in seen:
            seen.append(label)
    return seen


def parse_date(value: Any) -> str:
    """An ISO date from what people write: a spreadsheet date, an Excel serial number, 2021-03-15,
    15/03/2021, 15.03.2021, 03/2021, 2021, "15 mars 2021", "mars 2021", "March 2021". Month-only and
    year-only dates mean the first day. Empty gives ""; anything else raises ``ValueError``."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1900 <= value <= 2100 and float(value).is_integer():
            return dt.date(int(value), 1, 1).isoformat()
        if 20000 <= value <= 80000:  # Excel serial day (1954–2119)
            return (dt.date(1899, 12, 30) + dt.timedelta(days=int(value))).isoformat()
        raise ValueError(f"not a date: {value!r}")
    text = " ".join(str(value).split())
    if not text:
        return ""
    patterns = (
        (r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?", ("y", "m", "d")),
        (r"(\d{4})/(\d{1,2})/(\d{1,2})", ("y", "m", "d")),
        (r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?: .*)?", ("d", "m", "y")),
        (r"(\d{1,2})[/.-](\d{2})", ("m", "y2")),
        (r"(\d{1,2})[/.-](\d{4})", ("m", "y")),
        (r"(\d{4})-(\d{1,2})", ("y", "m")),
        (r"(\d{4})", ("y",)),
    )
    for pattern, parts in patterns:
        match = re.fullmatch(pattern, text)
        if match:
            got = dict(zip(parts, (int(g) for g in match.groups()), strict=True))
            if "y2" in got:
                got["y"] = 2000 + got.pop("y2")
            try:
                return dt.date(got["y"], got.get("m", 1), got.get("d", 1)).isoformat()
            except ValueError:
                raise ValueError(f"not a date: {text!r}") from None
    words = fold(text).replace("1er", "1").split()
    day, month, year = 1, None, None
    for word in words:
        if word.isdecimal() and len(word) == 4:
            year = int(word)
        elif word.isdecimal() and len(word) <= 2:
            day = int(word)
        elif word in MONTHS:
            month = MONTHS[word]
        elif word not in ("le", "the", "of", "de", "du"):
            raise ValueError(f"not a date: {text!r}")
    if year is None or month is None:
        raise ValueError(f"not a date: {text!r}")
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        raise ValueError(f"not a date: {text!r}") from None


def _text(value: Any, multiline: bool = False) -> str:
    """A cell as text: whitespace runs collapsed, except the line breaks of a multi-line field."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if multiline:
        return "\n".join(" ".join(line.split()) for line in str(value).strip().splitlines()).strip()
    return " ".join(str(value).split())


# ---------------------------------------------------------------------------------------------- rows
def read_rows(path: str | Path) -> tuple[list[Any], Iterator[tuple[int, list[Any]]]]:
    """The header and the (line, values) rows of a CSV/TSV or XLSX file. CSV: UTF-8 (with or without a
    BOM) or Windows-1252, delimiter sniffed, leading ``#`` comment lines skipped. XLSX: the first sheet,
    merged cells filled with their top-left value, title rows above the header skipped."""
    path = Path(path)
    if not path.is_file():
        raise BeneficeError(gettext_noop("file not found"), path=str(path))
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx_rows(path)
    raw = path.read_bytes()
    if raw[:4] == b"PK\x03\x04":
        return _xlsx_rows(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    lines = text.splitlines(keepends=True)
    skipped = 0
    while skipped < len(lines) and (lines[skipped].lstrip().startswith("#") or not lines[skipped].strip()):
        skipped += 1
    body = "".join(lines[skipped:])
    if not body.strip():
        raise FormatError(gettext_noop("the file has no header row"), path=str(path))
    first = body.splitlines()[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise FormatError(
            _UNREADABLE_CSV, params={"reason": str(exc)}, path=str(path), line=skipped + 1
        ) from None

    def rows() -> Iterator[tuple[int, list[Any]]]:
        start = reader.line_num
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise FormatError(
                    _UNREADABLE_CSV, params={"reason": str(exc)}, path=str(path), line=skipped + start + 1
                ) from None
            if any(v.strip() for v in values):
                yield skipped + start + 1, values
            start = reader.line_num

    return header, rows()


def _known_columns(values: list[Any]) -> int:
    known = 0
    for value in values:
        if value is None or not str(value).strip():
            continue
        key = _key(str(value))
        base = re.sub(r"\s*\d$", "", key)
        if key in _FIELD_KEYS or base in _NUMBERED_KEYS:
            known += 1
    return known


def _xlsx_rows(path: Path) -> tuple[list[Any], Iterator[tuple[int, list[Any]]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a bad file
        raise FormatError(
            gettext_noop("not a readable XLSX workbook (%(kind)s)"),
            params={"kind": exc.__class__.__name__},
            path=str(path),
        ) from None
    sheet = book.worksheets[0]
    grid = [list(row) for row in sheet.iter_rows(values_only=True)]
    for merged in sheet.merged_cells.ranges:
        value = grid[merged.min_row - 1][merged.min_col - 1] if merged.min_row - 1 < len(grid) else None
        for r in range(merged.min_row - 1, min(merged.max_row, len(grid))):
            for c in range(merged.min_col - 1, merged.max_col):
                while len(grid[r]) <= c:
                    grid[r].append(None)
                grid[r][c] = value
    book.close()
    filled = [i for i, row in enumerate(grid) if any(v not in (None, "") for v in row)]
    if not filled:
        raise FormatError(gettext_noop("the workbook's first sheet is empty"), path=str(path))
    # a title or a note above the table is common in published spreadsheets: the header is the first of
    # the first rows that names at least two known columns (else the first non-empty row, for the message)
    start = next((i for i in filled[:20] if _known_columns(grid[i]) >= 2), filled[0])
    header = grid[start]

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for index in range(start + 1, len(grid)):
            values = grid[index]
            if any(v not in (None, "") and str(v).strip() for v in values):
                yield index + 1, values

    return header, rows()


# ------------------------------------------------------------------------------------------- directory
def read_directory(
    path: str | Path,
    *,
    normalise=None,
    custodian: str = "",
    required: Iterable[str] = REQUIRED,
) -> Directory:
    """Read a directory of projects. ``normalise(label) -> list[str]`` maps a data-source label to registry
    ids (default: :func:`normalise_label`, the source detector); ``custodian`` is used for rows that do not
    name one (a generic list from one custodian)."""
    normalise = normalise or normalise_label
    header, rows = read_rows(path)
    mapping = match_columns([str(h) if h is not None else "" for h in header], str(path), required)
    result = Directory(path=str(path))
    result.columns = {str(header[i]): canonical for i, canonical in mapping.items()}
    result.ignored_columns = [
        str(h) for i, h in enumerate(header) if i not in mapping and h not in (None, "")
    ]
    first_line: dict[str, int] = {}
    for line, values in rows:
        result.rows_read += 1
        cells = {canonical: values[i] if i < len(values) else None for i, canonical in mapping.items()}
        raw = {
            str(header[i]): _text(values[i], multiline=True)
            for i in range(min(len(header), len(values)))
            if header[i]
        }
        record, problem = _record(cells, line, raw, str(path), normalise, custodian)
        if problem is not None:
            result.rejected.append(problem)
            continue
        assert record is not None
        key = fold(record.reference)
        if key in first_line:
            result.rejected.append(
                Rejection.of(
                    str(path),
                    line,
                    LABELS["reference"],
                    gettext_noop(
                        "duplicate reference %(reference)r (first seen at line %(first)s); this row was not imported"
                    ),
                    reference=record.reference,
                    first=first_line[key],
                )
            )
            continue
        first_line[key] = line
        result.records.append(record)
    return result


def _record(
    cells: dict[str, Any], line: int, raw: dict[str, str], path: str, normalise, custodian: str
) -> tuple[ProjectRecord | None, Rejection | None]:
    reference = _text(cells.get("reference"))
    if not reference:
        return None, Rejection.of(path, line, LABELS["reference"], gettext_noop("empty reference"))
    title = _text(cells.get("title"))
    if not title:
        return None, Rejection.of(
            path,
            line,
            LABELS["title"],
            gettext_noop("empty title for project %(reference)r"),
            reference=reference,
        )
    try:
        start = parse_date(cells.get("start_date"))
    except ValueError as exc:
        return None, Rejection.of(
            path,
            line,
            LABELS["start_date"],
            gettext_noop("not a date: %(value)s (project %(reference)r)"),
            value=str(exc).removeprefix("not a date: "),  # the value as written, quoted by parse_date
            reference=reference,
        )
    record = ProjectRecord(reference=reference, title=title, line=line, raw=raw, start_date=start)
    for name in ("status", "custodian"):
        setattr(record, name, _text(cells.get(name)))
    for name in ("purpose", "objectives"):
        setattr(record, name, _text(cells.get(name), multiline=True))
    record.custodian = record.custodian or custodian
    for name in LIST_FIELDS:
        setattr(record, name, split_labels(_text(cells.get(name), multiline=True)))
    for n in "123456789":
        name = _text(cells.get(f"controller_{n}"))
        if name:
            record.controllers.append({"name": name, "type": _text(cells.get(f"controller_type_{n}"))})
    ids: list[str] = []
    for label in record.data_sources + record.snds_components + record.hdh_bases + record.other_sources:
        found = normalise(label)
        if not found:
            if label not in record.unrecognised_labels:
                record.unrecognised_labels.append(label)
        for sid in found:
            if sid not in ids:
                ids.append(sid)
    record.source_ids = ids
    return record, None


def normalise_label(label: str, detector=None) -> list[str]:
    """Registry ids a data-source label names ("Causes médicales de décès" → ["CEPIDC"]), by the source
    detector run on the label alone; [] when no rule recognises it."""
    from benefice.sources.detect import default_detector

    found = (detector or default_detector()).detect({"title": label})
    return list(dict.fromkeys(found["sources_used"] + found["sources_mentioned"]))
