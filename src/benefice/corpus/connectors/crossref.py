"""Crossref REST API: look one DOI up to fill what other sources left empty (enrichment).

Crossref holds the publisher-deposited metadata of every DOI it registers: reliable journal, volume,
pages and dates, and often funders with award numbers, licences and reference lists. Records imported
from files (RIS exports with a DOI and little else) are completed from it.

API facts this module relies on (crossref.org/documentation/retrieve-metadata/rest-api):

- ``GET https://api.crossref.org/works/{doi}`` → ``{"status": "ok", "message-type": "work", "message":
  {...}}``; 404 when Crossref does not know the DOI (it may be a DataCite DOI);
- polite pool: a ``mailto`` parameter or User-Agent contact; public pool about 5 requests/s, polite
  about 10/s (hence the default rates); ``Crossref-Plus-API-Token`` is not supported here;
- ``abstract`` is JATS XML when present; dates are ``{"date-parts": [[Y, M, D]]}``.

Constructor options the CLI should expose: ``mailto``, ``rate``.
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import quote

import httpx

from benefice.corpus.connectors.base import (
    HttpConnector,
    as_dict,
    as_int,
    as_list,
    as_str,
    as_year,
    dig,
    display_author_name,
    dump_json,
    unique,
)
from benefice.corpus.identifiers import normalise_doi, normalise_issn, normalise_orcid
from benefice.corpus.record import Author, Record
from benefice.errors import BeneficeError, ConnectorError
from benefice.i18n import gettext_noop

CROSSREF_URL = "https://api.crossref.org"

DOC_TYPES = {
    "journal-article": "article",
    "posted-content": "preprint",
    "book-chapter": "chapter",
    "book-section": "chapter",
    "book-part": "chapter",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "proceedings-article": "conference",
    "dissertation": "thesis",
    "report": "report",
    "dataset": "dataset",
}

_JATS_TITLE = re.compile(r"<(?:jats:)?title\b[^>]*>(.*?)</(?:jats:)?title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def jats_to_text(value: str) -> str:
    """Plain text from a JATS abstract, shaped like PubMed's structured abstracts.

    The heading "Abstract" is dropped, section headings become "Heading: " before their paragraph,
    paragraphs become lines, tags go and entities are decoded. A regular expression suffices (and cannot
    be made to load anything) because only text is kept.
    """
    if not value:
        return ""

    def heading(match: re.Match[str]) -> str:
        title = " ".join(_TAG.sub(" ", match.group(1)).split())
        if title.lower().rstrip(":") in {"abstract", "summary", "résumé", "graphical abstract"}:
            return "\n"
        return f"\n{title}: " if title else "\n"

    text = _JATS_TITLE.sub(heading, value)
    text = re.sub(r"</(?:jats:)?p>", "\n", text, flags=re.IGNORECASE)
    text = html.unescape(_TAG.sub(" ", text))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _date(message: dict[str, Any]) -> tuple[int | None, str]:
    """(year, ISO date) from the earliest of the publication dates Crossref gives."""
    for key in ("published-print", "published-online", "published", "issued", "created"):
        parts = as_list(dig(message, key, "date-parts", 0))
        year = as_year(parts[0]) if parts else None
        if year is None:
            continue
        month = as_int(parts[1]) if len(parts) > 1 else None
        day = as_int(parts[2]) if len(parts) > 2 else None
        if month and 1 <= month <= 12:
            if day and 1 <= day <= 31:
                return year, f"{year:04d}-{month:02d}-{day:02d}"
            return year, f"{year:04d}-{month:02d}"
        return year, str(year)
    return None, ""


def work_to_record(message: Any, position: int = 0) -> Record:
    """A Crossref ``message`` (one work) → ``Record`` (source_format "crossref", raw = its JSON)."""
    if not isinstance(message, dict):
        raise ConnectorError(
            gettext_noop("crossref: expected a work object, got %(type)s"),
            params={"type": type(message).__name__},
            record=position or None,
        )
    authors = []
    for a in as_list(message.get("author")):
        a = as_dict(a)
        family, given = as_str(a.get("family")), as_str(a.get("given"))
        literal = as_str(a.get("name"))  # organisations
        if not (family or literal):
            continue
        authors.append(
            Author(
                name=display_author_name(family, given, literal),
                family=family or literal,
                given=given if family else "",
                orcid=normalise_orcid(as_str(a.get("ORCID"))),
                affiliations=unique(as_str(dig(x, "name")) for x in as_list(a.get("affiliation"))),
            )
        )
    year, date = _date(message)
    raw_type = as_str(message.get("type"))
    subtype = as_str(message.get("subtype"))
    doc_type = DOC_TYPES.get(raw_type, "other" if raw_type else "")
    language = as_str(message.get("language")).lower()[:2]
    titles = [as_str(t) for t in as_list(message.get("title"))]
    subtitles = [as_str(t) for t in as_list(message.get("subtitle"))]
    title = titles[0] if titles else ""
    if title and subtitles and subtitles[0]:
        title = f"{title}: {subtitles[0]}"
    referenced = unique(normalise_doi(as_str(dig(r, "DOI"))) for r in as_list(message.get("reference")))
    extra: dict[str, Any] = {}
    if raw_type:
        extra["crossref_type"] = raw_type + (f"/{subtype}" if subtype else "")
    if referenced:
        extra["referenced_dois"] = referenced
    licences = unique(as_str(dig(lic, "URL")) for lic in as_list(message.get("license")))
    if licences:
        extra["licenses"] = licences
    awards = [
        {"funder": as_str(dig(f, "name")), "award": [as_str(x) for x in as_list(dig(f, "award"))]}
        for f in as_list(message.get("funder"))
    ]
    if awards:
        extra["awards"] = awards
    doi = normalise_doi(as_str(message.get("DOI")))
    return Record(
        source_format="crossref",
        position=position,
        raw=dump_json(message),
        title=title,
        abstract=jats_to_text(
            as_str(message.get("abstract")) if isinstance(message.get("abstract"), str) else ""
        ),
        year=year,
        date=date,
        authors=authors,
        journal=next((as_str(t) for t in as_list(message.get("container-title")) if as_str(t)), ""),
        issn=unique(normalise_issn(as_str(i)) for i in as_list(message.get("ISSN"))),
        publisher=as_str(message.get("publisher")),
        volume=as_str(message.get("volume")),
        issue=as_str(message.get("issue")),
        pages=as_str(message.get("page")),
        doc_type="preprint" if subtype == "preprint" else doc_type,
        language=language if len(language) == 2 and language.isalpha() else "",
        doi=doi,
        keywords=unique(as_str(s) for s in as_list(message.get("subject"))),
        funders=unique(a["funder"] for a in awards),
        cited_by_count=as_int(message.get("is-referenced-by-count")),
        url=as_str(message.get("URL")) or (f"https://doi.org/{doi}" if doi else ""),
        extra=extra,
    )


class CrossrefConnector(HttpConnector):
    """Fetch Crossref metadata for single DOIs. ``enrich(doi)`` returns ``None`` for unknown DOIs."""

    name = "crossref"

    def __init__(
        self,
        client: httpx.Client | None = None,
        *,
        base_url: str = CROSSREF_URL,
        rate: float | None = None,
        mailto: str = "",
        **options: Any,
    ) -> None:
        super().__init__(client, rate=rate or (10.0 if mailto else 5.0), mailto=mailto, **options)
        self.base_url = base_url.rstrip("/")

    def enrich(self, doi: str) -> Record | None:
        """The Crossref record of ``doi`` (any form: URL, "doi:" prefix…), or None if Crossref lacks it."""
        normalised = normalise_doi(doi)
        if not normalised:
            raise BeneficeError(
                gettext_noop("crossref: %(doi)r is not a DOI"), params={"doi": doi}, field="doi"
            )
        params = {"mailto": self.mailto} if self.mailto else {}
        url = f"{self.base_url}/works/{quote(normalised, safe='')}"
        response = self._get(url, params=params, allow_status=frozenset({404}))
        if response.status_code == 404:
            return None
        body = self._json(response)
        if (
            not isinstance(body, dict)
            or body.get("status") != "ok"
            or not isinstance(body.get("message"), dict)
        ):
            raise ConnectorError(gettext_noop("crossref: response is not a work message"), path=url)
        return work_to_record(body["message"], 1)
