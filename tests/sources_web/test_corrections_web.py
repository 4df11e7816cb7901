"""The publication's source panel, corrections through the web, the review queue, and who may do what."""

from __future__ import annotations

import re

import pytest
from corrections_fixtures import ABSTRACT_A
from django.test import Client

from benefice.core.roles import EDITOR, VIEWER
from benefice.core.users import ensure_user
from benefice.sources import services
from benefice.sources.models import PublicationDetection, SourceCorrection

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def client_for(name: str, role: str) -> Client:
    ensure_user(name, "pw", role)
    client = Client()
    assert client.login(username=name, password="pw")
    return client


@pytest.fixture
def viewer(db) -> Client:
    return client_for("vera", VIEWER)


@pytest.fixture
def editor_client(db) -> Client:
    return client_for("edith", EDITOR)


def panel(client: Client, pk: int) -> str:
    response = client.get(f"/sources/publication/{pk}/", **HX)
    assert response.status_code == 200
    return response.content.decode()


def test_publication_page_loads_the_panel_and_viewers_cannot_edit(stub_corpus, viewer):
    a, _b = stub_corpus
    page = viewer.get(f"/corpus/{a.pk}/").content.decode()
    assert f'hx-get="/sources/publication/{a.pk}/"' in page
    html = panel(viewer, a.pk)
    assert 'id="publication-sources"' in html and "<html" not in html  # a fragment for htmx
    # evidence highlighted at its offsets, uncertain source shown as awaiting review
    assert '<mark class="src-used" data-sources="SNDS" title="SNDS">SNDS</mark>' in html
    assert '<mark class="src-review" data-sources="CPRD" title="CPRD">CPRD</mark>' in html
    assert re.search(r'data-source="CPRD" data-status="review"', html)
    assert "0,55" in html or "0.55" in html  # the model's score
    assert "correct-form" not in html and "source-add-form" not in html
    full = viewer.get(f"/sources/publication/{a.pk}/").content.decode()
    assert "<html" in full and "publication-sources" in full  # works without htmx too
    response = viewer.post(f"/sources/publication/{a.pk}/correct/", {"source": "SNDS", "verdict": "rejected"})
    assert response.status_code == 403
    assert not SourceCorrection.objects.exists()
    assert Client().get(f"/sources/publication/{a.pk}/").status_code == 302  # sign-in first


def test_editor_rejects_and_adds_by_selected_words(stub_corpus, editor_client):
    a, _b = stub_corpus
    html = panel(editor_client, a.pk)
    seen = re.search(r'name="seen" value="(\d+)"', html).group(1)
    records = re.search(r'name="records" value="([\d,]*)"', html).group(1)
    response = editor_client.post(
        f"/sources/publication/{a.pk}/correct/",
        {"source": "SNDS", "verdict": "rejected", "seen": seen, "records": records},
        **HX,
    )
    out = response.content.decode()
    assert response.status_code == 200 and 'data-source="SNDS" data-status="rejected"' in out
    assert "edith" in out  # how it was set: by whom
    start = ABSTRACT_A.index("Constances cohort")
    response = editor_client.post(
        f"/sources/publication/{a.pk}/correct/",
        {
            "source": "CONSTANCES",
            "verdict": "used",
            "field": "abstract",
            "start": start,
            "end": start + len("Constances cohort"),
            "text": "Constances cohort",
            "seen": seen,
            "records": records,
        },
        **HX,
    )
    out = response.content.decode()
    assert 'data-source="CONSTANCES" data-status="used"' in out
    assert 'data-sources="CONSTANCES" title="CONSTANCES">Constances cohort</mark>' in out
    counts = services.source_counts()
    assert counts["SNDS"]["used"] == 1 and counts["CONSTANCES"]["used"] == 1
    listing = editor_client.get("/sources/").content.decode()
    assert re.search(r'/sources/CONSTANCES/"><code>CONSTANCES</code></a>.*?<td class="num">1</td>', listing, re.S)
    # without htmx: a redirect back to the publication page, the message kept for it
    response = editor_client.post(
        f"/sources/publication/{a.pk}/correct/", {"source": "PMSI", "verdict": "mentioned"}
    )
    assert response.status_code == 302 and response["Location"].endswith(
        f"/corpus/{a.pk}/#publication-sources"
    )


def test_bad_input_gives_a_message_in_the_panel(stub_corpus, editor_client):
    a, b = stub_corpus
    url = f"/sources/publication/{a.pk}/correct/"
    out = editor_client.post(url, {"source": "NOPE", "verdict": "used"}, **HX).content.decode()
    assert 'class="message error"' in out and "NOPE" in out
    out = editor_client.post(
        url, {"source": "EGB", "verdict": "used", "field": "abstract", "start": "5000", "end": "5004"}, **HX
    ).content.decode()
    assert 'class="message error"' in out and "5000" in out
    out = editor_client.post(
        url, {"source": "EGB", "verdict": "used", "field": "abstract", "start": "x", "text": "SNDS"}, **HX
    ).content.decode()
    assert 'class="message success"' in out  # a malformed offset falls back to finding the words
    gone = b.pk
    b.raw_records.all().delete()
    PublicationDetection.objects.filter(publication_id=gone).delete()
    b.delete()
    out = editor_client.post(
        f"/sources/publication/{gone}/correct/", {"source": "SNDS", "verdict": "used"}, **HX
    ).content.decode()
    assert 'class="message error"' in out and (f"n° {gone}" in out or f"#{gone}" in out)


def test_two_editors_the_later_is_told(stub_corpus, editor_client):
    a, _b = stub_corpus
    other = client_for("bruno", EDITOR)
    html = panel(editor_client, a.pk)
    seen = re.search(r'name="seen" value="(\d+)"', html).group(1)
    url = f"/sources/publication/{a.pk}/correct/"
    other.post(url, {"source": "PMSI", "verdict": "rejected", "seen": seen}, **HX)
    out = editor_client.post(url, {"source": "PMSI", "verdict": "used", "seen": seen}, **HX).content.decode()
    assert 'class="message warning"' in out and "bruno" in out
    assert SourceCorrection.objects.filter(source_id="PMSI").count() == 2
    assert "PMSI" in PublicationDetection.objects.get(publication=a).sources_used


def test_review_queue_most_informative_first_with_counts(stub_corpus, editor_client, viewer):
    a, b = stub_corpus
    page = viewer.get("/sources/review/").content.decode()
    # CPRD (0.55, 0.05 from the threshold) before EGB (0.42, 0.08)
    assert f'data-publication="{a.pk}" data-source="CPRD"' in page
    assert 'id="remaining-sources">2<' in page and 'id="remaining-publications">2<' in page
    assert 'id="answer-used"' not in page  # viewers read, editors answer
    assert (
        viewer.post(
            "/sources/review/", {"publication": a.pk, "source": "CPRD", "verdict": "used"}
        ).status_code
        == 403
    )
    assert 'href="/sources/review/"' in viewer.get("/sources/").content.decode()  # in the section's nav
    page = editor_client.get("/sources/review/").content.decode()
    assert 'id="answer-used"' in page and "review.js" in page
    editor_client.post("/sources/review/", {"publication": a.pk, "source": "CPRD", "action": "skip"})
    page = editor_client.get("/sources/review/").content.decode()
    assert f'data-publication="{b.pk}" data-source="EGB"' in page
    editor_client.post("/sources/review/", {"publication": b.pk, "source": "EGB", "verdict": "used"})
    assert "EGB" in PublicationDetection.objects.get(publication=b).sources_used
    page = editor_client.get("/sources/review/").content.decode()
    assert 'id="remaining-sources">1<' in page
    assert f'data-publication="{a.pk}" data-source="CPRD"' in page  # the skipped one comes back
    editor_client.post("/sources/review/", {"publication": a.pk, "source": "CPRD", "verdict": "rejected"})
    page = editor_client.get("/sources/review/").content.decode()
    assert 'id="review-done"' in page and 'id="remaining-sources">0<' in page
    assert services.source_counts().get("CPRD") is None
