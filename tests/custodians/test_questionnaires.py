"""Questionnaires: builder, private links without an account, autosave, exports, free text to interviews."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from benefice.custodians import services
from benefice.custodians.models import Questionnaire, Response
from benefice.errors import BeneficeError
from benefice.interviews.models import Transcript

from .conftest import client_for


@pytest.fixture
def survey(people):
    q = services.create_questionnaire("Bénéfices du SNDS", people["editor"], source_id="SNDS")
    questions = {
        "choice": services.add_question(q, kind="choice", text="Publiez-vous une citation recommandée ?", choices=["oui", "non"]),
        "scale": services.add_question(q, kind="scale", text="Satisfaction", scale_min=1, scale_max=5),
        "number": services.add_question(q, kind="number", text="Projets servis en 2024", unit="projets"),
        "text": services.add_question(q, kind="text", text="Quelle décision ces données ont-elles éclairée ?"),
        "figure": services.add_question(q, kind="figure", text="Patients concernés", unit="patients"),
    }  # fmt: skip
    respondent = services.add_respondent(q, "Direction des études")
    return q, questions, respondent


def test_builder_refuses_unanswerable_questions(people) -> None:
    q = services.create_questionnaire("Q", people["editor"])
    with pytest.raises(BeneficeError, match="(two|deux) options"):
        services.add_question(q, kind="choice", text="Une seule option", choices=["oui"])
    with pytest.raises(BeneficeError):
        services.create_questionnaire("  ", people["editor"])
    editor = client_for(people["editor"])
    page = editor.post(
        reverse("custodians:questionnaire", args=[q.pk]),
        {"action": "question", "kind": "scale", "text": "x", "scale_min": "5", "scale_max": "1"},
    )
    assert page.status_code == 400 and "une échelle a besoin d&#x27;un minimum" in page.content.decode()
    assert not q.questions.exists()


def test_private_link_works_without_account_and_autosaves(survey) -> None:
    q, questions, respondent = survey
    anonymous = Client(enforce_csrf_checks=False)
    page = anonymous.get(reverse("custodians:respond", args=[respondent.token]))
    assert page.status_code == 200 and "Patients concernés" in page.content.decode()
    assert anonymous.get(reverse("custodians:respond", args=["not-a-token"])).status_code == 404
    url = reverse("custodians:respond_answer", args=[respondent.token, questions["figure"].pk])
    key = f"q{questions['figure'].pk}"
    refused = anonymous.post(url, {key: "1 200"}, HTTP_HX_REQUEST="true").content.decode()
    assert "source" in refused and not Response.objects.exists()
    saved = anonymous.post(url, {key: "1 200", f"{key}_source": "Rapport 2024, p. 3"}, HTTP_HX_REQUEST="true")
    assert "status-done" in saved.content.decode()
    response = Response.objects.get()
    assert (response.number, response.source) == (1200.0, "Rapport 2024, p. 3")
    # a question of another questionnaire cannot be answered with this token
    other = services.create_questionnaire("Autre", None)
    foreign = services.add_question(other, kind="text", text="?")
    assert (
        anonymous.post(
            reverse("custodians:respond_answer", args=[respondent.token, foreign.pk]), {}
        ).status_code
        == 404
    )
    # clearing an answer removes it
    anonymous.post(url, {key: "", f"{key}_source": ""})
    assert not Response.objects.exists()


def test_submit_without_javascript_saves_all_or_shows_errors(survey) -> None:
    q, questions, respondent = survey
    anonymous = Client()
    url = reverse("custodians:respond", args=[respondent.token])
    data = {
        f"q{questions['choice'].pk}": "oui",
        f"q{questions['scale'].pk}": "9",
        f"q{questions['number'].pk}": "42",
        f"q{questions['text'].pk}": "Le retrait d'un médicament, après l'étude de M. Dupont.",
    }
    page = anonymous.post(url, data)
    assert page.status_code == 400 and "choisissez une valeur de 1 à 5" in page.content.decode()
    assert respondent.answers.count() == 3  # the valid answers are kept
    data[f"q{questions['scale'].pk}"] = "4"
    assert anonymous.post(url, data).status_code == 302
    respondent.refresh_from_db()
    assert respondent.submitted_at is not None and respondent.answers.count() == 4


def test_exports_csv_and_xlsx_against_the_source(survey, people) -> None:
    q, questions, respondent = survey
    services.save_answer(respondent, questions["number"], "42")
    services.save_answer(respondent, questions["text"], '=HYPERLINK("x")')
    editor = client_for(people["editor"])
    body = editor.get(reverse("custodians:questionnaire_export", args=[q.pk, "csv"])).content.decode(
        "utf-8-sig"
    )
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [(r["data_source"], r["value"], r["unit"]) for r in rows] == [
        ("SNDS", "42", "projets"),
        ("SNDS", '\'=HYPERLINK("x")', ""),
    ]
    xlsx = editor.get(reverse("custodians:questionnaire_export", args=[q.pk, "xlsx"])).content
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    assert [c.value for c in sheet[1]][:3] == ["respondent", "data_source", "question"] and sheet.max_row == 3
    assert (
        client_for(people["viewer"])
        .get(reverse("custodians:questionnaire_export", args=[q.pk, "csv"]))
        .status_code
        == 403
    )


def test_free_text_answers_become_transcripts_to_code(survey, people) -> None:
    from benefice.interviews import services as interviews

    q, questions, respondent = survey
    services.save_answer(respondent, questions["text"], "Le retrait d'un médicament.")
    services.save_answer(respondent, questions["number"], "42")
    project = interviews.create_project("Réponses aux questionnaires", people["editor"])
    editor = client_for(people["editor"])
    page = editor.post(
        reverse("custodians:questionnaire", args=[q.pk]), {"action": "interviews", "project": project.pk}
    )
    assert page.status_code == 302
    transcript = Transcript.objects.get(project=project)
    assert (
        "ENQ : Quelle décision" in transcript.original_text
        and "R01 : Le retrait d'un médicament." in transcript.original_text
    )
    assert "42" not in transcript.original_text  # only free text goes to coding
    assert Questionnaire.objects.get().respondents.count() == 1
