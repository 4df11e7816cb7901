"""``benefice dedup-file`` through click's CliRunner: layout of the output, counts, clear errors."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner

from benefice.commands.dedup_file import dedup_file

HEADER = "ID,title,year,author,journal,volume,number,pages,doi\n"
ROWS = [
    'id_1,"Complement dysfunction in hemolytic uremic syndrome",2006,"Zipfel, P. F. and Skerka, C.",Current Opinion in Rheumatology,18,5,548-555,',
    'id_2,"Complement dysfunction in haemolytic uremic syndrome.",2006,"Zipfel PF, Skerka C",Curr Opin Rheumatol,18,5,548-55,',
    'id_3,"Erratum: Complement dysfunction in hemolytic uremic syndrome",2006,"Zipfel, P. F.",Current Opinion in Rheumatology,18,6,700,',
    'id_4,"Something else entirely about pleural effusion",2010,"Smith, J.",Chest,1,1,1-9,10.1000/x',
    'id_5,"Another title that differs",2011,"Jones, K.",Thorax,2,2,10-19,https://doi.org/10.1000/X',
]


def _write(tmp_path: Path, text: str, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_dedup_file_writes_groups_in_bib_dedupe_layout(tmp_path: Path) -> None:
    src = _write(tmp_path, HEADER + "\n".join(ROWS) + "\n")
    out = tmp_path / "groups.csv"
    result = CliRunner().invoke(dedup_file, [str(src), "--output", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == '"merged_ids"'
    groups = [set(r["merged_ids"].split(";")) for r in csv.DictReader(out.open(encoding="utf-8"))]
    assert sorted(groups, key=min) == [{"id_1", "id_2"}, {"id_4", "id_5"}]
    assert "5 records, 2 duplicate groups, 2 duplicates, 3 distinct works" in result.output.replace("\n", " ")


def test_dedup_file_names_missing_columns(tmp_path: Path) -> None:
    src = _write(tmp_path, "ID,title,year\n1,x,2000\n")
    result = CliRunner().invoke(dedup_file, [str(src), "-o", str(tmp_path / "o.csv")])
    assert result.exit_code != 0
    assert "author, journal, volume, number, pages" in str(result.exception)


def test_dedup_file_bad_encoding_and_missing_file(tmp_path: Path) -> None:
    src = tmp_path / "latin1.csv"
    src.write_bytes((HEADER + 'id_1,"Caf\xe9 study",2000,,,,,,\n').encode("latin-1"))
    result = CliRunner().invoke(dedup_file, [str(src), "-o", str(tmp_path / "o.csv")])
    assert (
        result.exit_code != 0 and "not UTF-8" in str(result.exception) and "line 2" in str(result.exception)
    )
    result = CliRunner().invoke(dedup_file, [str(tmp_path / "nope.csv"), "-o", str(tmp_path / "o.csv")])
    assert result.exit_code != 0 and "cannot read file" in str(result.exception)


def test_dedup_file_repeated_id_is_an_error(tmp_path: Path) -> None:
    src = _write(tmp_path, HEADER + ROWS[0] + "\n" + ROWS[0] + "\n")
    result = CliRunner().invoke(dedup_file, [str(src), "-o", str(tmp_path / "o.csv")])
    assert result.exit_code != 0 and "already used on line 2" in str(result.exception)


def test_dedup_file_via_main_group_exits_2(tmp_path: Path) -> None:
    from benefice.cli import main

    src = _write(tmp_path, "ID,title\n1,x\n")
    result = CliRunner().invoke(main, ["dedup-file", str(src), "-o", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert "missing column(s)" in result.output
