"""Pages: access by membership, creating a review, screening by POST, conflicts, PRISMA files, exports,
highlighting (escaped) and the records import form's messages."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benefice.review import services
from benefice.review.models import Review, ScreeningDecision, Status
from benefice.review.views import highlight

from .conftest import client_for
from .test_services import RIS


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=80), st.lists(st.text(min_size=1, max_size=8), max_size=4))
def test_highlight_escapes_and_keeps_the_text(text, keywords) -> None:
    import html
    import re

    out = str(highlight(text, keywords))
    plain = re.sub(r"</?mark>", "", out)
    assert html.unescape(plain) == text
    assert "<" not in plain and ">" not in plain


def test_highlight_marks_keywords_case_insensitively() -> None:
    assert (
        str(highlight("The SNDS & snds <b>", ["snds"]))
        == "The <mark>SNDS</mark> &amp; <mark>snds</mark> &lt;b&gt;"
    )


def test_outsider_gets_403_and_members_see_pages(review, people) -> None:
    outsider = client_for(people["outsider"])
    assert outsider.get(reverse("review:detail", args=[review.pk])).status_code == 403
    assert outsider.get(reverse("review:screen", args=[review.pk, "ta"])).status_code == 403
    alice = client_for(people["alice"])
    for name, args in [
        ("detail", []),
        ("screen", ["ta"]),
        ("screen", ["ft"]),
        ("records", []),
        ("conflicts", ["ta"]),
        ("prisma", []),
    ]:
        response = alice.get(reverse(f"review:{name}", args=[review.pk, *args]))
        assert response.status_code == 200, name
    # leads only: exports, agreement, protocol edits
    assert alice.get(reverse("review:export", args=[review.pk, "csv"])).status_code == 403
    assert alice.get(reverse("review:agreement", args=[review.pk])).status_code == 403
    assert alice.get(reverse("review:edit", args=[review.pk])).status_code == 403
    assert review.title not in outsider.get(reverse("review:list")).content.decode()


def test_create_review_with_protocol(people) -> None:
    lead = client_for(people["lead"])
    response = lead.post(
        reverse("review:list"),
        {
            "title": "Revue valproate",
            "question": "Q?",
            "exclusion_reasons": "Hors sujet\n\nHors sujet\nMauvais design",
            "keywords": "valproate\nSNDS",
            "reviewers_per_record": 2,
            "blind": "on",
            "model_name": "svm",
            "retrain_every": 3,
        },
    )
    review = Review.objects.get(title="Revue valproate")
    assert response.status_code == 302 and response["Location"] == reverse("review:detail", args=[review.pk])
    assert review.exclusion_reasons == ["Hors sujet", "Mauvais design"]
    assert (review.reviewers_per_record, review.blind, review.model_name, review.retrain_every) == (
        2,
        True,
        "svm",
        3,
    )
    # a viewer cannot create one
    viewer = client_for(people["alice"])
    assert viewer.post(reverse("review:list"), {"title": "x"}).status_code == 403


def test_screen_post_decides_and_offers_the_next(review, people) -> None:
    alice = client_for(people["alice"])
    url = reverse("review:screen", args=[review.pk, "ta"])
    relevant = review.records.filter(title__startswith="Nationwide").first()
    page = alice.get(f"{url}?record={relevant.pk}").content.decode()
    assert "<mark>SNDS</mark>" in page and "<mark>cohort</mark>" in page
    record = alice.get(url).context["record"]
    response = alice.post(
        url,
        {
            "record": record.pk,
            "value": "exclude",
            "reasons": [review.exclusion_reasons[0]],
            "note": "lab study",
            "tags": "crystal, lab",
        },
    )
    assert response.status_code == 302
    decision = ScreeningDecision.objects.get(record=record)
    assert (decision.value, decision.note, decision.tags) == ("exclude", "lab study", ["crystal", "lab"])
    assert alice.get(url).context["record"].pk != record.pk
    # skip (n) moves on without deciding
    current = alice.get(url).context["record"]
    alice.post(url, {"record": current.pk, "action": "skip"})
    assert alice.get(url).context["record"].pk != current.pk
    assert not ScreeningDecision.objects.filter(record=current).exists()
    # a refused decision says why and writes nothing
    response = alice.post(url, {"record": current.pk, "value": "include", "reasons": ["nope"]}, follow=True)
    assert "unknown exclusion reason" in response.content.decode()
    assert not ScreeningDecision.objects.filter(record=current).exists()


def test_conflict_resolution_page(review, people) -> None:
    services.update_review(review, people["lead"], reviewers_per_record=2)
    record = review.records.first()
    services.decide(record, people["alice"], "ta", "include")
    services.decide(record, people["bob"], "ta", "exclude")
    url = reverse("review:conflicts", args=[review.pk, "ta"])
    bob = client_for(people["bob"])
    assert bob.post(url, {"record": record.pk, "value": "include"}).status_code == 302
    record.refresh_from_db()
    assert record.ta_status == Status.CONFLICT  # refused: bob is not a lead
    lead = client_for(people["lead"])
    page = lead.get(url).content.decode()
    assert f'id="conflict-{record.pk}"' in page
    lead.post(url, {"record": record.pk, "value": "include", "note": "ok"})
    record.refresh_from_db()
    assert record.ta_status == Status.INCLUDED
    agreement = lead.get(reverse("review:agreement", args=[review.pk])).content.decode()
    assert "alice / bob" in agreement


def test_prisma_files_and_exports(review, people) -> None:
    services.decide(review.records.first(), people["alice"], "ta", "include")
    lead = client_for(people["lead"])
    svg = lead.get(reverse("review:prisma_file", args=[review.pk, "svg"]) + "?download=1")
    assert svg["Content-Type"].startswith("image/svg+xml") and "attachment" in svg["Content-Disposition"]
    assert b"Records screened (n = 1)" in svg.content
    png = lead.get(reverse("review:prisma_file", args=[review.pk, "png"]))
    assert png.content[:4] == b"\x89PNG"
    french = lead.get(reverse("review:prisma_file", args=[review.pk, "svg"]), HTTP_ACCEPT_LANGUAGE="fr")
    assert french.status_code == 200
    csv_text = lead.get(reverse("review:export", args=[review.pk, "csv"])).content.decode()
    assert "alice" in csv_text and "include" in csv_text
    assert b"TY  - " in lead.get(reverse("review:export", args=[review.pk, "ris"])).content


def by_file(**fields) -> dict:
    """The add-records page's file form as posted (its fields carry the form's prefix)."""
    return {"source": "file", **{f"file-{k}": v for k, v in fields.items()}}


def from_corpus(**fields) -> dict:
    return {"source": "corpus", **{f"corpus-{k}": v for k, v in fields.items()}}


def test_records_add_page_gives_each_form_its_own_ids_and_labels(people) -> None:
    from html.parser import HTMLParser

    class Ids(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.ids: list[str] = []
            self.fors: list[str] = []

        def handle_starttag(self, tag, attrs) -> None:
            attrs = dict(attrs)
            if attrs.get("id"):
                self.ids.append(attrs["id"])
            if tag == "label" and attrs.get("for"):
                self.fors.append(attrs["for"])

    review = services.create_review("Ids", people["lead"])
    parser = Ids()
    parser.feed(client_for(people["lead"]).get(reverse("review:records_add", args=[review.pk])).content.decode())
    duplicated = sorted({i for i in parser.ids if parser.ids.count(i) > 1})
    assert not duplicated, duplicated
    assert parser.fors and all(parser.ids.count(f) == 1 for f in parser.fors), parser.fors
    assert {"id_file-database", "id_corpus-database", "id_file-notes", "id_corpus-notes"} <= set(parser.fors)


def test_records_add_by_file_and_by_corpus(people) -> None:
    review = services.create_review("Ajouts", people["lead"])
    lead = client_for(people["lead"])
    url = reverse("review:records_add", args=[review.pk])
    response = lead.post(
        url,
        by_file(database="PubMed", query="valproate", file=SimpleUploadedFile("p.ris", RIS.encode())),
        follow=True,
    )
    assert "3 records identified, 2 added" in response.content.decode()
    bad = lead.post(
        url,
        by_file(database="PubMed", file=SimpleUploadedFile("bad.ris", b"TY  - JOUR\nPY  - 20x9\n")),
        follow=True,
    )
    assert "Nothing was added" in bad.content.decode() and "bad.ris" in bad.content.decode()
    empty = lead.post(url, from_corpus(database="Corpus"))
    assert "Give words" in empty.content.decode()
    lead.post(url, from_corpus(database="Corpus", year_from=2018))
    assert review.searches.count() == 2 and review.records.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_search_export_is_added_by_the_worker_not_in_the_request(people, database_queue) -> None:
    from benefice.core import jobs

    review = services.create_review("File", people["lead"])
    lead = client_for(people["lead"])
    response = lead.post(
        reverse("review:records_add", args=[review.pk]),
        by_file(database="PubMed", query="valproate", file=SimpleUploadedFile("p.ris", RIS.encode())),
    )
    job_url = response["Location"]
    job = jobs.read_job(job_url.rstrip("/").rsplit("/", 1)[1])
    assert job["status"] == jobs.QUEUED and review.records.count() == 0  # the request only queued it
    assert 'hx-trigger="every 1s"' in lead.get(job_url).content.decode()
    database_queue.run()
    page = lead.get(job_url + "status/").content.decode()
    assert "3 records identified, 2 added" in page and "hx-trigger" not in page
    assert review.records.count() == 2 and review.searches.get().query == "valproate"
    outsider = client_for(people["outsider"])
    assert outsider.get(job_url).status_code == 403  # not a member of the review


def test_records_added_by_file_are_kept_when_their_source_scan_fails(people, monkeypatch) -> None:
    from benefice.sources import services as source_services

    def broken(**_kwargs):
        raise RuntimeError("detector exploded")

    monkeypatch.setattr(source_services, "scan_database", broken)
    review = services.create_review("Scan", people["lead"])
    response = client_for(people["lead"]).post(
        reverse("review:records_add", args=[review.pk]),
        by_file(database="PubMed", file=SimpleUploadedFile("p.ris", RIS.encode())),
        follow=True,
    )
    html = " ".join(response.content.decode().split())
    assert "3 records identified, 2 added" in html and review.records.count() == 2
    assert "source detection failed" in html and "detector exploded" in html and "benefice scan" in html


def test_default_exclusion_reasons_are_offered_in_the_users_language(people) -> None:
    french = client_for(people["lead"], "fr").get(reverse("review:list")).content.decode()
    assert "Population hors sujet" in french and "Wrong population" not in french
    english = client_for(people["lead"]).get(reverse("review:list")).content.decode()
    assert "Wrong population" in english


def test_screen_tolerates_the_ranking_replaced_between_its_read_and_its_use(
    review, people, monkeypatch
) -> None:
    """Issue 17: the worker replaces and deletes the current ranking while a screener's page is built."""
    from benefice.review import views
    from benefice.review.models import RankingEntry, Review, ScreeningRanking

    alice = client_for(people["alice"])
    url = reverse("review:screen", args=[review.pk, "ta"])
    alice.post(url, {"record": alice.get(url).context["record"].pk, "value": "include"})
    stale = Review.objects.get(pk=review.pk)
    assert stale.current_ranking_id
    old_id = stale.current_ranking_id
    newer = ScreeningRanking.objects.create(review=review, size=1)
    first = review.records.filter(ta_status="pending").order_by("-pk").first()
    RankingEntry.objects.create(ranking=newer, position=0, record=first, score=1.0)
    Review.objects.filter(pk=review.pk).update(current_ranking=newer)
    ScreeningRanking.objects.filter(pk=old_id).delete()  # the page read the review before this
    monkeypatch.setattr(views, "_review", lambda request, pk: stale)
    response = alice.get(url)
    assert response.status_code == 200
    assert response.context["ranking"].pk == newer.pk
    assert response.context["record"].pk == first.pk
    assert alice.get(reverse("review:detail", args=[review.pk])).status_code == 200
    # and when the newer ranking goes too, the page still answers, in the order records were added
    ScreeningRanking.objects.filter(pk=newer.pk).delete()
    response = alice.get(url)
    assert response.status_code == 200 and response.context["ranking"] is None
    assert response.context["record"] is not None


def test_records_are_selected_by_import_batch_by_its_file_name_not_its_number(people) -> None:
    from benefice.corpus.models import ImportBatch

    review = services.create_review("Par lot", people["lead"])
    lead = client_for(people["lead"], "fr")
    url = reverse("review:records_add", args=[review.pk])
    lead.post(url, by_file(database="PubMed", file=SimpleUploadedFile("valproate.ris", RIS.encode())))
    batch = ImportBatch.objects.get(origin="valproate.ris")
    page = lead.get(url).content.decode()
    option = re.search(rf'<option value="{batch.pk}"[^>]*>([^<]*)</option>', page)
    assert option and option.group(1).startswith("valproate.ris · ") and "3 notices lues" in option.group(1)
    assert "Numéro du lot" not in page and '<select name="corpus-batch"' in page  # chosen, not typed
    other = services.create_review("Autre", people["lead"])
    lead.post(reverse("review:records_add", args=[other.pk]), from_corpus(database="PubMed", batch=batch.pk))
    assert other.records.count() == 2
