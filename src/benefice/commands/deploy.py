"""Operations commands (issue 17): check --deploy, backup, restore."""

from __future__ import annotations

from pathlib import Path

import click

from benefice.commands.messages import say
from benefice.i18n import gettext_noop


def _django() -> None:
    from benefice.cli import setup_django

    setup_django()


@click.command()
@click.option("--deploy", is_flag=True, help="Also run Django's deployment checks (HTTPS, cookies, HSTS…).")
def check(deploy: bool) -> None:
    """Check the installation (Django's system checks); with --deploy, the production settings too.

    Exit status 1 when a check warns or fails. The environment variables of deploy/env.example make
    --deploy clean (docs/deploy.md)."""
    _django()
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    try:
        call_command("check", deploy=deploy, fail_level="WARNING")
    except SystemCheckError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(1) from None


@click.command()
@click.option("--output", required=True, type=click.Path(path_type=Path), help="The backup file to write.")
def backup(output: Path) -> None:
    """Back up the database while the server runs (SQLite online backup, or pg_dump for PostgreSQL)."""
    _django()
    from benefice.core.backup import backup as run_backup

    kind = run_backup(output)
    click.echo(say(gettext_noop("%(kind)s backup written: %(path)s"), kind=kind, path=output))


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
def restore(path: Path) -> None:
    """Replace the database by a backup made with benefice backup (stop the server first)."""
    _django()
    from benefice.core.backup import restore as run_restore

    kind = run_restore(path)
    click.echo(say(gettext_noop("%(kind)s backup restored from %(path)s"), kind=kind, path=path))


COMMANDS = [check, backup, restore]
