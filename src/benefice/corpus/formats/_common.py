"""Shared plumbing for the bibliographic readers: opening files safely, encodings, limits, small parsers.

Every reader receives a :class:`InputFile`, never a bare path, so the limits (file size, field size) and the
encoding decision are made once, in one place, and every error names the file. Pure Python, no Django.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from benefice.corpus.record import Author
from benefice.errors import RENDERERS, FormatError
from benefice.i18n import gettext_noop, translator

# messages several readers raise (the templates are the catalogue's msgids)
EMPTY_FILE = gettext_noop("empty file")
READ_FAILED = gettext_noop("cannot read file: %(reason)s")


def _os_reason(exc: OSError) -> dict[str, str]:
    """The system's reason for a failed read (its words, untranslated: they come from the OS)."""
    return {"reason": str(exc.strerror or exc)}


CHUNK = 1 << 20  # bytes read at a time when scanning files
SNIFF_BYTES = 64 * 1024  # how much of a file detection and binary checks look at
# A run of control bytes above this share of the head means the file is not text (images, PDFs, archives).
CONTROL_SHARE_MAX = 0.01
_TEXT_CONTROLS = frozenset(b"\t\n\r\x0c\x0b\x1a")
_CONTROL_BYTES = bytes(b for b in range(32) if b not in _TEXT_CONTROLS) + b"\x7f"


@dataclass
class InputFile:
    """A file about to be read, with the limits in force and, once known, its text encoding."""

    path: Path
    max_field_chars: int
    max_file_bytes: int
    size: int = 0
    encoding: str = ""
    notes: dict[str, Any] = field(default_factory=dict)
    #: "strict" for imports; "replace" only to locate the records of invalid bytes before refusing a file
    errors: str = "strict"

    @property
    def name(self) -> str:
        return str(self.path)

    @property
    def max_record_chars(self) -> int:
        """A record may hold many fields; bound it too so one record cannot exhaust memory."""
        return 16 * self.max_field_chars + 4096

    @property
    def max_line_chars(self) -> int:
        """Longest line read at once: a field at the limit plus room for a tag."""
        return self.max_field_chars + 64

    def error(
        self,
        message: str,
        *,
        params: dict[str, Any] | None = None,
        line: int | None = None,
        record: int | None = None,
        field: str | None = None,
    ) -> FormatError:
        """The error to raise, naming this file; ``message`` is an English template marked with
        ``gettext_noop``, said in the reader's language later (``FormatError.localized``)."""
        return FormatError(message, params=params, path=self.name, line=line, record=record, field=field)

    def check_field(self, value: str, *, line: int | None, record: int | None, field: str) -> str:
        """Refuse oversized values: a 1 MB title is corruption or an attack, never a bibliographic fact."""
        if len(value) > self.max_field_chars:
            raise self.error(
                gettext_noop("field longer than %(limit)s characters"),
                params={"limit": self.max_field_chars},
                line=line,
                record=record,
                field=field,
            )
        return value

    def open_binary(self) -> IO[bytes]:
        try:
            return open(self.path, "rb")  # noqa: SIM115 - caller closes
        except OSError as exc:
            raise self.error(gettext_noop("cannot open file: %(reason)s"), params=_os_reason(exc)) from exc

    def open_text(self) -> IO[str]:
        """Open as text in the detected encoding, keeping line endings so raw text stays verbatim."""
        if not self.encoding:
            self.encoding = detect_encoding(self)
        try:
            return open(self.path, encoding=self.encoding, errors=self.errors, newline="")  # noqa: SIM115
        except OSError as exc:
            raise self.error(gettext_noop("cannot open file: %(reason)s"), params=_os_reason(exc)) from exc

    def iter_lines(self, stream: IO[str]) -> Iterator[tuple[int, str]]:
        """Yield (1-based line number, line with its ending) without ever reading an unbounded line."""
        limit = self.max_line_chars
        readline = stream.readline
        number = 0
        while True:
            line = readline(limit)
            if not line:
                return
            number += 1
            if len(line) >= limit and line[-1] not in "\r\n":
                raise self.error(
                    gettext_noop("line longer than %(limit)s characters"),
                    params={"limit": self.max_field_chars},
                    line=number,
                )
            yield number, line


def check_size(source: InputFile) -> None:
    """Refuse files above the configured limit before reading any of them, and empty files."""
    try:
        source.size = source.path.stat().st_size
    except OSError as exc:
        raise source.error(READ_FAILED, params=_os_reason(exc)) from exc
    if not source.path.is_file():
        raise source.error(gettext_noop("not a regular file"))
    if source.size > source.max_file_bytes:
        raise source.error(
            gettext_noop("file is %(size)s bytes, above the %(limit)s-byte limit; split it before importing"),
            params={"size": source.size, "limit": source.max_file_bytes},
        )
    if source.size == 0:
        raise source.error(EMPTY_FILE)


def read_head(source: InputFile, n: int = SNIFF_BYTES) -> bytes:
    with source.open_binary() as fh:
        try:
            return fh.read(n)
        except OSError as exc:
            raise source.error(READ_FAILED, params=_os_reason(exc)) from exc


def _bom_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return ""


def _bomless_utf16(head: bytes) -> str:
    """UTF-16 without BOM (some Windows tools): ASCII text puts a NUL in every other byte."""
    sample = head[: len(head) - len(head) % 2]
    if len(sample) < 4:
        return ""
    pairs = len(sample) // 2
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    if odd_nuls > 0.4 * pairs and even_nuls < 0.05 * pairs:
        return "utf-16-le"
    if even_nuls > 0.4 * pairs and odd_nuls < 0.05 * pairs:
        return "utf-16-be"
    return ""


#: How many invalid sequences an error lists one by one (all are counted).
MAX_REPORTED = 10
#: Bytes shown on each side of an invalid sequence, so the user can find it in an editor.
CONTEXT_BYTES = 24
# Bytes cp1252 leaves undefined: a legacy file holding one is latin-1 (C1 controls), not cp1252.
_NOT_CP1252_UNDEFINED = bytes(b for b in range(256) if b not in b"\x81\x8d\x8f\x90\x9d")


@dataclass
class BadBytes:
    """One invalid UTF-8 sequence: where it is (byte offset from the file start, 1-based line) and what."""

    offset: int
    line: int
    data: bytes
    context: str
    record: int | None = None
    label: str = ""

    def to_data(self) -> dict[str, Any]:
        return {
            "offset": self.offset,
            "line": self.line,
            "hex": self.data.hex(" ").upper(),
            "context": self.context,
            "record": self.record,
            "label": self.label,
        }


@dataclass
class Utf8Scan:
    """What one pass over the bytes found: valid multi-byte sequences, invalid ones, legacy hints."""

    valid_multibyte: int = 0
    invalid: int = 0
    bad: list[BadBytes] = field(default_factory=list)
    cp1252_undefined: bool = False

    @property
    def damaged_utf8(self) -> bool:
        """The file is UTF-8 with damage, not a legacy 8-bit file: see :func:`detect_encoding`."""
        return self.invalid > 0 and self.valid_multibyte >= self.invalid


def scan_utf8(source: InputFile, skip: int = 0) -> Utf8Scan:
    """Stream the file once (constant memory), counting valid multi-byte UTF-8 sequences and listing the
    first invalid ones with their byte offset, line and surrounding text.

    The decoding runs in C with ``surrogateescape`` (each invalid byte becomes one lone surrogate), so a
    legacy file with millions of high bytes costs no more than a valid one; a run of adjacent invalid bytes
    counts as one invalid sequence.
    """
    with source.open_binary() as fh:
        fh.seek(skip)
        try:
            return scan_utf8_stream(fh, skip)
        except OSError as exc:
            raise source.error(READ_FAILED, params=_os_reason(exc)) from exc


def scan_utf8_stream(fh: IO[bytes], skip: int = 0) -> Utf8Scan:
    """:func:`scan_utf8` over an open binary stream (a zip member), offsets counted from ``skip``."""
    scan = Utf8Scan()
    decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
    fed = skip  # bytes given to the decoder so far, counted from the start of the file or member
    line = 1  # line number at the start of the current text
    while True:
        chunk = fh.read(CHUNK)
        start = fed - len(decoder.getstate()[0])  # offset of text[0]
        fed += len(chunk)
        text = decoder.decode(chunk, final=not chunk)
        if not scan.cp1252_undefined and chunk.translate(None, _NOT_CP1252_UNDEFINED):
            scan.cp1252_undefined = True
        escaped = 0
        for match in _ESCAPES.finditer(text):
            scan.invalid += 1
            escaped += match.end() - match.start()
            if len(scan.bad) < MAX_REPORTED:
                scan.bad.append(_bad_bytes(text, match, start, line))
        scan.valid_multibyte += len(text) - len(text.encode("ascii", "ignore")) - escaped
        line += text.count("\n")
        if not chunk:
            return scan


_ESCAPES = re.compile("[\udc80-\udcff]+")


def _bad_bytes(text: str, match: re.Match[str], start: int, line: int) -> BadBytes:
    def raw(piece: str) -> bytes:
        return piece.encode("utf-8", "surrogateescape")

    i, j = match.span()
    context = raw(text[max(0, i - CONTEXT_BYTES) : j + CONTEXT_BYTES]).decode("utf-8", "replace")
    return BadBytes(
        offset=start + len(raw(text[:i])),
        line=line + text.count("\n", 0, i),
        data=raw(text[i:j])[:16],
        context=" ".join(context.split()),
    )


class InvalidUTF8Error(FormatError):
    """A file written in UTF-8 holds byte sequences that are not UTF-8: refused, each one located.

    Carries the scan so the message can be rendered in the reader's language later (the web app shows it
    when the import page is read, not when the import ran) and completed with the records the bytes fall
    in once the format is known (:func:`benefice.corpus.formats.read` does that, then calls
    :meth:`relocate`).
    """

    SUMMARY = gettext_noop(
        "not valid UTF-8: %(invalid)s invalid byte sequence(s) in a file otherwise written in UTF-8 "
        "(%(valid)s valid accented or non-Latin characters), so it was not read as Windows-1252 or "
        "Latin-1, which would garble those characters; correct these bytes or save the file again as "
        "UTF-8, then import it again"
    )
    PLACE = gettext_noop("line %(line)s, byte offset %(offset)s: bytes %(hex)s near “%(context)s”")
    IN_RECORD = gettext_noop(
        "line %(line)s, record %(record)s, byte offset %(offset)s: bytes %(hex)s near “%(context)s”"
    )
    IN_LABELLED_RECORD = gettext_noop(
        "line %(line)s, record %(record)s (%(label)s), byte offset %(offset)s: bytes %(hex)s "
        "near “%(context)s”"
    )
    MORE = gettext_noop("and %(count)s more")
    IN_MEMBER = gettext_noop("member %(member)s: %(message)s")

    located = False

    def __init__(self, path: str, scan: Utf8Scan, member: str = "") -> None:
        self.scan = scan
        self.member = member  # the zip member holding the bytes (offsets and lines count from its start)
        first = scan.bad[0] if scan.bad else None
        super().__init__(self.describe(), path=path)
        self.first_line = first.line if first else None

    def localized_message(self, lang: str | None) -> str:
        return self.describe(translator(lang).gettext)

    def relocate(self) -> None:
        """Rebuild the message once the records of the invalid bytes are filled in."""
        self.located = True
        self.message = self.describe()
        self.args = (self.__str__(),)

    def describe(self, translate: Callable[[str], str] = gettext_noop) -> str:
        return describe_invalid_utf8(self.to_data(), translate)

    def to_data(self) -> dict[str, Any]:
        """JSON-ready form, kept with a web import job so its page can say it in French or English."""
        return {
            "kind": "invalid_utf8",
            "path": getattr(self, "path", None),
            "member": self.member,
            "valid": self.scan.valid_multibyte,
            "invalid": self.scan.invalid,
            "bad": [b.to_data() for b in self.scan.bad],
        }


def describe_invalid_utf8(data: dict[str, Any], translate: Callable[[str], str] = gettext_noop) -> str:
    """The message of an :class:`InvalidUTF8Error` from its data, each template passed through ``translate``."""
    parts = [translate(InvalidUTF8Error.SUMMARY) % {"invalid": data["invalid"], "valid": data["valid"]}]
    for bad in data["bad"]:
        if bad.get("label"):
            template = InvalidUTF8Error.IN_LABELLED_RECORD
        elif bad.get("record"):
            template = InvalidUTF8Error.IN_RECORD
        else:
            template = InvalidUTF8Error.PLACE
        parts.append(translate(template) % bad)
    more = data["invalid"] - len(data["bad"])
    if more > 0:
        parts.append(translate(InvalidUTF8Error.MORE) % {"count": more})
    message = "; ".join(parts)
    if data.get("member"):
        return translate(InvalidUTF8Error.IN_MEMBER) % {"member": repr(data["member"]), "message": message}
    return message


RENDERERS["invalid_utf8"] = lambda data, lang: describe_invalid_utf8(data, translator(lang).gettext)


def detect_encoding(source: InputFile, head: bytes | None = None) -> str:
    """Pick the text encoding: a BOM, else UTF-8, else — only for a file that is not UTF-8 at all — cp1252
    or latin-1; a damaged UTF-8 file raises :class:`InvalidUTF8Error` listing where its bytes are wrong.

    The rule, over the whole file (streamed once, constant memory, because an invalid byte at record
    150,000 must not abort an import half-way):

    - no invalid sequence: UTF-8;
    - invalid sequences, and at least as many *valid* multi-byte sequences: the file is UTF-8 that was
      damaged (a record pasted from another program, a cut character, a bad merge). Reading it as cp1252
      would silently turn each of its correct accented letters into two wrong ones ("Ã©"), so it is
      refused, each invalid sequence named with its line, byte offset and hex bytes (and its record once
      the format is known). benefice has no "import with warnings": an import is all or nothing, so
      refusing with the exact positions is the honest choice;
    - otherwise the high bytes are a legacy 8-bit encoding (a Windows export): such text rarely forms a
      valid UTF-8 pair by accident, and when it does (old mojibake in the data itself, as in some
      screening datasets) those pairs are a minority. cp1252 is chosen unless the file holds one of the
      five bytes cp1252 leaves undefined, then latin-1; the choice is shown in the import report and kept
      on each record (``extra["encoding"]``). cp1252 comes before latin-1 because Windows exports are far
      more common and latin-1 would silently turn curly quotes into C1 controls.

    A UTF-8 BOM declares UTF-8: any invalid sequence after it is damage, whatever the proportions.
    """
    if head is None:
        head = read_head(source)
    bom = _bom_encoding(head)
    if bom == "utf-8-sig":
        scan = scan_utf8(source, skip=len(codecs.BOM_UTF8))
        if scan.invalid:
            raise InvalidUTF8Error(source.name, scan)
        return bom
    if bom:
        return bom
    if b"\x00" in head:
        utf16 = _bomless_utf16(head)
        if utf16:
            return utf16
        raise source.error(gettext_noop("binary file (NUL bytes): not a bibliographic text export"))
    controls = sum(head.count(b) for b in _CONTROL_BYTES)
    if controls > max(2, CONTROL_SHARE_MAX * len(head)):
        raise source.error(gettext_noop("binary file (control bytes): not a bibliographic text export"))
    scan = scan_utf8(source)
    if not scan.invalid:
        return "utf-8"
    if scan.damaged_utf8:
        raise InvalidUTF8Error(source.name, scan)
    return "latin-1" if scan.cp1252_undefined else "cp1252"


def decode_head(source: InputFile, head: bytes) -> str:
    """Decode the sniffed head for detection only (a split multibyte char at the end is dropped)."""
    enc = _bom_encoding(head)
    if not enc and b"\x00" in head[:4096]:
        enc = _bomless_utf16(head)
    if enc:
        return codecs.getincrementaldecoder(enc)("replace").decode(head)
    try:
        return codecs.getincrementaldecoder("utf-8")("strict").decode(head)
    except UnicodeDecodeError:
        return head.decode("cp1252", "replace")


# --------------------------------------------------------------------------------------------------------
# small value parsers shared by the readers

_YEAR_RE = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d|21\d\d)(?!\d)")
_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january", "janv", "janvier"),
            ("feb", "february", "fev", "fevr", "février", "fevrier"),
            ("mar", "march", "mars"),
            ("apr", "april", "avr", "avril"),
            ("may", "mai"),
            ("jun", "june", "juin"),
            ("jul", "july", "juil", "juillet"),
            ("aug", "august", "aou", "août", "aout"),
            ("sep", "sept", "september", "septembre"),
            ("oct", "october", "octobre"),
            ("nov", "november", "novembre"),
            ("dec", "december", "déc", "décembre", "decembre"),
        ],
        start=1,
    )
    for m in names
}
_DATE_SEP_RE = re.compile(r"[\s/.,\-]+")


def parse_year(value: Any) -> int | None:
    """First plausible publication year (1500–2199) in a value, or None."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 1500 <= value <= 2199 else None
    if isinstance(value, float) and value.is_integer():
        return parse_year(int(value))
    m = _YEAR_RE.search(str(value))
    return int(m.group(1)) if m else None


def month_number(token: str) -> int | None:
    token = token.strip().lower().rstrip(".")
    if token.isdecimal():
        n = int(token)
        return n if 1 <= n <= 12 else None
    return _MONTHS.get(token) or _MONTHS.get(token[:3])


def parse_date(value: Any, year: int | None = None) -> str:
    """ISO date as precise as the value allows: '2012/07/03' → '2012-07-03', '2016 Jan 15' → '2016-01-15'."""
    if value is None:
        return f"{year:04d}" if year else ""
    text = str(value).strip()
    parts = [p for p in _DATE_SEP_RE.split(text) if p]
    y = parse_year(text) or year
    if not y:
        return ""
    # locate the year token; month and day follow it (RIS/MEDLINE/WoS) or precede it (French d/m/Y)
    month = day = None
    try:
        idx = next(i for i, p in enumerate(parts) if p == str(y))
    except StopIteration:
        return f"{y:04d}"
    after = parts[idx + 1 : idx + 3]
    before = parts[:idx]
    if after:
        month = month_number(after[0])
        if month and len(after) > 1 and after[1].isdecimal() and 1 <= int(after[1]) <= 31:
            day = int(after[1])
    elif len(before) >= 2 and before[-1].isdecimal() and before[-2].isdecimal():
        month = month_number(before[-1])
        d = int(before[-2])
        day = d if month and 1 <= d <= 31 else None
    elif before:
        month = month_number(before[-1])
    if month and day:
        return f"{y:04d}-{month:02d}-{day:02d}"
    if month:
        return f"{y:04d}-{month:02d}"
    return f"{y:04d}"


_LANGUAGES = {
    "en": "en", "eng": "en", "english": "en", "anglais": "en",
    "fr": "fr", "fre": "fr", "fra": "fr", "french": "fr", "français": "fr", "francais": "fr",
    "de": "de", "ger": "de", "deu": "de", "german": "de",
    "es": "es", "spa": "es", "spanish": "es",
    "it": "it", "ita": "it", "italian": "it",
    "pt": "pt", "por": "pt", "portuguese": "pt",
    "nl": "nl", "dut": "nl", "nld": "nl", "dutch": "nl",
    "zh": "zh", "chi": "zh", "zho": "zh", "chinese": "zh",
    "ja": "ja", "jpn": "ja", "japanese": "ja",
    "ru": "ru", "rus": "ru", "russian": "ru",
    "pl": "pl", "pol": "pl", "polish": "pl",
    "sv": "sv", "swe": "sv", "swedish": "sv",
    "da": "da", "dan": "da", "danish": "da",
    "no": "no", "nor": "no", "norwegian": "no",
    "fi": "fi", "fin": "fi", "finnish": "fi",
    "tr": "tr", "tur": "tr", "turkish": "tr",
    "ko": "ko", "kor": "ko", "korean": "ko",
    "ar": "ar", "ara": "ar", "arabic": "ar",
}  # fmt: skip


def parse_language(value: Any) -> str:
    """ISO 639-1 code for the common spellings exporters use ('English', 'eng', 'en'); else ''."""
    if not value:
        return ""
    token = str(value).strip().split(";")[0].split(",")[0].strip().lower()
    return _LANGUAGES.get(token, "")


def author_from_string(text: str) -> Author | None:
    """Parse one author as exporters write it: 'Family, Given', 'Family G.' (Embase/Scopus), 'Family GH'."""
    name = " ".join(text.split()).strip(" ;,")
    if not name:
        return None
    if "," in name:
        family, _, given = name.partition(",")
        family, given = family.strip(), given.strip()
        return Author(name=f"{family}, {given}" if given else family, family=family, given=given)
    parts = name.split(" ")
    if len(parts) > 1 and _looks_like_initials(parts[-1]):
        # "Liu R." / "Gadzalski M" / "Adler D.G.": family first, initials last
        given = parts[-1]
        family = " ".join(parts[:-1])
        return Author(name=f"{family}, {given}", family=family, given=given)
    if len(parts) > 1:
        family = parts[-1]
        given = " ".join(parts[:-1])
        return Author(name=f"{family}, {given}", family=family, given=given)
    return Author(name=name, family=name)


_INITIALS_RE = re.compile(r"^(?:[A-Z][a-z]?\.?-?){1,4}$")


def _looks_like_initials(token: str) -> bool:
    return bool(_INITIALS_RE.match(token)) and (len(token) <= 4 or "." in token)


def split_author_list(value: str) -> list[Author]:
    """Split a one-cell author list: ';' when present, else ' and ', else 'Liu R., Adler D.G.' style commas."""
    text = value.strip()
    if not text:
        return []
    if ";" in text:
        pieces = text.split(";")
    elif " and " in text:
        pieces = text.split(" and ")
    elif "," in text:
        pieces = [p.strip() for p in text.split(",")]
        # "Family, Given" is one author; "Liu R., Adler D.G." are two: every piece ends with initials
        if not all(" " in p and _looks_like_initials(p.rsplit(" ", 1)[-1]) for p in pieces if p):
            pieces = [text]
    else:
        pieces = [text]
    authors = []
    for piece in pieces:
        author = author_from_string(piece)
        if author is not None:
            authors.append(author)
    return authors


def join_pages(start: str, end: str) -> str:
    start, end = start.strip(), end.strip()
    if f"{start} {end}".lower() == "no specified":  # Ovid writes "SP - No / EP - Specified"
        return ""
    if start and end and end != start and "-" not in start:
        return f"{start}-{end}"
    return start or end


def norm_space(text: str) -> str:
    return " ".join(text.split())


def open_text_member(raw: IO[bytes], encoding: str = "utf-8-sig") -> IO[str]:
    return io.TextIOWrapper(raw, encoding=encoding, newline="")
