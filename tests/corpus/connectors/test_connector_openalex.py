"""OpenAlex: cursor paging to the end, exact resume, work → Record, abstract rebuilding."""

from __future__ import annotations

import json
import zipfile

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benefice.corpus.connectors import OpenAlexConnector
from benefice.corpus.connectors.openalex import rebuild_abstract, work_to_record
from benefice.errors import BeneficeError, ConnectorError

PAGES = ["openalex_works_page1.json", "openalex_works_page2.json", "openalex_works_page3.json"]


@pytest.fixture
def server(fixture_json):
    """A fake /works endpoint: cursor "*" → page 1, its next_cursor → page 2, and so on."""
    pages = [fixture_json(name) for name in PAGES]
    by_cursor = {"*": pages[0]}
    for prev, nxt in zip(pages, pages[1:], strict=False):
        by_cursor[prev["meta"]["next_cursor"]] = nxt
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        assert request.url.path == "/works"
        cursor = request.url.params["cursor"]
        if cursor not in by_cursor:
            return httpx.Response(400, json={"error": "Invalid cursor"})
        return httpx.Response(200, json=by_cursor[cursor])

    return handler, requests


def test_cursor_paging_to_the_end(server, mock_client, timing):
    handler, requests = server
    conn = OpenAlexConnector(mock_client(handler), api_key="KEY", mailto="me@example.org", **timing)
    pages = list(conn.harvest(search="SNDS", filter="publication_year:2015-2024", per_page=2))
    assert [len(p.records) for p in pages] == [2, 1, 0]
    assert [p.total for p in pages] == [3, 3, 3]
    assert [r.openalex_id for p in pages for r in p.records] == ["W3004312233", "W2911137212", "W3123456789"]
    assert [r.position for p in pages for r in p.records] == [1, 2, 3]
    assert pages[-1].state["done"] is True and pages[-1].state["cursor"] is None
    first = requests[0].url.params
    assert first["cursor"] == "*" and first["per_page"] == "2"
    assert first["search"] == "SNDS" and first["filter"] == "publication_year:2015-2024"
    assert first["api_key"] == "KEY" and first["mailto"] == "me@example.org"
    assert requests[1].url.params["cursor"] == pages[0].state["cursor"]


def test_resume_from_saved_state_has_no_duplicates_or_gaps(server, mock_client, timing):
    handler, requests = server
    conn = OpenAlexConnector(mock_client(handler), **timing)
    full = [r.openalex_id for p in conn.harvest(search="SNDS") for r in p.records]

    # a first run stops after page 1 (crash, quota…); its state is saved as JSON
    first_run = conn.harvest(search="SNDS")
    page1 = next(first_run)
    saved = json.loads(json.dumps(page1.state))
    requests.clear()

    resumed = list(OpenAlexConnector(mock_client(handler), **timing).harvest(search="SNDS", state=saved))
    assert requests[0].url.params["cursor"] == page1.state["cursor"]
    got = [r.openalex_id for r in page1.records] + [r.openalex_id for p in resumed for r in p.records]
    assert got == full
    assert len(set(got)) == len(got)
    assert [r.position for p in resumed for r in p.records] == [3]  # positions continue


def test_finished_state_makes_no_request(server, mock_client, timing):
    handler, requests = server
    conn = OpenAlexConnector(mock_client(handler), **timing)
    last = list(conn.harvest(search="SNDS"))[-1]
    requests.clear()
    assert list(conn.harvest(search="SNDS", state=last.state)) == []
    assert requests == []


def test_state_of_another_query_is_refused(server, mock_client, timing):
    handler, _ = server
    conn = OpenAlexConnector(mock_client(handler), **timing)
    state = next(conn.harvest(search="SNDS")).state
    with pytest.raises(BeneficeError, match="another query"):
        next(conn.harvest(search="PMSI", state=state))


def test_query_required_and_per_page_bounded(mock_client, timing):
    conn = OpenAlexConnector(mock_client(lambda r: httpx.Response(500)), **timing)
    with pytest.raises(BeneficeError):
        next(conn.harvest())
    with pytest.raises(BeneficeError, match="per_page"):
        next(conn.harvest(search="x", per_page=201))


def test_response_without_results_is_connector_error(mock_client, timing):
    conn = OpenAlexConnector(mock_client(lambda r: httpx.Response(200, json={"meta": {}})), **timing)
    with pytest.raises(ConnectorError, match="results"):
        next(conn.harvest(search="x"))


def test_malformed_json_is_connector_error(mock_client, timing):
    conn = OpenAlexConnector(
        mock_client(lambda r: httpx.Response(200, text='{"meta": {"count": 3')), **timing
    )
    with pytest.raises(ConnectorError, match="not valid JSON"):
        next(conn.harvest(search="x"))


def test_count(mock_client, timing, fixture_json):
    seen = {}

    def handler(request):
        seen.update(request.url.params)
        return httpx.Response(200, json=fixture_json(PAGES[0]))

    assert OpenAlexConnector(mock_client(handler), **timing).count(filter="type:article") == 3
    assert seen["per_page"] == "1" and "cursor" not in seen


def test_work_to_record_fields(fixture_json):
    work = fixture_json(PAGES[0])["results"][0]
    rec = work_to_record(work, 5)
    assert rec.source_format == "openalex" and rec.position == 5
    assert json.loads(rec.raw) == work
    assert rec.title == "French health insurance databases: What interest for medical research?"
    assert rec.abstract == "The French national health data system covers the French population."
    assert (rec.year, rec.date) == (2017, "2017-10-01")
    assert rec.doi == "10.1016/j.respe.2017.05.004" and rec.pmid == "28756037"
    assert rec.openalex_id == "W3004312233"
    assert rec.journal == "Revue d'Épidémiologie et de Santé Publique"
    assert rec.issn == ["0398-7620", "1773-0627"]
    assert rec.publisher == "Elsevier BV"
    assert (rec.volume, rec.issue, rec.pages) == ("65", "S4", "S149-S167")
    assert rec.doc_type == "article" and rec.language == "en"
    first, last = rec.authors
    assert (first.name, first.family, first.given) == ("Tuppin, Pierre", "Tuppin", "Pierre")
    assert first.orcid == "0000-0002-1825-0097"
    assert first.affiliations == ["Caisse nationale de l'assurance maladie (CNAM), 75986 Paris, France"]
    assert (last.family, last.given, last.orcid) == ("van der Berg", "Jean-Paul", "")
    assert last.affiliations == ["Inserm"]  # no raw string: the matched institution
    assert rec.funders == ["Agence Nationale de la Recherche"]  # listed twice (funders, grants): once
    assert rec.mesh == ["Databases, Factual", "France"]
    assert rec.keywords == ["Health insurance"]
    assert rec.oa_status == "closed" and rec.cited_by_count == 187
    assert rec.referenced_works == ["W1975373429", "W2103912410"]
    assert rec.extra["primary_topic"].startswith("Health Systems")


def test_work_variants(fixture_json):
    preprint = work_to_record(fixture_json(PAGES[0])["results"][1])
    assert preprint.doc_type == "preprint" and preprint.doi == "" and preprint.abstract == ""
    assert preprint.pmcid == "PMC6370045" and preprint.oa_status == "green"
    assert preprint.issn == [] and preprint.journal == "medRxiv"
    plos = work_to_record(fixture_json(PAGES[1])["results"][0])
    assert plos.doi == "10.1371/journal.pone.0230000"  # upper-case DOI normalised
    assert plos.pages == "e0230000"  # first == last page: not "e0230000-e0230000"
    assert plos.funders == ["Ministère des Solidarités et de la Santé"]  # from awards
    assert plos.language == "fr" and plos.pmcid == "PMC7080219"


@given(
    st.lists(st.text(alphabet=st.characters(blacklist_categories=["Z", "Cc", "Cs"]), min_size=1), max_size=60)
)
def test_abstract_round_trip(words):
    inverted: dict[str, list[int]] = {}
    for i, word in enumerate(words):
        inverted.setdefault(word, []).append(i)
    assert rebuild_abstract(inverted) == " ".join(words)


def test_abstract_ignores_invalid_positions():
    assert rebuild_abstract({"b": [2], "a": [0, -1, "x", True], 3: [1], "c": "nope"}) == "a b"
    assert rebuild_abstract(None) == "" and rebuild_abstract([1, 2]) == ""


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=30,
)
work_keys = st.sampled_from(
    [
        "id", "doi", "title", "display_name", "publication_year", "publication_date", "ids", "type",
        "primary_location", "host_venue", "open_access", "authorships", "biblio", "mesh", "keywords",
        "funders", "grants", "awards", "referenced_works", "abstract_inverted_index", "cited_by_count",
        "language", "is_retracted", "primary_topic",
    ]
)  # fmt: skip


@settings(max_examples=300)
@given(st.dictionaries(work_keys, json_values, max_size=12) | json_values)
def test_conversion_only_raises_connector_error(value):
    try:
        rec = work_to_record(value)
    except ConnectorError:
        assert not isinstance(value, dict)
    else:
        assert rec.source_format == "openalex"
        assert rec.year is None or 1000 <= rec.year <= 2999
        json.dumps(rec.to_dict())


def test_real_synergy_works_convert(shared_data):
    path = shared_data / "openalex_synergy" / "Nelson_2002" / "works_1.zip"
    if not path.exists():
        pytest.skip(f"../shared absent: {path}")
    with zipfile.ZipFile(path) as archive:
        works = [w for name in archive.namelist() for w in json.loads(archive.read(name))]
    records = [work_to_record(w, i) for i, w in enumerate(works, 1)]
    assert len(records) == len(works) > 100
    assert all(r.openalex_id.startswith("W") for r in records)
    with_abstract = [r for r, w in zip(records, works, strict=True) if w.get("abstract_inverted_index")]
    assert with_abstract and all(r.abstract for r in with_abstract)
    assert sum(bool(r.doi) for r in records) > len(records) / 2
