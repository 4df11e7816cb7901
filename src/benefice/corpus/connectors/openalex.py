"""OpenAlex works API: harvest a query with cursor paging, and turn each work into a ``Record``.

OpenAlex is the widest free index (≈250 M works) and carries what the other sources lack for an
impact study: citation counts, referenced works, funders, open-access status, affiliations.

API facts this module relies on (docs.openalex.org / developers.openalex.org):

- ``GET https://api.openalex.org/works`` with ``filter`` (comma-separated ``field:value``, e.g.
  ``publication_year:2015-2024,authorships.institutions.country_code:FR``) and/or ``search``
  (full text on title, abstract and full text);
- paging: ``cursor=*`` then ``meta.next_cursor`` until it is null or ``results`` is empty; basic
  ``page=`` paging stops at 10,000 results, cursors do not;
- ``per_page`` 1–200 (the newer docs say 100; 100 is the default here and works under both);
- ``api_key`` (required for real volumes since 2026; free), ``mailto`` for the historical polite pool;
  at most 100 requests per second per user, 429 beyond the daily allowance;
- abstracts ship as ``abstract_inverted_index`` (word → list of positions) and are rebuilt here.

Constructor options the CLI should expose: ``api_key`` (env ``OPENALEX_API_KEY``), ``mailto``, ``rate``.
Query arguments the CLI should expose: ``--search``, ``--filter``, ``--per-page``.
Resume state: ``{"connector": "openalex", "query": {...}, "cursor": str | None, "position": int,
"done": bool}``.
"""

from __future__ import annotations

from collections.abc import Iterator
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
    dig,
    display_author_name,
    dump_json,
    split_display_name,
    unique,
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
from benefice.errors import BeneficeError, ConnectorError
from benefice.i18n import gettext_noop

OPENALEX_URL = "https://api.openalex.org"
MAX_PER_PAGE = 200
MAX_ABSTRACT_WORDS = 100_000  # an inverted index larger than this is not an abstract

# OpenAlex work types (Crossref-derived, then its own vocabulary since 2023) → our doc_type
DOC_TYPES = {
    "article": "article",
    "journal-article": "article",
    "letter": "article",
    "editorial": "article",
    "erratum": "other",
    "review": "review",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "book-chapter": "chapter",
    "chapter": "chapter",
    "book-part": "chapter",
    "preprint": "preprint",
    "posted-content": "preprint",
    "dissertation": "thesis",
    "proceedings-article": "conference",
    "proceedings": "conference",
    "report": "report",
    "dataset": "dataset",
}


def rebuild_abstract(inverted: Any) -> str:
    """Plain text from OpenAlex's ``abstract_inverted_index`` (publishers forbid verbatim abstracts).

    Words are placed at their positions and joined with single spaces. Invalid positions (negative,
    non-integer) are ignored; a gap in the positions simply closes up. Never raises.
    """
    if not isinstance(inverted, dict):
        return ""
    placed: dict[int, str] = {}
    for word, positions in inverted.items():
        if not isinstance(word, str) or not isinstance(positions, list):
            continue
        for pos in positions:
            if isinstance(pos, bool) or not isinstance(pos, int) or pos < 0:
                continue
            placed.setdefault(pos, word)
            if len(placed) > MAX_ABSTRACT_WORDS:
                break
    return " ".join(" ".join(placed[p] for p in sorted(placed)).split())


def _authors(work: dict[str, Any]) -> list[Author]:
    authors: list[Author] = []
    for authorship in as_list(work.get("authorships")):
        authorship = as_dict(authorship)
        author = as_dict(authorship.get("author"))
        display = as_str(author.get("display_name")) or as_str(authorship.get("raw_author_name"))
        if not display:
            continue
        family, given = split_display_name(display)
        affiliations = [as_str(a) for a in as_list(authorship.get("raw_affiliation_strings"))]
        affiliations += [
            as_str(dig(a, "raw_affiliation_string")) for a in as_list(authorship.get("affiliations"))
        ]
        if not any(affiliations):
            affiliations = [as_str(dig(i, "display_name")) for i in as_list(authorship.get("institutions"))]
        authors.append(
            Author(
                name=display_author_name(family, given, display),
                family=family,
                given=given,
                orcid=normalise_orcid(as_str(author.get("orcid"))),
                affiliations=unique(affiliations),
            )
        )
    return authors


def _funders(work: dict[str, Any]) -> list[str]:
    names = [as_str(dig(f, "display_name")) for f in as_list(work.get("funders"))]  # 2025+ schema
    names += [as_str(dig(g, "funder_display_name")) for g in as_list(work.get("grants"))]  # older schema
    names += [as_str(dig(a, "funder_display_name")) for a in as_list(work.get("awards"))]
    names += [as_str(dig(a, "funder", "display_name")) for a in as_list(work.get("awards"))]
    return unique(names)


def _last_segment(value: Any) -> str:
    """ "7080219" from "https://www.ncbi.nlm.nih.gov/pmc/articles/7080219": OpenAlex gives ID URLs."""
    return as_str(value).rstrip("/").rsplit("/", 1)[-1]


def _pages(biblio: dict[str, Any]) -> str:
    first, last = as_str(biblio.get("first_page")), as_str(biblio.get("last_page"))
    if first and last and first != last:
        return f"{first}-{last}"
    return first or last


def work_to_record(work: Any, position: int = 0) -> Record:
    """One OpenAlex work object → ``Record`` (source_format "openalex", raw = the work's JSON).

    Tolerates missing or mistyped fields (they become empty); raises ``ConnectorError`` only when the
    value is not a JSON object at all.
    """
    if not isinstance(work, dict):
        raise ConnectorError(
            gettext_noop("openalex: expected a work object, got %(type)s"),
            params={"type": type(work).__name__},
            record=position or None,
        )
    ids = as_dict(work.get("ids"))
    primary = as_dict(work.get("primary_location"))
    source = as_dict(primary.get("source"))
    host = as_dict(work.get("host_venue"))  # pre-2023 schema, still in snapshots (SYNERGY)
    biblio = as_dict(work.get("biblio"))
    open_access = as_dict(work.get("open_access"))
    raw_type = as_str(work.get("type"))
    issns = [as_str(i) for i in as_list(source.get("issn")) or as_list(host.get("issn"))]
    issns.append(as_str(source.get("issn_l")) or as_str(host.get("issn_l")))
    doi = normalise_doi(as_str(work.get("doi")) or as_str(ids.get("doi")))
    openalex_id = normalise_openalex(as_str(work.get("id")) or as_str(ids.get("openalex")))
    keywords = [
        as_str(k) if isinstance(k, str) else as_str(dig(k, "display_name"))
        for k in as_list(work.get("keywords"))
    ]
    year = as_year(work.get("publication_year"))
    date = as_str(work.get("publication_date"))[:10]
    language = as_str(work.get("language")).lower()
    extra: dict[str, Any] = {}
    if raw_type:
        extra["openalex_type"] = raw_type
    if isinstance(work.get("is_retracted"), bool):
        extra["is_retracted"] = work["is_retracted"]
    if as_str(open_access.get("oa_url")):
        extra["oa_url"] = as_str(open_access.get("oa_url"))
    topic = as_str(dig(work, "primary_topic", "display_name"))
    if topic:
        extra["primary_topic"] = topic
    return Record(
        source_format="openalex",
        position=position,
        raw=dump_json(work),
        title=as_str(work.get("title")) or as_str(work.get("display_name")),
        abstract=rebuild_abstract(work.get("abstract_inverted_index")),
        year=year,
        date=date if year is not None and date[:4] == str(year) else (str(year) if year else ""),
        authors=_authors(work),
        journal=as_str(source.get("display_name")) or as_str(host.get("display_name")),
        issn=unique(normalise_issn(i) for i in issns),
        publisher=as_str(source.get("host_organization_name")) or as_str(host.get("publisher")),
        volume=as_str(biblio.get("volume")),
        issue=as_str(biblio.get("issue")),
        pages=_pages(biblio),
        doc_type=DOC_TYPES.get(raw_type, "other" if raw_type else ""),
        language=language if len(language) == 2 else "",
        doi=doi,
        pmid=normalise_pmid(_last_segment(ids.get("pmid"))),
        pmcid=normalise_pmcid(_last_segment(ids.get("pmcid"))),
        openalex_id=openalex_id,
        keywords=unique(keywords),
        mesh=unique(as_str(dig(m, "descriptor_name")) for m in as_list(work.get("mesh"))),
        funders=_funders(work),
        oa_status=as_str(open_access.get("oa_status")).lower(),
        cited_by_count=as_int(work.get("cited_by_count")),
        referenced_works=unique(normalise_openalex(as_str(w)) for w in as_list(work.get("referenced_works"))),
        url=as_str(primary.get("landing_page_url"))
        or (f"https://doi.org/{doi}" if doi else "")
        or (f"https://openalex.org/{openalex_id}" if openalex_id else ""),
        extra=extra,
    )


class OpenAlexConnector(HttpConnector):
    """Harvest OpenAlex works matching a filter and/or a search, one cursor page at a time.

    Options (besides ``HttpConnector``'s): ``api_key`` (sent as the ``api_key`` parameter, redacted in
    errors), ``base_url``. Default rate 10 requests/s: far below OpenAlex's 100/s, as a courtesy.
    """

    name = "openalex"
    default_rate = 10.0

    def __init__(
        self,
        client: httpx.Client | None = None,
        *,
        api_key: str = "",
        base_url: str = OPENALEX_URL,
        **options: Any,
    ) -> None:
        super().__init__(client, **options)
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")

    def _auth_params(self) -> dict[str, str]:
        params: dict[str, str] = {}
        if self.api_key:
            params["api_key"] = self.api_key
        if self.mailto:
            params["mailto"] = self.mailto
        return params

    def count(self, search: str = "", filter: str = "") -> int | None:
        """How many works match (one cheap request), for showing the size of a query before harvesting."""
        params = {**self._query_params(search, filter), "per_page": 1, **self._auth_params()}
        body = self._json(self._get(f"{self.base_url}/works", params=params))
        return as_int(dig(body, "meta", "count"))

    @staticmethod
    def _query_params(search: str, filter: str) -> dict[str, str]:
        params: dict[str, str] = {}
        if filter:
            params["filter"] = filter
        if search:
            params["search"] = search
        return params

    def harvest(
        self,
        search: str = "",
        filter: str = "",
        *,
        per_page: int = 100,
        state: dict[str, Any] | None = None,
    ) -> Iterator[Page]:
        """Yield pages of works for ``search``/``filter``; each page's ``state`` resumes after it.

        ``per_page`` does not take part in the resume check: a cursor stays valid whatever the page size.
        """
        if not search and not filter:
            raise BeneficeError(
                gettext_noop(
                    "openalex: give a search and/or a filter (harvesting all works is not supported)"
                )
            )
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise BeneficeError(
                gettext_noop("openalex: per_page must be 1–%(max)s, got %(value)s"),
                params={"max": MAX_PER_PAGE, "value": per_page},
                field="per_page",
            )
        query = {"search": search, "filter": filter}
        current = check_state(state, self.name, query)
        if current.get("done"):
            return
        cursor = current.get("cursor") or "*"
        position = as_int(current.get("position")) or 0
        while True:
            params = {**self._query_params(search, filter), "per_page": per_page, "cursor": cursor}
            params.update(self._auth_params())
            response = self._get(f"{self.base_url}/works", params=params)
            body = self._json(response)
            if not isinstance(body, dict) or not isinstance(body.get("results"), list):
                raise ConnectorError(
                    gettext_noop("openalex: response has no 'results' list"),
                    path=str(response.request.url.copy_with(query=None)),
                )
            meta = as_dict(body.get("meta"))
            records = []
            for work in body["results"]:
                position += 1
                records.append(work_to_record(work, position))
            next_cursor = meta.get("next_cursor")
            done = not records or not isinstance(next_cursor, str) or not next_cursor
            page_state = {
                "connector": self.name,
                "query": query,
                "cursor": None if done else next_cursor,
                "position": position,
                "done": done,
            }
            yield Page(records=records, state=page_state, total=as_int(meta.get("count")))
            if done:
                return
            cursor = next_cursor
