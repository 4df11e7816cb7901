"""HAL, the French national open archive: harvest a Solr query with ``cursorMark`` paging.

HAL matters here because French public-health research (Inserm, universities, Santé publique France)
deposits preprints, theses and reports that are indexed nowhere else, often with a French abstract.

API facts this module relies on (api.archives-ouvertes.fr/docs/search):

- ``GET https://api.archives-ouvertes.fr/search/`` with Solr parameters: ``q`` (e.g.
  ``"SNDS" OR "SNIIRAM"`` or ``title_t:(…)``), ``fq`` filters (repeatable, e.g. ``producedDateY_i:[2015 TO
  *]``, ``docType_s:(ART OR THESE)``), ``fl`` fields, ``rows`` (≤ 10,000), ``wt=json``;
- deep paging: ``sort=docid asc`` and ``cursorMark=*``, then the response's ``nextCursorMark``; the end is
  reached when it comes back unchanged (or a short page arrives);
- the answer is ``{"response": {"numFound": n, "docs": [...]}, "nextCursorMark": "…"}``; multi-valued
  fields (``title_s``, ``abstract_s``, ``authFullName_s``…) are lists.

HAL documents no rate limit; the default here is 5 requests/s. Constructor options the CLI should expose:
``mailto``, ``rate``. Query arguments: ``query`` (Solr ``q``), ``--fq`` (repeatable), ``--rows``.
Resume state: ``{"connector": "hal", "query": {...}, "cursor": str | None, "position": int, "done": bool}``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import httpx

from benefice.corpus.connectors.base import (
    HttpConnector,
    Page,
    as_dict,
    as_int,
    as_list,
    as_str,
    as_year,
    check_state,
    display_author_name,
    dump_json,
    unique,
)
from benefice.corpus.identifiers import (
    normalise_doi,
    normalise_hal,
    normalise_issn,
    normalise_pmcid,
    normalise_pmid,
)
from benefice.corpus.record import Author, Record
from benefice.errors import BeneficeError, ConnectorError
from benefice.i18n import gettext_noop

HAL_URL = "https://api.archives-ouvertes.fr/search/"
MAX_ROWS = 10_000

FIELDS = (
    "docid,halId_s,uri_s,title_s,subTitle_s,abstract_s,authFullName_s,authLastName_s,authFirstName_s,"
    "authORCIDIdExt_s,structName_s,doiId_s,pubmedId_s,pubmedcentralId_s,producedDate_s,producedDateY_i,"
    "publicationDate_s,journalTitle_s,journalIssn_s,journalEissn_s,journalPublisher_s,volume_s,issue_s,"
    "page_s,docType_s,language_s,keyword_s,openAccess_bool,fileMain_s,linkExtUrl_s,funding_s,"
    "anrProjectTitle_s,europeanProjectTitle_s,conferenceTitle_s,bookTitle_s"
)

DOC_TYPES = {
    "ART": "article",
    "COMM": "conference",
    "POSTER": "conference",
    "PROCEEDINGS": "conference",
    "OUV": "book",
    "DOUV": "book",
    "COUV": "chapter",
    "THESE": "thesis",
    "HDR": "thesis",
    "MEM": "thesis",
    "ETABTHESE": "thesis",
    "REPORT": "report",
    "REPACT": "report",
    "UNDEFINED": "preprint",
    "PREPRINT": "preprint",
    "WORKINGPAPER": "preprint",
}


def _first(value: Any) -> str:
    """First non-empty string of a Solr field that may be a list or a scalar."""
    if isinstance(value, list):
        for v in value:
            text = as_str(v)
            if text:
                return text
        return ""
    return as_str(value)


def _all(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return unique(as_str(v) for v in values)


def _authors(doc: dict[str, Any]) -> list[Author]:
    """Authors from HAL's parallel lists (full, last, first names share positions).

    ORCIDs and structures are separate lists with no per-author alignment in the search API, so they
    are kept in ``extra`` rather than attached to the wrong person.
    """
    full = [as_str(v) for v in as_list(doc.get("authFullName_s"))]
    last = [as_str(v) for v in as_list(doc.get("authLastName_s"))]
    first = [as_str(v) for v in as_list(doc.get("authFirstName_s"))]
    aligned = len(last) == len(full) and len(first) == len(full)
    authors = []
    for i, name in enumerate(full):
        family, given = (last[i], first[i]) if aligned else ("", "")
        if not (name or family):
            continue
        authors.append(Author(name=display_author_name(family, given, name), family=family, given=given))
    return authors


def doc_to_record(doc: Any, position: int = 0) -> Record:
    """One HAL search document → ``Record`` (source_format "hal", raw = the document's JSON)."""
    if not isinstance(doc, dict):
        raise ConnectorError(
            gettext_noop("hal: expected a document object, got %(type)s"),
            params={"type": type(doc).__name__},
            record=position or None,
        )
    year = as_year(doc.get("producedDateY_i"))
    date = _first(doc.get("producedDate_s"))[:10]
    if year is None:
        year = as_year(date[:4])
    doc_type = _first(doc.get("docType_s")).upper()
    hal_id = normalise_hal(_first(doc.get("halId_s")))
    title = _first(doc.get("title_s"))
    subtitle = _first(doc.get("subTitle_s"))
    has_file = bool(_first(doc.get("fileMain_s"))) or doc.get("openAccess_bool") is True
    language = _first(doc.get("language_s")).lower()
    extra: dict[str, Any] = {"hal_doc_type": doc_type} if doc_type else {}
    for key, source in (
        ("orcids", "authORCIDIdExt_s"),
        ("structures", "structName_s"),
        ("titles", "title_s"),
        ("abstracts", "abstract_s"),
    ):
        values = _all(doc.get(source))
        if len(values) > (0 if key in ("orcids", "structures") else 1):
            extra[key] = values
    if as_int(doc.get("docid")) is not None:
        extra["docid"] = as_int(doc.get("docid"))
    funders = (
        _all(doc.get("funding_s"))
        + _all(doc.get("anrProjectTitle_s"))
        + _all(doc.get("europeanProjectTitle_s"))
    )
    return Record(
        source_format="hal",
        position=position,
        raw=dump_json(doc),
        title=f"{title}: {subtitle}" if title and subtitle else title,
        abstract=_first(doc.get("abstract_s")),
        year=year,
        date=date if year is not None and date[:4] == str(year) else (str(year) if year else ""),
        authors=_authors(doc),
        journal=_first(doc.get("journalTitle_s"))
        or _first(doc.get("bookTitle_s"))
        or _first(doc.get("conferenceTitle_s")),
        issn=unique(
            normalise_issn(v) for v in _all(doc.get("journalIssn_s")) + _all(doc.get("journalEissn_s"))
        ),
        publisher=_first(doc.get("journalPublisher_s")),
        volume=_first(doc.get("volume_s")),
        issue=_first(doc.get("issue_s")),
        pages=_first(doc.get("page_s")),
        doc_type=DOC_TYPES.get(doc_type, "other" if doc_type else ""),
        language=language if len(language) == 2 else "",
        doi=normalise_doi(_first(doc.get("doiId_s"))),
        pmid=normalise_pmid(_first(doc.get("pubmedId_s"))),
        pmcid=normalise_pmcid(_first(doc.get("pubmedcentralId_s"))),
        hal_id=hal_id,
        keywords=_all(doc.get("keyword_s")),
        funders=unique(funders),
        oa_status="green" if has_file else "",
        url=_first(doc.get("uri_s")) or (f"https://hal.science/{hal_id}" if hal_id else ""),
        extra=extra,
    )


class HALConnector(HttpConnector):
    """Harvest HAL documents matching a Solr query, one ``cursorMark`` page at a time."""

    name = "hal"
    default_rate = 5.0

    def __init__(
        self, client: httpx.Client | None = None, *, base_url: str = HAL_URL, **options: Any
    ) -> None:
        super().__init__(client, **options)
        self.base_url = base_url

    def harvest(
        self,
        query: str,
        *,
        filters: Sequence[str] = (),
        rows: int = 500,
        state: dict[str, Any] | None = None,
    ) -> Iterator[Page]:
        """Yield pages of documents for Solr ``query`` and ``filters`` (``fq``); state resumes after each."""
        if not query.strip():
            raise BeneficeError(
                gettext_noop("hal: the query is empty (use *:* deliberately to harvest everything)"),
                field="query",
            )
        if not 1 <= rows <= MAX_ROWS:
            raise BeneficeError(
                gettext_noop("hal: rows must be 1–%(max)s"), params={"max": MAX_ROWS}, field="rows"
            )
        signature = {"query": query, "filters": list(filters)}
        current = check_state(state, self.name, signature)
        if current.get("done"):
            return
        cursor = as_str(current.get("cursor")) or "*"
        position = as_int(current.get("position")) or 0
        while True:
            params: list[tuple[str, str | int]] = [
                ("q", query),
                ("wt", "json"),
                ("fl", FIELDS),
                ("rows", rows),
                ("sort", "docid asc"),
                ("cursorMark", cursor),
            ]
            params += [("fq", f) for f in filters]
            response = self._request("GET", self.base_url, params=httpx.QueryParams(params))
            body = self._json(response)
            result = as_dict(body).get("response") if isinstance(body, dict) else None
            if not isinstance(result, dict) or not isinstance(result.get("docs"), list):
                error = as_str(as_dict(as_dict(body).get("error")).get("msg"))
                raise ConnectorError(
                    gettext_noop("hal: %(error)s")
                    if error
                    else gettext_noop("hal: response has no response.docs list"),
                    params={"error": error} if error else None,
                    path=str(response.request.url.copy_with(query=None)),
                )
            records = []
            for doc in result["docs"]:
                position += 1
                records.append(doc_to_record(doc, position))
            next_cursor = as_str(body.get("nextCursorMark"))
            done = not records or not next_cursor or next_cursor == cursor or len(records) < rows
            page_state = {
                "connector": self.name,
                "query": signature,
                "cursor": None if done else next_cursor,
                "position": position,
                "done": done,
            }
            yield Page(records=records, state=page_state, total=as_int(result.get("numFound")))
            if done:
                return
            cursor = next_cursor
