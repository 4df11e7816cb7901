"""The ``benefice`` command: thin, parses arguments, calls services, shows progress.

Each capability keeps its commands in ``benefice.commands.<name>``; they are attached here so
``benefice --help`` lists them all. Errors caused by input become one clear line and exit status 2.
"""

from __future__ import annotations

import gettext
import importlib
import inspect
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from benefice import __version__
from benefice.errors import BeneficeError, cli_message
from benefice.i18n import PACKAGE_DIR, cli_language, gettext_noop, render

UNPREPARED = gettext_noop("error: the database is not prepared (%(reason)s); run `benefice init` first")

COMMAND_MODULES = [
    "benefice.commands.corpus",  # init, import, dedup, export, serve, demo, harvest
    "benefice.commands.dedup_file",  # dedup-file
    "benefice.commands.sources",  # detect, sources, scan
    "benefice.commands.review",  # review simulate
    "benefice.commands.interviews",  # pseudonymise, agreement
    "benefice.commands.qda",  # qda import/export
    "benefice.commands.uses",  # classify
    "benefice.commands.impact",  # rank, values
    "benefice.commands.barometer",  # barometer build/verify/diff
    "benefice.commands.projects",  # projects import/link (custodians)
    "benefice.commands.deploy",  # check --deploy, backup, restore (issue 17)
    "benefice.commands.search",  # search-index (issue 17)
]


class BeneficeGroup(click.Group):
    def main(self, *args, **kwargs):  # noqa: D401 - click API
        """Run ``benefice``, its help and click's own words (Usage, Options, Error…) in the user's locale."""
        with help_in(cli_language(), self):
            return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context):  # noqa: D401 - click API
        try:
            return super().invoke(ctx)
        except BeneficeError as exc:
            click.secho(cli_message(exc), fg="red", err=True)  # in the user's locale (issue 19)
            sys.exit(2)
        except Exception as exc:
            if not _unprepared_database(exc):
                raise
            # in the user's locale (issue 19); the database's own words stay as it wrote them
            click.secho(render(UNPREPARED, {"reason": str(exc)}, cli_language()), fg="red", err=True)
            sys.exit(2)


def _unprepared_database(exc: Exception) -> bool:
    """True for the database errors of a fresh data directory (no tables yet), which `benefice init` fixes
    (issue 17: a first `benefice qda import` printed a raw traceback)."""
    if type(exc).__name__ not in ("OperationalError", "ProgrammingError"):
        return False
    text = str(exc).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


HELP_OPTIONS = {"help_option_names": ["-h", "--help"]}


@contextmanager
def help_in(lang: str, command: click.Command) -> Iterator[None]:
    """The help of ``command`` and of its subcommands, and click's own words, in ``lang`` while it runs.

    The help texts are English msgids of the main catalogue (a command's docstring as click cleans it, an
    option's ``help``), translated when the command runs and put back afterwards: the command objects keep
    their English, so ``docs/cli.md`` (``benefice.docgen``, which reads them without running ``benefice``)
    is the same whatever the locale of whoever generates it, and a process that runs ``benefice`` in French
    and then in English (the tests) shows each in its language. Click translates its own words ("Usage:",
    "Show this message and exit.") with the standard library's gettext in its current domain: for the
    duration of the command that domain is the project's main catalogue, in the locale gettext reads from
    the same variables as :func:`benefice.i18n.cli_language`."""
    if lang == "en":
        yield
        return
    saved: list[tuple[object, str, str]] = []

    def translate(target: object, attribute: str) -> None:
        text = getattr(target, attribute, None)
        if isinstance(text, str) and text:
            saved.append((target, attribute, text))
            # the msgid is the text as click shows it: a docstring without its indentation
            setattr(target, attribute, render(inspect.cleandoc(text), None, lang))

    commands: list[click.Command] = []

    def walk(cmd: click.Command) -> None:
        commands.append(cmd)
        cmd._help_option = None  # click builds (and caches) the -h option with its words translated then
        for attribute in ("help", "short_help", "epilog"):
            translate(cmd, attribute)
        for param in cmd.params:
            translate(param, "help")
        for child in getattr(cmd, "commands", {}).values():
            walk(child)

    walk(command)
    domain = gettext.textdomain()
    gettext.bindtextdomain(CLICK_DOMAIN, str(PACKAGE_DIR / "locale"))
    gettext.textdomain(CLICK_DOMAIN)
    try:
        yield
    finally:
        gettext.textdomain(domain)
        for target, attribute, text in reversed(saved):
            setattr(target, attribute, text)
        for cmd in commands:
            cmd._help_option = None  # built again, in English, when next asked for


#: the catalogue click's words are read from while a command runs: the main one (``locale/fr/LC_MESSAGES``)
CLICK_DOMAIN = "django"


def _same_help_options(command: click.Command) -> None:
    """Every command answers -h as well as --help, however it is invoked: click caches a command's help
    option the first time it is asked for, so a subcommand called on its own (the tests' CliRunner) must
    carry the setting itself, not only inherit it from ``benefice``. A command module imported and run
    before this module (a test importing ``benefice.commands.barometer``) has cached ``--help`` alone:
    the cache is dropped so that the next call builds the option with both names."""
    command.context_settings = {**HELP_OPTIONS, **command.context_settings}
    command._help_option = None  # click's cache of the help option (Command.get_help_option)
    for child in getattr(command, "commands", {}).values():
        _same_help_options(child)


@click.group(cls=BeneficeGroup, context_settings=HELP_OPTIONS)
@click.version_option(__version__, prog_name="benefice")
def main() -> None:
    """benefice — document and measure the benefits of reusing health data."""


def setup_django() -> None:
    """Configure Django for commands that touch the database (pure commands never call this)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benefice.settings")
    if not os.environ.get("BENEFICE_SECRET_KEY"):
        from benefice.paths import ensure_secret_key

        ensure_secret_key()  # before the settings are read, which only read it
    import django

    django.setup()
    from benefice.corpus.jobs import mark_stale_batches

    mark_stale_batches()  # batches left "running" by a killed process are marked interrupted (issue 17)


for _name in COMMAND_MODULES:  # every module is part of the package: a failing import fails loudly
    _module = importlib.import_module(_name)
    for _command in getattr(_module, "COMMANDS", []):
        _same_help_options(_command)
        main.add_command(_command)


if __name__ == "__main__":  # pragma: no cover
    main()
