"""Corpus commands: init, import, dedup, export, harvest, serve, worker, demo."""

from __future__ import annotations

import atexit
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import click

from benefice.commands.progress import progress_bar
from benefice.i18n import cli_language, gettext_noop, render

DEMO_USER, DEMO_PASSWORD = "demo", "demo"


def say(template: str, **params: object) -> str:
    """A command's message in the user's locale (issue 19): ``template`` is an English msgid marked with
    ``gettext_noop``, translated through the project's catalogues, then filled with ``params``."""
    return render(template, params, cli_language())


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
    """Create or upgrade the database in $BENEFICE_HOME (or DATABASE_URL) and load the bundled reference
    data (source registry, indicator catalogue, impact cases); web edits are kept while a file's version
    is unchanged."""
    if admin_user and password:  # Django's password rules, before anything is written (issue 17)
        _django()
        from benefice.core.accounts import check_password_rules

        check_password_rules(password, admin_user)
    initialise()
    from django.conf import settings

    from benefice.cases import services as case_services
    from benefice.indicators import services as indicator_services
    from benefice.sources.services import sync_registry

    registry = sync_registry()
    indicators = indicator_services.sync_indicators()
    cases = case_services.sync_cases()
    click.echo(
        say(
            gettext_noop(
                "reference data: %(sources)s sources, %(indicators)s indicators and %(cases)s impact cases added"
            ),
            sources=len(registry.created),
            indicators=len(indicators.created),
            cases=len(cases.created),
        )
    )

    if admin_user:
        if not password:
            raise click.UsageError("--admin needs --password (or BENEFICE_ADMIN_PASSWORD)")
        from benefice.core.roles import ADMIN
        from benefice.core.users import ensure_user

        ensure_user(admin_user, password, ADMIN, superuser=True, validate=True)  # Django's password rules
        click.echo(say(gettext_noop("admin account: %(name)s"), name=admin_user))
    click.echo(say(gettext_noop("database ready: %(name)s"), name=settings.DATABASES["default"]["NAME"]))


@click.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    default="auto",
    show_default=True,
    help="ris, bibtex, pubmed_xml, medline, openalex, wos, scopus_csv, csv, xlsx or auto.",
)
def import_(paths: tuple[Path, ...], fmt: str) -> None:
    """Import bibliographic files into the corpus (idempotent: re-importing adds nothing), then detect the
    data sources of the publications each file created or changed.

    Exit status 2 when a file could not be imported (it added nothing); 1 when every file was imported but
    source detection did not finish (the import is kept: `benefice scan` completes it).
    """
    initialise()
    from benefice.corpus.jobs import file_encoding
    from benefice.corpus.services import import_file
    from benefice.errors import BeneficeError, cli_message

    failed = scan_failed = 0
    for path in paths:
        encoding = file_encoding(path, fmt)  # for the report: a legacy 8-bit file is named as such
        try:
            with progress_bar(f"import {path.name}") as update:
                batch = import_file(path, fmt, progress=update)
        except BeneficeError as exc:
            failed += 1
            click.secho(cli_message(exc), fg="red", err=True)
            continue
        read_as = say(gettext_noop(" (%(encoding)s text)"), encoding=encoding) if encoding else ""
        click.echo(
            say(
                gettext_noop(
                    "%(path)s: format %(format)s%(read_as)s; records read: %(read)s; new publications: %(new)s; "
                    "duplicates merged: %(merged)s; already known: %(known)s"
                ),
                path=path,
                format=batch.format,
                read_as=read_as,
                read=batch.records_read,
                new=batch.new_publications,
                merged=batch.duplicates_merged,
                known=batch.already_known,
            )
        )
        scan_failed += not scan_imported(batch)
    if failed:
        sys.exit(2)
    if scan_failed:
        sys.exit(1)


def scan_imported(batch) -> bool:
    """Detect the sources of what a batch brought (its import has committed), with a progress bar and one
    line; False when detection did not finish, after saying so and what to run (the import is kept)."""
    from benefice.corpus.services import scan_batch
    from benefice.errors import localized_error

    try:
        with progress_bar("detect sources") as update:
            outcome = scan_batch(batch, progress=update)
    except KeyboardInterrupt:
        message = gettext_noop(
            "sources: detection interrupted; the import is kept: run `benefice scan` to detect them (it skips "
            "what is already scanned)"
        )
        click.secho(say(message), fg="red", err=True)
        raise
    if outcome.failed:
        reason = localized_error(outcome.error_data, cli_language()) if outcome.error_data else outcome.error
        click.secho(say(gettext_noop("sources: %(reason)s"), reason=reason), fg="red", err=True)
        return False
    click.echo(
        say(
            gettext_noop("sources: %(scanned)s publications scanned, %(named)s name a data source"),
            scanned=outcome.scanned,
            named=outcome.with_sources,
        )
    )
    click.echo(
        say(
            gettext_noop("kinds of use: %(classified)s publications classified, %(used)s have a kind of use"),
            classified=outcome.classified,
            used=outcome.with_uses,
        )
    )
    return True


@click.command()
def dedup() -> None:
    """Find and merge duplicate publications already in the corpus (each merge can be undone)."""
    initialise()
    from benefice.corpus.services import dedup_corpus

    with progress_bar("dedup") as update:
        merges = dedup_corpus(progress=update)
    click.echo(say(gettext_noop("duplicates merged: %(n)s"), n=merges))


@click.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "ris", "jsonl"]), default="csv", show_default=True)
@click.option(
    "--output", "-o", type=click.Path(path_type=Path), required=True, help="File to write ('-' for stdout)."
)
@click.option("--query", "-q", default="", help="Only publications matching this full-text query.")
def export(fmt: str, output: Path, query: str) -> None:
    """Export the corpus as CSV, RIS or JSON lines.

    \b
    JSON lines add, for every publication:
      sources_used, sources_mentioned  registry ids of the data sources it uses / only
                                       mentions, people's corrections applied ([] when
                                       not scanned yet: run `benefice scan`)
      use_categories                   kinds of use (typology ids), main first, as stored
                                       by the scan and corrected by people; [] when none
                                       or not classified yet
      use_categories_method            how the main one was set: person, rule or model;
                                       none when the machine found none, or
                                       "not classified" (not scanned: run `benefice scan`)
    """
    initialise()
    from benefice.corpus import search
    from benefice.corpus.models import Publication
    from benefice.corpus.services import export_publications

    qs = search.search(Publication.objects.order_by("pk"), query)
    if str(output) == "-":
        n = export_publications(qs, fmt, sys.stdout)  # a queryset: read with its sources
    else:
        tmp = output.with_name(output.name + ".part")
        with open(tmp, "w", encoding="utf-8", newline="") as stream:
            n = export_publications(qs, fmt, stream)
        os.replace(tmp, output)
    click.echo(say(gettext_noop("exported %(n)s publications"), n=n), err=True)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--no-worker",
    is_flag=True,
    help="Do not start a worker beside the web app (a team deployment runs `benefice worker` as a service).",
)
def serve(host: str, port: int, no_worker: bool) -> None:
    """Serve the web app (waitress), with a worker for the long jobs it queues."""
    initialise()
    run_server(host, port, worker=not no_worker)


#: Seconds the worker started by `serve` gets to finish its task when the server stops; a task still running
#: then is killed and run again by the next worker that starts (benefice.core.jobs.recover).
WORKER_STOP_SECONDS = 10


def start_worker_process() -> subprocess.Popen:
    """`benefice worker` as a child process, stopped when this process exits.

    A process, not a thread of the web server: an import or a retraining then never slows the requests down
    and survives nothing it should not (the queue is in the database; see benefice.core.jobs)."""
    child = subprocess.Popen(
        [sys.executable, "-m", "benefice", "worker", "--quiet"], env=os.environ.copy(), preexec_fn=_end_with_parent
    )

    def stop() -> None:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(WORKER_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    atexit.register(stop)
    return child


def _end_with_parent() -> None:
    """In the worker child (Linux): receive SIGTERM when the server dies, even by SIGKILL, so no worker is
    left behind; elsewhere the server's exit handler stops it."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def run_server(host: str, port: int, *, worker: bool = True) -> None:
    from django.core.management import call_command
    from waitress import serve as waitress_serve

    call_command("collectstatic", interactive=False, verbosity=0)
    from benefice.corpus import listcache
    from benefice.wsgi import application

    listcache.WAIT_SECONDS = 0.0  # one process: readers do not wait for each other (see listcache)
    # SIGTERM (systemd, docker stop) ends the server like Ctrl-C does, so the exit handlers stop the worker
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if worker:
        child = start_worker_process()
        click.echo(f"worker started (process {child.pid}): imports, retraining and builds run there")
    click.echo(f"benefice is served on http://{host}:{port}/  (Ctrl-C to stop)")
    # channel_request_lookahead: waitress keeps reading a connection while its request runs, so it can tell the
    # app the client has gone (``waitress.client_disconnected``) and the request's queries stop (core.guard)
    waitress_serve(application, host=host, port=port, threads=8, channel_request_lookahead=1, _quiet=True)


@click.command()
@click.option("--batch", is_flag=True, help="Run the jobs waiting in the queue, then stop.")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.05),
    default=1.0,
    show_default=True,
    help="Seconds between two looks at an empty queue.",
)
@click.option("--quiet", is_flag=True, help="Log only warnings and errors, not each task.")
def worker(batch: bool, interval: float, quiet: bool) -> None:
    """Run the long jobs the web app queues: imports, retraining, barometer builds.

    `benefice serve` starts one itself; a team deployment (gunicorn) runs this as its own service, on the
    machine that holds $BENEFICE_HOME. Several workers may run: each job runs once. Stopping it (Ctrl-C,
    SIGTERM) lets the job in hand finish; a worker killed in the middle of a job has it run again by the
    next worker that starts."""
    initialise()
    from benefice.core.jobs import run_worker

    for name in ("django_tasks_db", "django_tasks", "benefice"):  # the project's log handler writes them
        logging.getLogger(name).setLevel(logging.WARNING if quiet else logging.INFO)
    if not batch:
        click.echo("benefice worker: waiting for jobs (Ctrl-C to stop)", err=True)
    run_worker(batch=batch, interval=interval)


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


COMMANDS = [init, import_, dedup, export, serve, worker, demo]


# --- harvest ---------------------------------------------------------------------------------------------

_api_options = [
    click.option(
        "--mailto", envvar="BENEFICE_MAILTO", default="", help="Contact e-mail sent to the API (polite pool)."
    ),
    click.option(
        "--rate", type=float, default=None, help="Requests per second (default: the connector's polite rate)."
    ),
    click.option("--limit", type=int, default=None, help="Stop after about this many records."),
    click.option(
        "--no-resume",
        is_flag=True,
        help="Start over instead of resuming an interrupted harvest of the same query.",
    ),
]


def api_options(func):
    for option in reversed(_api_options):
        func = option(func)
    return func


def _run_harvest(connector, query: dict, kind: str, limit: int | None, no_resume: bool) -> None:
    """Harvest, then detect the sources of what the harvest brought. A harvest stopped by an API error keeps
    the pages it committed: their sources are detected before the error is reported (re-running the command
    resumes the harvest and detects the rest)."""
    initialise()
    from benefice.corpus.services import harvest as harvest_service
    from benefice.corpus.services import harvest_batch
    from benefice.errors import BeneficeError

    try:
        with progress_bar(f"harvest {kind}") as update:
            batch = harvest_service(
                connector, query, kind=kind, progress=update, resume=not no_resume, limit=limit
            )
    except BeneficeError:
        stopped = harvest_batch(kind, query)
        if stopped is not None and stopped.records_read:
            scan_imported(stopped)
        raise
    click.echo(
        say(
            gettext_noop(
                "%(kind)s: records read: %(read)s; new publications: %(new)s; duplicates merged: %(merged)s; "
                "already known: %(known)s"
            ),
            kind=kind,
            read=batch.records_read,
            new=batch.new_publications,
            merged=batch.duplicates_merged,
            known=batch.already_known,
        )
    )
    if not scan_imported(batch):
        sys.exit(1)


@click.group()
def harvest() -> None:
    """Harvest publications from OpenAlex, PubMed or HAL (resumable: re-run the same command to continue),
    then detect the data sources of the publications the harvest created or changed."""


@harvest.command()
@click.option("--search", default="", help="Full-text search (title, abstract, full text).")
@click.option(
    "--filter",
    "filter_",
    default="",
    help="OpenAlex filter, e.g. 'publication_year:2015-2024,authorships.institutions.country_code:FR'.",
)
@click.option("--per-page", default=100, show_default=True, type=int)
@click.option(
    "--api-key", envvar="OPENALEX_API_KEY", default="", help="OpenAlex API key (env OPENALEX_API_KEY)."
)
@api_options
def openalex(search, filter_, per_page, api_key, mailto, rate, limit, no_resume) -> None:
    """Harvest OpenAlex works (cursor paging, abstracts rebuilt)."""
    from benefice.corpus.connectors import OpenAlexConnector

    connector = OpenAlexConnector(api_key=api_key, mailto=mailto, rate=rate)
    _run_harvest(
        connector, {"search": search, "filter": filter_, "per_page": per_page}, "openalex", limit, no_resume
    )


@harvest.command()
@click.option("--term", required=True, help="PubMed query, e.g. '(SNDS OR SNIIRAM) AND France'.")
@click.option(
    "--mindate", default="1800", show_default=True, help="Earliest publication date (YYYY[/MM[/DD]])."
)
@click.option("--maxdate", default="", help="Latest publication date (default: five years ahead).")
@click.option(
    "--api-key",
    envvar="NCBI_API_KEY",
    default="",
    help="NCBI API key (env NCBI_API_KEY): 10 requests/s instead of 3.",
)
@api_options
def pubmed(term, mindate, maxdate, api_key, mailto, rate, limit, no_resume) -> None:
    """Harvest PubMed (E-utilities; queries over 9,999 results are sliced by date)."""
    from benefice.corpus.connectors import PubMedConnector

    connector = PubMedConnector(api_key=api_key, mailto=mailto, rate=rate)
    _run_harvest(
        connector, {"term": term, "mindate": mindate, "maxdate": maxdate}, "pubmed", limit, no_resume
    )


@harvest.command()
@click.option("--query", required=True, help="HAL (Solr) query, e.g. 'text:(SNDS OR SNIIRAM)'.")
@click.option(
    "--filter",
    "filters",
    multiple=True,
    help="Solr filter query (fq), repeatable, e.g. 'producedDateY_i:[2015 TO *]'.",
)
@click.option("--rows", default=500, show_default=True, type=int)
@api_options
def hal(query, filters, rows, mailto, rate, limit, no_resume) -> None:
    """Harvest the HAL French open archive (cursorMark paging)."""
    from benefice.corpus.connectors import HALConnector

    connector = HALConnector(mailto=mailto, rate=rate)
    _run_harvest(connector, {"query": query, "filters": list(filters), "rows": rows}, "hal", limit, no_resume)


@click.command()
@click.option(
    "--mailto", envvar="BENEFICE_MAILTO", default="", help="Contact e-mail for Crossref's polite pool."
)
@click.option("--limit", type=int, default=None, help="At most this many publications.")
def enrich(mailto: str, limit: int | None) -> None:
    """Enrich publications that have a DOI with Crossref metadata (kept as raw records, merged by DOI), then
    detect the sources of the publications that changed."""
    initialise()
    from benefice.corpus.connectors import CrossrefConnector
    from benefice.corpus.services import enrich_crossref

    with progress_bar("crossref") as update:
        batch = enrich_crossref(CrossrefConnector(mailto=mailto), limit=limit, progress=update)
    click.echo(
        say(
            gettext_noop(
                "crossref: records read: %(read)s; merged: %(merged)s; already known: %(known)s; errors: %(errors)s"
            ),
            read=batch.records_read,
            merged=batch.duplicates_merged,
            known=batch.already_known,
            errors=len(batch.errors),
        )
    )
    if not scan_imported(batch):  # Crossref records can bring abstracts and keywords: detect again
        sys.exit(1)


COMMANDS.extend([harvest, enrich])
