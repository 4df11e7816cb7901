"""The directory reader's refusals and rejected rows in the reader's language (issue 19): templates with
their parameters apart, the English reason kept for the import's record."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benefice.custodians.directory import Rejection, read_directory
from benefice.errors import BeneficeError

NBSP = "\u00a0"


def _csv(path, header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _none(label: str) -> list[str]:
    return []


def test_a_rejected_row_reads_in_french_and_keeps_its_english_reason(tmp_path):
    path = _csv(tmp_path / "projets.csv", ["Référence", "title"], [["A-1", "first"], ["a-1", "second"]])
    (rejection,) = read_directory(path, normalise=_none).rejected
    assert rejection.reason == "duplicate reference 'a-1' (first seen at line 2); this row was not imported"
    assert str(rejection) == f"{path}, line 3, field 'Référence': {rejection.reason}"
    assert rejection.localized("fr") == (
        f"projets.csv, ligne 3, champ «{NBSP}Référence{NBSP}»{NBSP}: référence 'a-1' en double (déjà vue "
        f"ligne 2){NBSP}; cette ligne n'a pas été importée"
    )
    stored = json.loads(json.dumps(vars(rejection)))  # as the import batch stores it
    assert Rejection(**stored).localized("fr") == rejection.localized("fr")


def test_a_missing_column_is_refused_in_french(tmp_path):
    path = _csv(tmp_path / "liste.csv", ["Référence", "autre"], [["A-1", "x"]])
    with pytest.raises(BeneficeError) as caught:
        read_directory(path, normalise=_none)
    assert "required column 'title' not found (columns found: 'Référence', 'autre')" in str(caught.value)
    assert caught.value.localized("fr", name_only=True) == (
        f"liste.csv{NBSP}: colonne obligatoire 'title' introuvable (colonnes trouvées{NBSP}: 'Référence', 'autre')"
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    reference=st.text(alphabet="ABCé-_0123 '\"%()s", min_size=1, max_size=10).filter(str.strip),
    date=st.text(alphabet="abcxyz%()s'", min_size=1, max_size=10).filter(str.strip),
)
def test_a_bad_date_read_from_the_file_is_said_in_french(tmp_path, reference, date):
    path = _csv(tmp_path / "d.csv", ["Référence", "title", "Date de début"], [[reference, "t", date]])
    parsed = read_directory(path, normalise=_none)
    if not parsed.rejected:
        return  # a text the date reader takes (a month name)
    (rejection,) = parsed.rejected
    french = rejection.localized("fr")
    assert french.startswith(
        f"d.csv, ligne 2, champ «{NBSP}Date de début{NBSP}»{NBSP}: date illisible{NBSP}: "
    )
    assert repr(" ".join(reference.split())) in french and str(tmp_path) not in french
