"""The corpus commands speak the user's locale (issue 19): French when LANG (or LANGUAGE, LC_ALL) says
French, English otherwise; a file without records is refused naming it and leaves nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from benefice.corpus.models import ImportBatch, Publication, RawRecord

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"
RIS = "TY  - JOUR\nTI  - Étude de cohorte\nPY  - 2021\nDO  - 10.1000/cli1\nER  - \n"


def run(args: list[str], lang: str):
    from benefice.cli import main

    env = {"LANG": lang, "LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": ""}
    return CliRunner().invoke(main, args, env=env)


def test_a_garbage_file_is_refused_naming_it_in_french(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Compte rendu de réunion.\nAucune référence ici.\n", encoding="utf-8")
    result = run(["import", "--format", "ris", str(path)], "fr_FR.UTF-8")
    assert result.exit_code == 2
    assert f"erreur{NBSP}: {path}{NBSP}: aucune notice lue{NBSP}: ce fichier ne contient aucune notice RIS" in result.output
    assert Publication.objects.count() == 0 and RawRecord.objects.count() == 0
    assert ImportBatch.objects.get().status == ImportBatch.Status.FAILED


def test_the_same_error_in_english_under_another_locale(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Meeting notes.\n", encoding="utf-8")
    result = run(["import", "--format", "ris", str(path)], "C.UTF-8")
    assert result.exit_code == 2
    assert f"error: {path}: no record read: nothing in this file is a RIS record" in result.output


def test_an_import_reports_in_french(tmp_path: Path) -> None:
    path = tmp_path / "une.ris"
    path.write_text(RIS, encoding="utf-8")
    result = run(["import", str(path)], "fr_FR.UTF-8")
    assert result.exit_code == 0, result.output
    assert f"{path}{NBSP}: format ris{NBSP}; notices lues{NBSP}: 1{NBSP}; nouvelles publications{NBSP}: 1" in result.output
    assert "records read" not in result.output
