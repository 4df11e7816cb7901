"""Web of Science "plain text" / ISI export (``FN``/``VR`` header, ``PT`` … ``ER`` records, ``EF`` end).

Hand-written: rispy's ``WokParser`` gives no line numbers or raw text and accepts a file whose end was
cut off. WoS always closes an export with ``EF``; a file without it was truncated (a partial download or
a copy-paste), so we raise FormatError at its last line even when the last record happens to be complete
— this is what metaknowledge's ``badFile.isi`` fixture checks, and it is what a user merging exports
needs to know before trusting the counts.
"""

from __future__ import annotations

from collections.abc import Iterator

from benefice.corpus.formats._common import (
    InputFile,
    author_from_string,
    join_pages,
    parse_date,
    parse_language,
    parse_year,
)
from benefice.corpus.identifiers import normalise_doi, normalise_issn, normalise_orcid, normalise_pmid
from benefice.corpus.record import Author, Record
from benefice.i18n import gettext_noop

NAME = "wos"
# continuation lines of these tags are new items, of the others the same value wrapped
_LIST_TAGS = frozenset({"AU", "AF", "BA", "BF", "CR", "C1", "C3", "RI", "OI", "EM", "FU", "CA", "GP", "BE"})

TYPE_MAP = {
    "article": "article", "review": "review", "proceedings paper": "conference", "meeting abstract": "conference",
    "editorial material": "other", "letter": "other", "book": "book", "book chapter": "chapter",
    "early access": "article", "data paper": "dataset",
}  # fmt: skip


def read(source: InputFile) -> Iterator[Record]:
    with source.open_text() as stream:
        position = 0
        tags: dict[str, list[str]] | None = None
        raw: list[str] = []
        start = 0
        size = 0
        last: list[str] | None = None
        last_tag = ""
        seen_ef = False
        number = 0
        for number, line in source.iter_lines(stream):
            text = line.rstrip("\r\n").lstrip("\ufeff")
            if not text.strip():
                if tags is not None:
                    raw.append(line)
                continue
            if seen_ef:
                raise source.error(gettext_noop("content after the 'EF' end-of-file marker"), line=number)
            if text.startswith("   ") or text.startswith("\t"):
                tag, value = "", text.strip()
            else:
                tag, value = text[:2], text[2:].strip()
            if tags is None:
                if tag == "PT":
                    position += 1
                    tags = {"PT": [value]}
                    raw, size, start = [line], len(line), number
                    last, last_tag = None, ""
                elif tag == "EF":
                    seen_ef = True
                elif tag in ("FN", "VR"):
                    pass
                else:
                    raise source.error(
                        gettext_noop("expected 'PT' to start a record, found %(text)r"),
                        params={"text": text[:20]},
                        line=number,
                    )
                continue
            raw.append(line)
            size += len(line)
            if size > source.max_record_chars:
                raise source.error(
                    gettext_noop("record too long (missing 'ER'?)"), line=start, record=position
                )
            if tag == "ER":
                yield _to_record(source, tags, "".join(raw), position, start)
                tags = None
                continue
            if tag in ("PT", "EF"):
                raise source.error(
                    gettext_noop("record %(record)s (line %(start)s) has no 'ER' before %(tag)r"),
                    params={"record": position, "start": start, "tag": tag},
                    line=number,
                    record=position,
                )
            if tag:
                last = tags.setdefault(tag, [])
                last.append(value)
                last_tag = tag
            elif last is not None:
                if last_tag in _LIST_TAGS:
                    last.append(value)
                else:
                    last[-1] = f"{last[-1]} {value}" if last[-1] else value
            else:
                raise source.error(
                    gettext_noop("continuation line before any tag"), line=number, record=position
                )
            if last is not None and len(last[-1]) > source.max_field_chars:
                source.check_field(last[-1], line=number, record=position, field=last_tag)
        if tags is not None:
            raise source.error(
                gettext_noop(
                    "file ends inside record %(record)s (started line %(start)s): missing 'ER', truncated?"
                ),
                params={"record": position, "start": start},
                line=start,
                record=position,
            )
        if position and not seen_ef:
            raise source.error(
                gettext_noop("file ends without the 'EF' end-of-file marker: the export looks truncated"),
                line=number,
            )


def _first(tags: dict[str, list[str]], *names: str) -> str:
    for name in names:
        for value in tags.get(name, ()):
            if value:
                return value
    return ""


def _to_record(source: InputFile, tags: dict[str, list[str]], raw: str, position: int, line: int) -> Record:
    get = tags.get
    full = get("AF") or get("AU") or []
    orcids: dict[str, str] = {}
    for item in " ; ".join(get("OI", [])).split(";"):
        name, _, ident = item.partition("/")
        if ident:
            orcids[name.strip().lower()] = normalise_orcid(ident)
    authors: list[Author] = []
    for value in full:
        author = author_from_string(value)
        if author is None:
            continue
        author.orcid = orcids.get(author.name.lower(), "")
        authors.append(author)
    year = parse_year(_first(tags, "PY", "EA"))
    date = parse_date(f"{year} {_first(tags, 'PD')}" if year else "", year)
    issn = [n for n in (normalise_issn(_first(tags, "SN")), normalise_issn(_first(tags, "EI"))) if n]
    keywords = [k.strip() for v in get("DE", []) for k in " ".join([v]).split(";") if k.strip()]
    keywords_plus = [k.strip() for v in get("ID", []) for k in v.split(";") if k.strip()]
    dt = _first(tags, "DT").split(";")[0].strip().lower()
    pt = tags["PT"][0].upper()
    doc_type = TYPE_MAP.get(
        dt, "book" if pt == "B" else "conference" if pt == "S" else "article" if pt == "J" else "other"
    )
    extra: dict = {"wos_publication_type": pt}
    ut = _first(tags, "UT")
    if ut:
        extra["wos_id"] = ut
    if keywords_plus:
        extra["keywords_plus"] = keywords_plus
    tc = _first(tags, "TC", "Z9")
    return Record(
        source_format=NAME,
        position=position,
        line=line,
        raw=raw,
        title=_first(tags, "TI"),
        abstract=_first(tags, "AB"),
        year=year,
        date=date,
        authors=authors,
        journal=_first(tags, "SO", "SE", "J9", "JI"),
        issn=list(dict.fromkeys(issn)),
        publisher=_first(tags, "PU"),
        volume=_first(tags, "VL"),
        issue=_first(tags, "IS"),
        pages=join_pages(_first(tags, "BP"), _first(tags, "EP")) or _first(tags, "AR"),
        doc_type=doc_type,
        language=parse_language(_first(tags, "LA")),
        doi=normalise_doi(_first(tags, "DI", "D2")),
        pmid=normalise_pmid(_first(tags, "PM")),
        keywords=keywords,
        funders=[f.strip() for v in get("FU", []) for f in v.split(";") if f.strip()],
        oa_status=_first(tags, "OA").split(",")[0].strip().lower() if _first(tags, "OA") else "",
        cited_by_count=int(tc) if tc.isdecimal() else None,
        extra=extra,
    )
