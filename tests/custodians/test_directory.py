"""The directory reader: HDH columns found by name, merged cells, dates, duplicates, source labels."""

from __future__ import annotations

import datetime as dt
import string

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benefice.custodians import directory
from benefice.custodians.directory import parse_date, read_directory, split_labels
from benefice.errors import BeneficeError
from benefice.paths import package_data

HDH_HEADER = [
    "Référence", "title", "Source de données utilisées", "Composante(s) de la base principale du SNDS mobilisée(s)",
    "Base(s) du catalogue du HDH mobilisée(s)", "Autre(s) source(s) de donnée(s) mobilisée(s)", "statut calendrier",
    "Domaines médicaux investigués", "Finalité de l'étude", "Objectifs poursuivis", "Responsable de traitement 1",
    "Type responsable traitement 1", "Responsable de traitement 2", "Type responsable traitement 2",
    "Responsable de traitement 3", "Type responsable traitement 3", "Description Entité mettant à disposition",
    "Date de début",
]  # fmt: skip


def no_detector(label: str) -> list[str]:
    return {"snds": ["SNDS"], "dcir": ["DCIR"], "pmsi": ["PMSI"]}.get(label.lower(), [])


def write_csv(path, header, rows, delimiter=";"):
    lines = [delimiter.join(header)] + [delimiter.join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_demo_directory_reads_every_row_with_registry_ids() -> None:
    parsed = read_directory(package_data("demo", "hdh_projects.csv"))
    assert parsed.rows_read == len(parsed.records) == 12 and not parsed.rejected
    first = parsed.records[0]
    assert first.reference == "DEMO-01" and first.start_date == "2021-06-15"
    assert {"SNDS", "DCIR", "PMSI_MCO", "VAC_SI"} <= set(first.source_ids)
    assert first.controllers[0] == {"name": "GIS EPI-PHARE (ANSM – CNAM)", "type": "Organisme public"}
    fictitious = next(r for r in parsed.records if r.reference == "DEMO-90")
    assert fictitious.unrecognised_labels == ["Données propres du responsable de traitement"]
    assert "Données propres du responsable de traitement" in fictitious.data_sources  # kept, not dropped


def test_renamed_and_reordered_columns_match_ignoring_case_accents(tmp_path) -> None:
    path = write_csv(
        tmp_path / "list.csv",
        ["DATE DE DEBUT", "TITRE", "reference", "sources de donnees", "responsable de traitement"],
        [["2020-01-01", "Une étude", "P1", "SNDS", "Inserm"]],
        delimiter=",",
    )
    parsed = read_directory(path, normalise=no_detector, custodian="CNAM")
    (record,) = parsed.records
    assert (record.reference, record.title, record.start_date) == ("P1", "Une étude", "2020-01-01")
    assert record.source_ids == ["SNDS"] and record.controllers == [{"name": "Inserm", "type": ""}]
    assert record.custodian == "CNAM"


def test_missing_required_column_names_the_file_and_column(tmp_path) -> None:
    path = write_csv(tmp_path / "bad.csv", ["title", "statut"], [["x", "y"]])
    with pytest.raises(BeneficeError) as caught:
        read_directory(path, normalise=no_detector)
    message = str(caught.value)
    assert "bad.csv" in message and "'Référence'" in message and "'title'" in message


def test_duplicate_reference_rejected_with_both_lines(tmp_path) -> None:
    path = write_csv(
        tmp_path / "dup.csv",
        ["Référence", "title"],
        [["A-1", "first"], ["B-2", "other"], ["a-1", "second"]],
    )
    parsed = read_directory(path, normalise=no_detector)
    assert [r.reference for r in parsed.records] == ["A-1", "B-2"]
    (rejection,) = parsed.rejected
    assert rejection.line == 4 and rejection.field == "Référence"
    assert "duplicate reference 'a-1'" in rejection.reason and "line 2" in rejection.reason


def test_bad_rows_rejected_with_file_line_field(tmp_path) -> None:
    path = write_csv(
        tmp_path / "rows.csv",
        ["Référence", "title", "Date de début"],
        [
            ["", "no reference", ""],
            ["R2", "", ""],
            ["R3", "bad date", "31/02/2021"],
            ["R4", "ok", "mars 2021"],
        ],
    )
    parsed = read_directory(path, normalise=no_detector)
    assert [r.reference for r in parsed.records] == ["R4"]
    assert parsed.records[0].start_date == "2021-03-01"
    assert [(r.line, r.field) for r in parsed.rejected] == [
        (2, "Référence"),
        (3, "title"),
        (4, "Date de début"),
    ]
    assert str(parsed.rejected[2]).startswith(f"{path}, line 4, field 'Date de début'")


def test_comment_lines_and_bom_and_quoted_newlines(tmp_path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(
        '\ufeff# a comment\nRéférence;title;Objectifs poursuivis\nX;"titre";"ligne 1\nligne 2"\nY;t;o\n'.encode()
    )
    parsed = read_directory(path, normalise=no_detector)
    assert [(r.reference, r.line) for r in parsed.records] == [("X", 3), ("Y", 5)]
    assert parsed.records[0].objectives == "ligne 1\nligne 2"


def test_xlsx_merged_cells_filled_and_dates_read(tmp_path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Répertoire public des projets (extrait)"])
    sheet.merge_cells("A1:R1")  # a merged title row above the table
    sheet.append([])
    sheet.append(HDH_HEADER)
    sheet.append(["H1", "Projet un", "SNDS", "DCIR", None, None, "Terminé", "Cardiologie", "", "", "CNAM", "Public",
                  None, None, None, None, "CNAM", dt.datetime(2020, 5, 4)])  # fmt: skip
    sheet.append(["H2", "Projet deux", None, "PMSI", None, None, "En cours", None, "", "", "Inserm", "Recherche",
                  "AP-HP", "Établissement", None, None, None, 44000])  # fmt: skip
    sheet.merge_cells("C4:C5")  # "SNDS" for both rows
    sheet.merge_cells("Q4:Q5")  # custodian for both rows
    path = tmp_path / "annuaire.xlsx"
    book.save(path)
    parsed = read_directory(path, normalise=no_detector)
    one, two = parsed.records
    assert two.data_sources == ["SNDS"] and two.custodian == "CNAM"
    assert one.start_date == "2020-05-04" and two.start_date == "2020-06-18"  # Excel serial 44000
    assert two.source_ids == ["SNDS", "PMSI"]
    assert [c["name"] for c in two.controllers] == ["Inserm", "AP-HP"]
    assert not parsed.ignored_columns
    assert [r.line for r in parsed.records] == [4, 5]


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2021-03-15", "2021-03-15"),
        ("15/03/2021", "2021-03-15"),
        ("15.03.2021", "2021-03-15"),
        ("03/2021", "2021-03-01"),
        ("2021", "2021-01-01"),
        ("15 mars 2021", "2021-03-15"),
        ("1er février 2020", "2020-02-01"),
        ("March 2021", "2021-03-01"),
        ("2021-03-15T10:00:00", "2021-03-15"),
        ("", ""),
        (None, ""),
    ],
)
def test_dates_in_several_formats(text, iso) -> None:
    assert parse_date(text) == iso


@pytest.mark.parametrize("text", ["soon", "32/01/2021", "13/2021", "2021-02-30", "mars"])
def test_bad_dates_refused(text) -> None:
    with pytest.raises(ValueError):
        parse_date(text)


def test_split_labels_keeps_commas_inside_parentheses() -> None:
    assert split_labels("DCIR, PMSI (MCO, SSR); CépiDc\nEGB") == ["DCIR", "PMSI (MCO, SSR)", "CépiDc", "EGB"]


# ----------------------------------------------------------------------------------- property tests
_cell = st.text(alphabet=string.ascii_letters + string.digits + " éàç'-,;\"\n", max_size=30)
_ref = st.text(alphabet=string.ascii_uppercase + string.digits + "-", min_size=1, max_size=10).filter(
    lambda s: s.strip("-")
)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(_ref, _cell, _cell), max_size=12))
def test_every_row_is_imported_or_rejected_never_lost(tmp_path_factory, rows) -> None:
    """Whatever the cells hold (delimiters, quotes, newlines), each data row is either a record or a
    rejection, each reference is imported at most once, and text round-trips (whitespace-normalised)."""
    import csv

    path = tmp_path_factory.mktemp("prop") / "p.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Référence", "title", "Objectifs poursuivis"])
        for row in rows:
            writer.writerow(row)
    parsed = read_directory(path, normalise=no_detector)
    non_blank = [r for r in rows if any(v.strip() for v in r)]
    assert parsed.rows_read == len(non_blank)
    assert len(parsed.records) + len(parsed.rejected) == len(non_blank)
    keys = [r.reference.lower() for r in parsed.records]
    assert len(keys) == len(set(keys))
    for record in parsed.records:
        # the row kept is the first with this reference and a title (an untitled one is rejected first)
        source = next(r for r in non_blank if r[0].strip() == record.reference and r[1].strip())
        assert record.title == " ".join(source[1].split())


@settings(max_examples=80, deadline=None)
@given(day=st.dates(min_value=dt.date(1960, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_dates_round_trip_in_every_written_form(day) -> None:
    for text in (day.isoformat(), day.strftime("%d/%m/%Y"), day.strftime("%d.%m.%Y"), day):
        assert parse_date(text) == day.isoformat()
    assert parse_date(day.strftime("%m/%Y")) == day.replace(day=1).isoformat()


def test_synonyms_have_one_meaning() -> None:
    meanings: dict[str, set[str]] = {}
    for canonical, names in directory.SYNONYMS.items():
        for name in names:
            meanings.setdefault(directory._key(name), set()).add(canonical)
    assert {k: v for k, v in meanings.items() if len(v) > 1} == {}
