"""Imports commit in bounded batches (issue 17, failure 2): between two batches no write lock is held, so a
web write goes through; a malformed record anywhere still leaves the database as it was; an import stopped
midway keeps its committed batches and importing the same file again resumes it."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import connection

from benefice.corpus import services
from benefice.corpus.models import ImportBatch, Publication, RawRecord
from benefice.corpus.services import importing
from benefice.errors import BeneficeError, localized_error

RECORD = "TY  - JOUR\nTI  - Cohort study {i} of the French national health data system\nPY  - 2020\nDO  - 10.1000/b.{i}\nER  - \n\n"


def _file(tmp_path, n: int, name: str = "many.ris"):
    text = "".join(RECORD.format(i=i) for i in range(n))
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's single write lock")
@pytest.mark.django_db(transaction=True)
def test_another_writer_gets_the_lock_between_two_batches(tmp_path) -> None:
    path = _file(tmp_path, 2500)
    acquired = []

    def progress(done, total):
        other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # what a web write does; fails at once if the import held it
            other.execute("ROLLBACK")
            acquired.append(done)
        finally:
            other.close()

    batch = services.import_file(path, progress=progress)
    assert batch.status == ImportBatch.Status.DONE and batch.new_publications == 2500
    assert acquired[:3] == [1000, 2000, 2500]


@pytest.mark.django_db(transaction=True)
def test_a_malformed_record_anywhere_still_leaves_the_database_as_it_was(tmp_path, monkeypatch) -> None:
    from benefice.corpus import formats

    path = _file(tmp_path, 2500)
    real = formats.read

    def broken_at_2300(path, fmt="auto"):
        for n, record in enumerate(real(path, fmt), 1):
            if n == 2300:
                raise BeneficeError("malformed record", path=str(path), line=n * 6)
            yield record

    monkeypatch.setattr(formats, "read", broken_at_2300)
    with pytest.raises(BeneficeError, match="malformed record"):
        services.import_file(path)
    assert not Publication.objects.exists() and not RawRecord.objects.exists()
    assert ImportBatch.objects.get().status == ImportBatch.Status.FAILED


@pytest.mark.django_db(transaction=True)
def test_an_import_stopped_midway_keeps_its_batches_and_resumes(tmp_path, monkeypatch) -> None:
    path = _file(tmp_path, 2500)
    real = importing._store_chunk
    calls = []

    def stop_on_the_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(importing, "_store_chunk", stop_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        services.import_file(path)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.INTERRUPTED
    assert batch.records_read == 2000 and Publication.objects.count() == 2000
    assert "importing the same file again resumes" in localized_error(batch.errors[-1], "en")
    monkeypatch.setattr(importing, "_store_chunk", real)
    again = services.import_file(path)
    assert again.already_known == 2000 and again.new_publications == 500
    assert Publication.objects.count() == RawRecord.objects.count() == 2500
