"""REFI-QDA: exports validate against the schema, the ATLAS.ti test project imports, round trips lose nothing."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.urls import reverse
from lxml import etree

from benefice.commands.qda import qda
from benefice.interviews import refi, services
from benefice.interviews.models import Coding, InterviewProject, Selection, Transcript

from .conftest import client_for

pytestmark = pytest.mark.django_db
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "refi"


def shared(name: str) -> Path:
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"../shared absent: {path} not found")
    return path


def validate_qdpx(content: bytes) -> None:
    schema = etree.XMLSchema(etree.parse(str(shared("Project-mrt2019.xsd"))))
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        root = etree.fromstring(archive.read("project.qde"))
    assert schema.validate(root), schema.error_log


def test_web_qdpx_export_validates(project, transcript, people) -> None:
    code = services.create_code(project, "Décision", people["lead"], memo="Ce qui change une décision")
    child = services.create_code(project, "Réévaluation", people["lead"], parent=code)
    services.add_coding(transcript, 0, 120, code, people["coder1"], memo="clair")
    services.add_coding(transcript, 60, 200, child, people["coder2"])
    response = client_for(people["coder1"]).get(reverse("interviews:export_refi", args=[project.pk, "qdpx"]))
    assert response.status_code == 200
    validate_qdpx(response.content)
    data = refi.parse_project(zipfile.ZipFile(io.BytesIO(response.content)).read("project.qde"))
    assert data.counts()["codings"] == 2 and [c.name for c in data.all_codes()] == [
        "Décision",
        "Réévaluation",
    ]
    qdc = client_for(people["coder1"]).get(reverse("interviews:export_refi", args=[project.pk, "qdc"]))
    # the shared Codebook.xsd lacks spaces between two attribute pairs; repaired in memory, as in tests/interviews
    data = re.sub(rb'"(?=[A-Za-z]+=")', b'" ', shared("Codebook.xsd").read_bytes())
    schema = etree.XMLSchema(etree.fromstring(data))
    assert schema.validate(etree.fromstring(qdc.content)), schema.error_log


def test_cli_imports_the_atlas_project_and_prints_counts(people) -> None:
    path = shared("atlasti84_standard_TestProject.qdpx")
    expected = refi.read_qdpx(path).counts()
    result = CliRunner().invoke(qda, ["import", str(path), "--project", "ATLAS test", "--lead", "lead"])
    assert result.exit_code == 0, result.output
    assert (
        f"users: {expected['users']}; codes: {expected['codes']}; sources: {expected['sources']}; "
        f"selections: {expected['selections']}; codings: {expected['codings']}"
    ) in result.output
    project = InterviewProject.objects.get(name="ATLAS test")
    assert project.codes.count() == expected["codes"]
    assert project.coders.filter(name="Friedrich Markgraf").exists()
    # sources whose text the file does not carry stay invisible to coders
    assert not services.visible_transcripts(project, "coder").exists()
    assert "not imported" in result.output or "kept" in result.output


def test_cli_refuses_bad_input(tmp_path, people) -> None:
    bad = tmp_path / "evil.qdpx"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("../../etc/passwd", "x")
        archive.writestr("project.qde", "<Project/>")
    result = CliRunner().invoke(qda, ["import", str(bad), "--project", "Evil"])
    assert result.exit_code != 0 and not InterviewProject.objects.filter(name="Evil").exists()
    assert isinstance(result.exception, Exception)
    result = CliRunner().invoke(qda, ["export", "--project", "nobody", "--output", str(tmp_path / "x.qdpx")])
    assert result.exit_code != 0


def snapshot(project: InterviewProject) -> dict:
    """What must survive a round trip, keyed by GUID so names may repeat."""

    def code_path(code) -> str:
        return code.name if code.parent is None else f"{code_path(code.parent)}/{code.name}"

    return {
        "codes": sorted((c.guid, code_path(c), c.colour, c.description, c.memo) for c in project.codes.all()),
        "sources": sorted((t.guid, t.title, t.text, t.status) for t in project.transcripts.all()),
        "selections": sorted(
            (s.guid, s.transcript.guid, s.start, s.end, s.memo)
            for s in Selection.objects.filter(transcript__project=project)
        ),
        "codings": sorted(
            (c.guid, c.selection.guid, c.code.guid, c.coder.guid, c.coder.name, c.memo)
            for c in Coding.objects.filter(code__project=project)
        ),
        "media": sorted((s["guid"], s["kind"], len(s["selections"])) for s in project.other_sources),
    }


def test_import_export_import_round_trip(tmp_path, people) -> None:
    path = shared("atlasti84_standard_TestProject.qdpx")
    runner = CliRunner()
    assert runner.invoke(qda, ["import", str(path), "--project", "A", "--pseudonymised"]).exit_code == 0
    first = tmp_path / "a.qdpx"
    result = runner.invoke(qda, ["export", "--project", "A", "--output", str(first)])
    assert result.exit_code == 0, result.output
    validate_qdpx(first.read_bytes())
    assert refi.read_qdpx(first).counts() == {
        **refi.read_qdpx(path).counts(),
        "sets": 0,
        "notes": refi.read_qdpx(first).counts()["notes"],
    }
    assert runner.invoke(qda, ["import", str(first), "--project", "B", "--pseudonymised"]).exit_code == 0
    a, b = InterviewProject.objects.get(name="A"), InterviewProject.objects.get(name="B")
    assert snapshot(a) == snapshot(b)
    assert snapshot(a)["codings"]  # the comparison is not between two empty projects


def test_round_trip_of_our_own_project(tmp_path, project, transcript, people) -> None:
    code = services.create_code(project, "Décision", people["lead"], memo="mémo du code", colour="#336699")
    child = services.create_code(project, "Réévaluation", people["lead"], parent=code)
    services.add_coding(transcript, 0, 120, code, people["coder1"], memo="mémo de codage")
    services.add_coding(transcript, 60, 200, child, people["coder2"])
    out = tmp_path / "ours.qdpx"
    services.export_qdpx(project, out)
    copy = services.create_project("Copie", people["lead"])
    services.import_refi(
        copy, refi.read_qdpx(out, schema=shared("Project-mrt2019.xsd")), people["lead"], pseudonymised=True
    )
    assert snapshot(copy) == snapshot(project)


def test_web_import_without_pseudonymised_flag_waits_for_review(
    tmp_path, project, transcript, people
) -> None:
    services.add_coding(
        transcript, 10, 40, services.create_code(project, "C", people["lead"]), people["coder1"]
    )
    out = tmp_path / "p.qdpx"
    services.export_qdpx(project, out)
    other = services.create_project("Autre", people["lead"])
    lead = client_for(people["lead"])
    with out.open("rb") as handle:
        response = lead.post(reverse("interviews:import_refi", args=[other.pk]), {"file": handle})
    assert response.status_code == 302
    imported = other.transcripts.get()
    assert imported.status == Transcript.IMPORTED and imported.text == ""
    coder_view = services.visible_transcripts(other, "coder")
    assert not coder_view.exists()
    bomb = tmp_path / "bomb.qdc"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><CodeBook>&lol;</CodeBook>')
    with bomb.open("rb") as handle:
        page = lead.post(
            reverse("interviews:import_refi", args=[other.pk]), {"file": handle}, follow=True
        ).content.decode()
    assert "DOCTYPE" in page
