"""Corpus services: import, harvest, deduplicate, undo merges, export. Called by both CLI and web.

Import is idempotent: a record is identified by the hash of its verbatim text, so importing the same file
twice adds nothing. A file is read in full before anything is written, so a malformed record anywhere leaves
the database as it was, and the batch is marked failed with the error naming the file and record; it is
then written in batches of CHUNK records, each its own short transaction, so an import never blocks the web
app's writes for long (issue 17), and one stopped midway resumes when the same file is imported again.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from benefice.corpus import dedup, fields, formats, pipeline
from benefice.corpus.models import DedupForm, DedupKey, ImportBatch, MergeEvent, Publication, RawRecord
from benefice.corpus.record import Author, Record
from benefice.errors import BeneficeError

# Publication fields filled from records; first non-empty value wins and is attributed to its RawRecord.
MERGEABLE_FIELDS = fields.MERGEABLE_FIELDS
IDENTIFIER_FIELDS = ("doi", "pmid", "pmcid", "openalex_id", "hal_id")
CHUNK = 1000

Progress = Callable[[int, int | None], None]  # (done, total or None)

log = logging.getLogger(__name__)


@dataclass
class ImportCounts:
    records_read: int = 0
    new_publications: int = 0
    duplicates_merged: int = 0
    already_known: int = 0


content_hash = pipeline.content_hash  # kept here too: callers and tests know it as services.content_hash


def apply_record(pub: Publication, record: Record, raw_id: int | None) -> bool:
    """Fill the publication's empty fields from one record; remember where each value came from."""
    changed = False
    for field in MERGEABLE_FIELDS:
        value = fields.record_value(record, field)
        if (
            fields.is_empty(value)
            or not fields.is_empty(getattr(pub, field))
            or not fields.acceptable(field, value)
        ):
            continue
        setattr(pub, field, value)
        if raw_id is not None:
            pub.field_sources[field] = raw_id
        changed = True
    if changed:
        pub.search_text = build_search_text(pub)
    return changed


def build_search_text(pub: Publication) -> str:
    return fields.search_text(lambda f: getattr(pub, f))


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


def record_from_parsed(parsed: dict[str, Any]) -> Record:
    return Record.from_dict(parsed)


def publication_to_record(pub: Publication) -> Record:
    """A Record view of a merged publication, for exports and for the dedup index."""
    return Record(
        source_format="benefice",
        position=pub.pk or 0,
        **{f: getattr(pub, f) for f in MERGEABLE_FIELDS if f != "authors"},
        authors=[
            Author(
                **{
                    k: a.get(k, "" if k != "affiliations" else [])
                    for k in ("name", "family", "given", "orcid", "affiliations")
                }
            )
            for a in pub.authors
        ],
    )


HAL_KEY = "#hal:"  # HAL ids are not among the dedup engine's identifiers; a prefix no engine key uses
CANDIDATES_PER_KEY = 200  # as the engine's own bucket cap: a key shared by more records stops discriminating
LOOKUP_BATCH = 500  # keys per IN (...) query, well under SQLite's parameter limit


def publication_keys(pub: Publication, prepared: dedup.Prepared) -> list[str]:
    keys = list(prepared.keys)
    if pub.hal_id:
        keys.append(HAL_KEY + pub.hal_id)
    return keys


def prepare_publication(pub: Publication, key: int | str | None = None) -> dedup.Prepared:
    key = pub.pk if key is None else key
    return dedup.prepare(dedup.from_record(publication_to_record(pub), id=str(key)))


def fast_bulk_create(model: type, objs: list) -> None:
    """``bulk_create`` for the import's hot path: same rows, ids set on the objects, a third of the cost.

    Why not Django's: its compiler prepares every value through the generic field machinery, which cost more
    than SQLite's own work on large imports (measured with cProfile: 4 s of 11 s for 10,000 RIS records).
    Here each field gets one converter chosen once; JSON, datetimes and foreign keys are the only conversions
    the corpus models need. Ids come back with ``RETURNING`` (SQLite ≥ 3.35, PostgreSQL), in insertion order,
    as Django's own bulk_create relies on for both backends.
    """
    if not objs:
        return
    import json as _json

    from django.db.models import DateTimeField, JSONField

    ops = connection.ops
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    converters = []
    for f in fields:
        if isinstance(f, JSONField):
            converters.append(lambda v: v if isinstance(v, pipeline.JSONText) else _json.dumps(v))
        elif isinstance(f, DateTimeField):
            converters.append(ops.adapt_datetimefield_value)
        else:
            converters.append(None)
    stamped = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    now = timezone.now()
    for obj in objs:
        for f in stamped:
            setattr(obj, f.attname, now)
    attnames = [f.attname for f in fields]
    rows = []
    for obj in objs:
        row = []
        for attname, convert in zip(attnames, converters, strict=True):
            value = getattr(obj, attname)
            row.append(convert(value) if convert is not None and value is not None else value)
        rows.append(row)
    ids = insert_rows(model, [f.column for f in fields], rows)
    for obj, new_id in zip(objs, ids, strict=True):
        obj.pk = new_id
        obj._state.adding = False
        obj._state.db = connection.alias


def insert_rows(model: type, columns: list[str], rows: list) -> list[int]:
    """Insert rows of database-ready values (columns in the given order); their new ids in the same order.

    Ids come back with ``RETURNING`` (SQLite ≥ 3.35, PostgreSQL), in insertion order, as Django's own
    bulk_create relies on for both backends.
    """
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    names = ", ".join(ops.quote_name(c) for c in columns)
    pk = ops.quote_name(model._meta.pk.column)
    row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per_statement = max(1, 900 // len(columns))  # under SQLite's oldest parameter limit (999)
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            part = rows[start : start + per_statement]
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([row_sql] * len(part))} RETURNING {pk}",
                [value for row in part for value in row],
            )
            ids.extend(row[0] for row in cursor.fetchall())
    return ids


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


def reindex_publications(pubs: Iterable[Publication]) -> None:
    """Replace the blocking keys and stored prepared forms of these (saved) publications."""
    pubs = list(pubs)
    DedupKey.objects.filter(publication__in=pubs).delete()
    DedupForm.objects.filter(publication__in=pubs).delete()
    _insert_keys(*_index_rows((p, prepare_publication(p)) for p in pubs))


def _select_in(sql: str, values: list) -> Iterator[tuple]:
    """Rows of ``sql`` (with one ``IN ({})``) for every value, LOOKUP_BATCH values a query.

    Plain SQL: on the import's hot path, building the ORM's query cost more than running it."""
    with connection.cursor() as cursor:
        for start in range(0, len(values), LOOKUP_BATCH):
            part = values[start : start + LOOKUP_BATCH]
            cursor.execute(sql.format(", ".join(["%s"] * len(part))), part)
            yield from cursor.fetchall()


class CorpusIndex:
    """Finds the publication a record describes, looking candidates up in the ``DedupKey`` table.

    Memory stays flat whatever the corpus or file size: only the candidates of the chunk being imported are
    loaded (and a bounded cache of their prepared forms). Publications of the current chunk, not yet saved, are
    held under temporary keys ("new:N").
    """

    CACHE_SIZE = 10_000  # prepared forms kept (~2 KB each): bounded memory, fewer rebuilds

    def __init__(self) -> None:
        self._cache: OrderedDict[int, dedup.Prepared] = OrderedDict()
        self._local = dedup.DuplicateIndex()
        self._hal: dict[str, int | str] = {}

    @classmethod
    def from_database(cls) -> CorpusIndex:
        """An index over the stored corpus; publications saved without keys (admin, fixtures), without a
        stored prepared form (a corpus imported before forms were stored), or whose form is of an older
        ``PREPARED_FORM_VERSION`` are keyed first. The version changes when ``prepare`` or the blocking keys
        change (a new key for journal names, pages in another notation…): the stored keys of such a corpus are
        the old ones, and a duplicate the new rules would find could never become a candidate. So the first
        import after an upgrade rebuilds them, once, in chunks."""
        # three anti-joins rather than one OR over the joins, which would walk every key of the corpus
        current = f"[{dedup.PREPARED_FORM_VERSION},"
        ids = sorted(
            set(Publication.objects.filter(dedup_keys__isnull=True).values_list("pk", flat=True))
            | set(Publication.objects.filter(dedup_form__isnull=True).values_list("pk", flat=True))
            | set(DedupForm.objects.exclude(form__startswith=current).values_list("publication_id", flat=True))
        )
        for start in range(0, len(ids), 2000):  # by id: a publication with no key must not be picked again
            reindex_publications(Publication.objects.filter(pk__in=ids[start : start + 2000]))
        return cls()

    def _prepared(self, pub_ids: set[int]) -> dict[int, dedup.Prepared]:
        found = {i: self._cache[i] for i in pub_ids if i in self._cache}
        missing = pub_ids - found.keys()
        ordered = sorted(missing)
        for start in range(0, len(ordered), LOOKUP_BATCH):
            # stored forms first; a publication without one (or of an older version) is prepared again
            part = ordered[start : start + LOOKUP_BATCH]
            for pub_id, text in _select_in(
                f"SELECT publication_id, form FROM {connection.ops.quote_name(DedupForm._meta.db_table)} "
                "WHERE publication_id IN ({})",
                part,
            ):
                prep = dedup.load_prepared(text, str(pub_id))
                if prep is not None:
                    found[pub_id] = prep
            rest = [i for i in part if i not in found]
            for row in (
                Publication.objects.filter(pk__in=rest).values("id", *MERGEABLE_FIELDS) if rest else ()
            ):
                pub = Publication(**row)
                found[pub.pk] = prepare_publication(pub)
        for i, prep in found.items():
            self._cache[i] = prep
            self._cache.move_to_end(i)
        while len(self._cache) > self.CACHE_SIZE:
            self._cache.popitem(last=False)
        return found

    def load_candidates(self, prepared: Iterable[dedup.Prepared], hal_ids: Iterable[str]) -> None:
        """Start a chunk: index the stored publications sharing a key with any record of the chunk.

        A candidate found through a title or author key is skipped without reading its form when its year is
        too far from the record's: ``compare`` could only match the two through an identifier, which has keys
        of its own (:data:`dedup.IDENTIFIER_KEYS`).
        """
        self._local = dedup.DuplicateIndex()
        self._hal = {}
        prepared = list(prepared)
        keys = {k[:255] for p in prepared for k in p.keys} | {HAL_KEY + h for h in hal_ids if h}
        per_key: dict[str, list[tuple[int, int | None]]] = {}
        for key, pub_id, year in _select_in(
            f"SELECT {connection.ops.quote_name('key')}, publication_id, year FROM "
            f"{connection.ops.quote_name(DedupKey._meta.db_table)} WHERE {connection.ops.quote_name('key')} "
            "IN ({}) ORDER BY publication_id DESC",
            sorted(keys),
        ):
            bucket = per_key.setdefault(key, [])
            if (
                len(bucket) < CANDIDATES_PER_KEY or key[:1] in dedup.IDENTIFIER_KEYS
            ):  # as the engine's buckets
                bucket.append((pub_id, year))
        ids: set[int] = set()
        for p in prepared:
            for k in p.keys:
                bucket = per_key.get(k[:255])
                if not bucket:
                    continue
                if k[:1] in dedup.IDENTIFIER_KEYS or not p.year:
                    ids.update(pub_id for pub_id, _year in bucket)
                else:
                    ids.update(pub_id for pub_id, year in bucket if dedup.years_compatible(year, p.year))
        for key, bucket in per_key.items():
            if key.startswith(HAL_KEY):
                self._hal[key[len(HAL_KEY) :]] = bucket[-1][0]
        for pub_id, prep in self._prepared(ids).items():
            self._local.add(str(pub_id), prep)

    def add(self, key: str, pub: Publication, prepared: dedup.Prepared) -> None:
        prepared.id = key
        self._local.add(key, prepared)
        if pub.hal_id:
            self._hal.setdefault(pub.hal_id, key)

    def replace(self, key: int | str, pub: Publication) -> None:
        """A publication of the chunk gained fields from a merged record: refile it under its new features."""
        self._local.add(str(key), prepare_publication(pub, key))
        if pub.hal_id:
            self._hal.setdefault(pub.hal_id, key)

    def remember(self, pub_id: int, prepared: dedup.Prepared) -> None:
        """A publication just stored: keep its prepared form, so the next chunks need not rebuild it."""
        prepared.id = str(pub_id)
        self._cache[pub_id] = prepared
        self._cache.move_to_end(pub_id)
        while len(self._cache) > self.CACHE_SIZE:
            self._cache.popitem(last=False)

    def forget(self, pub_id: int) -> None:
        self._cache.pop(pub_id, None)

    def find(self, hal_id: str, prepared: dedup.Prepared) -> tuple[int | str, str, float | None, str] | None:
        """(publication key, method, score, reason) of the publication a record (its HAL id and prepared
        form) describes, if any."""
        if hal_id and hal_id in self._hal:
            return self._hal[hal_id], MergeEvent.Method.IDENTIFIER, 1.0, f"same hal_id {hal_id}"
        match = self._local.find(prepared)
        if match is None:
            return None
        method = MergeEvent.Method.IDENTIFIER if match.method == "identifier" else MergeEvent.Method.FUZZY
        key: int | str = match.id if match.id.startswith("new:") else int(match.id)
        return key, method, match.score, match.reason


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
                reason=reason,
                created_by=user,
            )
            for raw_id, key, method, score, reason in events
        ],
        batch_size=500,
    )


def _finish(batch: ImportBatch, counts: ImportCounts, status: str) -> None:
    batch.records_read = counts.records_read
    batch.new_publications = counts.new_publications
    batch.duplicates_merged = counts.duplicates_merged
    batch.already_known = counts.already_known
    batch.status = status
    batch.finished_at = timezone.now()
    batch.save()


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
        raise BeneficeError("no such file", path=str(path))
    from benefice.core.jobs import owner_state

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
        batch.errors = [*batch.errors, str(exc)]
        _finish(batch, counts, ImportBatch.Status.FAILED)
        raise
    except KeyboardInterrupt:
        counts = _committed_so_far(batch)
        batch.errors = [*batch.errors, "interrupted" + (RESUME_HINT if counts.records_read else "")]
        _finish(batch, counts, ImportBatch.Status.INTERRUPTED)
        raise
    _finish(batch, counts, ImportBatch.Status.DONE)
    return batch


RESUME_HINT = (
    "; the records of the batches committed before are kept, importing the same file again resumes the import"
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
    import pickle
    import tempfile

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
                    f"database error after {counts.records_read} records ({exc})" + RESUME_HINT, path=origin
                )
                error.committed = counts  # type: ignore[attr-defined]
                raise error from exc
            if progress:
                progress(counts.records_read, total)
    if progress and counts.records_read == 0:
        progress(0, total)
    return counts


def harvest_origin(kind: str, query: dict[str, Any]) -> str:
    """The ``origin`` of a harvest's batch: the query itself, which is how a harvest finds the batch to resume."""
    return json.dumps({"kind": kind, **query}, sort_keys=True)


def harvest_batch(kind: str, query: dict[str, Any]) -> ImportBatch | None:
    """The latest batch of this harvest (to detect the sources of the pages it committed before it stopped)."""
    return ImportBatch.objects.filter(kind=kind, origin=harvest_origin(kind, query)).order_by("-pk").first()


def harvest(
    connector,
    query: dict[str, Any],
    *,
    kind: str,
    user=None,
    progress: Progress | None = None,
    resume: bool = True,
    limit: int | None = None,
) -> ImportBatch:
    """Harvest pages from a connector, committing each page with the state needed to resume after it.

    An interrupted harvest of the same query resumes from its last committed page.
    """
    origin = harvest_origin(kind, query)
    batch = None
    if resume:
        batch = (
            ImportBatch.objects.filter(kind=kind, origin=origin)
            .exclude(status=ImportBatch.Status.DONE)
            .order_by("-started_at")
            .first()
        )
    if batch is None:
        batch = ImportBatch.objects.create(user=user, kind=kind, origin=origin, format=kind)
    else:
        batch.status = ImportBatch.Status.RUNNING
        batch.save(update_fields=["status"])
    index = CorpusIndex.from_database()
    totals = ImportCounts(
        batch.records_read, batch.new_publications, batch.duplicates_merged, batch.already_known
    )
    state = batch.state or None
    try:
        for page in connector.harvest(**query, state=state):
            with transaction.atomic():
                c = import_records(page.records, batch, origin=f"{kind}:{page.state}", index=index, user=user)
                totals.records_read += c.records_read
                totals.new_publications += c.new_publications
                totals.duplicates_merged += c.duplicates_merged
                totals.already_known += c.already_known
                batch.state = page.state
                batch.records_read = totals.records_read
                batch.new_publications = totals.new_publications
                batch.duplicates_merged = totals.duplicates_merged
                batch.already_known = totals.already_known
                batch.save()
            if progress:
                progress(totals.records_read, page.total)
            if limit is not None and totals.records_read >= limit:
                break
    except BeneficeError as exc:
        batch.errors = [*batch.errors, str(exc)]
        batch.status = ImportBatch.Status.INTERRUPTED
        batch.save()
        raise
    except KeyboardInterrupt:
        batch.status = ImportBatch.Status.INTERRUPTED
        batch.save()
        raise
    _finish(batch, totals, ImportBatch.Status.DONE)
    return batch


# --- source detection of what an import brought ----------------------------------------------------------

#: Registry hash given to the detection of a publication that gained a merged record: no registry hashes to
#: it, so the next scan (the import's own, or ``benefice scan`` if that one was cut short) detects the
#: publication again, while its current lists keep counting until then.
OUTDATED = "outdated"
#: Publication ids handed to one ``scan_database`` call: its id filters are single ``IN (...)`` lists, and
#: SQLite refuses statements with more than 32,766 parameters.
SCAN_IDS = 5000
SCAN_HINT = "run `benefice scan` to detect them (it skips what is already scanned)"


@dataclass
class ScanOutcome:
    """What the scan that follows an import did; ``error`` says why it stopped, if it did."""

    publications: int = 0  # publications the import created or gave a merged record
    scanned: int = 0
    with_sources: int = 0
    classified: int = 0  # publications whose kinds of use were (re)classified by the scan
    with_uses: int = 0
    error: str = ""

    @property
    def failed(self) -> bool:
        return bool(self.error)


def _detection_outdated(publication_ids: Iterable[int]) -> None:
    """Mark the detections of publications that changed (a merged record may bring an abstract, keywords,
    MeSH terms) so they are scanned again. Runs in the import's transaction: the mark and the change are
    committed together, so no interrupted scan can leave a changed publication counted as up to date."""
    ids = list(publication_ids)
    if not ids:
        return
    from benefice.sources.models import PublicationDetection  # sources depends on corpus, not the reverse
    from benefice.uses.services import mark_outdated

    PublicationDetection.objects.filter(publication_id__in=ids).update(registry_hash=OUTDATED)
    mark_outdated(ids)  # their kinds of use are classified again with the new detection


def merge_target(raw_record_ids: Iterable[int], *, exclude: int | None = None) -> int | None:
    """The one publication that now holds these raw records (where a merge moved them), or None when they
    are spread over several or none. What people's corrections follow when the publication they were made on
    is merged or deleted: a correction records the raw records its publication had."""
    targets = set(
        RawRecord.objects.filter(pk__in=[int(r) for r in raw_record_ids], publication__isnull=False)
        .exclude(publication_id=exclude)
        .values_list("publication_id", flat=True)
    )
    return targets.pop() if len(targets) == 1 else None


def batch_publication_ids(batch: ImportBatch) -> list[int]:
    """The publications a batch created or gave a merged record: those holding one of its raw records."""
    return sorted(
        set(
            RawRecord.objects.filter(batch=batch, publication__isnull=False).values_list(
                "publication_id", flat=True
            )
        )
    )


def scan_batch(batch: ImportBatch, *, progress: Progress | None = None) -> ScanOutcome:
    """Detect the data sources of what ``batch`` brought, after its import has committed.

    Called by every import and harvest (web job, CLI, demo) once ``import_file`` or ``harvest`` returned: the
    import's own transaction is over, so the scan commits chunk by chunk (``scan_database``) and a failure or
    an interruption loses no imported record. Publications already scanned with the current registry are
    skipped, so re-importing a file scans nothing, a resumed harvest scans only its new pages, and whatever
    a failed scan left is found by ``benefice scan``. A failure is returned (and added to the batch's errors)
    rather than raised: the import succeeded and must be reported as such, with what to run.
    ``progress(done, total)`` counts the batch's publications, skipped ones included.
    """
    from benefice.sources.models import Source
    from benefice.sources.services import scan_database, sync_registry

    ids = batch_publication_ids(batch)
    outcome = ScanOutcome(publications=len(ids))
    if progress:
        progress(0, len(ids))
    try:
        if ids and not Source.objects.exists():
            # a database never initialised with `benefice init`: load the registry as `benefice scan` does, so
            # results carry the hash of the registry every later scan uses (else they would all be redone)
            sync_registry()
        for start in range(0, len(ids), SCAN_IDS):
            part = ids[start : start + SCAN_IDS]

            def part_progress(
                done: int, to_scan: int | None, start: int = start, size: int = len(part)
            ) -> None:
                skipped = size - (to_scan if to_scan is not None else size)
                progress(start + skipped + done, len(ids))

            report = scan_database(publication_ids=part, progress=part_progress if progress else None)
            outcome.scanned += report.scanned
            outcome.with_sources += report.with_sources
            outcome.classified += report.classified
            outcome.with_uses += report.with_uses
            if progress:
                progress(start + len(part), len(ids))
    except Exception as exc:  # noqa: BLE001 - the import is committed: any failure here is reported, not raised
        log.exception("source detection after import batch %s failed", batch.pk)
        reason = str(exc) if isinstance(exc, BeneficeError) else f"{type(exc).__name__}: {exc}"
        outcome.error = f"source detection failed ({reason}); the import is kept: {SCAN_HINT}"
        batch.errors = [*batch.errors, outcome.error]
        batch.save(update_fields=["errors"])
    return outcome


# --- deduplication of the stored corpus ------------------------------------------------------------------


def dedup_corpus(*, user=None, progress: Progress | None = None) -> int:
    """Merge publications that are duplicates of each other; returns the number of merges made."""
    pubs = {str(p.pk): p for p in Publication.objects.all()}
    groups = dedup.duplicate_groups(
        {"id": pid, **dedup.from_record(publication_to_record(p))} for pid, p in pubs.items()
    )
    merges = 0
    with transaction.atomic():
        for n, group in enumerate(groups, 1):
            ids = sorted(int(i) for i in group)
            target = pubs[str(ids[0])]
            for other_id in ids[1:]:
                merge_publications(
                    target,
                    pubs[str(other_id)],
                    user=user,
                    method=MergeEvent.Method.FUZZY,
                    reason="corpus deduplication",
                )
                merges += 1
            if progress:
                progress(n, len(groups))
    return merges


def merge_publications(
    target: Publication,
    other: Publication,
    *,
    user=None,
    method: str = "manual",
    reason: str = "",
    score: float | None = None,
) -> None:
    """Move every raw record of ``other`` into ``target`` and delete the emptied ``other``."""
    with transaction.atomic():
        for raw in other.raw_records.all():
            raw.publication = target
            raw.save(update_fields=["publication"])
            MergeEvent.objects.create(
                publication=target, raw_record=raw, method=method, score=score, reason=reason, created_by=user
            )
        other.merge_events.all().delete()
        other.delete()
        rebuild_publication(target)


def rebuild_publication(pub: Publication) -> None:
    """Recompute every field from the publication's raw records, oldest first."""
    for field in MERGEABLE_FIELDS:
        setattr(pub, field, Publication._meta.get_field(field).get_default())
    pub.field_sources = {}
    for raw in pub.raw_records.order_by("pk"):
        apply_record(pub, record_from_parsed(raw.parsed), raw.pk)
    pub.search_text = build_search_text(pub)
    pub.save()
    reindex_publications([pub])


def undo_merge(event: MergeEvent, *, user=None) -> Publication:
    """Split the event's raw record back out into a publication of its own."""
    if event.undone_at:
        raise BeneficeError(f"merge {event.pk} was already undone")
    with transaction.atomic():
        raw = event.raw_record
        source = event.publication
        if source.raw_records.count() < 2:
            raise BeneficeError(f"merge {event.pk}: the publication has no other record to keep")
        new = Publication()
        apply_record(new, record_from_parsed(raw.parsed), raw.pk)
        new.save()
        reindex_publications([new])
        raw.publication = new
        raw.save(update_fields=["publication"])
        rebuild_publication(source)
        event.undone_at = timezone.now()
        event.undone_by = user
        event.split_into = new
        event.save()
    return new


# --- export ----------------------------------------------------------------------------------------------

EXPORT_FORMATS = ("csv", "ris", "jsonl")


def exportable(publications: QuerySet) -> QuerySet:
    """The publications with their effective source lists and kinds of use read in the same query (LEFT JOINs).

    An export then makes no query per publication, and none at all in the thread that writes it: the web
    export writes in a worker thread, which must not open a database connection of its own. The lists are
    ``PublicationDetection.sources_used`` / ``sources_mentioned`` and ``PublicationUses.categories`` (with
    ``by_person`` and ``labels``, which say how they were set), people's corrections applied."""
    return publications.annotate(
        export_sources_used=F("detection__sources_used"),
        export_sources_mentioned=F("detection__sources_mentioned"),
        export_use_categories=F("uses__categories"),
        export_use_by_person=F("uses__by_person"),
        export_use_labels=F("uses__labels"),
    )


def export_publications(publications: Iterable[Publication], fmt: str, stream) -> int:
    """Write publications in one of EXPORT_FORMATS; returns how many were written. The CLI and the web export
    both call this, so they write the same fields.

    JSON lines also carry ``sources_used`` and ``sources_mentioned`` (registry ids, the effective lists with
    people's corrections applied; ``[]`` for a publication not scanned yet), ``use_categories`` (the stored
    effective kinds of use, ``uses.PublicationUses.categories``: typology ids, main first; ``[]`` when none
    or not classified yet) and ``use_categories_method`` (``person``, ``rule``, ``model`` — how the main one
    was set; ``none`` when the machine found none — or ``not classified``). A queryset is read through
    :func:`exportable`; other iterables must hold publications that came through it, or their sources and
    kinds of use are written as not scanned (this function never queries per publication)."""
    from benefice.corpus.formats import writers
    from benefice.uses.services import export_method

    writer = {"csv": writers.write_csv, "ris": writers.write_ris, "jsonl": _write_jsonl}.get(fmt)
    if writer is None:
        raise BeneficeError(f"unknown export format {fmt!r} (choose from {', '.join(EXPORT_FORMATS)})")
    if isinstance(publications, QuerySet):
        publications = exportable(publications).iterator(chunk_size=500)
    count = 0

    def records() -> Iterator[Record | dict[str, Any]]:
        nonlocal count
        for pub in publications:
            count += 1
            rec = publication_to_record(pub)
            rec.extra = {"benefice_id": pub.pk}
            if fmt != "jsonl":
                yield rec
                continue
            data = rec.to_dict()
            data.pop("raw", None)
            data["sources_used"] = list(getattr(pub, "export_sources_used", None) or [])
            data["sources_mentioned"] = list(getattr(pub, "export_sources_mentioned", None) or [])
            data["use_categories"] = list(getattr(pub, "export_use_categories", None) or [])
            data["use_categories_method"] = export_method(
                getattr(pub, "export_use_by_person", None), getattr(pub, "export_use_labels", None)
            )
            yield data

    writer(records(), stream)
    return count


def _write_jsonl(rows: Iterable[dict[str, Any]], stream) -> int:
    """One JSON object per line: the record's fields (``Record.to_dict`` without ``raw``) and the export's."""
    n = 0
    for row in rows:
        stream.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        n += 1
    return n


def enrich_crossref(
    connector, *, limit: int | None = None, progress: Progress | None = None, user=None
) -> ImportBatch:
    """Fetch Crossref metadata for publications with a DOI and no Crossref record yet."""
    pubs = (
        Publication.objects.exclude(doi="")
        .exclude(raw_records__source_format="crossref")
        .order_by("pk")
        .values_list("doi", flat=True)
    )
    dois = list(pubs[:limit] if limit else pubs)
    batch = ImportBatch.objects.create(
        user=user, kind="crossref", origin=f"crossref: {len(dois)} DOIs", format="crossref"
    )
    index = CorpusIndex.from_database()
    totals = ImportCounts()
    for n, doi in enumerate(dois, 1):
        try:
            record = connector.enrich(doi)
        except BeneficeError as exc:
            batch.errors = [*batch.errors, str(exc)]
            continue
        if record is not None:
            with transaction.atomic():
                c = import_records([record], batch, origin=f"crossref:{doi}", index=index, user=user)
            totals.records_read += c.records_read
            totals.duplicates_merged += c.duplicates_merged
            totals.new_publications += c.new_publications
            totals.already_known += c.already_known
        if progress:
            progress(n, len(dois))
    _finish(batch, totals, ImportBatch.Status.DONE)
    return batch
