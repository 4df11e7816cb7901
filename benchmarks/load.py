"""Load test of the web app (issue 17): many signed-in users browse and search while an import runs.

``.venv/bin/python benchmarks/load.py [--publications 100000] [--users 50] [--seconds 60]
[--import-records 30000]`` builds a synthetic corpus in a fresh SQLite database under a temporary
``BENEFICE_HOME`` (bulk inserts: most titles hold the word "cohort", a few name the SNDS), starts the
production server as a user would (``benefice serve``, whatever server it runs), signs ``--users`` viewers
in on loopback, and lets each browse for ``--seconds`` a mix of pages (corpus list and facets, publication
pages, registry) and searches (a word in most titles, a phrase, a prefix, a rare word, a search with a
facet, a deep page), while ``benefice import`` reads a RIS file of ``--import-records`` new works. Every
user signs out and in again every 8 requests (a web write during the import) and reads each page for a
random time (uniform, ``--think`` seconds on average, default 2; ``--think 0`` hammers the server).

It prints one row per kind of request (requests, errors, p50/p95/p99 in ms) and the checks: errors, p95 of
pages ≤ 500 ms, p95 of searches ≤ 2 s, every sign-in answered and recorded, the import's publications all
written. Not a test: figures depend on the machine. ``--publications 5000 --users 5 --seconds 10
--import-records 1000`` is a quick check.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

BENEFICE = Path(sys.executable).parent / "benefice"  # the command of the virtualenv running this script
PASSWORD = "load-test-password-1"

WORDS = (
    "mortality risk incidence diabetes cancer stroke outcomes treatment hospital patients women children elderly "
    "adherence exposure vaccine drug prescription claims database national registry survival trends costs care "
    "primary emergency surgery infection heart failure kidney pregnancy antibiotics opioids depression screening "
    "population france french insurance socioeconomic deprivation regional longitudinal retrospective analysis"
).split()
RARE = ("sclerodermie", "kawasaki", "narcolepsy", "hemophilia", "mucoviscidose")
JOURNALS = ("BMJ Open", "Lancet Public Health", "Rev Epidemiol Sante Publique", "Eur J Epidemiol", "PLoS One")


def fake_title(rng: random.Random, i: int) -> str:
    words = rng.sample(WORDS, 7)
    if rng.random() < 0.83:  # the common word of the probe: in most titles
        words.insert(rng.randrange(len(words)), "cohort")
    if i % 97 == 0:
        words.append("SNDS")
    if i % 1000 == 0:
        words.append(RARE[(i // 1000) % len(RARE)])
    return " ".join(words).capitalize()


def build_corpus(n: int, seed: int = 17) -> None:
    """``n`` publications with one raw record each and a detection (some use the SNDS), by bulk inserts."""
    from django.db import transaction

    from benefice.corpus import fields
    from benefice.corpus.models import ImportBatch, Publication, RawRecord
    from benefice.sources.models import PublicationDetection

    rng = random.Random(seed)
    batch = ImportBatch.objects.create(kind="file", origin="load-benchmark", format="ris", status="done")
    chunk = 5000
    for start in range(0, n, chunk):
        pubs = []
        for i in range(start, min(n, start + chunk)):
            title = fake_title(rng, i)
            authors = [{"name": f"Author{rng.randrange(5000)} A"} for _ in range(rng.randrange(1, 6))]
            abstract = " ".join(rng.choice(WORDS) for _ in range(60))
            journal = rng.choice(JOURNALS)
            values = {"title": title, "authors": authors, "abstract": abstract, "keywords": [], "mesh": []}
            values.update(journal=journal, doi=f"10.9999/load.{i}", pmid="")
            pubs.append(
                Publication(
                    title=title,
                    abstract=abstract,
                    authors=authors,
                    journal=journal,
                    doi=f"10.9999/load.{i}",
                    year=2000 + rng.randrange(25),
                    doc_type=rng.choice(("article", "article", "review", "letter")),
                    language=rng.choice(("en", "en", "en", "fr")),
                    cited_by_count=rng.randrange(300),
                    search_text=fields.search_text(lambda f, v=values: v.get(f, "")),
                )
            )
        with transaction.atomic():
            Publication.objects.bulk_create(pubs, batch_size=1000)
            ids = [p.pk for p in pubs]  # bulk_create returns the keys on SQLite >= 3.35 and PostgreSQL
            raws, detections = [], []
            for k, pid in enumerate(ids):
                raws.append(
                    RawRecord(
                        batch=batch,
                        publication_id=pid,
                        source_format="ris",
                        origin="load.ris",
                        position=start + k + 1,
                        raw=f"TY  - JOUR\nTI  - {pubs[k].title}\nER  -",
                        parsed={},
                        content_hash=f"load-{pid}",
                    )
                )
                used = ["SNDS"] if "SNDS" in pubs[k].title else (["PMSI"] if k % 7 == 0 else [])
                detections.append(
                    PublicationDetection(
                        publication_id=pid,
                        registry_hash="load",
                        sources_used=used,
                        sources_mentioned=["CNAM"] if k % 11 == 0 else [],
                    )
                )
            RawRecord.objects.bulk_create(raws, batch_size=1000)
            PublicationDetection.objects.bulk_create(detections, batch_size=1000)


def write_ris(path: Path, n: int, seed: int = 30) -> None:
    """``n`` new works (distinct titles, DOIs and authors), in RIS, for the import that runs under load."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            title = " ".join(rng.sample(WORDS, 9)).capitalize() + f" (imported study {i})"
            fh.write("TY  - JOUR\n")
            fh.write(f"TI  - {title}\n")
            for _ in range(rng.randrange(1, 4)):
                fh.write(f"AU  - Importer{rng.randrange(100000)}, B.\n")
            fh.write(f"PY  - {2000 + rng.randrange(25)}\n")
            fh.write(f"JO  - {rng.choice(JOURNALS)}\n")
            fh.write(f"DO  - 10.8888/import.{i}\n")
            fh.write(f"AB  - {' '.join(rng.choice(WORDS) for _ in range(40))}\n")
            fh.write("ER  - \n\n")


# --- the users --------------------------------------------------------------------------------------------

#: (kind, label, path, weight): what a user asks for; kind "search" has the 2 s target, "page" 500 ms
MIX = [
    ("page", "corpus list", "/corpus/", 10),
    ("page", "corpus list, page 40", "/corpus/?page=40", 3),
    ("page", "corpus list, a year", "/corpus/?year={year}", 4),
    ("page", "publication page", "/corpus/{pub}/", 10),
    ("page", "source registry", "/sources/", 3),
    ("page", "import batches", "/corpus/batches/", 2),
    ("search", "common word", "/corpus/?q=cohort", 10),
    ("search", "common words", "/corpus/?q=cohort+mortality", 5),
    ("search", "phrase", "/corpus/?q=%22cohort+mortality%22", 3),
    ("search", "prefix", "/corpus/?q=hospit*", 3),
    ("search", "common word, a year", "/corpus/?q=cohort&year={year}", 4),
    ("search", "common word, deep page", "/corpus/?q=cohort&page=200", 2),
    ("search", "common word, newest", "/corpus/?q=cohort&sort=newest", 3),
    ("search", "common word, source used", "/corpus/?q=cohort&used=PMSI", 2),
    ("search", "SNDS", "/corpus/?q=SNDS", 4),
    ("search", "rare word", "/corpus/?q={rare}", 3),
]
TIMEOUT = 30.0
#: every user signs out and in again after this many requests (a session written during the import)
SIGN_IN_EVERY = 8


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003 - urllib API
        return None


class User:
    """One signed-in browser: its own cookies, no redirects followed (a sign-in answers 302)."""

    def __init__(self, base: str, name: str) -> None:
        self.base, self.name = base, name
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, path: str, data: dict | None = None) -> tuple[int, bytes]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        try:
            with self.opener.open(req, timeout=TIMEOUT) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read() if exc.fp else b""

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.jar if c.name == name), "")

    def sign_in(self) -> tuple[int, float]:
        status, html = self.request("/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        started = time.perf_counter()
        status, _body = self.request(
            "/login/",
            {
                "username": self.name,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1).decode() if token else "",
            },
        )
        return status, time.perf_counter() - started

    def sign_out(self) -> int:
        return self.request("/logout/", {"csrfmiddlewaretoken": self.cookie("csrftoken")})[0]


def browse(
    user: User,
    until: float,
    rng: random.Random,
    pub_ids: list[int],
    results: list,
    writes: list,
    think: float,
) -> None:
    weights = [w for *_rest, w in MIX]
    done = 0
    time.sleep(rng.uniform(0, 2 * think))  # users do not all start at once
    while time.monotonic() < until:
        kind, label, path, _w = rng.choices(MIX, weights)[0]
        path = path.format(year=2000 + rng.randrange(25), pub=rng.choice(pub_ids), rare=rng.choice(RARE))
        started = time.perf_counter()
        try:
            status, _body = user.request(path)
        except OSError as exc:  # a time-out or a refused connection is an error (TimeoutError is an OSError)
            status = f"{type(exc).__name__}"
        results.append((kind, label, status, time.perf_counter() - started))
        done += 1
        if think:
            time.sleep(rng.uniform(0, 2 * think))  # reading the page
        if done % SIGN_IN_EVERY == 0 and time.monotonic() < until:  # a web write during the import
            started = time.perf_counter()
            try:
                out = user.sign_out()
            except OSError as exc:  # TimeoutError is an OSError
                out = type(exc).__name__
            results.append(
                ("page", "sign-out (write)", 200 if out == 302 else out, time.perf_counter() - started)
            )
            try:
                status, elapsed = user.sign_in()
            except OSError as exc:
                status, elapsed = type(exc).__name__, TIMEOUT
            writes.append((user.name, status, user.cookie("sessionid")))
            results.append(("page", "sign-in (write)", 200 if status == 302 else status, elapsed))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def table(results: list) -> list[str]:
    rows = [
        "| kind | request | requests | errors | p50 ms | p95 ms | p99 ms |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    groups: dict[tuple[str, str], list] = {}
    for kind, label, status, elapsed in results:
        groups.setdefault((kind, label), []).append((status, elapsed))
    for kind in ("page", "search"):
        mine = [(s, e) for (k, _l), items in groups.items() if k == kind for s, e in items]
        for (k, label), items in sorted(groups.items()):
            if k == kind:
                rows.append(_row(kind, label, items))
        rows.append(_row(kind, "**all pages**" if kind == "page" else "**all searches**", mine))
    return rows


def _row(kind: str, label: str, items: list) -> str:
    times = [e * 1000 for _s, e in items]
    errors = sum(1 for s, _e in items if s != 200)
    return (
        f"| {kind} | {label} | {len(items):,} | {errors} | {percentile(times, 0.5):,.0f} | "
        f"{percentile(times, 0.95):,.0f} | {percentile(times, 0.99):,.0f} |"
    )


# --- the run ----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 120) -> None:
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer {url} within {seconds} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--publications", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--import-records", type=int, default=30_000)
    parser.add_argument(
        "--think", type=float, default=2.0, help="mean seconds a user reads a page before the next (0: none)"
    )
    parser.add_argument(
        "--server",
        choices=("gunicorn", "serve"),
        default="gunicorn",
        help="gunicorn as docs/deploy.md runs it (the production set-up, default) or `benefice serve` (waitress)",
    )
    parser.add_argument(
        "--workers", type=int, default=0, help="gunicorn worker processes (default: 2 × cores + 1, as gunicorn advises)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="benefice-load-"))
    env = {**os.environ, "BENEFICE_HOME": str(home)}
    env.pop("DATABASE_URL", None)  # SQLite, the default deployment (WAL)
    os.environ.update(BENEFICE_HOME=str(home), DJANGO_SETTINGS_MODULE="benefice.settings")
    os.environ.pop("DATABASE_URL", None)
    server = importer = None
    try:
        t0 = time.perf_counter()
        subprocess.run([str(BENEFICE), "init"], env=env, check=True, stdout=subprocess.DEVNULL)
        import django

        django.setup()
        from django.contrib.auth.hashers import make_password
        from django.contrib.auth.models import Group
        from django.contrib.auth.models import User as DjangoUser
        from django.db import connection

        from benefice.corpus.models import Publication

        build_corpus(args.publications)
        viewer = Group.objects.get(name="viewer")
        hashed = make_password(PASSWORD)
        names = [f"reader{i}" for i in range(args.users)]
        DjangoUser.objects.bulk_create([DjangoUser(username=n, password=hashed) for n in names])
        for account in DjangoUser.objects.filter(username__in=names):
            account.groups.add(viewer)
        pub_ids = list(Publication.objects.order_by("?").values_list("pk", flat=True)[:2000])
        connection.close()
        ris = home / "import.ris"
        write_ris(ris, args.import_records)
        print(
            f"corpus of {args.publications:,} publications and {args.import_records:,}-record RIS file built "
            f"in {time.perf_counter() - t0:.0f} s",
            file=sys.stderr,
        )

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        workers = args.workers or 2 * (os.cpu_count() or 1) + 1
        if args.server == "gunicorn":  # the command line of docs/deploy.md, workers aside
            subprocess.run(
                [sys.executable, "-m", "django", "collectstatic", "--noinput", "--settings", "benefice.settings"],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            command = [
                str(BENEFICE.parent / "gunicorn"), "benefice.wsgi:application", "--bind", f"127.0.0.1:{port}",
                "--workers", str(workers), "--threads", "4", "--timeout", "120",
            ]  # fmt: skip
        else:
            command = [str(BENEFICE), "serve", "--port", str(port)]
        server = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        wait_for(base + "/login/")
        users = [User(base, n) for n in names]
        for user in users:
            status, _elapsed = user.sign_in()
            if status != 302:
                raise SystemExit(f"{user.name} could not sign in (HTTP {status})")

        results: list = []
        writes: list = []
        import_started = time.monotonic()
        importer = subprocess.Popen(
            [str(BENEFICE), "import", str(ris)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        until = time.monotonic() + args.seconds
        threads = [
            threading.Thread(
                target=browse,
                args=(u, until, random.Random(i), pub_ids, results, writes, args.think),
                daemon=True,
            )
            for i, u in enumerate(users)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        import_running_at_end = importer.poll() is None
        import_output, _ = importer.communicate()
        import_seconds = time.monotonic() - import_started

        # every write answered is kept: each user's last session exists, the import's works are all there
        import django.db

        django.db.connections.close_all()
        from django.contrib.sessions.models import Session

        sessions = set(Session.objects.values_list("session_key", flat=True))
        signed = [w for w in writes if w[1] == 302]
        last = {name: key for name, status, key in writes if status == 302}
        lost_sessions = [name for name, key in last.items() if key not in sessions]
        total = Publication.objects.count()
        expected = args.publications + args.import_records

        print(
            f"\nserver: {args.server}{f' ({workers} workers × 4 threads)' if args.server == 'gunicorn' else ''}; "
            f"{args.publications:,} publications, {args.users} users (think time {args.think:g} s on average), "
            f"{args.seconds:.0f} s, import of "
            f"{args.import_records:,} records (exit {importer.returncode}, {import_seconds:.0f} s"
            f"{', still running when the users stopped' if import_running_at_end else ', finished during the run'})\n"
        )
        for line in table(results):
            print(line)
        pages = [e for k, _l, _s, e in results if k == "page"]
        searches = [e for k, _l, _s, e in results if k == "search"]
        errors = sum(1 for *_x, s, _e in results if s != 200)
        rate = len(results) / args.seconds
        by_status: dict[str, int] = {}
        for _k, label, status, _e in results:
            if status != 200:
                by_status[f"{label}: {status}"] = by_status.get(f"{label}: {status}", 0) + 1
        print(f"\n{len(results):,} requests ({rate:.1f}/s), {errors} errors {by_status or ''}")
        print(f"- 0 errors: {'met' if errors == 0 else 'NOT met'} ({errors})")
        p95_pages, p95_search = percentile(pages, 0.95) * 1000, percentile(searches, 0.95) * 1000
        print(f"- p95 pages <= 500 ms: {'met' if p95_pages <= 500 else 'NOT met'} ({p95_pages:,.0f} ms)")
        print(f"- p95 searches <= 2 s: {'met' if p95_search <= 2000 else 'NOT met'} ({p95_search:,.0f} ms)")
        print(
            f"- sign-ins during the import: {len(signed)} of {len(writes)} answered, "
            f"{len(lost_sessions)} sessions lost; publications {total:,} of {expected:,} expected "
            f"({'no write lost' if not lost_sessions and len(signed) == len(writes) and total == expected else 'WRITES LOST'})"
        )
        print("- import: " + " | ".join(line for line in import_output.strip().splitlines()[-3:]))
    finally:
        for process in (importer, server):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        if server is not None and server.stderr is not None:
            tail = server.stderr.read().decode(errors="replace").strip().splitlines()[-5:]
            if tail:
                print("server stderr (last lines):\n  " + "\n  ".join(tail), file=sys.stderr)
        if args.keep:
            print(f"data kept in {home}", file=sys.stderr)
        else:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
