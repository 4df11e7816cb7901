"""``benefice dedup-file``: find duplicate records in a CSV export, no database needed.

Reads the bib-dedupe benchmark layout (``ID,title,year,author,journal,volume,number,pages`` plus optional
``doi, pmid, pmcid, openalex_id, abstract, booktitle, ENTRYTYPE``) and writes one line per duplicate group,
ids joined by ``;`` under the header ``merged_ids`` — the layout of bib-dedupe's ``merged_record_ids.csv``,
which lists only groups of two or more records. Pure: never imports Django.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from benefice import csvout
from benefice.corpus.dedup import duplicate_groups
from benefice.errors import BeneficeError, FormatError

REQUIRED_COLUMNS = ("ID", "title", "year", "author", "journal", "volume", "number", "pages")
_PROGRESS_FROM = 5_000  # below this a progress bar only flickers

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # abstracts can exceed the 128 KiB default


def read_records(path: Path) -> list[dict[str, str]]:
    """Rows of ``path`` as dicts; clear errors for missing columns, bad encoding, ragged or repeated rows."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BeneficeError(f"cannot read file: {exc.strerror or exc}", path=str(path)) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FormatError(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); re-save the file as UTF-8",
            path=str(path),
            line=line,
        ) from exc
    if not text.strip():
        raise FormatError("empty file: expected a CSV header", path=str(path), line=1)
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as exc:
        raise FormatError(f"unreadable CSV header: {exc}", path=str(path), line=1) from exc
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise FormatError(
            f"missing column(s) {', '.join(missing)}; the header has {', '.join(header) or 'nothing'}",
            path=str(path),
            line=1,
        )
    rows: list[dict[str, str]] = []
    seen: dict[str, int] = {}
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                raise FormatError(
                    f"{len(row)} fields but the header has {len(header)}", path=str(path), line=line
                )
            rec = dict(zip(header, row, strict=False))
            rid = rec.get("ID", "").strip()
            if not rid:
                raise FormatError("empty ID", path=str(path), line=line, field="ID")
            if rid in seen:
                raise FormatError(
                    f"ID {rid!r} already used on line {seen[rid]}", path=str(path), line=line, field="ID"
                )
            seen[rid] = line
            rec["ID"] = rid
            rows.append(rec)
    except csv.Error as exc:
        raise FormatError(f"malformed CSV: {exc}", path=str(path), line=reader.line_num) from exc
    return rows


def write_groups(path: Path, groups: list[list[str]]) -> None:
    try:
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csvout.writer(fh, quoting=csv.QUOTE_NONNUMERIC)
            writer.writerow(["merged_ids"])
            for group in groups:
                writer.writerow([";".join(group)])
    except OSError as exc:
        raise BeneficeError(f"cannot write file: {exc.strerror or exc}", path=str(path)) from exc


@click.command("dedup-file")
@click.argument("input_csv", metavar="INPUT.csv", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--output",
    "-o",
    "output",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="GROUPS.csv to write (header merged_ids, one duplicate group per line, ids joined by ';').",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary.")
def dedup_file(input_csv: Path, output: Path, quiet: bool) -> None:
    """Find records of INPUT.csv that describe the same work and write the duplicate groups.

    Identifiers (DOI, PMID, PMCID, OpenAlex) decide first; otherwise title, authors, year, venue,
    volume and pages must agree. Errata, replies and comments are never merged with their article.
    """
    console = Console(stderr=True, quiet=quiet)
    rows = read_records(input_csv)
    if len(rows) >= _PROGRESS_FROM and not quiet:
        with Progress(
            TextColumn("deduplicating"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("dedup", total=len(rows))
            groups = duplicate_groups(rows, progress=lambda n: bar.update(task, completed=n))
    else:
        groups = duplicate_groups(rows)
    write_groups(output, groups)
    duplicates = sum(len(g) - 1 for g in groups)
    console.print(
        f"{len(rows)} records, {len(groups)} duplicate groups, {duplicates} duplicates, "
        f"{len(rows) - duplicates} distinct works → {output}"
    )


COMMANDS = [dedup_file]
