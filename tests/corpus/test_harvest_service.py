"""Harvesting stores each page with its resume state: an interrupted harvest continues where it stopped."""

from __future__ import annotations

import httpx
import pytest

from benefice.corpus import services
from benefice.corpus.connectors import CrossrefConnector, OpenAlexConnector, RetryPolicy
from benefice.corpus.models import ImportBatch, Publication, RawRecord
from benefice.errors import BeneficeError

pytestmark = pytest.mark.django_db

WORKS = [
    {
        "id": f"https://openalex.org/W10{i}",
        "doi": f"https://doi.org/10.1234/snds.{i}",
        "display_name": f"Use of the SNDS for study number {i} of drug safety in France",
        "publication_year": 2015 + i,
        "type": "article",
        "authorships": [{"author": {"display_name": f"Author {i}"}, "institutions": []}],
        "abstract_inverted_index": {"We": [0], "used": [1], "the": [2], "SNDS": [3]},
    }
    for i in range(5)
]


def openalex_transport(fail_on_cursor: str | None = None):
    """Serve WORKS two per page; optionally fail (500) whenever a given cursor is asked for."""

    def handler(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params["cursor"]
        if cursor == fail_on_cursor:
            return httpx.Response(500, json={"error": "boom"})
        start = 0 if cursor == "*" else int(cursor)
        page = WORKS[start : start + 2]
        next_cursor = str(start + 2) if start + 2 < len(WORKS) else None
        return httpx.Response(
            200, json={"meta": {"count": len(WORKS), "next_cursor": next_cursor}, "results": page}
        )

    return httpx.MockTransport(handler)


def connector(transport) -> OpenAlexConnector:
    return OpenAlexConnector(
        httpx.Client(transport=transport), rate=1000.0, retry=RetryPolicy(max_retries=0), sleep=lambda s: None
    )


def test_interrupted_harvest_resumes_without_gaps_or_duplicates():
    query = {"search": "SNDS", "filter": "", "per_page": 2}
    with pytest.raises(BeneficeError):
        services.harvest(connector(openalex_transport(fail_on_cursor="4")), query, kind="openalex")
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.INTERRUPTED
    assert Publication.objects.count() == 4  # the two committed pages are kept
    assert batch.state["cursor"] == "4"

    resumed = services.harvest(connector(openalex_transport()), query, kind="openalex")
    assert resumed.pk == batch.pk and resumed.status == ImportBatch.Status.DONE
    assert Publication.objects.count() == 5 and RawRecord.objects.count() == 5
    assert resumed.records_read == 5 and resumed.new_publications == 5
    pub = Publication.objects.get(openalex_id="W104")
    assert pub.abstract == "We used the SNDS" and pub.doi == "10.1234/snds.4"

    again = services.harvest(connector(openalex_transport()), query, kind="openalex")
    assert again.pk != batch.pk and again.already_known == 5 and again.new_publications == 0


def test_crossref_enrichment_merges_by_doi():
    services.harvest(
        connector(openalex_transport()), {"search": "SNDS", "filter": "", "per_page": 2}, kind="openalex"
    )

    def handler(request: httpx.Request) -> httpx.Response:
        doi = request.url.path.split("/works/", 1)[1]
        if doi.endswith(".0"):
            return httpx.Response(404)
        return httpx.Response(
            200,
            json={
                "status": "ok",
                "message": {
                    "DOI": doi,
                    "title": ["A title from Crossref"],
                    "container-title": ["Revue d'Épidémiologie"],
                    "issued": {"date-parts": [[2016, 3, 1]]},
                    "type": "journal-article",
                    "publisher": "Elsevier",
                },
            },
        )

    cr = CrossrefConnector(
        httpx.Client(transport=httpx.MockTransport(handler)),
        rate=1000.0,
        retry=RetryPolicy(max_retries=0),
        sleep=lambda s: None,
    )
    batch = services.enrich_crossref(cr)
    assert batch.records_read == 4 and batch.duplicates_merged == 4 and batch.new_publications == 0
    pub = Publication.objects.get(doi="10.1234/snds.1")
    assert pub.journal == "Revue d'Épidémiologie" and pub.publisher == "Elsevier"
    assert pub.raw_records.filter(source_format="crossref").count() == 1
