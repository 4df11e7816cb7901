"""HAL (cursorMark paging, resume, document → Record) and Crossref (enrichment by DOI)."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benefice.corpus.connectors import CrossrefConnector, HALConnector
from benefice.corpus.connectors.crossref import jats_to_text
from benefice.corpus.connectors.crossref import work_to_record as crossref_to_record
from benefice.corpus.connectors.hal import doc_to_record
from benefice.errors import BeneficeError, ConnectorError

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=30,
)


# -- HAL ----------------------------------------------------------------------------------------
class HALServer:
    """Solr cursor semantics: the mark encodes the last docid served; an unchanged mark means the end."""

    def __init__(self, docs: list[dict]) -> None:
        self.docs = sorted(docs, key=lambda d: d["docid"])
        self.requests: list[httpx.Request] = []

    @staticmethod
    def mark(docid: int) -> str:
        return base64.b64encode(f"AoE/{docid}".encode()).decode()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        params = request.url.params
        assert params["sort"] == "docid asc" and params["wt"] == "json"
        cursor = params["cursorMark"]
        after = -1 if cursor == "*" else int(base64.b64decode(cursor).decode().split("/")[1])
        rows = int(params["rows"])
        page = [d for d in self.docs if d["docid"] > after][:rows]
        next_mark = self.mark(page[-1]["docid"]) if page else cursor
        body = {
            "responseHeader": {"status": 0, "QTime": 3, "params": dict(params)},
            "response": {"numFound": len(self.docs), "start": 0, "numFoundExact": True, "docs": page},
            "nextCursorMark": next_mark,
        }
        return httpx.Response(200, json=body)


def test_hal_cursor_paging_to_the_end(mock_client, timing, fixture_json):
    server = HALServer(fixture_json("hal_docs.json"))
    conn = HALConnector(mock_client(server), **timing)
    pages = list(
        conn.harvest(
            '"SNDS" OR "SNIIRAM"', filters=["producedDateY_i:[2015 TO *]", "docType_s:(ART OR THESE)"], rows=2
        )
    )
    assert [len(p.records) for p in pages] == [2, 1]  # the short page ends it: no extra request
    assert len(server.requests) == 2
    assert [r.hal_id for p in pages for r in p.records] == ["inserm-01523477", "tel-02047811", "hal-03000001"]
    assert pages[0].total == 3 and pages[-1].state["done"]
    first = server.requests[0].url.params
    assert first["cursorMark"] == "*" and first.get_list("fq") == [
        "producedDateY_i:[2015 TO *]",
        "docType_s:(ART OR THESE)",
    ]
    assert "halId_s" in first["fl"] and "abstract_s" in first["fl"]
    assert server.requests[1].url.params["cursorMark"] == pages[0].state["cursor"]


def test_hal_exact_multiple_of_rows_ends_on_unchanged_mark(mock_client, timing, fixture_json):
    server = HALServer(fixture_json("hal_docs.json")[:2])
    pages = list(HALConnector(mock_client(server), **timing).harvest("snds", rows=1))
    assert [len(p.records) for p in pages] == [1, 1, 0]
    assert pages[-1].state == {**pages[-1].state, "done": True, "cursor": None}


def test_hal_resume(mock_client, timing, fixture_json):
    server = HALServer(fixture_json("hal_docs.json"))
    conn = HALConnector(mock_client(server), **timing)
    first = next(conn.harvest("snds", rows=1))
    saved = json.loads(json.dumps(first.state))
    rest = list(HALConnector(mock_client(server), **timing).harvest("snds", rows=1, state=saved))
    ids = [r.hal_id for r in first.records] + [r.hal_id for p in rest for r in p.records]
    assert ids == ["inserm-01523477", "tel-02047811", "hal-03000001"]
    assert [r.position for p in rest for r in p.records] == [2, 3]
    with pytest.raises(BeneficeError, match="another query"):
        next(conn.harvest("snds", filters=["docType_s:ART"], state=saved))


def test_hal_solr_error(mock_client, timing):
    def handler(request):
        return httpx.Response(200, json={"error": {"msg": "undefined field foo_s", "code": 400}})

    with pytest.raises(ConnectorError, match="undefined field"):
        next(HALConnector(mock_client(handler), **timing).harvest("foo_s:x"))


def test_hal_document_fields(fixture_json):
    article, thesis, preprint = (doc_to_record(d, i) for i, d in enumerate(fixture_json("hal_docs.json"), 1))
    assert article.source_format == "hal" and json.loads(article.raw)["docid"] == 1523477
    assert article.title == "Le Système national des données de santé (SNDS) : usages pour la recherche"
    assert article.extra["titles"][1].startswith("The French national health data system")
    assert article.abstract == "Le SNDS couvre 99 % de la population française."
    assert [a.name for a in article.authors] == ["Tuppin, Pierre", "van der Berg, Jean-Paul"]
    assert article.extra["orcids"] == ["0000-0002-1825-0097"]  # not attached to a guessed author
    assert article.doi == "10.1016/j.respe.2017.05.004" and article.pmid == "28756037"
    assert article.issn == ["0398-7620", "1773-0627"] and article.issue == "S4"
    assert (article.year, article.date, article.doc_type, article.language) == (
        2017,
        "2017-10-01",
        "article",
        "fr",
    )
    assert article.oa_status == "green" and article.funders == ["Données de santé et recherche"]
    assert article.url == "https://inserm.hal.science/inserm-01523477"
    assert thesis.title == "Pharmaco-épidémiologie à partir du SNDS: l'exemple des anticoagulants oraux"
    assert thesis.doc_type == "thesis" and thesis.oa_status == ""
    assert preprint.hal_id == "hal-03000001"  # version suffix dropped
    assert preprint.doc_type == "preprint" and preprint.date == "2020" and preprint.pmcid == "PMC7000001"
    assert [a.name for a in preprint.authors] == ["A. Martin", "B. Durand"]  # no name parts: display kept
    assert preprint.url == "https://hal.science/hal-03000001"


hal_keys = st.sampled_from(
    ["docid", "halId_s", "title_s", "subTitle_s", "abstract_s", "authFullName_s", "authLastName_s",
     "authFirstName_s", "doiId_s", "producedDateY_i", "producedDate_s", "docType_s", "language_s",
     "journalIssn_s", "openAccess_bool", "fileMain_s", "keyword_s", "funding_s", "uri_s"]
)  # fmt: skip


@settings(max_examples=300)
@given(st.dictionaries(hal_keys, json_values, max_size=10) | json_values)
def test_hal_conversion_only_raises_connector_error(value):
    try:
        rec = doc_to_record(value)
    except ConnectorError:
        assert not isinstance(value, dict)
    else:
        assert rec.year is None or 1000 <= rec.year <= 2999
        json.dumps(rec.to_dict())


# -- Crossref -----------------------------------------------------------------------------------
def test_crossref_enrich(mock_client, timing, fixture_json):
    seen = []

    def handler(request):
        seen.append(request)
        return httpx.Response(200, json=fixture_json("crossref_work.json"))

    conn = CrossrefConnector(mock_client(handler), mailto="me@example.org", **timing)
    rec = conn.enrich("https://doi.org/10.1016/J.RESPE.2017.05.004")
    assert seen[0].url.raw_path.startswith(b"/works/10.1016%2Fj.respe.2017.05.004")
    assert (
        seen[0].url.params["mailto"] == "me@example.org" and "me@example.org" in seen[0].headers["User-Agent"]
    )
    assert conn.limiter.rate == 10.0  # polite pool
    assert rec is not None and rec.source_format == "crossref"
    assert rec.doi == "10.1016/j.respe.2017.05.004"
    assert rec.title == "French health insurance databases: What interest for medical research?"
    assert (
        rec.abstract
        == "Background: The French national health data system (SNDS) covers 99% of the population & links hospital stays.\nIt is a major resource."
    )
    assert (rec.year, rec.date) == (2017, "2017-10")
    assert [a.name for a in rec.authors] == ["Tuppin, P.", "van der Berg, J.-P.", "SNDS Working Group"]
    assert rec.authors[0].orcid == "0000-0002-1825-0097"
    assert rec.authors[0].affiliations == ["Caisse nationale de l'assurance maladie (CNAM), Paris, France"]
    assert rec.journal == "Revue d'Épidémiologie et de Santé Publique" and rec.issn == ["0398-7620"]
    assert (rec.volume, rec.issue, rec.pages, rec.publisher) == ("65", "S4", "S149-S167", "Elsevier BV")
    assert rec.doc_type == "article" and rec.language == "en" and rec.cited_by_count == 192
    assert rec.funders == ["Agence Nationale de la Recherche"]
    assert rec.extra["awards"][0]["award"] == ["ANR-16-CE36-0008"]
    assert rec.extra["referenced_dois"] == ["10.1002/pds.4233"]
    assert json.loads(rec.raw)["DOI"] == "10.1016/J.RESPE.2017.05.004"


def test_crossref_unknown_doi_is_none(mock_client, timing):
    conn = CrossrefConnector(mock_client(lambda r: httpx.Response(404, text="Resource not found.")), **timing)
    assert conn.enrich("10.9999/does-not-exist") is None
    assert conn.limiter.rate == 5.0  # public pool without mailto


def test_crossref_rejects_non_doi_and_bad_bodies(mock_client, timing):
    conn = CrossrefConnector(mock_client(lambda r: httpx.Response(200, json={"status": "error"})), **timing)
    with pytest.raises(BeneficeError, match="not a DOI"):
        conn.enrich("hello")
    with pytest.raises(ConnectorError, match="not a work"):
        conn.enrich("10.1000/x")
    conn = CrossrefConnector(mock_client(lambda r: httpx.Response(200, text="{oops")), **timing)
    with pytest.raises(ConnectorError, match="not valid JSON"):
        conn.enrich("10.1000/x")


def test_crossref_503_then_success(mock_client, timing, fake_time, fixture_json):
    calls = []

    def handler(request):
        calls.append(request)
        if len(calls) == 1:
            return httpx.Response(503, headers={"Retry-After": "2"})
        return httpx.Response(200, json=fixture_json("crossref_work.json"))

    rec = CrossrefConnector(mock_client(handler), **timing).enrich("10.1016/j.respe.2017.05.004")
    assert rec is not None and len(calls) == 2 and 2.0 in fake_time.sleeps


def test_jats_to_text():
    assert (
        jats_to_text("<jats:p>a &lt;b&gt; <jats:italic>c</jats:italic></jats:p><jats:p>d</jats:p>")
        == "a <b> c\nd"
    )
    assert jats_to_text("") == "" and jats_to_text("plain") == "plain"


crossref_keys = st.sampled_from(
    ["DOI", "title", "subtitle", "author", "issued", "published-print", "published", "container-title",
     "ISSN", "publisher", "volume", "issue", "page", "type", "subtype", "language", "funder",
     "is-referenced-by-count", "reference", "abstract", "license", "subject", "URL"]
)  # fmt: skip


@settings(max_examples=300)
@given(st.dictionaries(crossref_keys, json_values, max_size=10) | json_values)
def test_crossref_conversion_only_raises_connector_error(value):
    try:
        rec = crossref_to_record(value)
    except ConnectorError:
        assert not isinstance(value, dict)
    else:
        assert rec.year is None or 1000 <= rec.year <= 2999
        json.dumps(rec.to_dict())
