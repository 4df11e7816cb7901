"""``benefice projects import|link``: a custodian's directory of projects and its links to publications.

``import`` reads the Health Data Hub's public directory (XLSX or CSV, columns found by name) or any
custodian's CSV list, upserts the projects by reference in one transaction and prints what it read, added,
updated and rejected (with the file, line and field of each rejection). ``link`` scores candidate links
between projects and the corpus and writes them (with people's decisions) to a CSV.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from benefice.commands.messages import counted, say, say_n
from benefice.errors import BeneficeError
from benefice.i18n import cli_language, gettext_noop


@click.group()
def projects() -> None:
    """Custodians' project directories: import them, link projects to publications."""


def _database() -> None:
    from benefice.commands.corpus import initialise

    initialise()


@projects.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--custodian",
    default="",
    help="Custodian of the rows that do not name one (a generic list from one custodian).",
)
def import_(file: Path, custodian: str) -> None:
    """Import (or re-import) a directory of projects: HDH directory XLSX/CSV or a generic CSV."""
    if not file.is_file():
        raise BeneficeError(gettext_noop("file not found"), path=str(file))
    _database()
    from benefice.custodians.services import import_projects

    report = import_projects(file, custodian=custodian)
    click.echo(
        say(
            gettext_noop(
                "%(path)s: rows read: %(read)s; new: %(new)s; updated: %(updated)s; unchanged: %(unchanged)s; "
                "rejected: %(rejected)s"
            ),
            path=file,
            read=counted(report.rows_read),
            new=counted(len(report.new)),
            updated=counted(len(report.updated)),
            unchanged=counted(len(report.unchanged)),
            rejected=counted(len(report.rejected)),
        )
    )
    lang = cli_language()
    for rejection in report.rejected:
        # where (file, line, field) said as every error says it; the reason translated when the catalogue has it
        where = BeneficeError(
            rejection.reason, path=rejection.path, line=rejection.line, field=rejection.field or None
        )
        click.echo(say(gettext_noop("rejected: %(rejection)s"), rejection=where.localized(lang)))
    for reference, labels in report.unrecognised.items():
        click.echo(
            say_n(
                "to review: %(reference)s: data-source label not recognised: %(labels)s",
                "to review: %(reference)s: data-source labels not recognised: %(labels)s",
                len(labels),
                reference=reference,
                labels="; ".join(labels),
            )
        )


@projects.command("link")
@click.option(
    "--output", "output", required=True, help="CSV: project reference, publication id, score, status."
)
@click.option("--threshold", type=float, default=None, help="Lowest score kept (default 0.25).")
@click.option("--no-refresh", is_flag=True, help="Write the stored links without scoring again.")
def link(output: str, threshold: float | None, no_refresh: bool) -> None:
    """Score candidate links between projects and publications and write them, with decisions, to CSV."""
    target = Path(output)
    if not target.parent.exists():
        raise BeneficeError(gettext_noop("output directory does not exist"), path=str(target.parent))
    _database()
    from benefice.custodians import linking, services
    from benefice.custodians.models import ProjectLink

    if not no_refresh:
        report = services.propose_links(threshold=linking.THRESHOLD if threshold is None else threshold)
        click.echo(
            say(
                gettext_noop(
                    "candidates: %(candidates)s; new: %(new)s; refreshed: %(refreshed)s; already decided: %(decided)s"
                ),
                candidates=counted(report.candidates),
                new=counted(report.new),
                refreshed=counted(report.updated),
                decided=counted(report.kept_decided),
            ),
            err=True,
        )
    links = ProjectLink.objects.select_related("project").order_by("project__reference", "-score")
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temp.write_text(services.links_csv(links), encoding="utf-8")
    temp.replace(target)
    click.echo(say_n("%(n)s link written to %(path)s", "%(n)s links written to %(path)s", links.count(), path=target))


COMMANDS = [projects]
