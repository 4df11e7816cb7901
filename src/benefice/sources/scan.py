"""Corpus-wide detection over OpenAlex-snapshot-style partitions, locally or on a Dask cluster.

Input: a directory tree of ``*.gz`` files, each holding one OpenAlex work (JSON) per line with an
``abstract_inverted_index``. Output: one Parquet file per partition, at the same relative path with the
``.parquet`` suffix. Each partition is an independent, idempotent task: its Parquet file is written to a
temporary name in the same directory and renamed into place only when complete, so an interrupted run
leaves no half-written file and a second run skips every partition already done (resume). A partition
that fails (corrupt gzip, a line that is not JSON) is reported with its path and line, writes nothing,
and is retried by the next run; the other partitions are not affected.

The per-partition function (:func:`scan_partition`) is pure and runs anywhere; :func:`run_scan` fans it out
with ``dask.distributed`` on a ``LocalCluster`` (all cores by default) or on an existing scheduler.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop
from benefice.sources.detect import Detector
from benefice.sources.registry import load_registry

BATCH_ROWS = 5000  # rows per Parquet row group: memory stays flat whatever the partition size

_MENTION = pa.struct(
    [
        ("source", pa.string()),
        ("field", pa.string()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("text", pa.string()),
        ("form", pa.string()),
        ("role", pa.string()),
        ("confidence", pa.float32()),
    ]
)
SCHEMA = pa.schema(
    [
        ("work_id", pa.string()),
        ("doi", pa.string()),
        ("year", pa.int32()),
        ("language", pa.string()),
        ("sources_used", pa.list_(pa.string())),
        ("sources_mentioned", pa.list_(pa.string())),
        ("mentions", pa.list_(_MENTION)),
        ("registry_version", pa.string()),
    ]
)


def abstract_from_inverted_index(index: Any) -> str:
    """Rebuild an abstract from OpenAlex's ``{word: [positions]}``; empty when absent or malformed."""
    if not isinstance(index, dict) or not index:
        return ""
    positioned: dict[int, str] = {}
    for word, positions in index.items():
        if not isinstance(positions, list):
            continue
        for position in positions:
            if isinstance(position, int) and 0 <= position < 1_000_000:
                positioned[position] = str(word)
    return " ".join(positioned[p] for p in sorted(positioned))


def work_to_record(work: dict[str, Any]) -> dict[str, Any]:
    """The detection input for one OpenAlex work."""
    title = work.get("title") or work.get("display_name") or ""
    return {
        "id": work.get("id") or "",
        "title": title if isinstance(title, str) else "",
        "abstract": abstract_from_inverted_index(work.get("abstract_inverted_index")),
        "language": work.get("language") or "",
    }


def partitions(input_dir: str | Path) -> list[Path]:
    """Every ``*.gz`` file under ``input_dir`` (recursively), in a stable order."""
    root = Path(input_dir)
    if not root.is_dir():
        raise BeneficeError(gettext_noop("input is not a directory"), path=str(root))
    return sorted(p for p in root.rglob("*.gz") if p.is_file())


def output_for(partition: Path, input_dir: str | Path, output_dir: str | Path) -> Path:
    """Where a partition's Parquet file goes: same relative path, ``.gz`` replaced by ``.parquet``."""
    relative = partition.relative_to(input_dir)
    return Path(output_dir) / relative.with_name(relative.name[: -len(".gz")] + ".parquet")


@lru_cache(maxsize=4)
def _detector(registry_path: str | None) -> Detector:
    return Detector(load_registry(registry_path))


#: one OpenAlex work as a JSON line: the largest are a few megabytes (thousands of authors and references)
MAX_WORK_BYTES = 64 * 1024 * 1024


def _works(partition: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """The works of a partition, one JSON line at a time. A partition is streamed, so its total size is
    bounded only by the disk, but a line is held whole: a line longer than ``MAX_WORK_BYTES`` (a gzip bomb
    of a few kilobytes inflating to one endless line, or a file that is not a snapshot) is refused with its
    path and line instead of filling the memory (issue 17, item 5)."""
    try:
        with gzip.open(partition, "rb") as handle:
            lines = iter(lambda: handle.readline(MAX_WORK_BYTES + 1), b"")
            for number, raw in enumerate(lines, start=1):
                if len(raw) > MAX_WORK_BYTES:
                    raise BeneficeError(
                        gettext_noop(
                            "line longer than %(limit)s MB: not one OpenAlex work (a damaged file or a gzip bomb?)"
                        ),
                        params={"limit": MAX_WORK_BYTES // 1024**2},
                        path=str(partition),
                        line=number,
                    )
                if not raw.strip():
                    continue
                try:
                    work = json.loads(raw.decode("utf-8", errors="replace"))
                except ValueError as exc:
                    raise BeneficeError(
                        gettext_noop("not JSON: %(reason)s"),
                        params={"reason": str(exc)},
                        path=str(partition),
                        line=number,
                    ) from exc
                if not isinstance(work, dict):
                    raise BeneficeError(gettext_noop("not a JSON object"), path=str(partition), line=number)
                yield number, work
    except (OSError, EOFError, zlib.error) as exc:
        raise BeneficeError(
            gettext_noop("cannot read gzip partition: %(reason)s"),
            params={"reason": str(exc)},
            path=str(partition),
        ) from exc


def scan_partition(
    partition: str | Path, output: str | Path, registry_path: str | None = None, force: bool = False
) -> dict[str, Any]:
    """Detect sources in every work of one partition and write its Parquet file atomically.

    Returns ``{"partition", "output", "status": "done" | "skipped", "works", "with_sources"}``. Skips the
    partition when its output exists (unless ``force``). Raises BeneficeError (path, line) on bad input,
    leaving no output behind.
    """
    partition, output = Path(partition), Path(output)
    if output.exists() and not force:
        return {
            "partition": str(partition),
            "output": str(output),
            "status": "skipped",
            "works": 0,
            "with_sources": 0,
        }
    detector = _detector(registry_path)
    version = detector.registry.version
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    works = with_sources = 0
    writer = pq.ParquetWriter(tmp, SCHEMA, compression="zstd")
    try:
        batch: list[dict[str, Any]] = []
        for _number, work in _works(partition):
            record = work_to_record(work)
            result = detector.detect(record)
            year = work.get("publication_year")
            batch.append(
                {
                    "work_id": record["id"],
                    "doi": work.get("doi") or "",
                    "year": year if isinstance(year, int) and -32768 < year < 32768 else None,
                    "language": record["language"] if isinstance(record["language"], str) else "",
                    "sources_used": result["sources_used"],
                    "sources_mentioned": result["sources_mentioned"],
                    "mentions": result["mentions"],
                    "registry_version": version,
                }
            )
            works += 1
            with_sources += bool(result["mentions"])
            if len(batch) >= BATCH_ROWS:
                writer.write_table(pa.Table.from_pylist(batch, schema=SCHEMA))
                batch = []
        if batch or works == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=SCHEMA))
        writer.close()
        os.replace(tmp, output)
    except BaseException:
        writer.close()
        tmp.unlink(missing_ok=True)
        raise
    return {
        "partition": str(partition),
        "output": str(output),
        "status": "done",
        "works": works,
        "with_sources": with_sources,
    }


def _scan_task(partition: str, output: str, registry_path: str | None) -> dict[str, Any]:
    """Dask task wrapper: report a failure as data so one bad partition does not stop the run.

    ``error`` is the English text (logs, and what callers read before messages were translated);
    ``error_data`` is the same error untranslated (:meth:`~benefice.errors.BeneficeError.to_data`), so the
    command says it in its user's language (:func:`benefice.errors.localized_error`)."""
    try:
        return scan_partition(partition, output, registry_path)
    except BeneficeError as exc:
        return {
            "partition": partition,
            "output": output,
            "status": "failed",
            "error": str(exc),
            "error_data": exc.to_data(),
            "works": 0,
        }


@dataclass
class ScanReport:
    """What a scan did: partitions done now, skipped (already done) and failed (with their errors)."""

    done: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def works(self) -> int:
        return sum(d["works"] for d in self.done)


def run_scan(
    input_dir: str | Path,
    output_dir: str | Path,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    processes: bool = True,
    registry_path: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    connect_timeout: str = "20s",
) -> ScanReport:
    """Scan every partition not yet done, on a Dask cluster.

    ``scheduler`` ("tcp://host:port") uses an existing cluster; otherwise a LocalCluster with ``workers``
    single-threaded workers (default: all cores) is started and closed. ``progress(done, total)`` is
    called as partitions finish.
    """
    from dask.distributed import Client, LocalCluster, as_completed

    report = ScanReport()
    todo: list[tuple[str, str]] = []
    for partition in partitions(input_dir):
        output = output_for(partition, input_dir, output_dir)
        if output.exists():
            report.skipped.append(str(partition))
        else:
            todo.append((str(partition), str(output)))
    total = len(todo)
    if progress is not None:
        progress(0, total)
    if not todo:
        return report
    Path(output_dir).mkdir(parents=True, exist_ok=True)
    cluster = None
    try:
        if scheduler:
            try:
                client = Client(scheduler, timeout=connect_timeout)
            except (OSError, TimeoutError) as exc:
                raise BeneficeError(
                    gettext_noop("cannot reach the Dask scheduler: %(reason)s"),
                    params={"reason": str(exc)},
                    path=scheduler,
                ) from exc
        else:
            n = workers or os.cpu_count() or 1
            cluster = LocalCluster(
                n_workers=min(n, total), threads_per_worker=1, processes=processes, dashboard_address=None
            )
            client = Client(cluster)
        try:
            futures = [client.submit(_scan_task, p, o, registry_path, pure=False) for p, o in todo]
            for finished, future in enumerate(as_completed(futures), start=1):
                result = future.result()
                (report.failed if result["status"] == "failed" else report.done).append(result)
                if progress is not None:
                    progress(finished, total)
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.close()
    return report
