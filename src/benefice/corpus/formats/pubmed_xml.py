"""PubMed efetch XML (``PubmedArticleSet``) and PMC JATS full text (``.nxml``, ``pmc-articleset``).

lxml ``iterparse`` streams one article at a time and frees it, so a 30,000-article efetch file stays
small in memory. Safety (the defusedxml rules, applied to lxml directly because ``defusedxml.lxml`` is
deprecated): entities are never expanded, no DTD or network access, ``huge_tree`` off, and any document
that *declares* entities in its DTD (billion laughs, external entities) is refused before a record is
produced. ``raw`` is the article element re-serialised (lxml keeps no byte offsets), which is
equivalent XML, not byte-identical.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from lxml import etree

from benefice.corpus.formats._common import InputFile, parse_date, parse_language, parse_year
from benefice.corpus.identifiers import (
    normalise_doi,
    normalise_issn,
    normalise_orcid,
    normalise_pmcid,
    normalise_pmid,
)
from benefice.corpus.record import Author, Record
from benefice.i18n import gettext_noop

NAME = "pubmed_xml"
_RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle", "{*}article")

PUB_TYPES = {
    "review": "review", "systematic review": "review", "meta-analysis": "review", "preprint": "preprint",
    "letter": "other", "editorial": "other", "comment": "other", "congress": "conference",
}  # fmt: skip
JATS_TYPES = {
    "research-article": "article", "review-article": "review", "systematic-review": "review",
    "case-report": "article", "brief-report": "article", "letter": "other", "editorial": "other",
    "book-review": "other", "preprint": "preprint",
}  # fmt: skip


def read(source: InputFile) -> Iterator[Record]:
    with source.open_binary() as fh:
        yield from _iterparse(source, fh)


def _iterparse(source: InputFile, fh: IO[bytes]) -> Iterator[Record]:
    context = etree.iterparse(
        fh,
        events=("start", "end"),
        tag=_RECORD_TAGS,
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    position = 0
    checked = False
    try:
        for event, element in context:
            if not checked:
                _refuse_entities(source, element)
                checked = True
            if event == "start":
                continue
            if element.getparent() is not None and etree.QName(element).localname == "article":
                # a JATS <article> nested in something other than a PMC article set is not a record
                parent = etree.QName(element.getparent()).localname
                if parent not in ("pmc-articleset", "articles", "records"):
                    continue
            position += 1
            line = element.sourceline
            tag = etree.QName(element).localname
            if tag == "PubmedArticle":
                record = _pubmed(source, element, position, line)
            elif tag == "PubmedBookArticle":
                record = _pubmed_book(source, element, position, line)
            else:
                record = _jats(source, element, position, line)
            # free the parsed tree as we go
            element.clear(keep_tail=True)
            parent_el = element.getparent()
            if parent_el is not None:
                while element.getprevious() is not None:
                    del parent_el[0]
            yield record
        root = getattr(context, "root", None)
        if root is not None and not checked:
            _refuse_entities(source, root)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) else None
        msg = str(exc.msg if hasattr(exc, "msg") else exc)
        if "entit" in msg.lower() and ("amplification" in msg.lower() or "loop" in msg.lower()):
            raise source.error(
                gettext_noop("XML entity expansion refused (possible 'billion laughs' attack)"), line=line
            ) from exc
        raise source.error(
            gettext_noop("malformed XML: %(reason)s"), params={"reason": msg}, line=line, record=position + 1
        ) from exc
    if position == 0:
        raise source.error(gettext_noop("no PubmedArticle or JATS article found in this XML"))


def _refuse_entities(source: InputFile, element: etree._Element) -> None:
    docinfo = element.getroottree().docinfo
    for dtd in (docinfo.internalDTD, docinfo.externalDTD):
        if dtd is not None and any(True for _ in dtd.iterentities()):
            raise source.error(
                gettext_noop(
                    "XML declares entities (possible 'billion laughs' or external-entity attack); refused"
                )
            )


def _text(element: etree._Element | None) -> str:
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def _find_text(element: etree._Element, path: str) -> str:
    return _text(element.find(path))


def _limit(source: InputFile, record: Record) -> Record:
    for name in ("title", "abstract", "raw", "journal"):
        value = getattr(record, name)
        limit = source.max_record_chars if name == "raw" else source.max_field_chars
        if len(value) > limit:
            raise source.error(
                gettext_noop("field longer than %(limit)s characters"),
                params={"limit": limit},
                line=record.line,
                record=record.position,
                field=name,
            )
    full = record.extra.get("full_text", "")
    if len(full) > source.max_record_chars:
        raise source.error(
            gettext_noop("full text too long"), line=record.line, record=record.position, field="body"
        )
    return record


def _abstract(abstract: etree._Element | None) -> str:
    if abstract is None:
        return ""
    parts = []
    for node in abstract.iter("AbstractText"):
        text = _text(node)
        label = node.get("Label")
        parts.append(f"{label}: {text}" if label and text else text)
    return "\n".join(p for p in parts if p)


def _pubmed_authors(author_list: etree._Element | None) -> list[Author]:
    authors: list[Author] = []
    if author_list is None:
        return authors
    for node in author_list.iter("Author"):
        if node.get("ValidYN") == "N":
            continue
        family = _find_text(node, "LastName")
        given = _find_text(node, "ForeName") or _find_text(node, "Initials")
        collective = _find_text(node, "CollectiveName")
        if family:
            name = f"{family}, {given}" if given else family
        elif collective:
            name = family = collective
        else:
            continue
        orcid = ""
        for ident in node.iter("Identifier"):
            if (ident.get("Source") or "").upper() == "ORCID":
                orcid = normalise_orcid(ident.text)
        affiliations = [_text(a) for a in node.iter("Affiliation") if _text(a)]
        authors.append(Author(name=name, family=family, given=given, orcid=orcid, affiliations=affiliations))
    return authors


def _pub_date(node: etree._Element | None) -> tuple[int | None, str]:
    if node is None:
        return None, ""
    medline_date = _find_text(node, "MedlineDate")
    if medline_date:
        year = parse_year(medline_date)
        return year, f"{year:04d}" if year else ""
    year = parse_year(_find_text(node, "Year"))
    text = " ".join(
        filter(None, (_find_text(node, "Year"), _find_text(node, "Month"), _find_text(node, "Day")))
    )
    return year, parse_date(text, year)


def _pubmed(source: InputFile, el: etree._Element, position: int, line: int | None) -> Record:
    citation = el.find("MedlineCitation")
    if citation is None:
        raise source.error(gettext_noop("PubmedArticle without MedlineCitation"), line=line, record=position)
    article = citation.find("Article")
    if article is None:
        article = etree.Element("Article")
    journal = article.find("Journal")
    if journal is None:
        journal = etree.Element("Journal")
    year, date = _pub_date(journal.find("JournalIssue/PubDate"))
    if year is None:
        year, date = _pub_date(article.find("ArticleDate"))
    ids = {
        (i.get("IdType") or "").lower(): (i.text or "").strip()
        for i in el.iterfind("PubmedData/ArticleIdList/ArticleId")
    }
    doi = ids.get("doi", "")
    if not doi:
        for loc in article.iter("ELocationID"):
            if loc.get("EIdType") == "doi":
                doi = loc.text or ""
    pub_types = [_text(p) for p in article.iterfind("PublicationTypeList/PublicationType")]
    doc_type = "article"
    for pt in pub_types:
        mapped = PUB_TYPES.get(pt.lower())
        if mapped == "review":
            doc_type = "review"
            break
        if mapped and doc_type == "article":
            doc_type = mapped
    issn = [n for n in (normalise_issn(i.text) for i in journal.iter("ISSN")) if n]
    linking = normalise_issn(_find_text(citation, "MedlineJournalInfo/ISSNLinking"))
    if linking and linking not in issn:
        issn.append(linking)
    record = Record(
        source_format=NAME,
        position=position,
        line=line,
        raw=etree.tostring(el, encoding="unicode"),
        title=_find_text(article, "ArticleTitle") or _find_text(article, "VernacularTitle"),
        abstract=_abstract(article.find("Abstract")),
        year=year,
        date=date,
        authors=_pubmed_authors(article.find("AuthorList")),
        journal=_find_text(journal, "Title") or _find_text(journal, "ISOAbbreviation"),
        issn=issn,
        volume=_find_text(journal, "JournalIssue/Volume"),
        issue=_find_text(journal, "JournalIssue/Issue"),
        pages=_find_text(article, "Pagination/MedlinePgn"),
        doc_type=doc_type,
        language=parse_language(_find_text(article, "Language")),
        doi=normalise_doi(doi),
        pmid=normalise_pmid(_find_text(citation, "PMID")),
        pmcid=normalise_pmcid(ids.get("pmc", "")),
        keywords=[_text(k) for k in citation.iterfind("KeywordList/Keyword") if _text(k)],
        mesh=[_text(m) for m in citation.iterfind("MeshHeadingList/MeshHeading/DescriptorName") if _text(m)],
        funders=list(dict.fromkeys(_text(a) for a in article.iterfind("GrantList/Grant/Agency") if _text(a))),
        extra={"publication_types": pub_types} if pub_types else {},
    )
    return _limit(source, record)


def _pubmed_book(source: InputFile, el: etree._Element, position: int, line: int | None) -> Record:
    doc = el.find("BookDocument")
    if doc is None:
        raise source.error(gettext_noop("PubmedBookArticle without BookDocument"), line=line, record=position)
    book = doc.find("Book")
    if book is None:
        book = etree.Element("Book")
    year, date = _pub_date(book.find("PubDate"))
    ids = {
        (i.get("IdType") or "").lower(): (i.text or "").strip()
        for i in doc.iterfind("ArticleIdList/ArticleId")
    }
    title = _find_text(doc, "ArticleTitle") or _find_text(book, "BookTitle")
    record = Record(
        source_format=NAME,
        position=position,
        line=line,
        raw=etree.tostring(el, encoding="unicode"),
        title=title,
        abstract=_abstract(doc.find("Abstract")),
        year=year,
        date=date,
        authors=_pubmed_authors(
            doc.find("AuthorList") if doc.find("AuthorList") is not None else book.find("AuthorList")
        ),
        journal=_find_text(book, "BookTitle") if _find_text(doc, "ArticleTitle") else "",
        publisher=_find_text(book, "Publisher/PublisherName"),
        doc_type="chapter" if _find_text(doc, "ArticleTitle") else "book",
        language=parse_language(_find_text(doc, "Language")),
        doi=normalise_doi(ids.get("doi", "")),
        pmid=normalise_pmid(_find_text(doc, "PMID")),
        pmcid=normalise_pmcid(ids.get("pmc", "")),
        keywords=[_text(k) for k in doc.iterfind("KeywordList/Keyword") if _text(k)],
    )
    return _limit(source, record)


def _local(el: etree._Element, name: str) -> list[etree._Element]:
    """Children named ``name`` in any namespace (JATS 1.3 may be namespaced, PMC nxml is not)."""
    return [c for c in el.iter() if isinstance(c.tag, str) and etree.QName(c).localname == name]


def _jats(source: InputFile, el: etree._Element, position: int, line: int | None) -> Record:
    meta = next(iter(_local(el, "article-meta")), None)
    if meta is None:
        raise source.error(gettext_noop("JATS article without <article-meta>"), line=line, record=position)
    jmeta = next(iter(_local(el, "journal-meta")), None)
    ids = {(a.get("pub-id-type") or ""): _text(a) for a in _local(meta, "article-id")}
    title = _text(next(iter(_local(meta, "article-title")), None))
    authors = []
    affs = {a.get("id"): _text(a) for a in _local(meta, "aff")}
    for contrib in _local(meta, "contrib"):
        if contrib.get("contrib-type") not in (None, "author"):
            continue
        family = _text(next(iter(_local(contrib, "surname")), None))
        given = _text(next(iter(_local(contrib, "given-names")), None))
        collab = _text(next(iter(_local(contrib, "collab")), None))
        if not family and not collab:
            continue
        name = (f"{family}, {given}" if given else family) if family else collab
        orcid = ""
        for cid in _local(contrib, "contrib-id"):
            if (cid.get("contrib-id-type") or "").lower() == "orcid":
                orcid = normalise_orcid(_text(cid))
        affiliations = [
            affs[x.get("rid")]
            for x in _local(contrib, "xref")
            if x.get("ref-type") == "aff" and x.get("rid") in affs
        ]
        authors.append(
            Author(name=name, family=family or collab, given=given, orcid=orcid, affiliations=affiliations)
        )
    year, date = None, ""
    dates = {(d.get("pub-type") or d.get("date-type") or ""): d for d in _local(meta, "pub-date")}
    for kind in ("epub", "pub", "ppub", "collection", "epub-ppub", ""):
        node = dates.get(kind)
        if node is not None:
            y = _text(next(iter(_local(node, "year")), None))
            m = _text(next(iter(_local(node, "month")), None))
            d = _text(next(iter(_local(node, "day")), None))
            year = parse_year(y)
            date = parse_date(" ".join(filter(None, (y, m, d))), year)
            if year:
                break
    abstracts = [
        a for a in _local(meta, "abstract") if a.get("abstract-type") in (None, "abstract", "structured")
    ]
    abstract = "\n".join(_text(a) for a in abstracts if _text(a))
    fpage = _text(next(iter(_local(meta, "fpage")), None))
    lpage = _text(next(iter(_local(meta, "lpage")), None))
    pages = (
        f"{fpage}-{lpage}"
        if fpage and lpage
        else fpage or _text(next(iter(_local(meta, "elocation-id")), None))
    )
    body = next(iter(_local(el, "body")), None)
    extra: dict = {"article_type": el.get("article-type", "")}
    if body is not None:
        extra["full_text"] = "\n".join(_text(p) for p in _local(body, "p") if _text(p))
    journal = ""
    issn: list[str] = []
    publisher = ""
    if jmeta is not None:
        journal = _text(next(iter(_local(jmeta, "journal-title")), None))
        issn = [n for n in (normalise_issn(_text(i)) for i in _local(jmeta, "issn")) if n]
        publisher = _text(next(iter(_local(jmeta, "publisher-name")), None))
    funders = [_text(f) for f in _local(meta, "funding-source") if _text(f)]
    lang = el.get("{http://www.w3.org/XML/1998/namespace}lang", "")
    record = Record(
        source_format=NAME,
        position=position,
        line=line,
        raw=etree.tostring(el, encoding="unicode"),
        title=title,
        abstract=abstract,
        year=year,
        date=date,
        authors=authors,
        journal=journal,
        issn=list(dict.fromkeys(issn)),
        publisher=publisher,
        volume=_text(next(iter(_local(meta, "volume")), None)),
        issue=_text(next(iter(_local(meta, "issue")), None)),
        pages=pages,
        doc_type=JATS_TYPES.get(el.get("article-type", ""), "article"),
        language=parse_language(lang),
        doi=normalise_doi(ids.get("doi", "")),
        pmid=normalise_pmid(ids.get("pmid", "")),
        pmcid=normalise_pmcid(ids.get("pmc", "") or ids.get("pmcid", "")),
        keywords=[_text(k) for k in _local(meta, "kwd") if _text(k)],
        funders=list(dict.fromkeys(funders)),
        extra=extra,
    )
    return _limit(source, record)
