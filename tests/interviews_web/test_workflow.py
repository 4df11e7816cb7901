"""Pseudonymisation review, coding by POST, codebook history, agreement, analysis, suggestions, groundings."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from benefice.interviews import services
from benefice.interviews.models import (
    Code,
    CodeChange,
    Coding,
    EntityReplacement,
    IndicatorGrounding,
    ThemeSuggestion,
    Transcript,
)

from .conftest import INTERVIEW, client_for

pytestmark = pytest.mark.django_db


def test_review_flow_accept_reject_replace(project, people) -> None:
    lead = client_for(people["lead"])
    upload = SimpleUploadedFile("p07.txt", INTERVIEW.read_bytes(), content_type="text/plain")
    response = lead.post(reverse("interviews:import", args=[project.pk]), {"file": upload, "title": "P07"})
    response = lead.get(response["Location"])  # the import job's page, the job run by the queue
    transcript = Transcript.objects.get(title="P07")
    assert response.status_code == 302 and response["Location"].endswith(f"/{transcript.pk}/review/")
    page = lead.get(response["Location"]).content.decode()
    assert "Hélène Marchetti" in page and "thomas.nguyen@ars-bfc.example.fr" in page
    groups = {g.original: g for g in services.review_groups(transcript)}
    besancon = groups["Besançon"]
    email = groups["thomas.nguyen@ars-bfc.example.fr"]
    posted = {
        "action": "apply",
        f"decision-{besancon.id}": "reject",
        f"decision-{email.id}": "replace",
        f"custom-{email.id}": "[COURRIEL_COLLEGUE]",
    }
    response = lead.post(reverse("interviews:review", args=[project.pk, transcript.pk]), posted)
    assert response.status_code == 302
    transcript.refresh_from_db()
    assert transcript.status == Transcript.PSEUDONYMISED
    assert "Besançon" in transcript.text  # kept: the lead said it is not personal data here
    assert "[COURRIEL_COLLEGUE]" in transcript.text and "thomas.nguyen@" not in transcript.text
    assert "Marchetti" not in transcript.text and "[PERSONNE_" in transcript.text
    # turns still point at the right words after replacements changed the length
    for turn in transcript.turns:
        assert 0 <= turn["start"] <= turn["end"] <= len(transcript.text)
    assert transcript.text[transcript.turns[-1]["start"] :].strip()
    decisions = dict(EntityReplacement.objects.filter(project=project).values_list("original", "decision"))
    assert decisions["Besançon"] == EntityReplacement.REJECTED
    assert decisions["thomas.nguyen@ars-bfc.example.fr"] == EntityReplacement.REPLACED
    marchetti = EntityReplacement.objects.get(project=project, original="Hélène Marchetti").replacement

    # a second transcript: same person, same pseudonym; the rejected place is proposed as "keep"
    second = services.import_transcript(
        project, "p08.txt", "[id1] J'ai revu Hélène Marchetti à Besançon.\n".encode(), people["lead"]
    )
    groups = {g.original: g for g in services.review_groups(second)}
    assert groups["Besançon"].default == "reject"
    services.apply_review(second, {}, people["lead"])
    second.refresh_from_db()
    assert marchetti in second.text and "Besançon" in second.text


def test_add_missed_names_and_detect_again(project, people) -> None:
    transcript = services.import_transcript(
        project, "x.txt", b"[id1] Je travaille avec Zorglub.\n", people["lead"]
    )
    assert "Zorglub" not in {g.original for g in services.review_groups(transcript)}
    lead = client_for(people["lead"])
    lead.post(
        reverse("interviews:review", args=[project.pk, transcript.pk]),
        {"action": "add_names", "names": "Zorglub"},
    )
    transcript.refresh_from_db()
    assert "Zorglub" in {g.original for g in services.review_groups(transcript)}
    assert "Zorglub" in project.__class__.objects.get(pk=project.pk).names_list


def test_corrupt_docx_gives_a_clear_message(project, people) -> None:
    lead = client_for(people["lead"])
    upload = SimpleUploadedFile("entretien.docx", b"PK\x03\x04 not really a docx")
    response = lead.post(reverse("interviews:import", args=[project.pk]), {"file": upload}, follow=True)
    assert response.status_code == 200
    assert "entretien.docx" in response.content.decode()
    assert not Transcript.objects.exists()


def post_coding(client, project, transcript, **data):
    return client.post(
        reverse("interviews:coding_create", args=[project.pk, transcript.pk]),
        data,
        HTTP_ACCEPT="application/json",
    )


def test_coding_by_post_with_validation(project, transcript, people) -> None:
    coder = client_for(people["coder1"])
    response = post_coding(coder, project, transcript, start=10, end=60, new_code="Valeur pour la décision")
    assert response.status_code == 201
    code = Code.objects.get(name="Valeur pour la décision")
    overlap = post_coding(coder, project, transcript, start=40, end=90, code=code.pk)
    assert overlap.status_code == 201  # overlapping selections are normal in qualitative coding
    assert [(c["start"], c["end"]) for c in overlap.json()["codings"]] == [(10, 60), (40, 90)]
    length = len(transcript.text)
    out = post_coding(coder, project, transcript, start=length - 5, end=length + 1, code=code.pk)
    assert (
        out.status_code == 400
        and "hors du texte" in out.json()["error"]
        and str(length) in out.json()["error"]
    )
    reversed_ = post_coding(coder, project, transcript, start=50, end=50, code=code.pk)
    assert reversed_.status_code == 400
    garbage = post_coding(coder, project, transcript, start="dix", end=50, code=code.pk)
    assert garbage.status_code == 400 and "nombre entier" in garbage.json()["error"]
    assert post_coding(coder, project, transcript, start=1, end=5).status_code == 400  # no code chosen
    assert Coding.objects.count() == 2
    viewer = client_for(people["viewer"])
    assert post_coding(viewer, project, transcript, start=1, end=5, code=code.pk).status_code == 403
    # without JavaScript: the same form, a redirect and a message
    response = coder.post(
        reverse("interviews:coding_create", args=[project.pk, transcript.pk]),
        {"start": 0, "end": 3, "code": code.pk},
    )
    assert response.status_code == 302 and Coding.objects.count() == 3
    # one's own codings only, unless lead
    other = Coding.objects.first()
    assert (
        client_for(people["coder2"])
        .post(reverse("interviews:coding_delete", args=[project.pk, other.pk]))
        .status_code
        == 403
    )
    assert (
        client_for(people["coder1"])
        .post(reverse("interviews:coding_delete", args=[project.pk, other.pk]))
        .status_code
        == 302
    )
    assert Coding.objects.count() == 2


def test_codebook_merge_split_history(project, transcript, people) -> None:
    lead = client_for(people["lead"])
    a = services.create_code(project, "Confiance", people["lead"])
    b = services.create_code(project, "Confiance des patients", people["lead"])
    c1 = services.add_coding(transcript, 0, 50, a, people["coder1"])
    services.add_coding(transcript, 0, 50, b, people["coder1"])  # same place, same coder: merges into one
    c3 = services.add_coding(transcript, 100, 150, b, people["coder2"])
    url = reverse("interviews:codebook", args=[project.pk])
    lead.post(url, {"action": "edit", "code": a.pk, "name": "Confiance (générale)", "colour": "#123456"})
    lead.post(url, {"action": "merge", "source": b.pk, "target": a.pk, "note": "doublon"})
    b.refresh_from_db()
    assert not b.active and set(Coding.objects.values_list("code", flat=True)) == {a.pk}
    assert Coding.objects.count() == 2
    lead.post(
        url, {"action": "split", "code": a.pk, "name1": "Confiance institutionnelle", "codings1": [c3.pk]}
    )
    institutional = Code.objects.get(name="Confiance institutionnelle")
    assert list(institutional.codings.values_list("pk", flat=True)) == [c3.pk]
    assert list(a.codings.values_list("pk", flat=True)) == [c1.pk]
    kinds = list(CodeChange.objects.filter(project=project).order_by("pk").values_list("kind", flat=True))
    assert kinds[-3:] == ["rename", "merge", "split"]
    merge = CodeChange.objects.get(kind="merge")
    assert merge.before["source"]["name"] == "Confiance des patients" and merge.after["codings_moved"] == 2
    lead.post(url, {"action": "version", "note": "après fusion"})
    history = lead.get(reverse("interviews:history", args=[project.pk])).content.decode()
    assert ">fusion<" in history and ">scission<" in history and "après fusion" in history
    assert project.versions.get().snapshot[0]["name"]
    # coders may create codes but not restructure the codebook
    coder = client_for(people["coder1"])
    assert coder.post(url, {"action": "merge", "source": a.pk, "target": institutional.pk}).status_code == 403


def test_starter_codebook(project, people) -> None:
    lead = client_for(people["lead"])
    lead.post(reverse("interviews:codebook", args=[project.pk]), {"action": "starter"})
    root = Code.objects.get(parent=None, is_theme=True)
    names = set(root.children.values_list("name", flat=True))
    assert len(names) == 8 and {"Civique", "Marchande", "Écologique"} <= names
    assert all(root.children.exclude(description="").values_list("pk", flat=True))
    page = lead.get(reverse("interviews:codebook", args=[project.pk])).content.decode()
    assert "Inspirée" in page and "Add the orders-of-worth codes" not in page


def test_agreement_view_numbers(project, transcript, people) -> None:
    code = services.create_code(project, "Décision", people["lead"])
    services.add_coding(transcript, 0, 100, code, people["coder1"])
    services.add_coding(transcript, 50, 100, code, people["coder2"])
    coders = list(project.coders.order_by("name"))
    n = len(transcript.text)
    po = (n - 50) / n
    pa, pb = 100 / n, 50 / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    kappa = (po - pe) / (1 - pe)
    client = client_for(people["viewer"])
    url = reverse("interviews:agreement", args=[project.pk])
    page = client.get(
        url, {"coders": [c.pk for c in coders], "transcripts": [transcript.pk]}
    ).content.decode()
    assert f"{po:.3f}" in page and f"{kappa:.3f}" in page
    assert (
        "coder1" in page and escape(transcript.text[0:50][:30]) in page
    )  # the disagreement passage is shown
    one = client.get(url, {"coders": [coders[0].pk], "transcripts": [transcript.pk]}).content.decode()
    assert "au moins deux codeurs" in one


def test_analysis_frequencies_cooccurrence_and_retrieval(project, transcript, people) -> None:
    participant = services.save_participant(
        project, people["lead"], {"code": "P07", "role": "statisticienne"}
    )
    transcript.participant = participant
    transcript.save()
    a = services.create_code(project, "Alpha", people["lead"])
    b = services.create_code(project, "Beta", people["lead"])
    services.add_coding(transcript, 0, 100, a, people["coder1"])
    services.add_coding(transcript, 50, 150, b, people["coder1"])
    services.add_coding(transcript, 500, 600, b, people["coder2"])
    names, matrix = services.cooccurrence(project, project.transcripts.all())
    assert names == ["Alpha", "Beta"] and matrix == [[1, 1], [1, 2]]
    columns, table = services.frequencies(project, project.transcripts.all(), "role")
    assert columns == ["statisticienne"] and [r["cells"] for r in table] == [[(1, 1)], [(2, 1)]]
    client = client_for(people["viewer"])
    page = client.get(reverse("interviews:analysis", args=[project.pk]), {"codes": [b.pk]}).content.decode()
    assert escape(transcript.text[500:600][:40]) in page
    csv_text = client.get(reverse("interviews:export_segments", args=[project.pk, "csv"]), {"codes": [b.pk]})
    lines = csv_text.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("code,transcript,participant") and len(lines) >= 3


def test_theme_suggestions_are_labelled(project, transcript, people) -> None:
    coder = client_for(people["coder1"])
    coder.post(reverse("interviews:suggestions", args=[project.pk]), {"action": "generate"})
    suggestions = list(ThemeSuggestion.objects.filter(project=project))
    assert suggestions and all(
        s.is_suggestion and "NMF" in s.method and "TF-IDF" in s.method for s in suggestions
    )
    assert all(not any(term.startswith("personne") for term in s.terms) for s in suggestions)
    page = coder.get(reverse("interviews:suggestions", args=[project.pk])).content.decode()
    assert "Suggestion" in page and "NMF" in page
    assert not Code.objects.filter(project=project).exists()  # nothing becomes a code by itself
    lead = client_for(people["lead"])
    lead.post(
        reverse("interviews:suggestions", args=[project.pk]),
        {"action": "accept", "suggestion": suggestions[0].pk},
    )
    theme = Code.objects.get(project=project)
    assert theme.is_theme and "NMF" in theme.memo


def test_grounding_visible_to_members_only(project, transcript, people) -> None:
    code = services.create_code(project, "Changement de décision", people["lead"])
    coding = services.add_coding(transcript, 0, 80, code, people["coder1"])
    lead = client_for(people["lead"])
    url = reverse("interviews:grounding", args=["R1"])
    lead.post(url, {"code": code.pk, "quote": coding.pk, "note": "appui"})
    assert IndicatorGrounding.objects.filter(indicator_code="R1", code=code).exists()
    quote = transcript.text[0:80]
    assert escape(quote[:40]) in client_for(people["viewer"]).get(url).content.decode()
    outsider_page = client_for(people["outsider"]).get(url).content.decode()
    assert escape(quote[:40]) not in outsider_page and "Changement de décision" not in outsider_page
    assert lead.get(reverse("interviews:grounding", args=["NOPE"])).status_code == 404
    # an outsider cannot cite a code of a project they do not belong to
    assert client_for(people["outsider"]).post(url, {"code": code.pk}).status_code == 404


def test_codings_json(project, transcript, people) -> None:
    code = services.create_code(project, "X", people["lead"])
    services.add_coding(transcript, 3, 9, code, people["coder2"])
    data = json.loads(
        client_for(people["viewer"])
        .get(reverse("interviews:codings_data", args=[project.pk, transcript.pk]))
        .content
    )
    assert data[0]["quote"] == transcript.text[3:9] and data[0]["coder_name"] == "coder2"


def test_segments_csv_neutralises_formulas() -> None:
    """Failure 5 of issue 17: coded text starting with = + - @ is written with a quote in front."""
    row = {c: "" for c in services.SEGMENT_COLUMNS} | {"code": "-A1", "text": "=1+1", "start": 3, "end": 9}
    content, _ = services.export_segments([row], "csv", "t")
    back = next(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert (back["code"], back["text"], back["start"]) == ("'-A1", "'=1+1", "3")
