"""Read bibliographic exports into :class:`~benefice.corpus.record.Record` objects, one at a time.

``read(path)`` sniffs the format from the content (extensions lie: WoS ships RIS as ``.txt``, PubMed
ships MEDLINE as ``.txt``), picks the encoding, enforces the size limits and streams records so a
200,000-record export never sits in memory. Every problem caused by the file surfaces as
:class:`~benefice.errors.FormatError` naming the file and, when known, the line and record.

Pure Python: no Django import here, so the CLI, tests and workers can parse without a database.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benefice.corpus.formats import bibtex, medline, openalex, pubmed_xml, ris, tabular, wos
from benefice.corpus.formats._common import (
    CHUNK,
    EMPTY_FILE,
    READ_FAILED,
    InputFile,
    InvalidUTF8Error,
    check_size,
    decode_head,
    describe_invalid_utf8,
    detect_encoding,
    read_head,
)
from benefice.corpus.record import Record
from benefice.errors import BeneficeError, FormatError
from benefice.i18n import gettext_noop

__all__ = [
    "FORMATS",
    "MAX_FIELD_CHARS",
    "MAX_FILE_BYTES",
    "Detected",
    "Format",
    "InvalidUTF8Error",
    "count_hint",
    "detect",
    "detect_format",
    "describe_invalid_utf8",
    "read",
]

#: Files above this size are refused before reading (tests monkeypatch it small).
MAX_FILE_BYTES = 2 * 1024**3
#: A single field (title, abstract, author list…) above this many characters is refused as corrupt.
MAX_FIELD_CHARS = 1_000_000


@dataclass(frozen=True)
class Format:
    """One supported format: its name, what it is, its reader and how to estimate its record count."""

    name: str
    label: str
    reader: Callable[[InputFile], Iterator[Record]]
    extensions: tuple[str, ...]
    record_marker: bytes | None = None  # bytes that open each record, for count_hint

    def read(self, path: str | Path) -> Iterator[Record]:
        return read(path, self.name)


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "ris",
            "RIS (EndNote, Zotero, PubMed, Embase, Ovid, Scopus, WoS…)",
            ris.read,
            (".ris", ".txt"),
            b"\nER  -",
        ),
        Format("bibtex", "BibTeX", bibtex.read, (".bib", ".bibtex"), b"\n@"),
        Format("pubmed_xml", "PubMed XML / PMC JATS", pubmed_xml.read, (".xml", ".nxml"), b"<PubmedArticle>"),
        Format(
            "medline", "MEDLINE / PubMed nbib text", medline.read, (".nbib", ".medline", ".txt"), b"PMID- "
        ),
        Format(
            "openalex", "OpenAlex works JSON / JSONL / zip", openalex.read, (".json", ".jsonl", ".zip"), None
        ),
        Format("wos", "Web of Science plain text", wos.read, (".txt", ".isi", ".ciw"), b"\nER"),
        Format("scopus_csv", "Scopus CSV", tabular.read_scopus_csv, (".csv",), b"\n"),
        Format("csv", "CSV / TSV with a header row", tabular.read_csv, (".csv", ".tsv", ".tab"), b"\n"),
        Format("xlsx", "Excel workbook (.xlsx)", tabular.read_xlsx, (".xlsx",), None),
    )
}

#: the formats' names in a sentence (proper names: the same in every language)
SHORT_NAMES = {
    "ris": "RIS",
    "bibtex": "BibTeX",
    "pubmed_xml": "PubMed XML",
    "medline": "MEDLINE",
    "openalex": "OpenAlex",
    "wos": "Web of Science",
    "scopus_csv": "Scopus CSV",
    "csv": "CSV",
    "xlsx": "XLSX",
}


def _source(path: str | Path) -> InputFile:
    # limits are read at call time so a test (or a deployment) can change them on this module
    return InputFile(path=Path(path), max_field_chars=MAX_FIELD_CHARS, max_file_bytes=MAX_FILE_BYTES)


_RIS_TAG = re.compile(r"^TY {1,2}- ?", re.MULTILINE)
_WOS_START = re.compile(r"^(?:FN |VR \d|PT [A-Z]\s*$)", re.MULTILINE)
_MEDLINE = re.compile(r"^PMID- ?\d", re.MULTILINE)
_BIBTEX = re.compile(r"^\s*@[A-Za-z]+\s*[{(]", re.MULTILINE)
_XML_PUBMED = re.compile(r"<(?:PubmedArticleSet|PubmedArticle|PubmedBookArticle)[\s>]")
_XML_JATS = re.compile(r"<(?:pmc-articleset|article)[\s>]")


def _sniff(source: InputFile) -> str:
    head = read_head(source)
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(source)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise source.error(
            gettext_noop("unsupported format: legacy Excel .xls (or other OLE file); save it as .xlsx or CSV")
        )
    if head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"\x1f\x8b", b"GIF8")):
        raise source.error(gettext_noop("unsupported format: binary file (PDF, image or compressed data)"))
    damaged: InvalidUTF8Error | None = None
    try:
        source.encoding = detect_encoding(source, head)
    except InvalidUTF8Error as exc:
        damaged = exc
    text = decode_head(source, head).lstrip("\ufeff")
    if damaged is not None and _XML_LEGACY_DECL.match(text):
        # an XML file that declares a legacy encoding is parsed in that encoding (lxml reads the
        # declaration); its high bytes are not damaged UTF-8, whatever they look like
        damaged, source.encoding = None, "cp1252"
    name = _sniff_text(source, text)
    if damaged is not None:
        raise _locate(damaged, source, name)
    return name


_XML_LEGACY_DECL = re.compile(r"""\s*<\?xml[^>]*encoding\s*=\s*["'](?!utf-?8["'])""", re.IGNORECASE)


def _sniff_text(source: InputFile, text: str) -> str:
    stripped = text.lstrip()
    if not stripped:
        raise source.error(EMPTY_FILE)
    if stripped.startswith("<"):
        if _XML_PUBMED.search(text):
            return "pubmed_xml"
        if _XML_JATS.search(text) and ("<front" in text or "<article-meta" in text or "JATS" in text):
            return "pubmed_xml"
        raise source.error(gettext_noop("unsupported format: XML that is neither PubMed nor PMC JATS"))
    if stripped[0] in "[{":
        if openalex.looks_like_openalex(stripped):
            return "openalex"
        raise source.error(gettext_noop("unsupported format: JSON that does not look like OpenAlex works"))
    if _WOS_START.search(text[:4096]) and re.search(r"^(?:AU|TI|UT) ", text, re.MULTILINE):
        return "wos"
    if _RIS_TAG.search(text):
        return "ris"
    if _MEDLINE.search(text):
        return "medline"
    if _BIBTEX.search(text):
        return "bibtex"
    kind = tabular.sniff_delimited(text)
    if kind:
        return kind
    raise source.error(
        gettext_noop("unsupported format: not RIS, BibTeX, MEDLINE, WoS, PubMed XML, OpenAlex, CSV or XLSX")
    )


def _locate(error: InvalidUTF8Error, source: InputFile, fmt: str) -> InvalidUTF8Error:
    """Name the record each invalid byte sequence falls in, then return the error to raise.

    The file is read once more in ``fmt`` with the invalid bytes replaced by U+FFFD, only to learn where
    records start (their line) and what they are (number, identifier or title); the import itself never
    sees that text. Reading stops once every listed sequence has its record, and a file too broken to
    parse keeps the positions it has: the line and byte offset are always given.
    """
    if error.located or error.member or not error.scan.bad or fmt not in FORMATS or fmt == "xlsx":
        return error
    pending = sorted(error.scan.bad, key=lambda b: b.offset)
    diag = InputFile(
        path=source.path,
        max_field_chars=source.max_field_chars,
        max_file_bytes=source.max_file_bytes,
        size=source.size,
        encoding="utf-8-sig",  # decodes a file with or without a BOM alike
        errors="replace",
    )
    previous = None
    try:
        for record in FORMATS[fmt].reader(diag):
            if record.line is None:
                break
            while pending and pending[0].line < record.line:
                _assign(pending.pop(0), previous)
            if not pending:
                break
            previous = record
        else:
            while pending:
                _assign(pending.pop(0), previous)
    except (BeneficeError, UnicodeError, ValueError, OSError, RecursionError):
        pass  # the positions stand on their own
    error.relocate()
    return error


def _assign(bad: Any, record: Record | None) -> None:
    if record is None:
        return
    bad.record = record.position
    ident = (
        (f"DOI {record.doi}" if record.doi else "")
        or (f"PMID {record.pmid}" if record.pmid else "")
        or (f"OpenAlex {record.openalex_id}" if record.openalex_id else "")
    )
    title = " ".join(record.title.split())
    if not ident and title:
        ident = f"“{title[:60]}…”" if len(title) > 60 else f"“{title}”"
    bad.label = ident


@dataclass(frozen=True)
class Detected:
    """What an import report says about a file before reading it: its format and its text encoding
    ("" for workbooks and zips, which carry their own)."""

    format: str
    encoding: str


def detect(path: str | Path, fmt: str = "auto") -> Detected:
    """Format (sniffed unless given) and encoding of ``path``; FormatError (an InvalidUTF8Error for damaged
    UTF-8, naming every invalid sequence's line, record and byte offset) when it cannot be read."""
    source = _source(path)
    given = fmt
    fmt = _format_of(source, fmt, path)
    if given != "auto" and fmt != "xlsx" and not read_head(source, 4).startswith(b"PK\x03\x04"):
        try:
            source.encoding = detect_encoding(source)
        except InvalidUTF8Error as exc:
            raise _locate(exc, source, fmt) from None
    return Detected(fmt, source.encoding)


def _sniff_zip(source: InputFile) -> str:
    try:
        with zipfile.ZipFile(source.path) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise source.error(gettext_noop("damaged zip file: %(reason)s"), params={"reason": str(exc)}) from exc
    if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.lower().endswith((".json", ".jsonl")) for n in names):
        return "openalex"
    raise source.error(
        gettext_noop("unsupported format: zip archive without OpenAlex JSON files or an Excel workbook")
    )


def detect_format(path: str | Path) -> str:
    """Name of the format of ``path`` (a key of FORMATS), from its content; FormatError if unknown/empty."""
    return detect(path).format


def read(path: str | Path, fmt: str = "auto") -> Iterator[Record]:
    """Stream the records of ``path``; only FormatError (a BeneficeError) ever escapes.

    The generator checks size and format eagerly on first ``next()``; records already yielded stay valid
    if a later record raises, so callers that need all-or-nothing must wrap the import in a transaction.
    """
    source = _source(path)
    fmt = _format_of(source, fmt, path)
    return _guarded(source, FORMATS[fmt].reader(source), fmt)


def _format_of(source: InputFile, fmt: str, path: str | Path) -> str:
    """The format to read ``source`` as, after the size check: sniffed for "auto", else checked to exist."""
    check_size(source)
    if fmt == "auto":
        return _sniff(source)
    if fmt not in FORMATS:
        raise FormatError(
            gettext_noop("unsupported format %(format)r; known: %(known)s"),
            params={"format": fmt, "known": ", ".join(FORMATS)},
            path=str(path),
        )
    return fmt


def _guarded(source: InputFile, records: Iterator[Record], fmt: str) -> Iterator[Record]:
    """Turn the few library exceptions that mean "bad input" into FormatError; let our bugs surface."""
    read_any = False
    try:
        for record in records:
            if source.encoding and source.encoding not in ("utf-8", "utf-8-sig"):
                record.extra["encoding"] = source.encoding
            read_any = True
            yield record
    except InvalidUTF8Error as exc:  # a format given explicitly: the reader met the damage first
        raise _locate(exc, source, fmt) from None
    except BeneficeError:
        raise
    except UnicodeError as exc:
        raise source.error(
            gettext_noop("cannot decode text as %(encoding)s: %(reason)s"),
            params={"encoding": source.encoding or "?", "reason": str(exc)},
        ) from exc
    except (zipfile.BadZipFile, EOFError) as exc:
        raise source.error(
            gettext_noop("damaged or truncated archive: %(reason)s"), params={"reason": str(exc)}
        ) from exc
    except RecursionError as exc:
        raise source.error(gettext_noop("data nested too deeply")) from exc
    except OSError as exc:
        raise source.error(READ_FAILED, params={"reason": str(exc.strerror or exc)}) from exc
    if not read_any:
        # a file read to its end without one record is not an import that worked (issue 19: a text file
        # imported as RIS said "done, 0 records read"): it is the wrong file or the wrong format
        raise source.error(NO_RECORD, params={"format": SHORT_NAMES.get(fmt, fmt)})


NO_RECORD = gettext_noop(
    "no record read: nothing in this file is a %(format)s record (the formats read are RIS, BibTeX, MEDLINE, "
    "Web of Science, PubMed XML, OpenAlex, CSV and XLSX); check the file and the format chosen"
)


def count_hint(path: str | Path) -> int | None:
    """Cheap estimate of the number of records (for progress bars); None when it cannot tell."""
    try:
        source = _source(path)
        check_size(source)
        fmt = _sniff(source)
    except BeneficeError:
        return None
    spec = FORMATS[fmt]
    if fmt == "xlsx":
        return tabular.xlsx_row_count(source)
    if fmt == "openalex":
        return openalex.count_hint(source)
    marker = spec.record_marker
    if marker is None:
        return None
    enc = (source.encoding or "utf-8").replace("-sig", "")
    if enc.startswith(("utf-16", "utf-32")):
        enc = {"utf-16": "utf-16-le", "utf-32": "utf-32-le"}.get(enc, enc)
        marker = marker.decode("ascii").encode(enc)
    count = 0
    tail = b"\n"  # a record marker at the very start of the file counts too
    with source.open_binary() as fh:
        while chunk := fh.read(CHUNK):
            data = tail + chunk
            count += data.count(marker)
            tail = data[-(len(marker) - 1) :] if len(marker) > 1 else b""
    if fmt in ("csv", "scopus_csv"):
        return max(count - 1, 0)
    if count == 0:
        return None
    return count


def _dump(record: Record) -> str:  # handy in a REPL
    return json.dumps(record.to_dict(), ensure_ascii=False, indent=1)
