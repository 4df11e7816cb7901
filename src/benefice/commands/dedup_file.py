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
from benefice.i18n import cli_language, gettext_noop, render

REQUIRED_COLUMNS = ("ID", "title", "year", "author", "journal", "volume", "number", "pages")
_PROGRESS_FROM = 5_000  # below this a progress bar only flickers

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # abstracts can exceed the 128 KiB default


def read_records(path: Path) -> list[dict[str, str]]:
    """Rows of ``path`` as dicts; clear errors for missing columns, bad encoding, ragged or repeated rows."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BeneficeError(
            gettext_noop("cannot read file: %(reason)s"), params={"reason": str(exc.strerror or exc)}, path=str(path)
        ) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FormatError(
            gettext_noop("not UTF-8 text (byte 0x%(byte)s at offset %(offset)s); re-save the file as UTF-8"),
            params={"byte": f"{raw[exc.start]:02x}", "offset": exc.start},
            path=str(path),
            line=line,
        ) from exc
    if not text.strip():
        raise FormatError(gettext_noop("empty file: expected a CSV header"), path=str(path), line=1)
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as exc:
        raise FormatError(
            gettext_noop("unreadable CSV header: %(reason)s"), params={"reason": str(exc)}, path=str(path), line=1
        ) from exc
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise FormatError(
            gettext_noop("missing column(s) %(missing)s; the header has %(header)s"),
            params={"missing": ", ".join(missing), "header": ", ".join(header) or "—"},
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
                    gettext_noop("%(fields)s fields but the header has %(columns)s"),
                    params={"fields": len(row), "columns": len(header)},
                    path=str(path),
                    line=line,
                )
            rec = dict(zip(header, row, strict=False))
            rid = rec.get("ID", "").strip()
            if not rid:
                raise FormatError(gettext_noop("empty ID"), path=str(path), line=line, field="ID")
            if rid in seen:
                raise FormatError(
                    gettext_noop("ID %(id)r already used on line %(first)s"),
                    params={"id": rid, "first": seen[rid]},
                    path=str(path),
                    line=line,
                    field="ID",
                )
            seen[rid] = line
            rec["ID"] = rid
            rows.append(rec)
    except csv.Error as exc:
        raise FormatError(
            gettext_noop("malformed CSV: %(reason)s"), params={"reason": str(exc)}, path=str(path), line=reader.line_num
        ) from exc
    return rows


def write_groups(path: Path, groups: list[list[str]]) -> None:
    try:
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csvout.writer(fh, quoting=csv.QUOTE_NONNUMERIC)
            writer.writerow(["merged_ids"])
            for group in groups:
                writer.writerow([";".join(group)])
    except OSError as exc:
        raise BeneficeError(
            gettext_noop("cannot write file: %(reason)s"), params={"reason": str(exc.strerror or exc)}, path=str(path)
        ) from exc


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
    summary = gettext_noop(
        "%(records)s records, %(groups)s duplicate groups, %(duplicates)s duplicates, %(works)s distinct works → "
        "%(output)s"
    )
    params = {"records": len(rows), "groups": len(groups), "duplicates": duplicates, "output": output}
    console.print(render(summary, {**params, "works": len(rows) - duplicates}, cli_language()))


COMMANDS = [dedup_file]
