"""Source commands: ``benefice detect``, ``benefice sources export``, ``benefice scan``.

None of them needs the database or imports Django: they run on files, so they work on a laptop, in CI
and on cluster nodes alike. Output files are written to a temporary name and renamed when complete, so
an error never leaves a truncated result behind.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from benefice.commands.messages import as_stored, counted, say, say_n, version_words
from benefice.commands.progress import console, progress_bar
from benefice.errors import BeneficeError, localized_error
from benefice.i18n import cli_language, gettext_noop, render


def _atomic_target(output: str) -> Path:
    path = Path(output)
    if path.parent and not path.parent.exists():
        raise BeneficeError(gettext_noop("output directory does not exist"), path=str(path.parent))
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


@click.command()
@click.option(
    "--input",
    "input_path",
    required=True,
    help="JSON lines: id, title, abstract[, full_text, language]; '-' for stdin.",
)
@click.option(
    "--output", "output_path", required=True, help="JSON lines, one per input record; '-' for stdout."
)
@click.option(
    "--registry", "registry_path", type=click.Path(dir_okay=False), help="Another registry file (YAML)."
)
@click.option(
    "--skip-bad", is_flag=True, help="Write an error line for a bad input line instead of stopping."
)
def detect(input_path: str, output_path: str, registry_path: str | None, skip_bad: bool) -> None:
    """Detect the data sources each publication uses or mentions (no database needed)."""
    from benefice.sources.detect import Detector, detect_jsonl
    from benefice.sources.registry import load_registry

    detector = Detector(load_registry(registry_path))
    bad_utf8: list[int] = []
    source = sys.stdin.buffer if input_path == "-" else None
    if source is None and not Path(input_path).is_file():
        raise BeneficeError(gettext_noop("input file not found"), path=input_path)

    def run(out) -> int:
        handle = source or open(input_path, "rb")  # noqa: SIM115 - closed below
        try:
            with progress_bar(say(gettext_noop("detect"))) as update:
                counter = _Counting(handle, update)
                return detect_jsonl(
                    counter,
                    out,
                    detector=detector,
                    path=input_path,
                    skip_bad=skip_bad,
                    on_invalid_utf8=bad_utf8.append,
                )
        finally:
            if source is None:
                handle.close()

    if output_path == "-":
        count = run(sys.stdout)
    else:
        tmp = _atomic_target(output_path)
        try:
            with open(tmp, "w", encoding="utf-8", newline="\n") as out:
                count = run(out)
            os.replace(tmp, output_path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    if bad_utf8:
        shown = ", ".join(str(n) for n in bad_utf8[:10]) + (" …" if len(bad_utf8) > 10 else "")
        console.print(
            say_n(
                "warning: %(n)s line with invalid UTF-8 read with replacement characters (line %(lines)s)",
                "warning: %(n)s lines with invalid UTF-8 read with replacement characters (lines %(lines)s)",
                len(bad_utf8),
                lines=shown,
            ),
            style="yellow",
            markup=False,
        )
    console.print(
        say_n(
            "%(n)s record written to %(path)s (registry %(version)s)",
            "%(n)s records written to %(path)s (registry %(version)s)",
            count,
            path=output_path,
            version=detector.registry.version,
        ),
        markup=False,
    )


class _Counting:
    """Iterate over lines while driving the progress bar every 1000 lines."""

    def __init__(self, handle, update) -> None:
        self.handle, self.update, self.count = handle, update, 0

    def __iter__(self):
        for line in self.handle:
            self.count += 1
            if self.count % 1000 == 0:
                self.update(self.count)
            yield line
        self.update(self.count)


@click.group()
def sources() -> None:
    """The source registry."""


@sources.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "yaml", "csv"]), default="json", show_default=True
)
@click.option("--output", "output_path", required=True, help="File to write; '-' for stdout.")
@click.option(
    "--registry", "registry_path", type=click.Path(dir_okay=False), help="Another registry file (YAML)."
)
def export(fmt: str, output_path: str, registry_path: str | None) -> None:
    """Export the source registry (JSON list of sources, YAML like the shipped file, or CSV)."""
    from benefice.sources.registry import export_registry, load_registry

    registry = load_registry(registry_path)
    text = export_registry(registry, fmt)
    if output_path == "-":
        click.echo(text, nl=False)
        return
    tmp = _atomic_target(output_path)
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, output_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    console.print(
        say_n(
            "%(n)s source (registry %(version)s) written to %(path)s",
            "%(n)s sources (registry %(version)s) written to %(path)s",
            len(registry),
            version=registry.version,
            path=output_path,
        ),
        markup=False,
    )


@sources.command("train")
@click.option(
    "--gold",
    "gold_paths",
    multiple=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Gold file(s) in the development gold format (JSON lines); repeatable.",
)
@click.option("--no-corrections", is_flag=True, help="Do not read people's corrections from the database.")
@click.option(
    "--output",
    "output_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the model (default: the data directory, where detection looks first).",
)
def train(gold_paths: tuple[Path, ...], no_corrections: bool, output_path: Path | None) -> None:
    """Retrain the learned stage of detection on gold files and people's corrections (cross-validated)."""
    from benefice.sources.learn import retrained_model_path
    from benefice.sources.training import train as fit_model

    corrections: list = []
    if not no_corrections:
        from benefice.commands.corpus import initialise

        initialise()
        from benefice.sources.services import correction_examples

        corrections = list(correction_examples())
    if not gold_paths and not corrections:
        raise click.UsageError(say(gettext_noop("nothing to learn from: give --gold FILE or make corrections first")))
    model, report = fit_model(gold_paths, corrections)
    target = output_path or retrained_model_path()
    model.save(target)
    if "cv_log_loss" in report:
        cv = say(
            gettext_noop("cross-validated log-loss %(loss)s, accuracy %(accuracy)s"),
            loss=as_stored(report["cv_log_loss"]),
            accuracy=as_stored(report["cv_accuracy"]),
        )
    else:
        cv = say(gettext_noop("too few records to cross-validate"))
    console.print(
        say(
            gettext_noop("model %(version)s: %(examples)s (%(corrections)s from corrections); %(cv)s; written to %(path)s"),
            version=model.version,
            examples=say_n("%(n)s example", "%(n)s examples", report["examples"]),
            corrections=counted(report["corrections"]),
            cv=cv,
            path=target,
        ),
        markup=False,
    )
    added = report.get("added_sources") or []
    if added:
        console.print(
            say_n(
                "%(n)s added source not learnable by the candidate model (the rules propose nothing there, so "
                "there is no candidate to score): it shows which descriptions the grammar lacks",
                "%(n)s added sources not learnable by the candidate model (the rules propose nothing there, so "
                "there is no candidate to score): they show which descriptions the grammar lacks",
                len(added),
            ),
            markup=False,
        )
        for item in added:
            words = "; ".join(f'"{w}"' for w in item["words"]) or say(gettext_noop("(no words selected)"))
            console.print(
                "  "
                + say(
                    gettext_noop("publication %(record)s: %(source)s (%(verdict)s): %(words)s"),
                    record=item["record"],
                    source=item["source"],
                    verdict=_verdict(item["verdict"]),
                    words=words,
                ),
                markup=False,
            )


#: a person's verdict on a source, by the words the web's corrections use (``sources.models`` choices)
VERDICTS = {"used": ("", "used"), "mentioned": ("", "mentioned only"), "rejected": ("verdict on a data source", "rejected")}


def _verdict(code: str) -> str:
    """A verdict's label in the user's locale, never its code (an unknown code is shown as stored)."""
    context, word = VERDICTS.get(code, ("", code))
    return render(word, None, cli_language(), context=context)


@click.command()
@click.option(
    "--input",
    "input_dir",
    type=click.Path(file_okay=False),
    help="Directory of *.gz partitions (OpenAlex snapshot style); without it, the database is scanned.",
)
@click.option(
    "--output",
    "output_dir",
    type=click.Path(file_okay=False),
    help="Directory for one Parquet file per partition (with --input).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Database scan: detect again (and classify again) publications already scanned with this registry.",
)
@click.option("--scheduler", help="Dask scheduler address (tcp://HOST:PORT); default: a local cluster.")
@click.option("--workers", type=click.IntRange(min=1), help="Local workers (default: all cores).")
@click.option(
    "--registry", "registry_path", type=click.Path(dir_okay=False), help="Another registry file (YAML)."
)
def scan(
    input_dir: str | None,
    output_dir: str | None,
    force: bool,
    scheduler: str | None,
    workers: int | None,
    registry_path: str | None,
) -> None:
    """Detect sources over the database, or over a directory of partitions (--input, --output); resumable.

    Database: publications already scanned with the current registry are skipped (--force to redo them), and
    an interrupted scan resumes where it stopped. Kinds of use are classified with the sources; publications
    whose kinds of use an older classifier version set (rules or model changed) are reclassified without
    detecting again; people's choices are kept. Partitions: each is written once, whole, and skipped later.
    """
    if input_dir is None and output_dir is None:
        if scheduler or workers or registry_path:
            raise click.UsageError(
                say(gettext_noop("--scheduler, --workers and --registry apply to a partition scan (--input)"))
            )
        _scan_database(force)
        return
    if input_dir is None or output_dir is None:
        raise click.UsageError(say(gettext_noop("a partition scan needs both --input and --output")))
    from benefice.sources.scan import run_scan

    with progress_bar(say(gettext_noop("scan partitions"))) as update:
        report = run_scan(
            input_dir,
            output_dir,
            scheduler=scheduler,
            workers=workers,
            registry_path=registry_path,
            progress=update,
        )
    console.print(
        say(
            gettext_noop("%(done)s (%(works)s), %(skipped)s already done, %(failed)s failed"),
            done=say_n("%(n)s partition scanned", "%(n)s partitions scanned", len(report.done)),
            works=say_n("%(n)s work", "%(n)s works", report.works),
            skipped=counted(len(report.skipped)),
            failed=counted(len(report.failed)),
        ),
        markup=False,
    )
    for failure in report.failed:
        reason = localized_error(failure.get("error_data") or failure["error"], cli_language(), name_only=False)
        console.print(say(gettext_noop("failed: %(reason)s"), reason=reason), style="red", markup=False)
    if report.failed:
        raise BeneficeError(
            gettext_noop("partitions failed: %(n)s; run the same command again to retry them"),
            params={"n": len(report.failed)},
        )


def _scan_database(force: bool) -> None:
    from benefice.commands.corpus import initialise

    initialise()  # the schema must exist (and be current) before anything is read
    from benefice.sources.services import scan_database, sync_registry

    sync_registry()
    with progress_bar(say(gettext_noop("scan publications"))) as update:
        report = scan_database(force=force, progress=update)
    console.print(
        say(
            gettext_noop("%(scanned)s, %(named)s, %(skipped)s already scanned with this registry"),
            scanned=say_n("%(n)s publication scanned", "%(n)s publications scanned", report.scanned),
            named=say_n("%(n)s names a data source", "%(n)s name a data source", report.with_sources),
            skipped=counted(report.skipped),
        ),
        markup=False,
    )
    from benefice.uses.services import removed_categories

    console.print(
        say(
            gettext_noop("kinds of use: %(classified)s (%(version)s), %(used)s"),
            classified=say_n("%(n)s publication classified", "%(n)s publications classified", report.classified),
            version=version_words(report.uses_version),
            used=say_n("%(n)s has a kind of use", "%(n)s have a kind of use", report.with_uses),
        ),
        markup=False,
    )
    for category, count in removed_categories().items():
        console.print(
            say_n(
                "kinds of use: category %(category)r was removed from the typology but is still stored (%(n)s "
                "publication holds it; nothing was deleted: correct it, or restore the category)",
                "kinds of use: category %(category)r was removed from the typology but is still stored (%(n)s "
                "publications hold it; nothing was deleted: correct them, or restore the category)",
                count,
                category=category,
            ),
            style="yellow",
            markup=False,
        )


COMMANDS = [detect, sources, scan]
