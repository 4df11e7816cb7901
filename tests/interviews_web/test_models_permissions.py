"""Who sees what: non-members get 404, coders never see originals, exports never carry them."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse

from benefice.core.models import AuditEntry
from benefice.interviews import services
from benefice.interviews.models import Code, Coding, Participant, Transcript

from .conftest import INTERVIEW, ORIGINALS, client_for

pytestmark = pytest.mark.django_db


def project_urls(project, transcript) -> list[str]:
    return [
        reverse("interviews:project", args=[project.pk]),
        reverse("interviews:participants", args=[project.pk]),
        reverse("interviews:transcript", args=[project.pk, transcript.pk]),
        reverse("interviews:codings_data", args=[project.pk, transcript.pk]),
        reverse("interviews:codebook", args=[project.pk]),
        reverse("interviews:history", args=[project.pk]),
        reverse("interviews:agreement", args=[project.pk]),
        reverse("interviews:analysis", args=[project.pk]),
        reverse("interviews:suggestions", args=[project.pk]),
        reverse("interviews:export_refi", args=[project.pk, "qdpx"]),
        reverse("interviews:export_segments", args=[project.pk, "csv"]),
    ]


def test_non_member_gets_404_even_as_site_admin(project, transcript, people) -> None:
    outsider = client_for(people["outsider"])
    for url in project_urls(project, transcript):
        assert outsider.get(url).status_code == 404, url
    response = outsider.post(
        reverse("interviews:coding_create", args=[project.pk, transcript.pk]), {"start": 0, "end": 5}
    )
    assert response.status_code == 404
    assert project.name not in outsider.get(reverse("interviews:list")).content.decode()
    member = client_for(people["viewer"])
    for url in project_urls(project, transcript):
        assert member.get(url).status_code == 200, url


def test_anonymous_is_sent_to_sign_in(project, transcript) -> None:
    from django.test import Client

    response = Client().get(reverse("interviews:transcript", args=[project.pk, transcript.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_coder_never_sees_the_original(project, people) -> None:
    project.keep_originals = True
    project.save()
    transcript = services.import_transcript(project, "p07.txt", INTERVIEW.read_bytes(), people["lead"])
    coder = client_for(people["coder1"])
    # before review: invisible to coders, review screen is for leads only
    assert coder.get(reverse("interviews:transcript", args=[project.pk, transcript.pk])).status_code == 404
    assert coder.get(reverse("interviews:review", args=[project.pk, transcript.pk])).status_code == 403
    assert "p07" not in coder.get(reverse("interviews:project", args=[project.pk])).content.decode()
    services.apply_review(transcript, {}, people["lead"])
    transcript.refresh_from_db()
    assert "Marchetti" in transcript.original_text  # kept, as the project asks
    page = coder.get(reverse("interviews:transcript", args=[project.pk, transcript.pk])).content.decode()
    assert "[PERSONNE_" in page
    for original in ORIGINALS:
        assert original not in page
        assert original not in transcript.text


def test_originals_dropped_when_the_project_does_not_keep_them(transcript) -> None:
    assert transcript.status == Transcript.PSEUDONYMISED
    assert transcript.original_text == ""
    assert transcript.review == []
    assert "Marchetti" not in str(transcript.report)


def test_participant_for_leads_only_hides_transcript(project, transcript, people) -> None:
    participant = services.save_participant(
        project, people["lead"], {"code": "P07", "role": "statisticienne", "visibility": Participant.LEADS}
    )
    transcript.participant = participant
    transcript.save()
    url = reverse("interviews:transcript", args=[project.pk, transcript.pk])
    assert client_for(people["coder1"]).get(url).status_code == 404
    assert client_for(people["lead"]).get(url).status_code == 200
    page = (
        client_for(people["coder1"])
        .get(reverse("interviews:participants", args=[project.pk]))
        .content.decode()
    )
    assert "P07" not in page


def _code_something(project, transcript, people) -> None:
    code = services.create_code(project, "Décision publique", people["lead"])
    services.add_coding(transcript, 0, 200, code, people["coder1"], memo="début")
    services.add_coding(transcript, 100, 400, code, people["coder2"])


@pytest.mark.parametrize("kind", ["csv", "xlsx", "docx", "qdpx", "qdc"])
def test_exports_never_include_originals(project, transcript, people, kind) -> None:
    project.keep_originals = True
    project.save()
    transcript.original_text = INTERVIEW.read_text()  # even a kept original must not leak
    transcript.save()
    _code_something(project, transcript, people)
    client = client_for(people["coder1"])
    name = "interviews:export_refi" if kind in ("qdpx", "qdc") else "interviews:export_segments"
    response = client.get(reverse(name, args=[project.pk, kind]))
    assert response.status_code == 200
    content = response.content
    if kind in ("xlsx", "docx", "qdpx"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            content = b"".join(archive.read(n) for n in archive.namelist())
    text = content.decode("utf-8", errors="replace")
    for original in ORIGINALS:
        assert original not in text
    if kind != "qdc":
        assert "PERSONNE_" in text or kind in ("xlsx", "docx") and "Décision" in text


def test_every_change_is_audited(project, transcript, people) -> None:
    _code_something(project, transcript, people)
    actions = set(
        AuditEntry.objects.filter(object_type__startswith="interviews.").values_list("action", flat=True)
    )
    assert {"create", "member", "import", "pseudonymise", "code"} <= actions
    for entry in AuditEntry.objects.filter(object_type__startswith="interviews."):
        assert "Marchetti" not in str(entry.before) + str(entry.after)


def test_selection_validation_in_the_model(transcript, project, people) -> None:
    from django.core.exceptions import ValidationError

    from benefice.interviews.models import Selection

    with pytest.raises(ValidationError):
        Selection(transcript=transcript, start=10, end=10).full_clean()
    with pytest.raises(ValidationError):
        Selection(transcript=transcript, start=0, end=len(transcript.text) + 1).full_clean()
    Selection(transcript=transcript, start=0, end=len(transcript.text)).full_clean()
    assert Coding.objects.count() == 0 and Code.objects.count() == 0
