"""Import is idempotent: a record is identified by the hash of its verbatim text, so importing the same file
twice adds nothing. A file is read in full before anything is written, so a malformed record anywhere leaves
the database as it was, and the batch is marked failed with the error naming the file and record; it is
then written in batches of CHUNK records, each its own short transaction, so an import never blocks the web
app's writes for long (issue 17), and one stopped midway resumes when the same file is imported again.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import pickle
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from benefice.core.jobs import owner_state
from benefice.corpus import dedup, fields, formats, pipeline
from benefice.corpus.dedup import reasons
from benefice.corpus.models import ImportBatch, MergeEvent, Publication, RawRecord
from benefice.corpus.record import Record
from benefice.corpus.services._shared import ImportCounts, Progress, _index_rows, _insert_keys, finish_batch
from benefice.corpus.services.bulk import fast_bulk_create, insert_rows
from benefice.corpus.services.index import CorpusIndex, prepare_publication, reindex_publications
from benefice.corpus.services.records import apply_record
from benefice.corpus.services.scan import OUTDATED
from benefice.errors import BeneficeError
from benefice.i18n import Message, gettext_noop
from benefice.sources.models import PublicationDetection

CHUNK = 1000


def new_publication(item: pipeline.Item, raw_id: int) -> Publication:
    """A publication made of one record, from the values prepared with it (see :func:`fields.new_publication`).

    Its list fields hold JSON text until a second record of the same chunk is merged into it
    (:func:`_materialise`): the text is what the insert needs, so it is not decoded and encoded again.
    """
    pub = Publication()
    attrs = pub.__dict__
    for field, value in item.values.items():
        attrs[field] = pipeline.JSONText(value) if field in fields.JSON_FIELDS else value
    pub.field_sources = dict.fromkeys(item.values, raw_id)
    pub.search_text = item.search_text
    return pub


def _materialise(pub: Publication) -> None:
    for field in fields.JSON_FIELDS:
        value = getattr(pub, field)
        if isinstance(value, pipeline.JSONText):
            setattr(pub, field, json.loads(value))


def import_records(
    records: Iterable[Record],
    batch: ImportBatch,
    *,
    origin: str,
    index: CorpusIndex | None = None,
    progress: Progress | None = None,
    total: int | None = None,
    user=None,
) -> ImportCounts:
    """Store records (verbatim) and merge them into publications. Caller holds the transaction.

    Records are written a chunk at a time with bulk inserts: one prepared dedup key per record, raw records
    first (their ids are what each publication field points back to), then the new publications, then links.
    """
    return import_prepared(
        pipeline.chunked_items(records, CHUNK),
        batch,
        origin=origin,
        index=index,
        progress=progress,
        total=total,
        user=user,
    )


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often while importing.

    An import allocates millions of short-lived acyclic objects (strings, tuples, rows); with the default
    thresholds the collector kept walking the long-lived ones (cached forms, Django's state) over and over.
    Reference counting still frees everything at once; cycles are collected, only later.
    """
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], 50_000), max(before[1], 20), max(before[2], 50))
    try:
        yield
    finally:
        gc.set_threshold(*before)


def import_prepared(
    chunks: Iterable[list[pipeline.Item]],
    batch: ImportBatch,
    *,
    origin: str,
    index: CorpusIndex | None = None,
    progress: Progress | None = None,
    total: int | None = None,
    user=None,
) -> ImportCounts:
    """Store chunks of already prepared records (see :mod:`benefice.corpus.pipeline`). Caller holds the
    transaction."""
    index = index or CorpusIndex.from_database()
    counts = ImportCounts()
    with _fewer_collections():
        for items in chunks:
            counts.records_read += len(items)
            _store_chunk(items, batch, origin, index, counts, user)
            if progress:
                progress(counts.records_read, total)
    if progress and counts.records_read == 0:
        progress(0, total)
    return counts


def _store_chunk(
    items: list[pipeline.Item],
    batch: ImportBatch,
    origin: str,
    index: CorpusIndex,
    counts: ImportCounts,
    user,
) -> None:
    known = set(
        RawRecord.objects.filter(content_hash__in=[i.content_hash for i in items]).values_list(
            "content_hash", flat=True
        )
    )
    todo: list[pipeline.Item] = []
    for item in items:
        if item.content_hash in known:
            counts.already_known += 1
            continue
        known.add(item.content_hash)
        todo.append(item)
    if not todo:
        return
    batch.errors = pipeline.add_notes(batch.errors, (n for i in todo for n in i.notes))  # refused URLs
    # raw records first, as rows: their ids are what each publication field points back to
    created = connection.ops.adapt_datetimefield_value(timezone.now())
    raw_ids = insert_rows(
        RawRecord,
        [
            "batch_id",
            "source_format",
            "origin",
            "position",
            "line",
            "raw",
            "parsed",
            "content_hash",
            "created_at",
        ],
        [
            (batch.pk, i.source_format, origin, i.position, i.line, i.raw, i.parsed, i.content_hash, created)
            for i in todo
        ],
    )
    for item, raw_id in zip(todo, raw_ids, strict=True):
        item.prepared.id = f"raw:{raw_id}"
    index.load_candidates([i.prepared for i in todo], (i.hal_id for i in todo))
    new: dict[str, Publication] = {}  # temporary key -> unsaved publication
    new_prepared: dict[str, dedup.Prepared] = {}
    new_form: dict[str, str | None] = {}  # its dumped form while it is its first record's alone
    existing: dict[int, Publication] = {}  # publications already in the database that received a record
    links: list[tuple[int, int | str]] = []  # (raw record id, publication key)
    events: list[tuple[int, int | str, str, float | None, str]] = []
    for item, raw_id in zip(todo, raw_ids, strict=True):
        prepared = item.prepared
        found = index.find(item.hal_id, prepared)
        if found is None:
            key = f"new:{raw_id}"
            pub = new_publication(item, raw_id)
            new[key] = pub
            new_prepared[key] = prepared
            new_form[key] = item.form
            index.add(key, pub, prepared)
            links.append((raw_id, key))
            counts.new_publications += 1
            continue
        key, method, score, reason = found
        if isinstance(key, str):
            pub = new[key]
            _materialise(pub)
        else:
            pub = existing.get(key) or Publication.objects.get(pk=key)
            existing[key] = pub
        if apply_record(pub, item.record(), raw_id):
            index.replace(key, pub)
            if isinstance(key, str):
                new_prepared[key] = prepare_publication(pub, key)
                new_form[key] = None
        links.append((raw_id, key))
        events.append((raw_id, key, method, score, reason))
        counts.duplicates_merged += 1
    fast_bulk_create(Publication, list(new.values()))
    _insert_keys(
        *_index_rows(((pub, new_prepared[key]) for key, pub in new.items()), (new_form[key] for key in new))
    )
    for key, pub in new.items():
        index.remember(pub.pk, new_prepared[key])
    for pub in existing.values():
        pub.save()
        index.forget(pub.pk)
    reindex_publications(existing.values())
    _detection_outdated(existing.keys())

    def resolve(key: int | str) -> Publication:
        return new[key] if isinstance(key, str) else existing[key]

    # executemany of a plain UPDATE: bulk_update's CASE expression cost more than all the inserts
    table = RawRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {connection.ops.quote_name(table)} SET publication_id = %s WHERE id = %s",
            [(resolve(key).pk, raw_id) for raw_id, key in links],
        )
    MergeEvent.objects.bulk_create(
        [
            MergeEvent(
                publication=resolve(key),
                raw_record_id=raw_id,
                method=method,
                score=score,
                reason=reasons.text(reason),
                reason_data=reasons.to_data(reason),
                created_by=user,
            )
            for raw_id, key, method, score, reason in events
        ],
        batch_size=500,
    )


def import_file(
    path: str | Path,
    fmt: str = "auto",
    *,
    user=None,
    progress: Progress | None = None,
    batch: ImportBatch | None = None,
    kind: str = "file",
) -> ImportBatch:
    """Import one file in one transaction. Raises BeneficeError (after recording it on the batch)."""
    path = Path(path)
    if not path.exists():
        raise BeneficeError(gettext_noop("no such file"), path=str(path))
    if batch is None:
        batch = ImportBatch.objects.create(user=user, kind=kind, origin=str(path), format=fmt)
    try:
        name = fmt if fmt != "auto" else formats.detect_format(path)
        batch.format = name
        batch.state = {**(batch.state or {}), **owner_state()}  # a later start can tell this process died
        batch.save(update_fields=["format", "state"])
        total = formats.count_hint(path)
        with _spooled(pipeline.prepared_chunks(path, name, total_hint=total)) as chunks:
            counts = _import_in_batches(
                chunks, batch, origin=path.name, progress=progress, total=total, user=user
            )
    except BeneficeError as exc:
        counts = getattr(exc, "committed", None) or ImportCounts()
        batch.errors = [*batch.errors, exc.to_data()]  # said in its reader's language (issue 19)
        finish_batch(batch, counts, ImportBatch.Status.FAILED)
        raise
    except KeyboardInterrupt:
        counts = _committed_so_far(batch)
        batch.errors = [*batch.errors, Message(RESUMABLE if counts.records_read else INTERRUPTED).to_data()]
        finish_batch(batch, counts, ImportBatch.Status.INTERRUPTED)
        raise
    finish_batch(batch, counts, ImportBatch.Status.DONE)
    return batch


RESUME_HINT = (
    "; the records of the batches committed before are kept, importing the same file again resumes the import"
)
INTERRUPTED = gettext_noop("interrupted")
RESUMABLE = gettext_noop(
    "interrupted; the records of the batches committed before are kept, importing the same file again "
    "resumes the import"
)


@contextmanager
def _spooled(chunks: Iterable[list[pipeline.Item]]) -> Iterator[Iterator[list[pipeline.Item]]]:
    """Read (and so validate) the whole file before writing anything, holding no database lock meanwhile.

    Why (issue 17): an import used to hold one write transaction for its whole run (a minute for 30,000
    records on SQLite), and every web write failed meanwhile. It now commits in bounded batches
    (:func:`_import_in_batches`); to keep "a malformed record anywhere leaves the database as it was", the
    prepared chunks are first spooled to a temporary file (pickled, as they already cross the process
    boundary), so every read error is raised before the first write.
    """
    with tempfile.TemporaryFile(prefix="benefice-import-") as spool:
        count = 0
        for items in chunks:
            pickle.dump(items, spool, protocol=pickle.HIGHEST_PROTOCOL)
            count += 1
        spool.seek(0)

        def replay() -> Iterator[list[pipeline.Item]]:
            for _ in range(count):
                yield pickle.load(spool)

        yield replay()


def _committed_so_far(batch: ImportBatch) -> ImportCounts:
    state = (batch.state or {}).get("committed") or {}
    return ImportCounts(**{k: int(state.get(k, 0)) for k in ImportCounts.__dataclass_fields__})


def _import_in_batches(
    chunks: Iterable[list[pipeline.Item]],
    batch: ImportBatch,
    *,
    origin: str,
    progress: Progress | None,
    total: int | None,
    user,
) -> ImportCounts:
    """Store chunks of CHUNK records, each in its own short transaction together with the batch's counts.

    A batch of records, their publications, merges and dedup keys commit together or not at all, so the
    database never holds half a record. If the import stops between two batches (a crash, kill -9, a
    database error), the batches already committed stay, the batch says how far it went, and importing the
    same file again resumes it: the stored records are recognised by their content hash and skipped.
    """
    index = CorpusIndex.from_database()
    counts = ImportCounts()
    with _fewer_collections():
        for number, items in enumerate(chunks, 1):
            try:
                with transaction.atomic():
                    before = dataclasses.replace(counts)
                    counts.records_read += len(items)
                    try:
                        _store_chunk(items, batch, origin, index, counts, user)
                    except BaseException:
                        counts = before
                        raise
                    batch.state = {
                        **(batch.state or {}),
                        "committed": dataclasses.asdict(counts),
                        "chunks_committed": number,
                    }
                    ImportBatch.objects.filter(pk=batch.pk).update(
                        state=batch.state,
                        errors=batch.errors,
                        records_read=counts.records_read,
                        new_publications=counts.new_publications,
                        duplicates_merged=counts.duplicates_merged,
                        already_known=counts.already_known,
                    )
            except BeneficeError as exc:
                exc.committed = counts  # type: ignore[attr-defined]
                raise
            except DatabaseError as exc:
                error = BeneficeError(
                    gettext_noop(
                        "database error after %(count)s records (%(reason)s); the records of the batches "
                        "committed before are kept, importing the same file again resumes the import"
                    ),
                    params={"count": counts.records_read, "reason": str(exc)},
                    path=origin,
                )
                error.committed = counts  # type: ignore[attr-defined]
                raise error from exc
            if progress:
                progress(counts.records_read, total)
    if progress and counts.records_read == 0:
        progress(0, total)
    return counts


def _detection_outdated(publication_ids: Iterable[int]) -> None:
    """Mark the detections of publications that changed (a merged record may bring an abstract, keywords,
    MeSH terms) so they are scanned again. Runs in the import's transaction: the mark and the change are
    committed together, so no interrupted scan can leave a changed publication counted as up to date."""
    ids = list(publication_ids)
    if not ids:
        return
    from benefice.uses.services import mark_outdated  # cycle: uses.services imports this package

    PublicationDetection.objects.filter(publication_id__in=ids).update(registry_hash=OUTDATED)
    mark_outdated(ids)  # their kinds of use are classified again with the new detection
