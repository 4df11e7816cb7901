"""``benefice qda``: REFI-QDA exchange of interview projects stored in the database.

``import`` reads a ``.qdpx`` project (or a ``.qdc`` codebook) into a project, creating it when needed, and
prints what it read; ``export`` writes a project as ``.qdpx`` (pseudonymised text only, never originals).
"""

from __future__ import annotations

from pathlib import Path

import click

from benefice.commands.messages import counted, say, say_n
from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop

#: what ``services.import_refi`` counts as kept whole without being shown (its English keys), said here
WITHOUT_MEDIA = " (kept without its media)"
TEXT_WITHOUT_TEXT = "TextSource without its text in the file (kept with its selections)"


def _django() -> None:
    from benefice.cli import setup_django

    setup_django()


@click.group()
def qda() -> None:
    """Exchange interview projects with NVivo, ATLAS.ti, MAXQDA and QualCoder (REFI-QDA)."""


@qda.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--project", "project_name", required=True, help="Interview project (created if absent).")
@click.option(
    "--schema",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Validate against this REFI-QDA XSD (Project.xsd for .qdpx, Codebook.xsd for .qdc) first.",
)
@click.option(
    "--pseudonymised",
    is_flag=True,
    help="The sources are already pseudonymised; without it each waits for a lead's review before "
    "coders see it.",
)
@click.option("--lead", "lead_name", help="User name to make lead of a project created by this import.")
def import_(
    file: Path, project_name: str, schema: Path | None, pseudonymised: bool, lead_name: str | None
) -> None:
    """Import FILE (.qdpx project or .qdc codebook) into an interview project."""
    from benefice.interviews import refi

    if not file.exists():
        raise BeneficeError(gettext_noop("no such file"), path=str(file))
    suffix = file.suffix.lower()
    if suffix not in (".qdpx", ".qdc"):
        raise BeneficeError(gettext_noop("expected a .qdpx project or a .qdc codebook"), path=str(file))
    data = refi.read_qdpx(file, schema=schema) if suffix == ".qdpx" else refi.read_qdc(file, schema=schema)
    _django()
    from django.contrib.auth import get_user_model

    from benefice.interviews import services
    from benefice.interviews.models import InterviewProject, Membership

    user = None
    if lead_name:
        user = get_user_model().objects.filter(username=lead_name).first()
        if user is None:
            raise BeneficeError(gettext_noop("no user named %(name)r"), params={"name": lead_name}, field="--lead")
    project = InterviewProject.objects.filter(name=project_name).first()
    if project is None:
        project = services.create_project(project_name, user)
    elif user is not None and not Membership.objects.filter(project=project, user=user).exists():
        raise BeneficeError(
            gettext_noop("%(name)r is not a member of project %(project)r"),
            params={"name": lead_name, "project": project_name},
            field="--lead",
        )
    if suffix == ".qdc":
        added = services.import_codebook(project, data, user)
        codes = len(data.codes and refi.Project(name="", codes=data.codes).all_codes())
        click.echo(say(gettext_noop("codes: %(codes)s; added: %(added)s"), codes=codes, added=added))
        return
    counts = services.import_refi(project, data, user, pseudonymised=pseudonymised)
    click.echo(say(READ, **_counted(counts)))
    stored = (
        gettext_noop("stored in %(project)r: %(sources)s, %(selections)s, %(codings)s")
        if pseudonymised
        else gettext_noop(
            "stored in %(project)r: %(sources)s, %(selections)s, %(codings)s (sources await pseudonymisation review)"
        )
    )
    click.echo(
        say(
            stored,
            project=project.name,
            sources=say_n("%(n)s text source", "%(n)s text sources", counts["stored_sources"]),
            selections=say_n("%(n)s selection", "%(n)s selections", counts["stored_selections"]),
            codings=say_n("%(n)s coding", "%(n)s codings", counts["stored_codings"]),
        )
    )
    for kind, number in sorted({**counts["skipped"], **counts["ignored"]}.items()):
        # media and texts the file did not carry: stored whole, given back on export
        if kind.endswith(WITHOUT_MEDIA):
            line = say(
                gettext_noop("kept, not displayed: %(n)s %(kind)s (without its media)"),
                n=number,
                kind=kind.removesuffix(WITHOUT_MEDIA),
            )
        elif kind == TEXT_WITHOUT_TEXT:
            line = say(
                gettext_noop("kept, not displayed: %(n)s TextSource without its text in the file (with its selections)"),
                n=number,
            )
        elif "(kept" in kind:
            line = say(gettext_noop("kept, not displayed: %(n)s %(kind)s"), n=number, kind=kind.replace(" (kept", " ("))
        else:  # a REFI-QDA element benefice does not store (its XML name)
            line = say(gettext_noop("not imported: %(n)s %(kind)s"), n=number, kind=kind)
        click.echo(line)


@qda.command("export")
@click.option("--project", "project_name", required=True, help="Interview project to export.")
@click.option(
    "--output",
    "output_path",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="File to write: .qdpx (project) or .qdc (codebook only).",
)
def export(project_name: str, output_path: Path) -> None:
    """Export a project as REFI-QDA: pseudonymised transcripts, codes, selections, codings, coders."""
    _django()
    from benefice.interviews import services
    from benefice.interviews.models import InterviewProject

    project = InterviewProject.objects.filter(name=project_name).first()
    if project is None:
        raise BeneficeError(
            gettext_noop("no interview project named %(name)r"), params={"name": project_name}, field="--project"
        )
    if output_path.suffix.lower() == ".qdc":
        services.export_qdc(project, output_path)
        click.echo(say(gettext_noop("%(path)s: codebook written"), path=output_path))
        return
    if output_path.suffix.lower() != ".qdpx":
        raise BeneficeError(gettext_noop("the output must end in .qdpx or .qdc"), path=str(output_path))
    counts = services.export_qdpx(project, output_path)
    click.echo(say(gettext_noop("%(path)s: %(counts)s"), path=output_path, counts=say(READ, **_counted(counts))))


def _counted(counts: dict) -> dict:
    """The counts of a REFI-QDA exchange written for the user's locale (French groups thousands)."""
    return {key: counted(value) for key, value in counts.items()}


READ = gettext_noop(
    "users: %(users)s; codes: %(codes)s; sources: %(sources)s; selections: %(selections)s; codings: %(codings)s"
)

COMMANDS = [qda]
