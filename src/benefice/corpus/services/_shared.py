"""Names the import, the harvest and the dedup index all need, kept apart so none imports another's
private helpers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from benefice.corpus import dedup
from benefice.corpus.models import DedupForm, DedupKey, ImportBatch, Publication

Progress = Callable[[int, int | None], None]  # (done, total or None)


@dataclass
class ImportCounts:
    records_read: int = 0
    new_publications: int = 0
    duplicates_merged: int = 0
    already_known: int = 0


HAL_KEY = "#hal:"  # HAL ids are not among the dedup engine's identifiers; a prefix no engine key uses


def publication_keys(pub: Publication, prepared: dedup.Prepared) -> list[str]:
    keys = list(prepared.keys)
    if pub.hal_id:
        keys.append(HAL_KEY + pub.hal_id)
    return keys


def _index_rows(
    pairs: Iterable[tuple[Publication, dedup.Prepared]],
    dumped: Iterable[str | None] | None = None,
) -> tuple[list[tuple[str, int, int | None]], list[tuple[int, str]]]:
    """The ``DedupKey`` rows and ``DedupForm`` rows of saved publications with their prepared forms.

    ``dumped`` gives, pair by pair, the form already dumped (``None``: dump it here)."""
    rows: list[tuple[str, int, int | None]] = []
    forms: list[tuple[int, str]] = []
    texts = iter(dumped) if dumped is not None else None
    for pub, prepared in pairs:
        year = prepared.year if prepared.year and 0 < prepared.year < 32767 else None
        rows.extend((k[:255], pub.pk, year) for k in publication_keys(pub, prepared))
        text = next(texts) if texts is not None else None
        forms.append((pub.pk, text if text is not None else dedup.dump_prepared(prepared)))
    return rows, forms


def _insert_keys(rows: list[tuple[str, int, int | None]], forms: list[tuple[int, str]] = ()) -> None:
    """Plain executemany: building a model instance per key cost more than the inserts themselves.

    ``rows`` are (key, publication id, compared year); ``forms`` are (publication id,
    :func:`dedup.dump_prepared` text), stored with the keys they go with.
    """
    with connection.cursor() as cursor:
        if rows:
            table = connection.ops.quote_name(DedupKey._meta.db_table)
            cursor.executemany(
                f"INSERT INTO {table} ({connection.ops.quote_name('key')}, publication_id, year) "
                "VALUES (%s, %s, %s)",
                rows,
            )
        if forms:
            table = connection.ops.quote_name(DedupForm._meta.db_table)
            cursor.executemany(f"INSERT INTO {table} (publication_id, form) VALUES (%s, %s)", forms)


def finish_batch(batch: ImportBatch, counts: ImportCounts, status: str) -> None:
    """Public because review.services records its own file imports' batches the same way."""
    batch.records_read = counts.records_read
    batch.new_publications = counts.new_publications
    batch.duplicates_merged = counts.duplicates_merged
    batch.already_known = counts.already_known
    batch.status = status
    batch.finished_at = timezone.now()
    batch.save()
