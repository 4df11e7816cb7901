"""The CPU side of an import, runnable in a second process while the first one writes to the database.

Why: on a large file about half of an import's time is spent parsing records, hashing them, preparing
their deduplication forms and the fields and search text of the publications they would create, none of
which needs the database. ``prepared_chunks`` does that work in a child
process and hands over chunks through a small bounded queue, so the parent only stores and merges, memory
stays flat, and both cores work. Small files are prepared in-process: starting a child costs more than it
saves. The child is forked (``spawn`` would re-run a caller's unguarded script), and only from the main
thread: forking a process whose other threads hold locks (a web server's) is not safe, so imports started
by the web app prepare in-process.

No Django import here: the child process must not need settings or a database.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import os
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from queue import Empty, Full
from typing import Any, NamedTuple

from benefice.corpus import dedup, fields
from benefice.corpus.record import Record
from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop


class JSONText(str):
    """A value already serialised as JSON: stored as it is in a JSON column (see services.fast_bulk_create).

    A new publication's list fields are serialised where the record is prepared (the child process, on large
    files), so the process writing to the database neither decodes nor re-encodes them.
    """


class Item(NamedTuple):
    """One record ready to store: what the database rows need, computed where the file is read.

    A plain tuple of strings, numbers and one prepared form, because it crosses a process boundary: the
    ``Record`` itself is not sent (unpickling its objects cost the parent a tenth of a millisecond a record);
    :meth:`record` rebuilds it from ``parsed`` for the rare record that is merged into a publication.
    """

    source_format: str
    position: int
    line: int | None
    raw: str
    hal_id: str
    content_hash: str
    parsed: str  # JSON text of ``Record.to_dict()``, stored as it is on the RawRecord
    prepared: dedup.Prepared
    form: str  # ``dedup.dump_prepared(prepared)``, stored with a new publication's keys
    values: dict[str, Any]  # fields a new publication takes from this record (fields.new_publication)
    search_text: str
    notes: tuple[dict[str, Any], ...] = ()  # what the import report says of this record (fields.refuse_url)

    def record(self) -> Record:
        return Record.from_dict(json.loads(self.parsed))


CHUNK = 1000
PARALLEL_FROM = 5_000  # records (the format's count hint) from which a child process pays for itself
QUEUE_CHUNKS = 2  # chunks in flight: bounds the memory the pipeline adds


def content_hash(record: Record) -> str:
    return hashlib.sha256(
        f"{record.source_format}\0{record.raw}".encode("utf-8", "surrogatepass")
    ).hexdigest()


def prepare_item(record: Record) -> Item:
    refused = fields.refuse_url(record)
    prepared = dedup.prepare(dedup.from_record(record, id=""))
    values, text = fields.new_publication(record)
    return Item(
        record.source_format,
        record.position,
        record.line,
        record.raw,
        record.hal_id,
        content_hash(record),
        json.dumps(record.to_dict()),  # ASCII escapes, as Django writes JSON columns
        prepared,
        dedup.dump_prepared(prepared),
        values,
        text,
        (refused,) if refused else (),
    )


NOTES_MAX = 20  # lines of an import's report written one by one; past them, one line counts the other notes
_MORE = "more records had a note (see each raw record's parsed extra.warnings): "  # as reports said it before
MORE = gettext_noop("%(n)s more records had a note (see each raw record's parsed extra.warnings)")


def _more_count(entry: Any) -> int | None:
    """The count of a report's counting line (a message's parts, or the text older reports hold), else None."""
    if isinstance(entry, str) and entry.startswith(_MORE):
        return int(entry[len(_MORE) :])
    if isinstance(entry, Mapping) and entry.get("template") == MORE:
        return int((entry.get("params") or {}).get("n") or 0)
    return None


def add_notes(errors: list[Any], notes: Iterable[Any], limit: int = NOTES_MAX) -> list[Any]:
    """The batch's report (``ImportBatch.errors``) with ``notes`` added: in full while it has fewer than
    ``limit`` lines, then a single counting line kept last, so that a file of 100,000 refused URLs does not
    make a report of 100,000 lines. Notes and the counting line are messages' parts, said in the reader's
    language on the batches page."""
    notes = list(notes)
    if not notes:
        return errors
    kept = [e for e in errors if _more_count(e) is None]
    more = next((n for e in errors if (n := _more_count(e)) is not None), 0)
    room = 0 if more else max(0, limit - len(kept))
    kept.extend(notes[:room])
    more += len(notes[room:])
    return kept + ([{"kind": "message", "template": MORE, "params": {"n": more}}] if more else [])


def chunked_items(records: Iterable[Record], chunk: int = CHUNK) -> Iterator[list[Item]]:
    """In-process: prepare records and group them in chunks."""
    buffer: list[Item] = []
    for record in records:
        buffer.append(prepare_item(record))
        if len(buffer) >= chunk:
            yield buffer
            buffer = []
    if buffer:
        yield buffer


def die_with_parent(parent_pid: int) -> None:
    """Make this (child) process end when its parent does, even by ``kill -9`` (issue 17).

    Linux: ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` through ctypes, then a check that the parent did not die
    before the call (the child would have been adopted already). Elsewhere the producer polls its parent
    between chunks (:func:`parent_gone`).
    """
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # no libc prctl: the polling below still ends us
            pass
    if parent_gone(parent_pid):
        os._exit(1)


def parent_gone(parent_pid: int) -> bool:
    return os.getppid() != parent_pid


def _produce(path: str, fmt: str, queue: Any, chunk: int, parent_pid: int | None = None) -> None:
    """Child process: read and prepare the file, put chunks, then ``("done", None)`` or ``("error", exc)``."""
    from benefice.corpus import formats

    parent_pid = parent_pid or os.getppid()
    die_with_parent(parent_pid)
    try:
        for items in chunked_items(formats.read(Path(path), fmt), chunk):
            while True:  # a bounded put, so an orphan (no prctl) notices its parent has gone
                try:
                    queue.put(("chunk", items), timeout=1)
                    break
                except Full:
                    if parent_gone(parent_pid):
                        os._exit(1)
        queue.put(("done", None))
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent, which raises it
        try:
            queue.put(("error", exc))
        except Exception:  # an exception that cannot be pickled: send its text
            queue.put(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))


def _idle_cores() -> float:
    """Cores other than ours left idle by the rest of the machine: a child process only pays when it gets a
    core of its own; measured on 2 cores with the other busy, 40,000 records went from 1,250 records/s
    in-process to 1,020 with a child.

    Read from the kernel's CPU counters over a tenth of a second (we are idle meanwhile, so one idle core is
    ours): the load average, tried first, lags by minutes and kept the child off after any recent work.
    """
    cores = os.cpu_count() or 1
    try:
        first = _cpu_times()
        time.sleep(0.1)
        second = _cpu_times()
    except (OSError, ValueError, IndexError):  # no /proc (macOS, Windows): the load average
        try:
            return cores - 1 - os.getloadavg()[0]
        except (AttributeError, OSError):
            return 0.0
    total = second[0] - first[0]
    idle = second[1] - first[1]
    return cores * idle / total - 1 if total > 0 else 0.0


def _cpu_times() -> tuple[int, int]:
    """(all, idle) jiffies of every CPU since boot, from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    return sum(values), values[3] + values[4]  # idle + iowait


def prepared_chunks(path: Path, fmt: str, *, total_hint: int | None = None, parallel: bool | None = None,
                    chunk: int = CHUNK) -> Iterator[list[Item]]:  # fmt: skip
    """Chunks of prepared records of one file, from a child process when the file is large enough.

    ``parallel=None`` decides from the count hint and the number of cores; errors raised while reading
    (e.g. a malformed record, with its file and line) are raised here, in the caller's process.
    """
    from benefice.corpus import formats

    if parallel is None:
        parallel = (
            (total_hint or 0) >= PARALLEL_FROM
            and threading.current_thread() is threading.main_thread()
            and "fork" in mp.get_all_start_methods()
            and _idle_cores() >= 0.75  # last: it takes a tenth of a second
        )
    if not parallel:
        yield from chunked_items(formats.read(path, fmt), chunk)
        return
    ctx = mp.get_context("fork")
    queue = ctx.Queue(maxsize=QUEUE_CHUNKS)
    child = ctx.Process(target=_produce, args=(str(path), fmt, queue, chunk, os.getpid()), daemon=True)
    child.start()
    try:
        while True:
            try:
                kind, payload = queue.get(timeout=1)
            except Empty:
                if child.is_alive():
                    continue
                raise BeneficeError(
                    f"the process reading the file stopped unexpectedly (exit code {child.exitcode})",
                    path=str(path),
                ) from None
            if kind == "chunk":
                yield payload
            elif kind == "done":
                return
            else:
                raise payload
    finally:
        if child.is_alive():
            child.terminate()
        child.join(timeout=10)
        queue.close()
