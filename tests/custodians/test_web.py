"""Custodian pages through Django's test client: access, link decisions, records, import, reports."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from benefice.custodians.models import BenefitRecord, Custodian, Project, ProjectLink

from .conftest import client_for


@pytest.fixture
def cnam(demo_data) -> Custodian:
    return Custodian.objects.get(name__startswith="Caisse nationale")


def test_pages_need_a_role_and_viewers_cannot_change(cnam, people) -> None:
    anonymous = Client()
    response = anonymous.get(reverse("custodians:list"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    viewer = client_for(people["viewer"])
    assert viewer.get(reverse("custodians:list")).status_code == 200
    project = Project.objects.get(reference="DEMO-03")
    link = project.links.first()
    url = reverse("custodians:link_decide", args=[project.pk, link.pk])
    assert viewer.post(url, {"status": "confirmed"}).status_code == 403
    assert viewer.get(reverse("custodians:import")).status_code == 403


def test_editor_confirms_a_link_with_htmx(cnam, people) -> None:
    editor = client_for(people["editor"])
    project = Project.objects.get(reference="DEMO-04")
    link = project.links.order_by("-score").first()
    page = editor.get(reverse("custodians:project", args=[project.pk])).content.decode()
    assert link.publication.title[:40] in page and "Confirmer" in page or "Confirm" in page
    response = editor.post(
        reverse("custodians:link_decide", args=[project.pk, link.pk]),
        {"status": "confirmed"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and f'id="link-{link.pk}"' in response.content.decode()
    link.refresh_from_db()
    assert link.status == ProjectLink.CONFIRMED and link.decided_by == people["editor"]


def test_benefit_record_form_refuses_a_figure_without_source_then_saves(cnam, people) -> None:
    editor = client_for(people["editor"])
    project = Project.objects.get(reference="DEMO-05")
    url = reverse("custodians:record_new", args=[project.pk])
    data = {
        "kind": "closure", "year": "2019", "output_rows": "3", "figure_rows": "3",
        "output_type_0": "influence_on_policy", "output_description_0": "Avis de l'agence",
        "figure_indicator_0": "X1", "figure_label_0": "Femmes concernées", "figure_value_0": "1 234,5",
        "figure_source_0": "",
    }  # fmt: skip
    response = editor.post(url, data)
    assert response.status_code == 400 and "source" in response.content.decode()
    assert not BenefitRecord.objects.filter(project=project).exists()
    data["figure_source_0"] = "Rapport, p. 12"
    response = editor.post(url, data)
    record = BenefitRecord.objects.get(project=project)
    assert response.status_code == 302 and response["Location"] == reverse(
        "custodians:record", args=[record.pk]
    )
    assert record.figures.get().value == 1234.5 and not record.published
    # not published: anonymous visitors are sent to sign in; published: anyone can read it
    assert Client().get(reverse("custodians:record", args=[record.pk])).status_code == 302
    published = BenefitRecord.objects.get(project__reference="DEMO-01")
    page = Client().get(reverse("custodians:record", args=[published.pk]))
    assert page.status_code == 200 and "10.1038/s41467-022-31401-5" in page.content.decode()
    reminders = editor.get(reverse("custodians:reminders")).content.decode()
    assert "DEMO-90" in reminders and ">DEMO-05<" not in reminders


def test_import_page_reports_counts_and_rejections(db, people, tmp_path) -> None:
    editor = client_for(people["editor"])
    path = tmp_path / "liste.csv"
    path.write_text("Référence;title;Date de début\nP1;Un projet;2020\nP2;Autre;hier\n", encoding="utf-8")
    with path.open("rb") as handle:
        page = editor.post(reverse("custodians:import"), {"file": handle, "custodian": "Registre X"}, follow=True)
    text = page.content.decode()
    # the rejected row in the page's language (French here: issue 19), naming the file, its line and field
    assert page.status_code == 200 and "liste.csv" in text and "ligne 3" in text and "Date de début" in text
    assert Project.objects.get(reference="P1").custodian.name == "Registre X"
    bad = tmp_path / "bad.csv"
    bad.write_text("titre\nx\n", encoding="utf-8")
    with bad.open("rb") as handle:
        page = editor.post(reverse("custodians:import"), {"file": handle}, follow=True)
    assert "bad.csv" in page.content.decode() and "Référence" in page.content.decode()


def test_report_in_both_languages_and_pdf(cnam, people) -> None:
    viewer = client_for(people["viewer"])
    url = reverse("custodians:report", args=[cnam.slug])
    french = viewer.get(url, {"lang": "fr"}).content.decode()
    english = viewer.get(url, {"lang": "en"}).content.decode()
    assert "Analyse des écarts" in french and "Gap analysis" in english
    # a confirmed publication of a project is listed even if its title names no source
    le_vu = ProjectLink.objects.get(project__reference="DEMO-01", status=ProjectLink.CONFIRMED).publication
    # an English title on a French page carries its language (RGAA 8.7)
    assert f'href="{reverse("corpus:detail", args=[le_vu.pk])}" lang="en">{le_vu.title}</a>' in french
    # rule ids are codes: the reader is told the threshold, not the rule's id
    assert "DEMO-90" in english and "outcome_declarations" not in english and "(threshold: ≥" in english
    # every counted record opens the page that shows it
    demo90 = Project.objects.get(reference="DEMO-90")
    assert f'href="{reverse("custodians:project", args=[demo90.pk])}">DEMO-90</a>' in english
    # a case decision is named by the case's title and the decision's number, never by the case's id
    assert (
        'href="/impact/cases/mediator_benfluorex/">Mediator (benfluorex): a health-insurance cohort confirms the '
        "risk of valvular heart disease, decision 1</a>" in english
    )
    assert "mediator_benfluorex#" not in english and "Mediator (benfluorex)\u00a0: une cohorte" in french
    pdf = viewer.get(reverse("custodians:report_pdf", args=[cnam.slug]), {"lang": "en"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    csv_text = viewer.get(reverse("custodians:links_csv")).content.decode()
    assert csv_text.startswith("project_reference,publication_id,score,status") and ",confirmed" in csv_text


def test_editor_scores_links_from_the_projects_page(cnam, people) -> None:
    editor = client_for(people["editor"])
    link = ProjectLink.objects.filter(status=ProjectLink.CONFIRMED).first()
    ProjectLink.objects.filter(status=ProjectLink.CANDIDATE).delete()
    assert reverse("custodians:propose_links") in editor.get(reverse("custodians:projects")).content.decode()
    response = editor.post(reverse("custodians:propose_links"), follow=True)
    assert response.status_code == 200
    assert ProjectLink.objects.filter(status=ProjectLink.CANDIDATE).exists()
    link.refresh_from_db()
    assert link.status == ProjectLink.CONFIRMED
    assert client_for(people["viewer"]).post(reverse("custodians:propose_links")).status_code == 403
