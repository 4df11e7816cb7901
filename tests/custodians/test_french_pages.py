"""The custodians' pages in French: no English sentence, no raw code (sources by their acronym or name, case
decisions by their case's title, units by their label), English titles marked with their language, tables
that scroll at 390 px (issue 19). Read from the served HTML."""

from __future__ import annotations

from django.urls import reverse
from tests.custodians.conftest import client_for
from tests.interviews_web.frcheck import text_runs
from tests.interviews_web.test_french_pages import tables_outside_scrolling_boxes

from benefice.custodians.models import Custodian, Project
from support.french import problems


def test_custodian_pages_read_in_french(demo_data, people) -> None:
    viewer = client_for(people["editor"])
    cnam = Custodian.objects.get(name__startswith="Caisse nationale")
    project = Project.objects.get(reference="DEMO-01")
    found = []
    for url in (
        reverse("custodians:list"),
        reverse("custodians:projects"),
        reverse("custodians:report", args=[cnam.slug]),
        reverse("custodians:questionnaires"),
        reverse("custodians:reminders"),
        reverse("custodians:import"),
        reverse("custodians:project", args=[project.pk]),
    ):
        response = viewer.get(url, HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 200, url
        page = response.content.decode()
        issues = problems(text_runs(page))
        if url.endswith(f"/projects/{project.pk}/"):
            # the directory's own texts (a project's purpose) are in the language the directory wrote them
            issues = [i for i in issues if i.startswith("raw code")]
        found += [f"{url}: {issue}" for issue in issues]
        assert tables_outside_scrolling_boxes(page) == 0, url
    assert not found, "\n".join(found)
    report = viewer.get(reverse("custodians:report", args=[cnam.slug])).content.decode()
    assert "Sources de données\u00a0: DCIR, PMSI, PMSI-MCO" in report
    assert "mediator_benfluorex" not in report.split("<main")[1].replace('cases/mediator_benfluorex/"', "")
