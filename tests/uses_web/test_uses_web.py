"""The kinds-of-use panel of a publication page, corrections through the web, the review queue serving
uncertain kinds of use, and who may do what (stub detector and classifier: uses_fixtures)."""

from __future__ import annotations

import pytest
from django.test import Client

from benefice.core.roles import EDITOR, VIEWER
from benefice.core.users import ensure_user
from benefice.uses.models import PublicationUses, UseCorrection

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
PV, DU, EFF = "pharmacovigilance_drug_safety", "drug_utilisation", "effectiveness"


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
    response = client.get(f"/uses/publication/{pk}/", **HX)
    assert response.status_code == 200
    return response.content.decode()


def test_publication_page_loads_the_panel_and_viewers_cannot_correct(corpus, viewer):
    a, _b, c = corpus
    page = viewer.get(f"/corpus/{a.pk}/").content.decode()
    assert f'hx-get="/uses/publication/{a.pk}/"' in page and 'hx-get="/sources/publication/' in page
    html = panel(viewer, a.pk)
    assert 'id="publication-uses"' in html and "<html" not in html
    assert "Types d'usage" in html  # French first
    assert f'id="use-row-{PV}" data-category="{PV}" data-method="rule" data-main="true"' in html
    assert f"stub.{PV}" in html  # the rule that set it
    assert '<mark class="src-use"' in html and "congenital malformations</mark>" in html
    assert "use-correct-form" not in html
    assert "ne fait usage d'aucune source" in panel(viewer, c.pk) or "aucune source" in panel(viewer, c.pk)
    response = viewer.post(f"/uses/publication/{a.pk}/correct/", {"categories": [DU]})
    assert response.status_code == 403 and not UseCorrection.objects.exists()
    assert Client().get(f"/uses/publication/{a.pk}/").status_code == 302
    assert "<html" in viewer.get(f"/uses/publication/{a.pk}/").content.decode()  # works without htmx


def test_an_editor_corrects_with_the_form(corpus, editor_client):
    a, _b, _c = corpus
    html = panel(editor_client, a.pk)
    assert 'id="use-correct-form"' in html and f'value="{DU}"' in html
    response = editor_client.post(
        f"/uses/publication/{a.pk}/correct/",
        {"categories": [PV, DU], "main": DU, "note": "a utilisation study", "seen": "0"},
        **HX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'class="message success"' in html
    row = PublicationUses.objects.get(publication=a)
    assert row.categories == [DU, PV] and row.by_person
    assert 'data-method="person"' in html and "edith" in html and "a utilisation study" in html
    assert "Ce que le classifieur proposait" in html  # the machine's proposal, kept apart
    # "no kind of use"
    editor_client.post(f"/uses/publication/{a.pk}/correct/", {"none": "1"}, **HX)
    assert PublicationUses.objects.get(publication=a).categories == []
    # nothing chosen, or an unknown id: refused, with a message naming the field
    html = editor_client.post(f"/uses/publication/{a.pk}/correct/", {"note": "x"}, **HX).content.decode()
    assert 'class="message error"' in html and UseCorrection.objects.count() == 2
    html = editor_client.post(
        f"/uses/publication/{a.pk}/correct/", {"categories": ["astrology"]}, **HX
    ).content.decode()
    assert 'role="alert"' in html and "astrology" in html and "categories" in html
    assert UseCorrection.objects.count() == 2
    # without htmx: a redirect to the publication page, the message in the session
    response = editor_client.post(f"/uses/publication/{a.pk}/correct/", {"categories": [PV]})
    assert response.status_code == 302 and response["Location"].endswith(f"/corpus/{a.pk}/#publication-uses")


def test_a_second_editor_is_told_of_the_first(corpus, editor_client):
    a, _b, _c = corpus
    other = client_for("oscar", EDITOR)
    editor_client.post(f"/uses/publication/{a.pk}/correct/", {"categories": [DU], "seen": "0"}, **HX)
    html = other.post(
        f"/uses/publication/{a.pk}/correct/", {"categories": [EFF], "seen": "0"}, **HX
    ).content.decode()
    assert "edith" in html and 'class="message warning"' in html
    assert PublicationUses.objects.get(publication=a).categories == [EFF]
    assert UseCorrection.objects.latest("pk").concurrent_with is not None


def test_the_review_queue_serves_uncertain_kinds_of_use(corpus, editor_client, viewer):
    _a, b, _c = corpus
    html = viewer.get("/sources/review/").content.decode()
    assert 'data-kind="uses"' in html and f'data-publication="{b.pk}"' in html
    assert 'id="remaining-uses">1<' in html and "answer-accept" not in html  # viewers read only
    html = editor_client.get("/sources/review/").content.decode()
    assert 'id="answer-accept"' in html and 'id="answer-none"' in html
    response = editor_client.post("/sources/review/", {"kind": "uses", "publication": b.pk, "action": "skip"})
    assert response.status_code == 302 and not UseCorrection.objects.exists()
    response = editor_client.post(
        "/sources/review/", {"kind": "uses", "publication": b.pk, "verdict": "accept", "seen": "0"}
    )
    assert response.status_code == 302
    row = PublicationUses.objects.get(publication=b)
    assert row.categories == [DU, EFF] and row.by_person and not row.awaiting_review
    html = editor_client.get("/sources/review/").content.decode()
    assert 'id="remaining-uses">0<' in html and 'id="review-done"' in html
