"""``benefice barometer build|verify|diff``: annual editions, frozen and checkable.

``build`` reads its inputs from a directory (``--inputs``) or, without it, from the database through
``benefice.barometer.services.build_from_database``, the service the web page's build job runs (Django is
set up first, on demand). Without ``--out`` an edition goes to ``$BENEFICE_HOME/barometer/YEAR``, where the
web app lists and serves it.
"""

from __future__ import annotations

import datetime as _dt
import json
import sys
from pathlib import Path

import click

from benefice.commands.messages import say, say_n
from benefice.errors import BeneficeError
from benefice.i18n import cli_language, gettext_noop, render


@click.group()
def barometer() -> None:
    """Annual barometer: build, verify and compare frozen editions."""


def _setup_database() -> None:
    """Django set up and the schema current, before anything that holds models is imported."""
    from benefice.commands.corpus import initialise  # noqa: PLC0415

    initialise()


def _default_out(year: int) -> Path:
    """``$BENEFICE_HOME/barometer/YEAR`` for an edition built from files (one built from the database goes
    where the service puts it: the same place, read from the settings)."""
    from benefice.paths import home  # noqa: PLC0415

    return home() / "barometer" / str(year)


@barometer.command("build")
@click.option("--year", type=int, required=True, help="Edition year (publications up to the year before).")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="New edition directory (default: $BENEFICE_HOME/barometer/YEAR, where the web app finds it).",
)
@click.option(
    "--inputs",
    "inputs_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Directory with publications.jsonl/.parquet (and optionally sources.yaml, typology.yaml, "
    "indicators.yaml, cases.yaml, params.json); default: the database.",
)
@click.option(
    "--observed-at",
    default=None,
    help="Observation date YYYY-MM-DD (default: today). Recorded in the edition; never the build time.",
)
@click.option("--span", type=int, default=None, help="Publication years covered (default 15).")
@click.option("--param", "params", multiple=True, metavar="KEY=JSON", help="Override a parameter.")
@click.option("--force-new-dir", is_flag=True, help="Allow a second edition of the same year in this parent.")
@click.option("--no-pdf", is_flag=True, help="Skip the PDF reports (recorded in the manifest).")
def build_command(year, out_dir, inputs_dir, observed_at, span, params, force_new_dir, no_pdf) -> None:
    """Compute an edition and freeze it into OUT."""
    from benefice.barometer.freeze import build, check_target  # noqa: PLC0415
    from benefice.barometer.inputs import inputs_from_directory  # noqa: PLC0415

    overrides: dict = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep:
            raise BeneficeError(
                gettext_noop("--param needs KEY=VALUE, got %(item)r"), params={"item": item}, field="param"
            )
        try:
            overrides[key] = json.loads(value)
        except json.JSONDecodeError:
            overrides[key] = value
    if span is not None:
        overrides["span"] = span
    observed = observed_at or _dt.date.today().isoformat()
    lang = cli_language()

    def step(message: str) -> None:
        """A build step in the user's locale: the steps' names are msgids of the barometer's catalogue (a
        line without a msgid is shown as written), and a message (``i18n.Message``) is said in it."""
        said = message.localized(lang) if hasattr(message, "localized") else render(message, None, lang)
        click.echo(f"… {said}", err=True)

    if inputs_dir:
        if out_dir is None:
            out_dir = _default_out(year)
        check_target(out_dir, year, force_new_dir=force_new_dir)  # refuse before reading anything
        inputs = inputs_from_directory(inputs_dir)
        out = build(
            inputs, year, out_dir, observed, overrides, force_new_dir=force_new_dir, with_pdf=not no_pdf,
            progress=step,
        )  # fmt: skip
    else:
        _setup_database()
        from benefice.barometer.services import build_from_database  # noqa: PLC0415 - models: after set-up

        edition = build_from_database(
            year, observed, with_pdf=not no_pdf, progress=step, out_dir=out_dir, overrides=overrides,
            force_new_dir=force_new_dir,
        )  # fmt: skip
        out = edition.path
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    in_perimeter = say_n(
        "%(n)s publication in the perimeter",
        "%(n)s publications in the perimeter",
        manifest["publications"]["in_perimeter"],
    )
    files = say_n("%(n)s file", "%(n)s files", len(manifest["outputs"]))
    click.echo(
        say(
            gettext_noop("edition %(year)s (observed %(observed)s) written to %(out)s: %(publications)s, %(files)s; open %(site)s"),
            year=year,
            observed=observed,
            out=out,
            publications=in_perimeter,
            files=files,
            site=out / "site" / "index.html",
        )
    )


@barometer.command("verify")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
def verify_command(directory: Path) -> None:
    """Rebuild DIRECTORY from its frozen inputs and compare byte for byte."""
    from benefice.barometer.freeze import verify  # noqa: PLC0415

    report = verify(directory)
    if report.ok:
        click.echo(
            say(
                gettext_noop("%(directory)s: OK — every file matches the manifest and an identical rebuild"),
                directory=directory,
            )
        )
        return
    for line in _verify_lines(report):
        click.secho(line, fg="red", err=True)
    sys.exit(1)


def _verify_lines(report) -> list[str]:
    """What ``verify`` found, one line per file, in the user's locale (``VerifyReport.lines``), the
    reason of a failed rebuild included, said from its parts."""
    return report.lines(cli_language())


@barometer.command("diff")
@click.argument("dir_a", type=click.Path(path_type=Path, file_okay=False))
@click.argument("dir_b", type=click.Path(path_type=Path, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the differences as JSON.")
def diff_command(dir_a: Path, dir_b: Path, as_json: bool) -> None:
    """Explain what changed from edition DIR_A to edition DIR_B."""
    from benefice.barometer.diff import diff, diff_text  # noqa: PLC0415

    result = diff(dir_a, dir_b)
    click.echo(json.dumps(result, ensure_ascii=False, indent=2) if as_json else diff_text(result, cli_language()))


@barometer.command("custodians")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--custodian", default=None, help="Only this custodian (its name or slug, case-insensitive).")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
def custodians_command(directory: Path, custodian: str | None, lang: str) -> None:
    """List the local barometers of an edition: one per data custodian, with its sources and publications.

    Each local barometer is a page of the edition's static site keeping only that custodian's sources
    (``site/LANG/custodians/SLUG/index.html``), with its charts, CSV files and iframe snippets.
    """
    from benefice.barometer.freeze import RESULTS, read_manifest  # noqa: PLC0415

    read_manifest(directory)
    results = json.loads((directory / RESULTS).read_text(encoding="utf-8"))
    rows = sorted(results["custodians"], key=lambda r: (-r["publications"], r["custodian"]))
    if custodian:
        wanted = custodian.casefold()
        rows = [r for r in rows if wanted in (r["custodian"].casefold(), r["custodian_slug"].casefold())]
        if not rows:
            known = ", ".join(r["custodian_slug"] for r in results["custodians"])
            raise BeneficeError(
                gettext_noop("no custodian %(custodian)r in this edition (known: %(known)s)"),
                params={"custodian": custodian, "known": known},
                field="custodian",
            )
    for row in rows:
        page = directory / "site" / lang / "custodians" / row["custodian_slug"] / "index.html"
        click.echo(
            f"{row['custodian_slug']}\t{row['custodian']}\t{row['sources'].replace('|', ', ')}\t"
            f"{say_n('%(n)s publication', '%(n)s publications', row['publications'])}\t{page}"
        )


COMMANDS = [barometer]
