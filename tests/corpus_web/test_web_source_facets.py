"""Corpus facets "source used" / "source mentioned": counts and filters read the effective detection lists, combine
with the search and the other facets, on SQLite and PostgreSQL (CI runs this file on both)."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from benefice.sources.models import PublicationDetection
from benefice.sources.services import sync_registry

from .test_web_corpus import body, result_titles

pytestmark = pytest.mark.django_db

LIST = reverse("corpus:list")


@pytest.fixture
def scanned(corpus):
    """Effective lists set by hand (as a scan, or people's corrections, would leave them): the facets must
    read these and nothing else, whatever the detector itself said (``detected_*``)."""
    sync_registry()
    rows = {
        "benfluorex": (["SNDS", "PMSI"], [], ["DCIR"]),  # the machine also said DCIR; a person rejected it
        "pioglitazone": (["SNDS"], ["CEPIDC"], ["SNDS"]),
        "cyproterone": ([], ["SNDS"], []),
        # "snds" (the 2017 review) is not scanned: it counts nowhere
    }
    for key, (used, mentioned, detected) in rows.items():
        PublicationDetection.objects.create(
            publication=corpus[key],
            registry_hash="test",
            sources_used=used,
            sources_mentioned=mentioned,
            detected_used=detected,
        )
    return corpus


def facet(html: str, param: str) -> dict[str, int]:
    """{label: count} of one facet of the page (empty when the facet is not shown)."""
    match = re.search(rf'<ul aria-labelledby="facet-{param}"[^>]*>(.*?)</ul>', html, re.S)
    if not match:
        return {}
    items = re.findall(
        r"<span>([^<]*)(?:<span[^>]*>[^<]*</span>)?</span> <span class=\"count\">(\d+)</span>", match[1]
    )
    return {label.strip(): int(n) for label, n in items}


def ids(html: str, param: str) -> dict[str, int]:
    """The facet's counts by registry id (labels are "ID – name")."""
    return {label.split(" – ")[0]: n for label, n in facet(html, param).items()}


def page(client: Client, **params) -> str:
    return client.get(LIST, params).content.decode()


def test_facets_count_publications_by_source_used_and_mentioned(viewer: Client, scanned) -> None:
    html = page(viewer)
    assert ids(html, "used") == {"SNDS": 2, "PMSI": 1}  # DCIR was the machine's, not the effective list
    assert ids(html, "mentioned") == {"SNDS": 1, "CEPIDC": 1}
    assert "SNDS – Système national des données de santé" in facet(
        html, "used"
    )  # name in the page's language
    assert list(ids(html, "used")) == ["SNDS", "PMSI"]  # most first


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"used": "SNDS"}, {"Benfluorex", "Pioglitazone"}),
        ({"used": "PMSI"}, {"Benfluorex"}),
        ({"mentioned": "SNDS"}, {"Use of cyproterone"}),
        ({"used": "SNDS", "mentioned": "CEPIDC"}, {"Pioglitazone"}),
        ({"used": "SNDS", "year": 2012}, {"Pioglitazone"}),
        ({"used": "SNDS", "q": "benfluorex"}, {"Benfluorex"}),
        ({"used": "SNDS", "lang": "fr"}, set()),
        ({"used": "DCIR"}, set()),  # only in the machine's result
        ({"used": "x') OR 1=1 --"}, set()),  # a value is a parameter, never SQL
    ],
)
def test_source_filters_combine_with_search_and_other_facets(
    viewer: Client, scanned, params, expected
) -> None:
    titles = result_titles(page(viewer, **params))
    assert {
        next(p for p in ("Benfluorex", "Pioglitazone", "Use of cyproterone", "Le Système") if t.startswith(p))
        for t in titles
    } == expected


def test_each_source_facet_is_counted_without_its_own_filter(viewer: Client, scanned) -> None:
    html = page(viewer, used="PMSI")
    assert ids(html, "used") == {"SNDS": 2, "PMSI": 1}  # the other choices stay visible with their counts
    assert ids(html, "mentioned") == {}  # narrowed by used=PMSI: the benfluorex study mentions nothing
    assert ids(page(viewer, mentioned="CEPIDC"), "used") == {"SNDS": 1}
    assert ids(page(viewer, q="weill"), "used") == {"SNDS": 2, "PMSI": 1}
    assert ids(page(viewer, q="cyproterone"), "used") == {}
    assert ids(page(viewer, year=2010), "mentioned") == {}
    assert ids(page(viewer, year=2021), "mentioned") == {"SNDS": 1}
    # other facets are narrowed by the source filters too
    assert facet(page(viewer, used="SNDS"), "year") == {"2012": 1, "2010": 1}


def test_chosen_source_shows_as_a_removable_filter(viewer: Client, scanned) -> None:
    html = page(viewer, used="PMSI")
    assert re.search(r'<ul class="chips">.*PMSI – Programme de médicalisation', html, re.S)
    assert 'aria-current="true"' in html
    # a source no publication has is still shown as chosen, with 0, so it can be removed
    assert ids(page(viewer, used="RNIPP"), "used").get("RNIPP") == 0


def test_results_show_the_sources_used(viewer: Client, scanned) -> None:
    html = page(viewer, used="PMSI")
    assert '<li class="badge badge-source"' in html and ">PMSI</li>" in html


def test_web_export_writes_the_effective_lists(viewer: Client, scanned) -> None:
    rows = [
        json.loads(line)
        for line in body(viewer.get(reverse("corpus:export", args=["jsonl"]), {"used": "SNDS"})).splitlines()
    ]
    by_doi = {row["doi"]: row for row in rows}
    assert set(by_doi) == {scanned["benfluorex"].doi, scanned["pioglitazone"].doi}
    assert by_doi[scanned["benfluorex"].doi]["sources_used"] == ["SNDS", "PMSI"]
    assert by_doi[scanned["pioglitazone"].doi]["sources_mentioned"] == ["CEPIDC"]
    assert all(isinstance(row["use_categories"], list) and row["use_categories_method"] for row in rows)
    everything = [
        json.loads(line) for line in body(viewer.get(reverse("corpus:export", args=["jsonl"]))).splitlines()
    ]
    unscanned = next(row for row in everything if row["doi"] == scanned["snds"].doi)
    assert (unscanned["sources_used"], unscanned["sources_mentioned"], unscanned["use_categories"]) == (
        [],
        [],
        [],
    )


def test_source_facets_are_translated(viewer: Client, scanned) -> None:
    html = page(viewer)  # French by default
    assert "Source de données utilisée" in html and "Source de données seulement mentionnée" in html
