"""The demo interview project: installed once, pseudonymised, coded by two coders, visible to its lead."""

from __future__ import annotations

from django.urls import reverse
from tests.interviews_web.conftest import client_for

from benefice.core.roles import ADMIN
from benefice.core.users import ensure_user
from benefice.interviews import services
from benefice.interviews.demo import install_demo_project, load_demo
from benefice.interviews.models import Coding, InterviewProject, Transcript


def test_demo_project_is_installed_once_coded_and_agreement_shows(db, fast_password_hashing) -> None:
    demo = ensure_user("demo", "correct horse battery staple", ADMIN, superuser=True)
    project = install_demo_project()
    assert project.name == "demo" and project.language == "fr"
    counts = (project.transcripts.count(), project.codes.count(), Coding.objects.count())
    assert 3 <= counts[0] <= 4 and counts[1] >= 5 and counts[2] >= 12
    again = install_demo_project()
    assert again.pk == project.pk and InterviewProject.objects.filter(name="demo").count() == 1
    assert (again.transcripts.count(), again.codes.count(), Coding.objects.count()) == counts
    assert services.role_in(project, demo) == "lead"
    # pseudonymised through the ordinary pipeline: invented people masked, the objects of the research kept
    texts = "\n".join(project.transcripts.values_list("text", flat=True))
    assert all(t.status == Transcript.PSEUDONYMISED for t in project.transcripts.all())
    for person in ("Sophie Marchal", "Julien Ferrand", "Nadia Ouali", "Thierry Garnaud", "Vivre avec"):
        assert person not in texts
    assert "[PERSONNE_1]" in texts and "[ORGANISATION_1]" in texts
    for kept in ("SNDS", "PMSI", "Mediator", "ANSM", "Afssaps", "CNIL", "Health Data Hub", "Dépakine"):
        assert kept in texts, kept
    # every code of a codebook gets its own colour
    colours = list(project.codes.values_list("colour", flat=True))
    assert len(set(colours)) == len(colours)
    # a second coder coded one interview: agreement can be computed there
    coders = list(project.coders.order_by("name"))
    assert len(coders) == 2
    double = [
        t
        for t in project.transcripts.all()
        if Coding.objects.filter(selection__transcript=t).values("coder").distinct().count() == 2
    ]
    assert len(double) == 1
    result = services.agreement_for(project, coders, double)
    assert result["codes"]
    # the lead sees it in the workspace, coded
    client = client_for(demo)
    page = client.get(reverse("interviews:list")).content.decode()
    assert "demo" in page
    screen = client.get(reverse("interviews:transcript", args=[project.pk, double[0].pk])).content.decode()
    assert "Connaissance scientifique" in screen


def test_load_demo_reports_what_it_installed(db) -> None:
    lines: list[str] = []
    load_demo(lines.append)
    load_demo(lines.append)
    assert lines[0] == lines[1] and "interview project 'demo'" in lines[0]
