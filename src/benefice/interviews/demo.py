"""The demo interview project: four invented interviews, pseudonymised and coded, so that the qualitative
workspace of the demo shows what it does (coding screen, codebook, agreement, analysis) instead of opening
empty.

The texts, people and coders come from ``data/interview_demo.yaml`` (written by us, see its header). The
interviews go through the ordinary pipeline: detection with the project's list of names and the keep-list
(no statistical NER, so the demo is the same on every machine), a review accepting every proposal, then
the codings, each located by its quote in the pseudonymised text. Installing again finds the project by its
name and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from benefice.curated import read_yaml
from benefice.errors import BeneficeError
from benefice.i18n import pick
from benefice.interviews import services
from benefice.interviews.models import (
    Code,
    Coder,
    Coding,
    InterviewProject,
    Membership,
    Selection,
    Transcript,
)
from benefice.interviews.transcripts import parse_text
from benefice.paths import package_data

DEMO_FILE = "interview_demo.yaml"
DEMO_NAME = "demo"


def _read(path) -> dict[str, Any]:
    data = read_yaml(path)
    for key in ("project", "coders", "codebook", "participants", "transcripts", "codings"):
        if key not in data:
            raise BeneficeError(f"missing top-level key {key!r}", path=str(path))
    return data


def _locate(text: str, quote: str, where: str, path: str) -> tuple[int, int]:
    start = text.find(quote)
    if start < 0:
        raise BeneficeError(f"{where}: quote not found in the pseudonymised text: {quote[:60]!r}", path=path)
    if text.find(quote, start + 1) >= 0:
        raise BeneficeError(f"{where}: quote found more than once: {quote[:60]!r}", path=path)
    return start, start + len(quote)


@transaction.atomic
def install_demo_project(lead=None, path=None) -> InterviewProject:
    """The interview project named ``demo``, created the first time and returned as it is afterwards.

    ``lead`` (a user; default: the demo user ``demo`` when it exists) becomes its lead, so that it appears
    in their workspace: interview projects are seen by their members only. ``path`` is the data file
    (default: the shipped ``interview_demo.yaml``)."""
    if lead is None:
        lead = get_user_model().objects.filter(username="demo").first()
    existing = InterviewProject.objects.filter(name=DEMO_NAME).first()
    if existing is not None:
        if lead is not None and not existing.memberships.filter(user=lead).exists():
            services.set_member(existing, lead, Membership.LEAD, None)
        return existing
    path = path or package_data(DEMO_FILE)
    data = _read(path)
    spec = data["project"]
    lang = spec.get("language", "fr")
    project = services.create_project(
        DEMO_NAME,
        None,
        description=pick(spec["description"]["fr"], spec["description"]["en"], lang),
        language=lang,
    )
    if lead is not None:
        Membership.objects.create(project=project, user=lead, role=Membership.LEAD)
    services.update_project(project, lead, names_list=spec.get("names_list", "").strip())

    codes: dict[str, Code] = {}
    for item in data["codebook"]:  # parents come before their children in the file
        parent = codes.get(item["parent"]) if item.get("parent") else None
        if item.get("parent") and parent is None:
            raise BeneficeError(f"code {item['key']!r}: unknown parent {item['parent']!r}", path=str(path))
        codes[item["key"]] = services.create_code(
            project,
            item["name"],
            lead,
            parent=parent,
            description=item.get("description", ""),
            colour=item.get("colour", ""),
            is_theme=bool(item.get("theme")),
        )
    coders = {
        item["key"]: Coder.objects.create(project=project, name=item["name"]) for item in data["coders"]
    }
    participants = {
        item["code"]: services.save_participant(
            project, lead, {**item, "legal_basis": "Démonstration : entretien fictif"}
        )
        for item in data["participants"]
    }
    transcripts: list[Transcript] = []
    for item in data["transcripts"]:
        parsed = parse_text(item["text"])
        transcript = Transcript.objects.create(
            project=project,
            participant=participants.get(item.get("participant", "")),
            title=item["title"],
            file_name=f"{item.get('participant', 'demo')}.txt",
            format="txt",
            original_text=parsed.text,
            turns=[
                {
                    "speaker": t.speaker,
                    "start_seconds": t.start_seconds,
                    "end_seconds": t.end_seconds,
                    "start": t.start_offset,
                    "end": t.end_offset,
                }
                for t in parsed.turns
            ],  # fmt: skip
        )
        services.propose_entities(transcript, use_ner=False)
        services.apply_review(transcript, {}, lead)
        transcript.refresh_from_db()
        transcripts.append(transcript)
    for number, item in enumerate(data["codings"], 1):
        where = f"coding {number}"
        try:
            transcript = transcripts[int(item["transcript"]) - 1]
            code, coder = codes[item["code"]], coders[item["coder"]]
        except (IndexError, KeyError, ValueError) as exc:
            raise BeneficeError(
                f"{where}: unknown transcript, code or coder ({exc})", path=str(path)
            ) from None
        start, end = _locate(transcript.text, item["quote"], where, str(path))
        selection, _ = Selection.objects.get_or_create(
            transcript=transcript, start=start, end=end, defaults={"created_by": coder}
        )
        Coding.objects.get_or_create(selection=selection, code=code, coder=coder)
    return project


def load_demo(echo: Callable[[str], None] = print) -> None:
    """The demo part of the interviews app (``benefice.demo.APP_DEMOS``)."""
    project = install_demo_project()
    echo(
        f"interview project {project.name!r}: {project.transcripts.count()} interviews, "
        f"{project.codes.count()} codes, {Coding.objects.filter(code__project=project).count()} codings"
    )
