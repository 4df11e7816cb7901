"""PubMed through NCBI E-utilities: harvest a query of any size, and read ``PubmedArticle`` XML.

PubMed is where most SNDS studies are indexed with MeSH terms and grant numbers. E-utilities facts
this module relies on (NCBI Bookshelf NBK25499/NBK25497):

- ``esearch.fcgi?db=pubmed&term=…&retmode=json`` returns ``esearchresult.count`` and ``idlist``;
  ``retmax`` is capped at 10,000 and, since 2022, PubMed lets no client see past the 10,000th record of
  a search, neither with ``retstart`` nor through the history server (``usehistory``/``WebEnv``);
- so a large query is sliced by publication date: ``datetype=pdat&mindate=YYYY/MM/DD&maxdate=…``;
  a range whose count exceeds 9,999 is bisected until every slice fits;
- ``efetch.fcgi?db=pubmed&retmode=xml&id=…`` (POST for long ID lists) returns a ``PubmedArticleSet``;
- 3 requests/s without ``api_key``, 10/s with one; ``tool`` and ``email`` identify the client.

Why ID lists rather than ``usehistory``: a ``WebEnv`` expires within hours, so a harvest resumed the next
day must search again anyway. Sorting each slice's PMIDs numerically and remembering the last one
fetched makes the resume exact: a new search of the same slice yields the same IDs, we skip those already
fetched, and records added since are picked up rather than shifting offsets (no gap, no duplicate).

Constructor options the CLI should expose: ``api_key`` (env ``NCBI_API_KEY``), ``mailto`` (sent as
``email``), ``rate``. Query arguments: ``term`` (PubMed syntax), ``--mindate``/``--maxdate``
(``YYYY``, ``YYYY/MM`` or ``YYYY/MM/DD`` publication dates), ``--batch-size``.
Resume state: ``{"connector": "pubmed", "query": {...}, "pending": [[mindate, maxdate, after_pmid], ...],
"position": int, "total": int | None, "done": bool}``: the date slices still to do, ``pending[0]`` being
in progress with every PMID up to ``after_pmid`` (null: none) already fetched.

``parse_pubmed_xml``/``article_to_record`` are a small self-contained PubmedArticle reader; the file
importer (``benefice.corpus.formats``) may share or replace it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import httpx
from lxml import etree

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
    unique,
)
from benefice.corpus.identifiers import (
    normalise_doi,
    normalise_issn,
    normalise_orcid,
    normalise_pmcid,
    normalise_pmid,
)
from benefice.corpus.record import Author, Record
from benefice.errors import BeneficeError, ConnectorError
from benefice.i18n import gettext_noop

EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
MAX_RETRIEVABLE = 9_999  # PubMed serves at most the first 10,000 records of a search; stay strictly below
MAX_BATCH = 500
TOOL = "benefice"

MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
# ISO 639-2/B (PubMed <Language>) → ISO 639-1 for the languages that matter in this corpus
LANGUAGES = {
    "eng": "en", "fre": "fr", "fra": "fr", "ger": "de", "deu": "de", "spa": "es", "ita": "it",
    "por": "pt", "dut": "nl", "nld": "nl", "chi": "zh", "zho": "zh", "jpn": "ja", "rus": "ru",
    "pol": "pl", "swe": "sv", "dan": "da", "nor": "no", "fin": "fi", "kor": "ko", "tur": "tr",
    "gre": "el", "ell": "el", "cze": "cs", "ces": "cs", "hun": "hu", "heb": "he", "ara": "ar",
}  # fmt: skip


def _parser() -> etree.XMLParser:
    """An lxml parser that never fetches the network, loads DTDs or expands external entities."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )


def _text(element: etree._Element | None) -> str:
    """All text under an element (inline <i>, <sup>… included), whitespace collapsed."""
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def _find_text(element: etree._Element, path: str) -> str:
    return _text(element.find(path))


def _date(node: etree._Element | None) -> tuple[int | None, str]:
    """(year, ISO date as precise as given) from a PubDate/ArticleDate node, MedlineDate included."""
    if node is None:
        return None, ""
    year = as_year(_find_text(node, "Year"))
    if year is None:
        m = re.search(r"\b(1[5-9]\d\d|2\d\d\d)\b", _find_text(node, "MedlineDate"))
        return (int(m.group(1)), m.group(1)) if m else (None, "")
    month_text = _find_text(node, "Month")
    month = as_int(month_text) or MONTHS.get(month_text[:3].lower())
    if not month or not 1 <= month <= 12:
        return year, str(year)
    day = as_int(_find_text(node, "Day"))
    if day and 1 <= day <= calendar.monthrange(year, month)[1]:
        return year, f"{year:04d}-{month:02d}-{day:02d}"
    return year, f"{year:04d}-{month:02d}"


def _authors(container: etree._Element | None) -> list[Author]:
    authors: list[Author] = []
    if container is None:
        return authors
    for node in container.iterfind("AuthorList/Author"):
        family = _find_text(node, "LastName")
        given = _find_text(node, "ForeName") or _find_text(node, "Initials")
        collective = _find_text(node, "CollectiveName")
        if not family and not collective:
            continue
        orcid = ""
        for ident in node.iterfind("Identifier"):
            if (ident.get("Source") or "").upper() == "ORCID":
                orcid = normalise_orcid(_text(ident))
        authors.append(
            Author(
                name=display_author_name(family, given, collective),
                family=family or collective,
                given=given if family else "",
                orcid=orcid,
                affiliations=unique(_text(a) for a in node.iterfind("AffiliationInfo/Affiliation")),
            )
        )
    return authors


def _abstract(container: etree._Element | None) -> str:
    if container is None:
        return ""
    parts = []
    for node in container.iterfind("Abstract/AbstractText"):
        text = _text(node)
        label = (node.get("Label") or "").strip()
        if text:
            parts.append(f"{label}: {text}" if label and label.upper() != "UNLABELLED" else text)
    return "\n".join(parts)


def _doc_type(types: list[str], book: etree._Element | None) -> str:
    lowered = {t.lower() for t in types}
    if book is not None:  # a PubmedBookArticle is a chapter when it has its own title within the book
        return "chapter" if book.find("ArticleTitle") is not None else "book"
    if "preprint" in lowered:
        return "preprint"
    if lowered & {"review", "systematic review", "meta-analysis", "scoping review"}:
        return "review"
    if lowered & {"congress", "clinical conference", "consensus development conference"}:
        return "conference"
    return "article"


def article_to_record(article: etree._Element, position: int = 0) -> Record:
    """One ``PubmedArticle`` (or ``PubmedBookArticle``) element → ``Record`` (source_format "pubmed").

    ``raw`` is the article's XML. Missing parts become empty values; never raises for odd content.
    """
    citation = article.find("MedlineCitation")
    book = article.find("BookDocument")
    container = citation if citation is not None else book
    art = citation.find("Article") if citation is not None else None
    journal = art.find("Journal") if art is not None else None
    pmid = normalise_pmid(_find_text(container, "PMID")) if container is not None else ""

    ids: dict[str, str] = {}
    for node in article.iterfind("PubmedData/ArticleIdList/ArticleId"):
        ids.setdefault((node.get("IdType") or "").lower(), _text(node))
    doi = ids.get("doi", "")
    for node in (art if art is not None else book if book is not None else article).iterfind("ELocationID"):
        if (node.get("EIdType") or "").lower() == "doi" and not doi:
            doi = _text(node)

    year, date = _date(journal.find("JournalIssue/PubDate") if journal is not None else None)
    if year is None and art is not None:
        year, date = _date(art.find("ArticleDate"))
    if year is None and book is not None:
        year, date = _date(book.find("Book/PubDate"))

    title = _find_text(art, "ArticleTitle") if art is not None else ""
    if not title and book is not None:
        title = _find_text(book, "ArticleTitle") or _find_text(book, "Book/BookTitle")
    abstract_container = art if art is not None else book
    types = [_text(t) for t in article.iter("PublicationType")]
    languages = [_text(n).lower() for n in (art if art is not None else article).iter("Language")]
    language = LANGUAGES.get(languages[0], "") if languages else ""
    issns = [normalise_issn(_text(n)) for n in journal.iterfind("ISSN")] if journal is not None else []
    if citation is not None:
        issns.append(normalise_issn(_find_text(citation, "MedlineJournalInfo/ISSNLinking")))
    referenced = unique(
        normalise_pmid(_text(n))
        for n in article.iterfind("PubmedData/ReferenceList/Reference/ArticleIdList/ArticleId")
        if (n.get("IdType") or "").lower() == "pubmed"
    )
    extra: dict[str, Any] = {}
    if types:
        extra["publication_types"] = types
    if referenced:
        extra["referenced_pmids"] = referenced
    grants = [
        {
            "agency": _find_text(g, "Agency"),
            "grant_id": _find_text(g, "GrantID"),
            "country": _find_text(g, "Country"),
        }
        for g in (art.iterfind("GrantList/Grant") if art is not None else [])
    ]
    if grants:
        extra["grants"] = grants
    publisher = ""
    if book is not None:
        publisher = _find_text(book, "Book/Publisher/PublisherName")

    return Record(
        source_format="pubmed",
        position=position,
        raw=etree.tostring(article, encoding="unicode"),
        title=title,
        abstract=_abstract(abstract_container),
        year=year,
        date=date,
        authors=_authors(art if art is not None else book),
        journal=_find_text(journal, "Title") if journal is not None else "",
        issn=unique(issns),
        publisher=publisher,
        volume=_find_text(journal, "JournalIssue/Volume") if journal is not None else "",
        issue=_find_text(journal, "JournalIssue/Issue") if journal is not None else "",
        pages=_find_text(art, "Pagination/MedlinePgn") if art is not None else "",
        doc_type=_doc_type(types, book),
        language=language,
        doi=normalise_doi(doi),
        pmid=pmid or normalise_pmid(ids.get("pubmed")),
        pmcid=normalise_pmcid(ids.get("pmc")),
        keywords=unique(_text(k) for k in article.iterfind(".//KeywordList/Keyword")),
        mesh=unique(_text(d) for d in article.iterfind(".//MeshHeadingList/MeshHeading/DescriptorName")),
        funders=unique(g["agency"] for g in grants),
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid else "",
        extra=extra,
    )


def parse_pubmed_xml(data: bytes | str, *, path: str = "", start: int = 0) -> list[Record]:
    """Records from an efetch ``PubmedArticleSet`` document; ``ConnectorError`` if it is not one.

    ``start`` offsets ``Record.position`` so positions stay unique across pages of one harvest.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        root = etree.fromstring(data, parser=_parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise ConnectorError(
            gettext_noop("pubmed: response is not well-formed XML (%(reason)s)"),
            params={"reason": str(exc)},
            path=path or None,
        ) from exc
    if root is None:
        raise ConnectorError(gettext_noop("pubmed: empty XML response"), path=path or None)
    if root.tag == "eFetchResult" or root.find("ERROR") is not None:
        raise ConnectorError(
            gettext_noop("pubmed: efetch error: %(error)s"),
            params={"error": _find_text(root, "ERROR") or _text(root)},
            path=path or None,
        )
    if root.tag != "PubmedArticleSet":
        raise ConnectorError(
            gettext_noop("pubmed: expected <PubmedArticleSet>, got <%(tag)s>"),
            params={"tag": root.tag},
            path=path or None,
        )
    records = []
    for article in root:
        if not isinstance(article.tag, str) or article.tag not in ("PubmedArticle", "PubmedBookArticle"):
            continue
        records.append(article_to_record(article, start + len(records) + 1))
    return records


# -- date ranges --------------------------------------------------------------------------------
_DAY_RE = re.compile(r"^\d{4}/\d{2}/\d{2}$")
_DATE_RE = re.compile(r"^\s*(\d{4})(?:[/-](\d{1,2})(?:[/-](\d{1,2}))?)?\s*$")


def parse_pdat(value: str, *, end: bool) -> dt.date:
    """``YYYY``, ``YYYY/MM`` or ``YYYY/MM/DD`` → the first (or, with ``end``, last) day it covers."""
    m = _DATE_RE.match(value or "")
    if not m:
        raise BeneficeError(
            gettext_noop("pubmed: date %(value)r is not YYYY, YYYY/MM or YYYY/MM/DD"),
            params={"value": value},
            field="date",
        )
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        if month is None:
            return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
        mo = int(month)
        if day is None:
            return dt.date(year, mo, calendar.monthrange(year, mo)[1] if end else 1)
        return dt.date(year, mo, int(day))
    except (ValueError, calendar.IllegalMonthError) as exc:
        raise BeneficeError(
            gettext_noop("pubmed: invalid date %(value)r"), params={"value": value}, field="date"
        ) from exc


def fmt_pdat(day: dt.date) -> str:
    return f"{day.year:04d}/{day.month:02d}/{day.day:02d}"


def bisect_range(lo: str, hi: str) -> list[list[str]]:
    """Split an inclusive day range in two disjoint halves covering it exactly."""
    a, b = dt.date.fromisoformat(lo.replace("/", "-")), dt.date.fromisoformat(hi.replace("/", "-"))
    mid = dt.date.fromordinal((a.toordinal() + b.toordinal()) // 2)
    return [[fmt_pdat(a), fmt_pdat(mid)], [fmt_pdat(mid + dt.timedelta(days=1)), fmt_pdat(b)]]


def _slice(value: Any) -> list[Any] | None:
    """A saved ``[mindate, maxdate, after_pmid]`` slice, validated; None when malformed."""
    if not isinstance(value, list) or len(value) != 3:
        return None
    lo, hi, after = as_str(value[0]), as_str(value[1]), value[2]
    if not (_DAY_RE.match(lo) and _DAY_RE.match(hi)) or (after is not None and as_int(after) is None):
        return None
    return [lo, hi, as_int(after)]


class PubMedConnector(HttpConnector):
    """Harvest PubMed records for a query, slicing by publication date past 9,999 results.

    Options (besides ``HttpConnector``'s): ``api_key`` (raises the default rate from 3 to 10 requests/s),
    ``base_url``, ``tool``. ``mailto`` is sent as NCBI's ``email`` parameter.
    """

    name = "pubmed"
    default_rate = 3.0

    def __init__(
        self,
        client: httpx.Client | None = None,
        *,
        api_key: str = "",
        base_url: str = EUTILS_URL,
        tool: str = TOOL,
        rate: float | None = None,
        **options: Any,
    ) -> None:
        super().__init__(client, rate=rate or (10.0 if api_key else 3.0), **options)
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.tool = tool

    def _common(self) -> dict[str, str]:
        params = {"db": "pubmed", "tool": self.tool}
        if self.mailto:
            params["email"] = self.mailto
        if self.api_key:
            params["api_key"] = self.api_key
        return params

    def esearch(self, term: str, mindate: str, maxdate: str, retmax: int = 0) -> tuple[int, list[str]]:
        """(count, PMIDs) of ``term`` published between two ``YYYY/MM/DD`` days inclusive."""
        params = {
            **self._common(),
            "term": term,
            "retmode": "json",
            "retmax": retmax,
            "datetype": "pdat",
            "mindate": mindate,
            "maxdate": maxdate,
        }
        response = self._get(f"{self.base_url}/esearch.fcgi", params=params)
        body = self._json(response)
        result = as_dict(as_dict(body).get("esearchresult"))
        shown = str(response.request.url.copy_with(query=None))
        error = as_str(result.get("ERROR")) or as_str(as_dict(body).get("error"))
        if error:
            raise ConnectorError(
                gettext_noop("pubmed: esearch error: %(error)s"), params={"error": error}, path=shown
            )
        count = as_int(result.get("count"))
        if count is None:
            raise ConnectorError(gettext_noop("pubmed: esearch response has no count"), path=shown)
        pmids = [normalise_pmid(as_str(i)) for i in as_list(result.get("idlist"))]
        return count, [p for p in pmids if p]

    def efetch(self, pmids: list[str], *, start: int = 0) -> list[Record]:
        """Records for up to ``MAX_BATCH`` PMIDs (POST: long ID lists do not fit in a URL)."""
        data = {**self._common(), "id": ",".join(pmids), "retmode": "xml"}
        response = self._post(f"{self.base_url}/efetch.fcgi", data=data)
        return parse_pubmed_xml(response.content, path=str(response.request.url), start=start)

    def harvest(
        self,
        term: str,
        *,
        mindate: str = "1800",
        maxdate: str = "",
        batch_size: int = 200,
        state: dict[str, Any] | None = None,
    ) -> Iterator[Page]:
        """Yield pages of up to ``batch_size`` records; each page's ``state`` resumes after it.

        ``maxdate`` defaults to five years ahead (issues are dated in the future). A single day holding
        more than 9,999 results cannot be sliced further and stops the harvest with ``ConnectorError``.
        """
        if not term.strip():
            raise BeneficeError(gettext_noop("pubmed: the search term is empty"), field="term")
        if not 1 <= batch_size <= MAX_BATCH:
            raise BeneficeError(
                gettext_noop("pubmed: batch_size must be 1–%(max)s"),
                params={"max": MAX_BATCH},
                field="batch_size",
            )
        query = {"term": term, "mindate": mindate, "maxdate": maxdate}
        current = check_state(state, self.name, query)
        if current.get("done"):
            return
        if "pending" in current:
            pending = [_slice(p) for p in as_list(current["pending"])]
            if any(p is None for p in pending):
                raise BeneficeError(
                    gettext_noop("pubmed: resume state has a malformed 'pending' list"), field="state"
                )
        else:
            lo = parse_pdat(mindate, end=False)
            hi = parse_pdat(maxdate, end=True) if maxdate else dt.date(dt.date.today().year + 5, 12, 31)
            if hi < lo:
                raise BeneficeError(gettext_noop("pubmed: maxdate is before mindate"), field="maxdate")
            pending = [[fmt_pdat(lo), fmt_pdat(hi), None]]
        position = as_int(current.get("position")) or 0
        total = as_int(current.get("total"))
        counts: dict[tuple[str, str], int] = {}
        if total is None and pending:
            # the first slice is the whole range: its count is the query's total, reused below
            lo_s, hi_s, _ = pending[0]
            total = counts[(lo_s, hi_s)] = self.esearch(term, lo_s, hi_s)[0]

        def snapshot() -> dict[str, Any]:
            return {
                "connector": self.name,
                "query": query,
                "pending": [list(p) for p in pending],
                "position": position,
                "total": total,
                "done": not pending,
            }

        yielded_done = False
        while pending:
            lo_s, hi_s, after = pending[0]
            key = (lo_s, hi_s)
            count = counts.pop(key) if key in counts else self.esearch(term, lo_s, hi_s)[0]
            if count > MAX_RETRIEVABLE:
                if lo_s == hi_s:
                    raise ConnectorError(
                        gettext_noop(
                            "pubmed: %(count)s records published on %(day)s alone; PubMed serves at most 10,000 per "
                            "search, narrow the query"
                        ),
                        params={"count": count, "day": lo_s},
                        field="term",
                    )
                # both halves inherit the slice's progress: PMIDs up to ``after`` were fetched in either
                pending[0:1] = [[a, b, after] for a, b in bisect_range(lo_s, hi_s)]
                continue
            pmids: list[str] = []
            if count:
                recount, found = self.esearch(term, lo_s, hi_s, retmax=min(count + 50, MAX_RETRIEVABLE))
                if recount > MAX_RETRIEVABLE:  # the slice grew past the ceiling since it was counted
                    counts[key] = recount
                    continue
                pmids = sorted(set(found), key=int)
                if after is not None:
                    pmids = [p for p in pmids if int(p) > after]
            if not pmids:
                pending.pop(0)
                continue
            for i in range(0, len(pmids), batch_size):
                batch = pmids[i : i + batch_size]
                records = self.efetch(batch, start=position)
                position += len(records)
                if i + batch_size >= len(pmids):
                    pending.pop(0)
                else:
                    pending[0] = [lo_s, hi_s, int(batch[-1])]
                page_state = snapshot()
                yielded_done = page_state["done"]
                yield Page(records=records, state=page_state, total=total)
        if not yielded_done:
            yield Page(records=[], state=snapshot(), total=total)
