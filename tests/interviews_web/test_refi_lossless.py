"""REFI-QDA through the database loses nothing it read (issue 17, item 10).

The probe found that a round trip of the ATLAS.ti sample kept 14 of its 16 codings. These tests take the
path a user takes: ``benefice qda import`` (or the web upload) into the database, ``benefice qda export``
(or the web export) back to ``.qdpx``, and import again; every selection kind (text, PDF, picture, audio,
video, and the texts nested in media) must come back with its positions, codes, coders and audit
attributes. The samples are third-party files in ``/work/shared``; without it these tests skip.
"""

from __future__ import annotations

import itertools
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from benefice.commands.qda import qda
from benefice.interviews import refi, services
from benefice.interviews.models import InterviewProject

from .conftest import client_for

SHARED = Path("/work/shared/data/refi")
SAMPLES = ["atlasti84_standard_TestProject.qdpx", "atlasti23_target-atlas-project.qdpx"]


def shared(name: str) -> Path:
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"/work/shared is absent: the REFI-QDA sample {path} is needed for this test")
    return path


def codings_in_file(path: Path) -> int:
    """``<Coding>`` elements in the archive's project, counted on the XML itself, not by our reader."""
    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if n.lower().endswith(".qde"))
        root = etree.fromstring(archive.read(name))
    return len(root.findall(".//{urn:QDA-XML:project:1.0}Coding"))


def selections_of(project: refi.Project) -> list[tuple]:
    """Every selection, nested ones included, with what must survive: kind, positions, audit, codings."""
    rows = []
    for source in project.sources:
        for part in source.walk():
            for s in part.selections:
                positions = (
                    (s.start, s.end) if s.kind == "PlainTextSelection" else tuple(sorted(s.positions.items()))
                )
                codings = tuple(
                    sorted(
                        (c.guid.upper(), c.code_guid.upper(), c.creating_user, c.creation_datetime)
                        for c in s.codings
                    )
                )
                rows.append(
                    (
                        source.guid,
                        part.kind,
                        s.guid,
                        s.kind,
                        positions,
                        tuple(sorted(s.audit.items())),
                        s.name,
                        codings,
                    )
                )
            for c in part.codings:
                rows.append(
                    (source.guid, part.kind, "whole", c.guid.upper(), c.code_guid.upper(), c.creating_user)
                )
    return sorted(rows, key=repr)


@pytest.mark.parametrize("name", SAMPLES)
def test_cli_round_trip_through_the_database_keeps_every_coding(tmp_path, people, name) -> None:
    path = shared(name)
    schema = shared("Project-mrt2019.xsd")
    original = refi.read_qdpx(path, schema=schema)
    expected = codings_in_file(path)
    assert original.counts()["codings"] == expected  # the reader misses none (16 in the ATLAS.ti 8.4 one)
    runner = CliRunner()
    result = runner.invoke(qda, ["import", str(path), "--project", "A"])
    assert result.exit_code == 0, result.output
    a = InterviewProject.objects.get(name="A")
    assert services.stored_coding_count(a) == expected
    assert f"{expected} codings" in result.output.splitlines()[1]
    first = tmp_path / "a.qdpx"
    result = runner.invoke(qda, ["export", "--project", "A", "--output", str(first)])
    assert result.exit_code == 0, result.output
    exported = refi.read_qdpx(first, schema=schema)  # valid against the REFI-QDA schema
    assert exported.counts()["codings"] == codings_in_file(first) == expected
    assert selections_of(exported) == selections_of(original)
    assert runner.invoke(qda, ["import", str(first), "--project", "B"]).exit_code == 0
    b = InterviewProject.objects.get(name="B")
    assert services.stored_coding_count(b) == expected
    second = tmp_path / "b.qdpx"
    assert runner.invoke(qda, ["export", "--project", "B", "--output", str(second)]).exit_code == 0
    assert selections_of(refi.read_qdpx(second)) == selections_of(original)


def test_media_selections_are_listed_with_their_positions(tmp_path, people) -> None:
    path = shared("atlasti84_standard_TestProject.qdpx")
    project = services.create_project("ATLAS", people["lead"])
    lead = client_for(people["lead"])
    with path.open("rb") as handle:
        response = lead.post(reverse("interviews:import_refi", args=[project.pk]), {"file": handle})
    assert response.status_code == 302
    project.refresh_from_db()
    assert services.stored_coding_count(project) == 16
    page = lead.get(
        reverse("interviews:project", args=[project.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Sources kept without their content" in page
    assert "page 0, (18, 45)–(577, 234)" in page  # a PDF selection, its page as the file numbers it
    assert "area (267, 1)–(992, 720) of the picture" in page
    assert "00:00:14.706–00:00:17.706" in page  # a video selection (milliseconds in the file)
    assert "text representation: characters 297–498" in page  # the PDF's text, coded in ATLAS.ti
    assert "characters 139–195" in page  # a text source whose text the file does not carry
    page = lead.get(
        reverse("interviews:project", args=[project.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Sources conservées sans leur contenu" in page
    assert "page 0, (18, 45)–(577, 234)" in page
    assert "zone (267, 1)–(992, 720) de l’image" in page
    assert "représentation textuelle\u00a0: caractères 297–498" in page
    response = lead.get(reverse("interviews:export_refi", args=[project.pk, "qdpx"]))
    out = tmp_path / "web.qdpx"
    out.write_bytes(response.content)
    assert codings_in_file(out) == 16
    assert selections_of(refi.read_qdpx(out)) == selections_of(refi.read_qdpx(path))


def test_merging_codes_moves_media_codings(tmp_path, people) -> None:
    path = shared("atlasti84_standard_TestProject.qdpx")
    project = services.create_project("ATLAS", people["lead"])
    services.import_refi(project, refi.read_qdpx(path), people["lead"])
    picture = next(s for s in project.other_sources if s["kind"] == "PictureSource")
    old = project.codes.get(guid=picture["selections"][0]["codings"][0]["code"])
    target = services.create_code(project, "Fusion", people["lead"])
    services.merge_codes(old, target, people["lead"])
    project.refresh_from_db()
    picture = next(s for s in project.other_sources if s["kind"] == "PictureSource")
    assert target.guid in {c["code"] for c in picture["selections"][0]["codings"]}
    out = tmp_path / "merged.qdpx"
    services.export_qdpx(project, out)
    assert codings_in_file(out) == 16  # moved, not dropped with the inactive code


# ------------------------------------------------------------------------------ any project, any kind

guids = st.uuids().map(lambda u: str(u).upper())
words = st.text(st.sampled_from("abcdé fghijklmnopqrstuvwxyz'’-"), min_size=1, max_size=12)
stamps = st.none() | st.sampled_from(["2018-03-27T19:11:47Z", "2024-01-02T03:04:05Z"])
numbers = st.integers(0, 5000).map(str)


@st.composite
def mixed_projects(draw) -> refi.Project:
    users = [refi.User(draw(guids), draw(words)) for _ in range(draw(st.integers(1, 3)))]
    user_guids = [u.guid for u in users]
    codes = [
        refi.Code(draw(guids), draw(words), color=draw(st.sampled_from(["#A0B1C2", "#FF0000"])))
        for _ in range(draw(st.integers(1, 4)))
    ]

    def audit() -> dict[str, str]:
        out = {}
        if draw(st.booleans()):
            out["creatingUser"] = draw(st.sampled_from(user_guids))
            out["creationDateTime"] = "2018-03-27T18:01:07Z"
        if draw(st.booleans()):
            out["modifyingUser"] = draw(st.sampled_from(user_guids))
            out["modifiedDateTime"] = "2019-05-06T07:08:09Z"
        return out

    def codings(n: int = 2) -> list[refi.Coding]:
        return [
            refi.Coding(
                draw(guids),
                draw(st.sampled_from(codes)).guid,
                draw(st.sampled_from(user_guids)),
                draw(stamps),
            )
            for _ in range(draw(st.integers(0, n)))
        ]

    def text_selections(text: str) -> list[refi.Selection]:
        out = []
        for _ in range(draw(st.integers(0, 3))):
            start = draw(st.integers(0, len(text)))
            end = draw(st.integers(start, len(text)))
            out.append(
                refi.Selection(
                    draw(guids), start, end, name=draw(st.none() | words), codings=codings(), audit=audit()
                )
            )
        return out

    def nested(kind: str) -> refi.QdaSource:
        text = draw(st.none() | words)
        source = refi.QdaSource(draw(guids), draw(st.none() | words), kind=kind, text=text, audit=audit())
        if kind != "Transcript":
            source.selections = text_selections(text or "")
        if text is None:
            source.paths = {"plainTextPath": "internal://missing.txt"}
        return source

    sources = []
    for kind in draw(st.lists(st.sampled_from(list(refi.SOURCE_KINDS)), min_size=1, max_size=5)):
        source = refi.QdaSource(
            draw(guids), draw(words), kind=kind, audit=audit(), description=draw(st.none() | words)
        )
        selection_kind = refi.SOURCE_KINDS[kind]
        if kind == "TextSource":
            source.text = draw(words)
            source.selections = text_selections(source.text)
        else:
            source.paths = {"path": f"internal://{draw(guids)}.bin"}
            for _ in range(draw(st.integers(0, 3))):
                names = refi.POSITION_ATTRIBUTES[selection_kind]
                selection = refi.Selection(
                    draw(guids),
                    kind=selection_kind,
                    name=draw(st.none() | words),
                    positions={n: draw(numbers) for n in names},
                    codings=codings(),
                    audit=audit(),
                )
                if kind == "PDFSource" and draw(st.booleans()):
                    selection.representation = refi.QdaSource(
                        draw(guids), kind="Representation", text=draw(words)
                    )
                source.selections.append(selection)
            if kind == "PDFSource" and draw(st.booleans()):
                source.representation = nested("Representation")
            if kind == "PictureSource" and draw(st.booleans()):
                source.representation = nested("TextDescription")
            if kind in ("AudioSource", "VideoSource"):
                for _ in range(draw(st.integers(0, 2))):
                    transcript = nested("Transcript")
                    transcript.sync_points = [
                        {"guid": draw(guids), "timeStamp": draw(numbers), "position": draw(numbers)}
                        for _ in range(draw(st.integers(1, 3)))
                    ]
                    points = [p["guid"] for p in transcript.sync_points]
                    transcript.selections = [
                        refi.Selection(
                            draw(guids),
                            kind="TranscriptSelection",
                            positions={
                                "fromSyncPoint": draw(st.sampled_from(points)),
                                "toSyncPoint": draw(st.sampled_from(points)),
                            },  # fmt: skip
                            codings=codings(),
                            audit=audit(),
                        )
                        for _ in range(draw(st.integers(0, 2)))
                    ]
                    source.transcripts.append(transcript)
        source.codings = codings(1)
        sources.append(source)
    return refi.Project(draw(words), users=users, codes=codes, sources=sources)


def comparable(project: refi.Project) -> tuple:
    """A project as a round trip must keep it: sources by GUID, whole, with every nested text."""

    def source(s: refi.QdaSource) -> tuple:
        return (
            s.guid, s.kind, s.name, s.text, s.description, tuple(sorted(s.audit.items())),
            source(s.representation) if s.representation else None,
            tuple(source(t) for t in s.transcripts), tuple(tuple(sorted(p.items())) for p in s.sync_points),
        )  # fmt: skip

    users = sorted((u.guid, u.name) for u in project.users)
    codes = sorted((c.guid, c.name, c.color) for c in project.all_codes())
    texts = sorted((part.guid, part.text) for s in project.sources for part in s.walk())
    return users, codes, sorted(source(s) for s in project.sources), texts, selections_of(project)


counter = itertools.count()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mixed_projects())
def test_any_mixed_project_survives_export_and_import_unchanged(tmp_path, people, project) -> None:
    path = tmp_path / "generated.qdpx"
    refi.write_qdpx(project, path)
    read = refi.read_qdpx(path)  # what a file from another tool gives us
    stored = services.create_project(f"generated {next(counter)}", people["lead"])
    services.import_refi(stored, read, people["lead"], pseudonymised=True)
    assert services.stored_coding_count(stored) == read.counts()["codings"]
    out = tmp_path / "exported.qdpx"
    services.export_qdpx(stored, out)
    again = refi.read_qdpx(out)
    assert again.counts()["codings"] == read.counts()["codings"]
    assert comparable(again) == comparable(read)


def test_selection_names_quoting_originals_reach_neither_coders_nor_exports(
    tmp_path, project, people
) -> None:
    """Tools name a selection by its quotation: from a text awaiting review, that is original words."""
    code = refi.Code(refi.new_guid(), "Personne")
    text = "Bonjour, je suis Nathalie Morel et je dirige le service."
    start = text.index("Nathalie Morel")
    data = refi.Project(
        "Autre outil",
        codes=[code],
        sources=[
            refi.QdaSource(
                refi.new_guid(),
                "P03",
                text=text,
                selections=[
                    refi.Selection(
                        refi.new_guid(),
                        start,
                        start + 14,
                        name="Nathalie Morel",
                        codings=[refi.Coding(refi.new_guid(), code.guid)],
                    )  # fmt: skip
                ],
            ),
            refi.QdaSource(
                refi.new_guid(),
                "scan.pdf",
                kind="PDFSource",
                selections=[
                    refi.Selection(
                        refi.new_guid(),
                        kind="PDFSelection",
                        name="Nathalie Morel, directrice",
                        positions={"page": "2", "firstX": "1", "firstY": "2", "secondX": "3", "secondY": "4"},
                        codings=[refi.Coding(refi.new_guid(), code.guid)],
                    )  # fmt: skip
                ],
            ),
        ],
    )
    services.import_refi(project, data, people["lead"])  # not flagged pseudonymised: awaits review
    transcript = project.transcripts.get(title="P03")
    assert "name" not in transcript.selections.get().refi_extra
    transcript.text = text.replace("Nathalie Morel", "[PERSONNE_1]")  # as the review leaves it
    transcript.status = transcript.PSEUDONYMISED
    transcript.save()
    transcript.selections.update(end=start + len("[PERSONNE_1]"))
    out = tmp_path / "p.qdpx"
    services.export_qdpx(project, out)
    with zipfile.ZipFile(out) as archive:
        qde = archive.read("project.qde").decode()
    assert 'name="[PERSONNE_1]"' in qde and 'name="Nathalie Morel"' not in qde
    coder = (
        client_for(people["coder1"]).get(reverse("interviews:project", args=[project.pk])).content.decode()
    )
    assert "page 2, (1, 2)–(3, 4)" in coder and "Nathalie" not in coder
    lead = client_for(people["lead"]).get(reverse("interviews:project", args=[project.pk])).content.decode()
    assert "Nathalie Morel, directrice" in lead  # leads see originals anyway
