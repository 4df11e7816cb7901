"""benefice backup / restore give back an identical corpus (issue 17): SQLite online backup, pg_dump."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner
from django.db import connection

from benefice.cli import main
from benefice.corpus.models import Publication, RawRecord
from benefice.corpus.services import export_publications, exportable, import_file

RIS = "".join(
    f"TY  - JOUR\nTI  - Nationwide SNDS cohort study {i} of drug safety\nAU  - Martin, Anne\nPY  - 20{10 + i}\n"
    f"DO  - 10.1000/backup.{i}\nER  - \n\n"
    for i in range(12)
)


def _corpus() -> str:
    out = io.StringIO()
    export_publications(exportable(Publication.objects.order_by("pk")), "jsonl", out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_an_identical_corpus(tmp_path) -> None:
    source = tmp_path / "corpus.ris"
    source.write_text(RIS, encoding="utf-8")
    import_file(source)
    before, raws = _corpus(), RawRecord.objects.count()
    assert before.count("\n") == 12
    backup = tmp_path / "benefice.backup"
    result = CliRunner().invoke(main, ["backup", "--output", str(backup)])
    assert result.exit_code == 0, result.output
    assert backup.stat().st_size > 0
    # the corpus changes after the backup: titles rewritten, another file imported
    Publication.objects.update(title="changed after the backup")
    other = tmp_path / "other.ris"
    other.write_text(RIS.replace("backup.", "later.").replace("cohort study", "registry"), encoding="utf-8")
    import_file(other)
    assert _corpus() != before
    result = CliRunner().invoke(main, ["restore", str(backup)])
    assert result.exit_code == 0, result.output
    connection.close()
    assert _corpus() == before and RawRecord.objects.count() == raws


@pytest.mark.django_db
def test_restore_refuses_a_file_that_is_no_backup(tmp_path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a backup at all, just text", encoding="utf-8")
    result = CliRunner().invoke(main, ["restore", str(bogus)])
    assert result.exit_code == 2 and "not a" in result.output


@pytest.mark.django_db
def test_restore_refuses_in_the_users_language(tmp_path, monkeypatch) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a backup at all, just text", encoding="utf-8")
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    result = CliRunner().invoke(main, ["restore", str(bogus)])
    assert result.exit_code == 2
    engine = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"  # the suite runs on both
    assert f"ce n'est pas une sauvegarde {engine} faite par benefice backup" in result.output
    result = CliRunner().invoke(main, ["restore", str(tmp_path / "absent.backup")])
    assert result.exit_code == 2 and "fichier introuvable" in result.output
