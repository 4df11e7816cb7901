"""OpenAlex works as JSON (an array, one work, or an API page with ``results``), JSONL, or a zip of those.

Streaming without a third-party incremental JSON library: we keep a text buffer and let the C-speed
``json.JSONDecoder.raw_decode`` take one work at a time, reading more only when a work is cut by the
buffer end. This handles the one-line 350 kB arrays of the SYNERGY dataset and 200,000-line JSONL
alike, keeps ``raw`` verbatim (the exact slice of the file) and gives a line number for every work.
Abstracts are rebuilt from ``abstract_inverted_index`` (OpenAlex does not ship plain abstracts).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from typing import IO, Any

from benefice import safezip
from benefice.corpus.formats._common import (
    CHUNK,
    InputFile,
    InvalidUTF8Error,
    parse_date,
    parse_language,
    parse_year,
    scan_utf8_stream,
)
from benefice.corpus.identifiers import (
    normalise_doi,
    normalise_issn,
    normalise_openalex,
    normalise_orcid,
    normalise_pmcid,
    normalise_pmid,
)
from benefice.corpus.record import Author, Record
from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop

NAME = "openalex"
_decoder = json.JSONDecoder()
_WS = " \t\r\n"

TYPE_MAP = {
    "journal-article": "article", "article": "article", "review": "review", "book": "book",
    "book-chapter": "chapter", "monograph": "book", "proceedings-article": "conference",
    "posted-content": "preprint", "preprint": "preprint", "dissertation": "thesis", "report": "report",
    "dataset": "dataset", "editorial": "other", "letter": "other", "erratum": "other", "paratext": "other",
}  # fmt: skip
OA_STATUSES = frozenset({"gold", "green", "hybrid", "bronze", "diamond", "closed"})


def looks_like_openalex(head: str) -> bool:
    """Content test used by detection: an OpenAlex work id or its inverted abstract near the top."""
    window = head[:65536]
    return (
        "openalex.org/W" in window
        or '"abstract_inverted_index"' in window
        or ('"authorships"' in window and '"publication_year"' in window)
    )


def read(source: InputFile) -> Iterator[Record]:
    with source.open_binary() as fh:
        magic = fh.read(4)
    if magic == b"PK\x03\x04":
        yield from _read_zip(source)
        return
    with source.open_text() as stream:
        yield from _read_stream(source, stream, 0, None)


def _is_works_member(info: zipfile.ZipInfo) -> bool:
    return not info.is_dir() and info.filename.lower().endswith((".json", ".jsonl"))


def _read_zip(source: InputFile) -> Iterator[Record]:
    """Stream the works of every .json/.jsonl member, bounded by what the archive produces (issue 17).

    The declared sizes are checked first, then every member is read through a counter: one member may
    produce at most the file limit, and all members together the file limit too, whatever their headers
    claim, so a small zip cannot keep an import inflating for hours; the error names the member.
    """
    limit = source.max_file_bytes
    with safezip.open_zip(
        source.path, "OpenAlex", max_member=limit, max_total=limit, select=_is_works_member
    ) as zf:
        members = [i for i in zf.infolist() if _is_works_member(i)]
        if not members:
            raise source.error(gettext_noop("zip archive holds no .json or .jsonl file"))
        budget = safezip.Budget(limit)
        position = 0
        for info in members:
            member = safezip.open_member(zf, info, source.path, limit=limit, budget=budget)
            try:
                with _text(member) as stream:
                    for record in _read_stream(source, stream, position, info.filename):
                        position = record.position
                        yield record
            except UnicodeDecodeError:
                raise _invalid_member(source, zf, info) from None


def _invalid_member(source: InputFile, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> InvalidUTF8Error:
    """The member is not valid UTF-8 (OpenAlex writes nothing else): read it again to say exactly where,
    by line and byte offset within the member, as for a plain file (issue 17, item 10)."""
    limit = source.max_file_bytes
    with safezip.open_member(zf, info, source.path, limit=limit) as member:
        scan = scan_utf8_stream(member)
    return InvalidUTF8Error(source.name, scan, member=info.filename)


def _text(member: IO[bytes]) -> IO[str]:
    """Members are UTF-8 (OpenAlex writes nothing else); closing the text stream closes the member."""
    return io.TextIOWrapper(io.BufferedReader(member), encoding="utf-8-sig", newline="")  # type: ignore[arg-type]


def _read_stream(source: InputFile, stream: IO[str], position: int, member: str | None) -> Iterator[Record]:
    """Decode successive JSON values (JSONL, concatenated, or elements of one top-level array)."""
    where = f"{member}: " if member else ""
    buf = ""
    pos = 0
    line = 1
    eof = False
    in_array = None  # None until the first significant character is seen
    expect_comma = False
    cap = source.max_record_chars

    def fill() -> bool:
        nonlocal buf, pos, eof
        chunk = stream.read(CHUNK)
        if not chunk:
            eof = True
            return False
        buf = buf[pos:] + chunk
        pos = 0
        return True

    while True:
        # skip whitespace (and array punctuation), counting lines
        while True:
            while pos < len(buf) and buf[pos] in _WS:
                if buf[pos] == "\n":
                    line += 1
                pos += 1
            if pos < len(buf) or eof or not fill():
                break
        if pos >= len(buf):
            if in_array:
                raise source.error(
                    gettext_noop("%(where)sJSON array not closed: file truncated?"),
                    params={"where": where},
                    line=line,
                )
            break
        ch = buf[pos]
        if in_array is None:
            in_array = ch == "["
            if in_array:
                pos += 1
                continue
        if in_array:
            if ch == "]":
                pos += 1
                in_array = False
                expect_comma = False
                continue
            if expect_comma:
                if ch != ",":
                    raise source.error(
                        gettext_noop("%(where)sexpected ',' between array elements"),
                        params={"where": where},
                        line=line,
                        record=position + 1,
                    )
                pos += 1
                expect_comma = False
                continue
        elif ch in ",]":
            raise source.error(
                gettext_noop("%(where)sunexpected %(char)r outside a JSON array"),
                params={"where": where, "char": ch},
                line=line,
            )
        # decode one value, reading more text while it is cut by the buffer end
        while True:
            try:
                value, end = _decoder.raw_decode(buf, pos)
                break
            except json.JSONDecodeError as exc:
                if eof or len(buf) - pos > cap:
                    if len(buf) - pos > cap:
                        raise source.error(
                            gettext_noop("%(where)sJSON value longer than %(limit)s characters"),
                            params={"where": where, "limit": cap},
                            line=line,
                            record=position + 1,
                        ) from exc
                    err_line = line + buf.count("\n", pos, exc.pos)
                    raise source.error(
                        gettext_noop("%(where)sinvalid JSON: %(reason)s"),
                        params={"where": where, "reason": exc.msg},
                        line=err_line,
                        record=position + 1,
                    ) from exc
                fill()
        raw = buf[pos:end]
        start_line = line
        line += raw.count("\n")
        pos = end
        if in_array:
            expect_comma = True
        for work, work_raw in _works(source, value, raw, where, start_line, position + 1):
            position += 1
            yield _to_record(source, work, work_raw, position, start_line, member)


def _works(
    source: InputFile, value: Any, raw: str, where: str, line: int, position: int
) -> Iterator[tuple[dict, str]]:
    if isinstance(value, dict) and isinstance(value.get("results"), list) and "id" not in value:
        for work in value["results"]:  # an API page
            if not isinstance(work, dict):
                raise source.error(
                    gettext_noop("%(where)s'results' holds a non-object"),
                    params={"where": where},
                    line=line,
                    record=position,
                )
            yield work, json.dumps(work, ensure_ascii=False)
        return
    if isinstance(value, list):  # JSONL line holding an array
        for work in value:
            if not isinstance(work, dict):
                raise source.error(
                    gettext_noop("%(where)sarray element is not a JSON object"),
                    params={"where": where},
                    line=line,
                    record=position,
                )
            yield work, json.dumps(work, ensure_ascii=False)
        return
    if not isinstance(value, dict):
        raise source.error(
            gettext_noop("%(where)sexpected a JSON object (an OpenAlex work)"),
            params={"where": where},
            line=line,
            record=position,
        )
    yield value, raw


def _s(value: Any) -> str:
    """A string field from untrusted JSON: non-strings (null, numbers, objects) become '' or their text."""
    if value is None or isinstance(value, dict | list | bool):
        return ""
    return str(value).strip()


def _d(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list:
    return value if isinstance(value, list) else []


def rebuild_abstract(index: Any, limit: int) -> str:
    """Turn ``{"word": [positions]}`` back into text; None if the index is malformed or absurdly long."""
    if not isinstance(index, dict) or not index:
        return ""
    slots: dict[int, str] = {}
    for word, positions in index.items():
        for p in _l(positions):
            if isinstance(p, int) and not isinstance(p, bool) and 0 <= p:
                slots[p] = word
    if not slots:
        return ""
    if max(slots) > limit:
        raise ValueError("abstract position beyond limit")
    return " ".join(slots[p] for p in sorted(slots))


def _split_display_name(name: str) -> tuple[str, str]:
    """OpenAlex display names are 'Given Family'; the family is the last token."""
    if "," in name:
        family, _, given = name.partition(",")
        return family.strip(), given.strip()
    given, _, family = name.rpartition(" ")
    return family, given


def _to_record(source: InputFile, w: dict, raw: str, position: int, line: int, member: str | None) -> Record:
    def check(name: str, value: str) -> str:
        return source.check_field(value, line=line, record=position, field=name)

    primary = _d(w.get("primary_location"))
    venue = _d(primary.get("source")) or _d(w.get("host_venue"))
    ids = _d(w.get("ids"))
    biblio = _d(w.get("biblio"))
    authors = []
    for authorship in _l(w.get("authorships")):
        authorship = _d(authorship)
        person = _d(authorship.get("author"))
        name = _s(person.get("display_name")) or _s(authorship.get("raw_author_name"))
        if not name:
            continue
        family, given = _split_display_name(name)
        affiliations = [_s(_d(i).get("display_name")) for i in _l(authorship.get("institutions"))]
        if not any(affiliations):
            raws = authorship.get("raw_affiliation_strings") or [authorship.get("raw_affiliation_string")]
            affiliations = [_s(a) for a in _l(raws)]
        authors.append(
            Author(
                name=f"{family}, {given}" if given else family,
                family=family,
                given=given,
                orcid=normalise_orcid(_s(person.get("orcid"))),
                affiliations=[a for a in affiliations if a],
            )
        )
    try:
        abstract = rebuild_abstract(w.get("abstract_inverted_index"), source.max_field_chars)
    except ValueError as exc:
        raise source.error(
            gettext_noop("abstract_inverted_index too long"),
            line=line,
            record=position,
            field="abstract_inverted_index",
        ) from exc
    year = parse_year(w.get("publication_year")) or parse_year(_s(w.get("publication_date")))
    first_page, last_page = _s(biblio.get("first_page")), _s(biblio.get("last_page"))
    issn = [normalise_issn(_s(i)) for i in _l(venue.get("issn"))] or [normalise_issn(_s(venue.get("issn_l")))]
    oa = _s(_d(w.get("open_access")).get("oa_status")).lower()
    keywords = [_s(_d(k).get("display_name")) or _s(k) for k in _l(w.get("keywords"))]
    cited = w.get("cited_by_count")
    extra: dict = {}
    if member:
        extra["member"] = member
    if w.get("is_retracted") is True:
        extra["is_retracted"] = True
    concepts = [_s(_d(c).get("display_name")) for c in _l(w.get("concepts"))[:10]]
    if any(concepts):
        extra["concepts"] = [c for c in concepts if c]
    return Record(
        source_format=NAME,
        position=position,
        line=line,
        raw=raw,
        title=check("title", _s(w.get("title")) or _s(w.get("display_name"))),
        abstract=check("abstract", abstract),
        year=year,
        date=parse_date(_s(w.get("publication_date")), year)
        if w.get("publication_date")
        else parse_date(None, year),
        authors=authors,
        journal=check("journal", _s(venue.get("display_name"))),
        issn=list(dict.fromkeys(i for i in issn if i)),
        publisher=_s(venue.get("host_organization_name")) or _s(venue.get("publisher")),
        volume=_s(biblio.get("volume")),
        issue=_s(biblio.get("issue")),
        pages=f"{first_page}-{last_page}"
        if first_page and last_page and first_page != last_page
        else first_page,
        doc_type=TYPE_MAP.get(_s(w.get("type")).lower(), "other") if w.get("type") else "",
        language=parse_language(_s(w.get("language"))),
        doi=normalise_doi(_s(w.get("doi")) or _s(ids.get("doi"))),
        pmid=normalise_pmid(_s(ids.get("pmid")).rstrip("/").rsplit("/", 1)[-1]),
        pmcid=normalise_pmcid(_s(ids.get("pmcid")).rstrip("/").rsplit("/", 1)[-1]),
        openalex_id=normalise_openalex(_s(w.get("id")) or _s(ids.get("openalex"))),
        keywords=[k for k in keywords if k],
        mesh=[
            _s(_d(m).get("descriptor_name")) for m in _l(w.get("mesh")) if _s(_d(m).get("descriptor_name"))
        ],
        funders=list(
            dict.fromkeys(
                _s(_d(g).get("funder_display_name"))
                for g in _l(w.get("grants"))
                if _s(_d(g).get("funder_display_name"))
            )
        ),
        oa_status=oa if oa in OA_STATUSES else "",
        cited_by_count=cited if isinstance(cited, int) and not isinstance(cited, bool) else None,
        referenced_works=[r for r in (normalise_openalex(_s(x)) for x in _l(w.get("referenced_works"))) if r],
        url=_s(primary.get("landing_page_url")) or _s(w.get("doi")),
        extra=extra,
    )


def count_hint(source: InputFile) -> int | None:
    """Count work ids (`"id": "https://openalex.org/W`) in the file or the zip members; approximate.

    A hint only: any problem (a damaged or oversized zip included) gives None, the import itself then
    reports it; zip members are read through the same bounds as the import.
    """
    marker = b'"https://openalex.org/W'
    limit = source.max_file_bytes
    try:
        if zipfile.is_zipfile(source.path):
            with safezip.open_zip(
                source.path, "OpenAlex", max_member=limit, max_total=limit, select=_is_works_member
            ) as zf:
                budget = safezip.Budget(limit)
                return sum(
                    _count_ids(safezip.open_member(zf, i, source.path, limit=limit, budget=budget), marker)
                    for i in zf.infolist()
                    if _is_works_member(i)
                )
        with source.open_binary() as fh:
            return _count_ids(fh, marker)
    except (OSError, zipfile.BadZipFile, ValueError, EOFError, BeneficeError):
        return None


def _count_ids(fh: IO[bytes], marker: bytes) -> int:
    """Works start with their "id" key in OpenAlex dumps; count '{"id": "https://openalex.org/W' openings."""
    count = 0
    tail = b""
    needles = (b'"id": ' + marker, b'"id":' + marker)
    with fh:
        while chunk := fh.read(CHUNK):
            data = tail + chunk
            count += sum(data.count(n) for n in needles)
            tail = data[-len(needles[0]) + 1 :]
    return count
