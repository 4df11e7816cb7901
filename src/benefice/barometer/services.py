"""Editions in the web app: where they live, registering them, reading them, building one in the background.

Editions are directories under ``$BENEFICE_HOME/barometer/`` (the CLI's default target) or anywhere else
when registered explicitly. The database row is only an index: the directory is the truth, so every page
checks that the manifest still has the hash it had when registered, and says so when it does not.

Building from the web page is a job of kind ``barometer`` in the task queue (:mod:`benefice.core.jobs`, the
same mechanism as imports): a worker builds the edition and writes each step to the job's progress file,
which the progress page polls.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.utils import timezone

from benefice.barometer.charts import NATIONAL_CHARTS, Chart, Context
from benefice.barometer.compute import check_edition_year, window_for
from benefice.barometer.freeze import MANIFEST, RESULTS, build, check_target, existing_editions, read_manifest
from benefice.barometer.inputs import TYPOLOGY_FILE, EditionInputs, inputs_from_bytes
from benefice.barometer.models import Edition
from benefice.barometer.site import code_names as site_code_names
from benefice.barometer.texts import french_spaces
from benefice.core import jobs
from benefice.errors import BeneficeError
from benefice.i18n import pick
from benefice.uses.typology import Typology, parse_typology

log = logging.getLogger(__name__)

OK, MISSING, CHANGED = "ok", "missing", "changed"
#: Only these parts of an edition are served to browsers (inputs/ too: they are what a reader re-computes from).
SERVED = ("site/", "report/", "data/", "inputs/", MANIFEST, RESULTS)


def editions_root() -> Path:
    return Path(settings.HOME) / "barometer"


def _manifest_hash(directory: Path) -> str:
    return hashlib.sha256((directory / MANIFEST).read_bytes()).hexdigest()


def register_edition(directory: str | Path, user=None) -> Edition:
    """Record (or refresh) an edition directory; a BeneficeError when it is not an edition."""
    directory = Path(directory).resolve()
    manifest = read_manifest(directory)
    edition = manifest["edition"]
    built = _dt.datetime.fromtimestamp((directory / MANIFEST).stat().st_mtime, tz=_dt.UTC)
    row, _created = Edition.objects.update_or_create(
        directory=str(directory),
        defaults={
            "year": int(edition["year"]),
            "observed_at": str(edition["observed_at"]),
            "built_at": built,
            "code_version": str(manifest.get("code_version", ""))[:120],
            "content_hash": _manifest_hash(directory),
            "publications": int(manifest.get("publications", {}).get("in_perimeter", 0)),
            "with_pdf": bool(manifest.get("with_pdf", True)),
        },
    )
    if user is not None and row.built_by_id is None:
        row.built_by = user
        row.save(update_fields=["built_by"])
    return row


def discover_editions() -> list[Edition]:
    """Register every edition directory under :func:`editions_root` not yet known; return all editions."""
    root = editions_root()
    known = set(Edition.objects.values_list("directory", flat=True))
    if root.is_dir():
        for child in sorted(root.iterdir()):
            if child.name.startswith(".") or not (child / MANIFEST).is_file():
                continue  # a build in progress writes into a hidden staging directory
            if str(child.resolve()) in known:
                continue
            try:
                register_edition(child)
            except BeneficeError as exc:
                log.warning("not an edition: %s", exc)
    return list(Edition.objects.all())


def status(edition: Edition) -> str:
    """``ok``, ``missing`` (directory gone) or ``changed`` (manifest differs from the registered one)."""
    path = edition.path / MANIFEST
    if not path.is_file():
        return MISSING
    return OK if _manifest_hash(edition.path) == edition.content_hash else CHANGED


def require_ok(edition: Edition) -> None:
    state = status(edition)
    if state == MISSING:
        raise BeneficeError("this edition's directory is gone", path=edition.directory)
    if state == CHANGED:
        raise BeneficeError(
            "this edition's manifest changed since it was registered: run `benefice barometer verify` on it",
            path=edition.directory,
        )


@functools.lru_cache(maxsize=8)
def _results(directory: str, content_hash: str) -> dict[str, Any]:
    return json.loads((Path(directory) / RESULTS).read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=4)
def _inputs(directory: str, content_hash: str) -> EditionInputs:
    manifest = read_manifest(directory)
    folder = Path(directory) / "inputs"
    files = {name: (folder / name).read_bytes() for name in manifest["inputs"] if (folder / name).is_file()}
    return inputs_from_bytes(files, str(folder))


def results(edition: Edition) -> dict[str, Any]:
    """The edition's figures (results.json), read once per content hash."""
    require_ok(edition)
    return _results(edition.directory, edition.content_hash)


def inputs(edition: Edition) -> EditionInputs:
    """The edition's frozen inputs, parsed once per content hash (the drill-down reads publications here)."""
    require_ok(edition)
    return _inputs(edition.directory, edition.content_hash)


@functools.lru_cache(maxsize=8)
def _charts(directory: str, content_hash: str, lang: str) -> tuple[Chart, ...]:
    return tuple(charts_for(_results(directory, content_hash), lang))


def charts_for(results: dict[str, Any], lang: str) -> list[Chart]:
    """:func:`benefice.barometer.charts.national_charts`, one builder at a time: a chart an edition built by an
    earlier version cannot feed (a figure it lacks) becomes a sentence saying so, and the page still shows
    the rest and every table, instead of failing whole."""
    ctx = Context(results, lang)
    out = []
    for name, builder in NATIONAL_CHARTS.items():
        try:
            chart = builder(ctx)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            log.warning("chart %s cannot be drawn from this edition: %r", name, exc)
            sentence = pick(
                "Ce graphique ne peut pas être tiré des chiffres de cette édition, construite par une version "
                "antérieure de benefice ; ses tableaux restent ci-dessous.",
                "This chart cannot be drawn from the figures of this edition, built by an earlier version of "
                "benefice; its tables are below.",
                lang,
            )
            chart = Chart(
                id=name, title=pick("Graphique indisponible", "Chart unavailable", lang), comment="", source="",
                method="", method_anchor="", columns=[], rows=[], spec={}, empty_text=french_spaces(sentence)
                if lang == "fr" else sentence,
            )  # fmt: skip
        if chart is not None:
            out.append(chart)
    return out


def charts(edition: Edition, lang: str) -> list[Chart]:
    """The edition's national charts in ``lang``, drawn by the same builders as its static site and PDF
    (:mod:`benefice.barometer.charts`): the web page shows what the published edition shows."""
    require_ok(edition)
    return list(_charts(edition.directory, edition.content_hash, lang))


@functools.lru_cache(maxsize=8)
def _typology(directory: str, content_hash: str) -> Typology | None:
    path = Path(directory) / "inputs" / TYPOLOGY_FILE
    try:
        return parse_typology(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))
    except (OSError, ValueError, yaml.YAMLError, BeneficeError) as exc:
        log.warning("cannot read the typology of the edition in %s: %s", directory, exc)
        return None


def code_names(edition: Edition, lang: str) -> dict[str, dict[str, str]]:
    """The names of the decision types and grades of the edition's own typology (``inputs/``), by the
    column that carries their codes; empty when the typology cannot be read (the codes are then shown)."""
    typology = _typology(edition.directory, edition.content_hash)
    return site_code_names(typology, lang) if typology is not None else {}


def served_file(edition: Edition, relative: str) -> Path:
    """The file of an edition a URL names, refusing anything outside the served parts of its directory."""
    require_ok(edition)
    root = edition.path.resolve()
    target = (root / relative).resolve()
    rel = target.relative_to(root).as_posix() if target.is_relative_to(root) else ""
    if not rel or not any(rel == p or (p.endswith("/") and rel.startswith(p)) for p in SERVED):
        raise FileNotFoundError(relative)
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        raise FileNotFoundError(relative)
    return target


def corpus_languages(ids: list[str]) -> dict[str, str]:
    """The publication ids of an edition still in the corpus, each with its language as the corpus records
    it ("" when unknown): the page links to them and marks a title in another language (RGAA 8.7)."""
    from benefice.corpus.models import Publication  # noqa: PLC0415

    numeric = [int(i) for i in ids if i.isdecimal()]
    rows = Publication.objects.filter(pk__in=numeric).values_list("pk", "language")
    return {str(pk): language or "" for pk, language in rows}


def corpus_ids(ids: list[str]) -> set[str]:
    """Which publication ids of an edition are still publications of the corpus (to link to them)."""
    from benefice.corpus.models import Publication  # noqa: PLC0415

    numeric = [int(i) for i in ids if i.isdecimal()]
    return {str(pk) for pk in Publication.objects.filter(pk__in=numeric).values_list("pk", flat=True)}


def build_from_database(
    year: int,
    observed_at: str | None = None,
    *,
    user=None,
    with_pdf: bool = True,
    progress=None,
    out_dir: str | Path | None = None,
    overrides: dict[str, Any] | None = None,
    force_new_dir: bool = False,
) -> Edition:
    """Build the edition of ``year`` from the database and register it: what the page's build job and
    ``benefice barometer build`` (without ``--inputs``) both run.

    The edition goes to ``$BENEFICE_HOME/barometer/YEAR`` unless ``out_dir`` names another directory.
    Refused (nothing written) when that directory or another edition of the year already exists there.
    ``progress`` receives each step, and after the corpus is read the lines saying what was left out of
    the edition (publications after the year or without one).

    The database is only read (in chunks, in autocommit: under WAL no lock is kept) and then written once,
    the edition's row, in its own short transaction; so a build never holds the write lock while it
    computes and is not batched (issue 17: measured with 120,819 publications, a 55 s build and not one
    refused ``BEGIN IMMEDIATE`` from another connection; see tests/barometer_web/test_build_writes.py).
    """
    from benefice.barometer.db import DatabaseReport, inputs_from_database  # noqa: PLC0415

    observed = observed_at or timezone.localdate().isoformat()
    target = Path(out_dir) if out_dir is not None else editions_root() / str(year)
    check_target(target, year, force_new_dir=force_new_dir)
    say = progress or (lambda _m: None)
    say("reading the corpus")
    report = DatabaseReport()
    data = inputs_from_database(year, observed, report=report)
    for line in report.lines():
        say(line)
    out = build(
        data, year, target, observed, overrides or None, force_new_dir=force_new_dir, with_pdf=with_pdf,
        progress=say,
    )  # fmt: skip
    return register_edition(out, user=user)


# ----------------------------------------------------------------------------------------------------------
# Background builds from the web page
# ----------------------------------------------------------------------------------------------------------
STEPS = ("reading the corpus", "computing figures", "writing open data", "writing the static site",
         "writing the PDF reports")  # fmt: skip


def read_job(job_id: str) -> jobs.Job | None:
    """A build job's last state (None for no such job, or a job of another kind)."""
    job = jobs.read_job(job_id) if jobs.valid_job_id(job_id) else None
    # its error in the reader's language (jobs.for_reader), when the job kept the error's parts
    return jobs.for_reader(job) if job is not None and job.get("kind") == "barometer" else None


class EditionExists(BeneficeError):
    """An edition of this year is already under the editions' folder: editions are frozen, never rebuilt in
    place, so the page offers to build a new version beside it (``new_version``) or to keep it."""

    def __init__(self, year: int, editions: list[Edition]) -> None:
        super().__init__(f"an edition for {year} already exists; build a new version beside it or keep it")
        self.year = year
        self.editions = editions


def editions_of_year(year: int) -> list[Edition]:
    """The registered editions of ``year`` kept under :func:`editions_root`, the latest built first."""
    root = editions_root().resolve()
    found = [p.resolve() for p in existing_editions(root, year)]
    for path in found:  # an edition copied there by hand is registered on sight
        if not Edition.objects.filter(directory=str(path)).exists():
            try:
                register_edition(path)
            except BeneficeError as exc:
                log.warning("not an edition: %s", exc)
    return list(Edition.objects.filter(year=year, directory__in=[str(p) for p in found]))


def version_directory(year: int) -> str:
    """The folder name of the next version of ``year``'s edition: ``2026``, then ``2026-2``, ``2026-3``…"""
    root = editions_root()
    name, n = str(year), 1
    while (root / name).exists():
        n += 1
        name = f"{year}-{n}"
    return name


def start_build(
    year: int, user, observed_at: str | None = None, *, with_pdf: bool = True, new_version: bool = False
) -> jobs.Job:
    """Check the year and the target at once (a clear refusal in the page), then queue the build
    (:mod:`benefice.core.jobs`).

    A future year is refused. When an edition of the year exists, :class:`EditionExists` is raised unless
    ``new_version``: then the new edition goes into the next free folder (:func:`version_directory`) beside
    the existing one, which stays frozen as it was and is listed as superseded."""
    if observed_at:
        window_for(year, observed_at, {"span": 1})  # the date's format and the year, with the compute's messages
    else:
        check_edition_year(year, timezone.localdate())
    existing = editions_of_year(year)
    if existing and not new_version:
        raise EditionExists(year, existing)
    folder = version_directory(year)  # the year's own folder, or the next free one beside it
    check_target(editions_root() / folder, year, force_new_dir=new_version)
    return jobs.create_job(
        "barometer",
        user,
        year=year,
        observed_at=observed_at,
        with_pdf=with_pdf,
        folder=folder,
        new_version=new_version,
        step="",
        total=len(STEPS) if with_pdf else len(STEPS) - 1,
        edition_id=None,
    )


def _without_server_paths(exc: BeneficeError) -> BeneficeError:
    """The error a build job records for the person who started it: the server's folders left out of it,
    its template and parameters kept, so that the job page says it in its reader's language (issue 19)."""
    folders = sorted({str(editions_root().resolve()), str(editions_root()), str(Path(settings.HOME))}, key=len)

    def strip(text: str) -> str:
        for folder in reversed(folders):  # the longest first: a folder inside another
            text = text.replace(folder + "/", "").replace(folder, "")
        return text

    params = {k: strip(v) if isinstance(v, str) else v for k, v in exc.params.items()}
    template = exc.template if exc.params else strip(exc.template)  # a literal may hold a path itself
    return BeneficeError(
        template,
        params=params,
        path=strip(exc.path) if exc.path else None,
        field=exc.field,
        line=exc.line,
        record=exc.record,
    )


def run_build_job(job_id: str) -> jobs.Job:
    """Build the job's edition from the database, recording each step and the outcome in the job file."""

    job = jobs.job_to_run(job_id)

    def progress(step: str) -> None:
        job["step"] = step
        job["done"] = STEPS.index(step) + 1 if step in STEPS else job["done"]
        jobs.write_job(job)

    with jobs.recorded(job, "barometer build"):
        user = jobs.job_user(job)
        try:
            edition = build_from_database(
                job["year"],
                job.get("observed_at"),
                user=user,
                with_pdf=job.get("with_pdf", True),
                progress=progress,
                out_dir=editions_root() / job.get("folder", str(job["year"])),
                force_new_dir=bool(job.get("new_version")),
            )
        except BeneficeError as exc:
            raise _without_server_paths(exc) from exc
        job.update(status=jobs.DONE, edition_id=edition.pk, done=job["total"] or 0, step="")
    return job


