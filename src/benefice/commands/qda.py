"""``benefice qda``: REFI-QDA exchange of interview projects stored in the database.

``import`` reads a ``.qdpx`` project (or a ``.qdc`` codebook) into a project, creating it when needed, and
prints what it read; ``export`` writes a project as ``.qdpx`` (pseudonymised text only, never originals).
"""

from __future__ import annotations

from pathlib import Path

import click

from benefice.errors import BeneficeError


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
        raise BeneficeError("no such file", path=str(file))
    suffix = file.suffix.lower()
    if suffix not in (".qdpx", ".qdc"):
        raise BeneficeError("expected a .qdpx project or a .qdc codebook", path=str(file))
    data = refi.read_qdpx(file, schema=schema) if suffix == ".qdpx" else refi.read_qdc(file, schema=schema)
    _django()
    from django.contrib.auth import get_user_model

    from benefice.interviews import services
    from benefice.interviews.models import InterviewProject, Membership

    user = None
    if lead_name:
        user = get_user_model().objects.filter(username=lead_name).first()
        if user is None:
            raise BeneficeError(f"no user named {lead_name!r}", field="--lead")
    project = InterviewProject.objects.filter(name=project_name).first()
    if project is None:
        project = services.create_project(project_name, user)
    elif user is not None and not Membership.objects.filter(project=project, user=user).exists():
        raise BeneficeError(f"{lead_name!r} is not a member of project {project_name!r}", field="--lead")
    if suffix == ".qdc":
        added = services.import_codebook(project, data, user)
        click.echo(
            f"codes: {len(data.codes and refi.Project(name='', codes=data.codes).all_codes())}; added: {added}"
        )
        return
    counts = services.import_refi(project, data, user, pseudonymised=pseudonymised)
    click.echo(
        f"users: {counts['users']}; codes: {counts['codes']}; sources: {counts['sources']}; "
        f"selections: {counts['selections']}; codings: {counts['codings']}"
    )
    click.echo(
        f"stored in {project.name!r}: {counts['stored_sources']} text sources, "
        f"{counts['stored_selections']} selections, {counts['stored_codings']} codings"
        + ("" if pseudonymised else " (sources await pseudonymisation review)")
    )
    for kind, number in sorted({**counts["skipped"], **counts["ignored"]}.items()):
        if "(kept" in kind:  # media and texts the file did not carry: stored whole, given back on export
            click.echo(f"kept, not displayed: {number} {kind.replace(' (kept', ' (')}")
        else:
            click.echo(f"not imported: {number} {kind}")


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
        raise BeneficeError(f"no interview project named {project_name!r}", field="--project")
    if output_path.suffix.lower() == ".qdc":
        services.export_qdc(project, output_path)
        click.echo(f"{output_path}: codebook written")
        return
    if output_path.suffix.lower() != ".qdpx":
        raise BeneficeError("the output must end in .qdpx or .qdc", path=str(output_path))
    counts = services.export_qdpx(project, output_path)
    click.echo(
        f"{output_path}: users: {counts['users']}; codes: {counts['codes']}; sources: {counts['sources']}; "
        f"selections: {counts['selections']}; codings: {counts['codings']}"
    )


COMMANDS = [qda]
