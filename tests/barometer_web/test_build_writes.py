"""A build from the database writes one row (issue 17, delivery 2): it reads the corpus in chunks, writes the
edition's files, and registers the edition with one INSERT in its own short transaction, so a build never
holds SQLite's write lock while it computes and needs no batching.

Measured (probe: another connection tries ``BEGIN IMMEDIATE`` every 10 ms with no wait, as a web write does;
no PDF): demo corpus 2.5 s, synthetic 30,429 publications 10.7 s, 120,819 publications 54.6 s; each time one
write statement and not one refusal of the probe."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import connection

from benefice.barometer import services

from .conftest import OBSERVED, YEAR

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@pytest.mark.django_db(transaction=True)
def test_a_build_writes_one_row_and_never_blocks_another_writer(corpus, home, monkeypatch) -> None:
    writes: list[str] = []
    refused: list[str] = []

    def wrapper(execute, sql, params, many, context):
        if sql.lstrip().split(None, 1)[0].upper() in WRITES:
            writes.append(sql[:60])
        return execute(sql, params, many, context)

    def another_writer(step: str) -> None:  # at every step of the build, a web write gets the lock at once
        if connection.vendor != "sqlite":
            return
        other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
        except sqlite3.OperationalError:
            refused.append(step)
        finally:
            other.close()

    with connection.execute_wrapper(wrapper):
        edition = services.build_from_database(YEAR, OBSERVED, with_pdf=False, progress=another_writer)
    assert edition.pk and refused == []
    assert len(writes) == 1 and writes[0].startswith('INSERT INTO "barometer_edition"'), writes
