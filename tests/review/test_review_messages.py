"""The labelled CSV reader and the simulation say their refusals and warnings in the reader's language
(issue 19): English templates with their parameters apart, French from the main catalogue, plurals by the
catalogue's forms, never "record(s)"."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benefice.cli import main
from benefice.errors import BeneficeError, localized_error
from benefice.review.data import read_labelled_csv
from benefice.review.simulate import check_priors

NBSP = "\u00a0"


def _csv(path, rows, header=("title", "abstract", "label_included")):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_missing_columns_in_french_and_english(tmp_path):
    path = _csv(tmp_path / "m.csv", [("a", "1")], header=("title", "label"))
    with pytest.raises(BeneficeError) as caught:
        read_labelled_csv(path)
    error = caught.value
    assert "missing columns: abstract, label_included or included (columns found: 'title', 'label')" in str(
        error
    )
    assert error.localized("fr", name_only=True) == (
        f"m.csv, ligne 1{NBSP}: colonnes manquantes{NBSP}: abstract, label_included ou included "
        f"(colonnes trouvées{NBSP}: 'title', 'label')"
    )
    one = _csv(tmp_path / "o.csv", [("a", "b")], header=("title", "abstract"))
    with pytest.raises(BeneficeError) as caught:
        read_labelled_csv(one)
    assert f"colonne manquante{NBSP}: label_included ou included" in caught.value.localized("fr")
    assert localized_error(caught.value.to_data(), "fr") == caught.value.localized("fr", name_only=True)


def test_warnings_take_the_plural_of_their_count(tmp_path):
    one = read_labelled_csv(_csv(tmp_path / "a.csv", [("t", "a", 1), ("", "", 0), ("u", "b", 0)]))
    assert one.warnings[0].startswith("1 record has neither title nor abstract (line 3)")
    assert (
        one.notes[0]
        .localized("fr")
        .startswith(f"1 notice n'a ni titre ni résumé (ligne 3){NBSP}: conservée avec un texte vide")
    )
    many = read_labelled_csv(
        _csv(tmp_path / "b.csv", [("t", "a", 1), ("", "", 0), ("", "", 0), ("u", "b", 0)])
    )
    assert many.notes[0].localized("fr").startswith("2 notices n'ont ni titre ni résumé (lignes 3, 4)")
    assert "record(s)" not in many.warnings[0]


def test_more_than_ten_lines_are_counted_in_the_readers_language(tmp_path):
    rows = [("t", "a", 1)] + [("same", "text", 0)] * 12 + [("same", "text", 1)]
    with pytest.raises(BeneficeError) as caught:
        read_labelled_csv(_csv(tmp_path / "c.csv", rows))
    assert "3, 4, 5, 6, 7, 8, 9, 10, 11, 12 and 3 more have the same title" in str(caught.value)
    assert "12 et 3 autres ont le même titre et le même résumé" in caught.value.localized("fr")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(label=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12))
def test_a_bad_label_read_from_the_file_is_said_in_french(tmp_path, label):
    if label.strip() in ("0", "1", "0.0", "1.0") or not label.strip():
        return
    path = _csv(tmp_path / "l.csv", [("t", "a", label)])
    try:
        read_labelled_csv(path)
    except BeneficeError as exc:  # a label with a separator or quote may break the row first: still said
        french = exc.localized("fr", name_only=True)
        assert french.startswith("l.csv") and str(tmp_path) not in french
        if "label" in exc.template:
            assert repr(label.strip()) in french and "ne vaut ni 0 ni 1" in french


def test_priors_refused_in_french():
    labels = np.array([1, 0, 0])
    with pytest.raises(BeneficeError) as caught:
        check_priors(labels, 1, 1, "set.csv")
    assert "the file has 1 relevant record" in str(caught.value)
    assert caught.value.localized("fr") == (
        f"set.csv{NBSP}: --prior-included 1 ne laisse aucune notice pertinente à trouver{NBSP}: le fichier "
        "contient 1 notice pertinente"
    )
    with pytest.raises(BeneficeError) as caught:
        check_priors(np.array([1, 1, 0, 0, 0]), 0, 3, None)
    assert caught.value.localized("fr").endswith("le fichier contient 3 notices non pertinentes")


def test_the_command_warns_in_french_under_a_french_locale(tmp_path, monkeypatch):
    data = _csv(tmp_path / "w.csv", [("t", "a", 1), ("", "", 0), ("u", "b", 0)])
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    result = CliRunner().invoke(
        main,
        [
            "review",
            "simulate",
            "--data",
            str(data),
            "--output",
            str(tmp_path / "m.json"),
            "--prior-included",
            "1",
        ],
    )
    assert "1 notice n'a ni titre ni résumé" in result.output
    assert "ne laisse aucune notice pertinente" in result.output  # the refusal, in French too


def test_a_large_count_is_grouped_in_french():
    from benefice.review.data import Note

    note = Note("%(n)s record", "%(n)s records", 12345)
    assert note.localized("en") == "12345 records"
    assert (
        Note(
            "%(n)s record has neither title nor abstract (line %(lines)s): kept with an empty text, so the model can "
            "only rank it by chance",
            "%(n)s records have neither title nor abstract (lines %(lines)s): kept with an empty text, so the model "
            "can only rank them by chance",
            3412,
            {"lines": "2"},
        )
        .localized("fr")
        .startswith("3\u202f412 notices n'ont ni titre ni résumé")
    )
