"""Corpus commands: init, import, dedup, export, harvest, serve, demo."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from benefice.commands.progress import progress_bar

DEMO_USER, DEMO_PASSWORD = "demo", "demo"


def _django() -> None:
    from benefice.cli import setup_django

    setup_django()


def initialise(verbosity: int = 0) -> None:
    """Create or upgrade the database schema and the role groups (idempotent)."""
    _django()
    from django.core.management import call_command

    from benefice.core.roles import ensure_groups

    call_command("migrate", interactive=False, verbosity=verbosity)
    ensure_groups()


@click.command()
@click.option("--admin", "admin_user", help="Create (or reset) an admin account with this user name.")
@click.option("--password", envvar="BENEFICE_ADMIN_PASSWORD", help="Password for --admin.")
def init(admin_user: str | None, password: str | None) -> None:
    """Create or upgrade the database in $BENEFICE_HOME (or DATABASE_URL)."""
    initialise()
    from django.conf import settings

    if admin_user:
        if not password:
            raise click.UsageError("--admin needs --password (or BENEFICE_ADMIN_PASSWORD)")
        from benefice.core.roles import ADMIN
        from benefice.core.users import ensure_user

        ensure_user(admin_user, password, ADMIN, superuser=True)
        click.echo(f"admin account: {admin_user}")
    click.echo(f"database ready: {settings.DATABASES['default']['NAME']}")


@click.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", default="auto", show_default=True,
              help="ris, bibtex, pubmed_xml, medline, openalex, wos, scopus_csv, csv, xlsx or auto.")
def import_(paths: tuple[Path, ...], fmt: str) -> None:
    """Import bibliographic files into the corpus (idempotent: re-importing adds nothing)."""
    initialise()
    from benefice.corpus.services import import_file
    from benefice.errors import BeneficeError

    failed = 0
    for path in paths:
        try:
            with progress_bar(f"import {path.name}") as update:
                batch = import_file(path, fmt, progress=update)
        except BeneficeError as exc:
            failed += 1
            click.secho(f"error: {exc}", fg="red", err=True)
            continue
        click.echo(
            f"{path}: format {batch.format}; records read: {batch.records_read}; new publications: "
            f"{batch.new_publications}; duplicates merged: {batch.duplicates_merged}; "
            f"already known: {batch.already_known}"
        )
    if failed:
        sys.exit(2)


@click.command()
def dedup() -> None:
    """Find and merge duplicate publications already in the corpus (each merge can be undone)."""
    initialise()
    from benefice.corpus.services import dedup_corpus

    with progress_bar("dedup") as update:
        merges = dedup_corpus(progress=update)
    click.echo(f"duplicates merged: {merges}")


@click.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "ris", "jsonl"]), default="csv", show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True, help="File to write ('-' for stdout).")
@click.option("--query", "-q", default="", help="Only publications matching this full-text query.")
def export(fmt: str, output: Path, query: str) -> None:
    """Export the corpus as CSV, RIS or JSON lines."""
    initialise()
    from benefice.corpus import search
    from benefice.corpus.models import Publication
    from benefice.corpus.services import export_publications

    qs = search.search(Publication.objects.order_by("pk"), query)
    if str(output) == "-":
        n = export_publications(qs.iterator(), fmt, sys.stdout)
    else:
        tmp = output.with_name(output.name + ".part")
        with open(tmp, "w", encoding="utf-8", newline="") as stream:
            n = export_publications(qs.iterator(), fmt, stream)
        os.replace(tmp, output)
    click.echo(f"exported {n} publications", err=True)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the web app (waitress)."""
    initialise()
    run_server(host, port)


def run_server(host: str, port: int) -> None:
    from django.core.management import call_command
    from waitress import serve as waitress_serve

    call_command("collectstatic", interactive=False, verbosity=0)
    from benefice.wsgi import application

    click.echo(f"benefice is served on http://{host}:{port}/  (Ctrl-C to stop)")
    waitress_serve(application, host=host, port=port, threads=8, _quiet=True)


@click.command()
@click.option("--no-serve", is_flag=True, help="Load the demo data and return without serving.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def demo(no_serve: bool, host: str, port: int) -> None:
    """Load the bundled demo data (idempotent) and serve the web app."""
    initialise()
    from benefice.demo import load_demo

    load_demo(echo=click.echo)
    click.echo(f"demo login: user {DEMO_USER!r}, password {DEMO_PASSWORD!r}")
    if not no_serve:
        run_server(host, port)


COMMANDS = [init, import_, dedup, export, serve, demo]
