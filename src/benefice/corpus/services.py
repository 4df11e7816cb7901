"""Corpus services: import, harvest, deduplicate, undo merges, export. Called by both CLI and web.

Import is idempotent: a record is identified by the hash of its verbatim text, so importing the same file
twice adds nothing. A file is imported in one transaction: a malformed record anywhere leaves the database
as it was, and the batch is marked failed with the error naming the file and record.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from benefice.corpus import dedup, formats, pipeline
from benefice.corpus.models import DedupForm, DedupKey, ImportBatch, MergeEvent, Publication, RawRecord
from benefice.corpus.record import Author, Record
from benefice.errors import BeneficeError

# Publication fields filled from records; first non-empty value wins and is attributed to its RawRecord.
MERGEABLE_FIELDS = (
    "doi",
    "pmid",
    "pmcid",
    "openalex_id",
    "hal_id",
    "title",
    "abstract",
    "year",
    "date",
    "journal",
    "issn",
    "publisher",
    "volume",
    "issue",
    "pages",
    "doc_type",
    "language",
    "authors",
    "keywords",
    "mesh",
    "funders",
    "oa_status",
    "cited_by_count",
    "referenced_works",
    "url",
)
IDENTIFIER_FIELDS = ("doi", "pmid", "pmcid", "openalex_id", "hal_id")
CHUNK = 1000

Progress = Callable[[int, int | None], None]  # (done, total or None)


@dataclass
class ImportCounts:
    records_read: int = 0
    new_publications: int = 0
    duplicates_merged: int = 0
    already_known: int = 0


content_hash = pipeline.content_hash  # kept here too: callers and tests know it as services.content_hash


def _record_value(record: Record, field: str) -> Any:
    if field == "authors":
        return [
            {
                "name": a.name,
                "family": a.family,
                "given": a.given,
                "orcid": a.orcid,
                "affiliations": a.affiliations,
            }
            for a in record.authors
        ]
    if field == "title":
        return record.title[:100_000]
    return getattr(record, field)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def apply_record(pub: Publication, record: Record, raw_id: int | None) -> bool:
    """Fill the publication's empty fields from one record; remember where each value came from."""
    changed = False
    for field in MERGEABLE_FIELDS:
        value = _record_value(record, field)
        if _empty(value) or not _empty(getattr(pub, field)):
            continue
        if field == "year" and not (0 < int(value) < 32767):
            continue
        setattr(pub, field, value)
        if raw_id is not None:
            pub.field_sources[field] = raw_id
        changed = True
    if changed:
        pub.search_text = build_search_text(pub)
    return changed


def fold_for_search(text: str) -> str:
    """Lower-case, accent-free words separated by spaces: the same tokens for SQLite FTS5 and PostgreSQL.

    Why fold here rather than in the database: PostgreSQL's ``unaccent`` needs an extension (and superuser
    rights) that a custodian's managed server may refuse; folding once when the row is written costs nothing.
    """
    from benefice.corpus.search import fold

    return fold(text)


def build_search_text(pub: Publication) -> str:
    parts = [
        pub.title,
        " ".join(a.get("name", "") for a in pub.authors),
        pub.abstract,
        " ".join(pub.keywords),
        " ".join(pub.mesh),
        pub.journal,
        pub.doi,
        pub.pmid,
    ]
    # one folded line per field, the title first: PostgreSQL's ranking reads the title back as line 1
    return "\n".join(fold_for_search(p) for p in parts if p)


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
    table = ops.quote_name(model._meta.db_table)
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    pk = ops.quote_name(model._meta.pk.column)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = max(1, 900 // len(fields))  # under SQLite's oldest parameter limit (999)
    attnames = [f.attname for f in fields]
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per_statement):
            part = objs[start : start + per_statement]
            params: list = []
            for obj in part:
                for attname, convert in zip(attnames, converters, strict=True):
                    value = getattr(obj, attname)
                    params.append(convert(value) if convert is not None and value is not None else value)
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_sql] * len(part))} RETURNING {pk}",
                params,
            )
            ids = [row[0] for row in cursor.fetchall()]
            for obj, new_id in zip(part, ids, strict=True):
                obj.pk = new_id
                obj._state.adding = False
                obj._state.db = connection.alias


def _index_rows(
    pairs: Iterable[tuple[Publication, dedup.Prepared]],
) -> tuple[list[tuple[str, int]], list[tuple[int, str]]]:
    """The ``DedupKey`` rows and ``DedupForm`` rows of saved publications with their prepared forms."""
    rows: list[tuple[str, int]] = []
    forms: list[tuple[int, str]] = []
    for pub, prepared in pairs:
        rows.extend((k[:255], pub.pk) for k in publication_keys(pub, prepared))
        forms.append((pub.pk, dedup.dump_prepared(prepared)))
    return rows, forms


def _insert_keys(rows: list[tuple[str, int]], forms: list[tuple[int, str]] = ()) -> None:
    """Plain executemany: building a model instance per key cost more than the inserts themselves.

    ``forms`` are (publication id, :func:`dedup.dump_prepared` text), stored with the keys they go with.
    """
    with connection.cursor() as cursor:
        if rows:
            table = connection.ops.quote_name(DedupKey._meta.db_table)
            cursor.executemany(
                f"INSERT INTO {table} ({connection.ops.quote_name('key')}, publication_id) VALUES (%s, %s)",
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
        """An index over the stored corpus; publications saved without keys (admin, fixtures) or without a
        stored prepared form (a corpus imported before forms were stored) are keyed first."""
        # two anti-joins rather than one OR over both joins, which would walk every key of the corpus
        ids = sorted(
            set(Publication.objects.filter(dedup_keys__isnull=True).values_list("pk", flat=True))
            | set(Publication.objects.filter(dedup_form__isnull=True).values_list("pk", flat=True))
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
            for pub_id, text in DedupForm.objects.filter(publication__in=part).values_list(
                "publication_id", "form"
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
        """Start a chunk: index the stored publications sharing a key with any record of the chunk."""
        self._local = dedup.DuplicateIndex()
        self._hal = {}
        keys = {k[:255] for p in prepared for k in p.keys} | {HAL_KEY + h for h in hal_ids if h}
        per_key: dict[str, list[int]] = {}
        ordered = sorted(keys)
        for start in range(0, len(ordered), LOOKUP_BATCH):
            part = ordered[start : start + LOOKUP_BATCH]
            for key, pub_id in (
                DedupKey.objects.filter(key__in=part)
                .order_by("-publication_id")
                .values_list("key", "publication_id")
            ):
                bucket = per_key.setdefault(key, [])
                if len(bucket) < CANDIDATES_PER_KEY:
                    bucket.append(pub_id)
        ids = {i for key, bucket in per_key.items() if not key.startswith(HAL_KEY) for i in bucket}
        for pub_id, prep in self._prepared(ids).items():
            self._local.add(str(pub_id), prep)
        for key, bucket in per_key.items():
            if key.startswith(HAL_KEY):
                self._hal[key[len(HAL_KEY) :]] = bucket[-1]

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

    def find(
        self, record: Record, prepared: dedup.Prepared
    ) -> tuple[int | str, str, float | None, str] | None:
        """(publication key, method, score, reason) of the publication this record describes, if any."""
        if record.hal_id and record.hal_id in self._hal:
            return self._hal[record.hal_id], MergeEvent.Method.IDENTIFIER, 1.0, f"same hal_id {record.hal_id}"
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
    hashes = [h for _r, h, _p, _prep in items]
    known = set(RawRecord.objects.filter(content_hash__in=hashes).values_list("content_hash", flat=True))
    todo: list[tuple[Record, str]] = []
    parsed_of: list[pipeline.JSONText] = []
    prepared_all: list[dedup.Prepared] = []
    for record, h, parsed, prepared in items:
        if h in known:
            counts.already_known += 1
            continue
        known.add(h)
        todo.append((record, h))
        parsed_of.append(parsed)
        prepared_all.append(prepared)
    if not todo:
        return
    raws = [
        RawRecord(
            batch=batch,
            source_format=r.source_format,
            origin=origin,
            position=r.position,
            line=r.line,
            raw=r.raw,
            parsed=parsed,
            content_hash=h,
        )
        for (r, h), parsed in zip(todo, parsed_of, strict=True)
    ]
    fast_bulk_create(RawRecord, raws)
    for prepared, raw in zip(prepared_all, raws, strict=True):
        prepared.id = f"raw:{raw.pk}"
    index.load_candidates(prepared_all, (r.hal_id for r, _h in todo))
    new: dict[str, Publication] = {}  # temporary key -> unsaved publication
    new_prepared: dict[str, dedup.Prepared] = {}
    existing: dict[int, Publication] = {}  # publications already in the database that received a record
    links: list[tuple[RawRecord, int | str]] = []
    events: list[tuple[RawRecord, int | str, str, float | None, str]] = []
    for (record, _h), raw, prepared in zip(todo, raws, prepared_all, strict=True):
        found = index.find(record, prepared)
        if found is None:
            key = f"new:{raw.pk}"
            pub = Publication()
            apply_record(pub, record, raw.pk)
            new[key] = pub
            new_prepared[key] = prepared
            index.add(key, pub, prepared)
            links.append((raw, key))
            counts.new_publications += 1
            continue
        key, method, score, reason = found
        if isinstance(key, str):
            pub = new[key]
        else:
            pub = existing.get(key) or Publication.objects.get(pk=key)
            existing[key] = pub
        if apply_record(pub, record, raw.pk):
            index.replace(key, pub)
            if isinstance(key, str):
                new_prepared[key] = prepare_publication(pub, key)
        links.append((raw, key))
        events.append((raw, key, method, score, reason))
        counts.duplicates_merged += 1
    fast_bulk_create(Publication, list(new.values()))
    _insert_keys(*_index_rows((pub, new_prepared[key]) for key, pub in new.items()))
    for key, pub in new.items():
        index.remember(pub.pk, new_prepared[key])
    for pub in existing.values():
        pub.save()
        index.forget(pub.pk)
    reindex_publications(existing.values())

    def resolve(key: int | str) -> Publication:
        return new[key] if isinstance(key, str) else existing[key]

    for raw, key in links:
        raw.publication = resolve(key)
    # executemany of a plain UPDATE: bulk_update's CASE expression cost more than all the inserts
    table = RawRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {connection.ops.quote_name(table)} SET publication_id = %s WHERE id = %s",
            [(raw.publication_id, raw.pk) for raw in raws],
        )
    MergeEvent.objects.bulk_create(
        [
            MergeEvent(
                publication=resolve(key),
                raw_record=raw,
                method=method,
                score=score,
                reason=reason,
                created_by=user,
            )
            for raw, key, method, score, reason in events
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
    if batch is None:
        batch = ImportBatch.objects.create(user=user, kind=kind, origin=str(path), format=fmt)
    try:
        name = fmt if fmt != "auto" else formats.detect_format(path)
        batch.format = name
        batch.save(update_fields=["format"])
        total = formats.count_hint(path)
        with transaction.atomic():
            counts = import_prepared(
                pipeline.prepared_chunks(path, name, total_hint=total),
                batch,
                origin=path.name,
                progress=progress,
                total=total,
                user=user,
            )
    except BeneficeError as exc:
        batch.errors = [*batch.errors, str(exc)]
        _finish(batch, ImportCounts(), ImportBatch.Status.FAILED)
        raise
    except KeyboardInterrupt:
        batch.errors = [*batch.errors, "interrupted"]
        _finish(batch, ImportCounts(), ImportBatch.Status.INTERRUPTED)
        raise
    _finish(batch, counts, ImportBatch.Status.DONE)
    return batch


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
    origin = json.dumps({"kind": kind, **query}, sort_keys=True)
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


def export_publications(publications: Iterable[Publication], fmt: str, stream) -> int:
    """Write publications in one of EXPORT_FORMATS; returns how many were written."""
    from benefice.corpus.formats import writers

    writer = {"csv": writers.write_csv, "ris": writers.write_ris, "jsonl": writers.write_jsonl}.get(fmt)
    if writer is None:
        raise BeneficeError(f"unknown export format {fmt!r} (choose from {', '.join(EXPORT_FORMATS)})")
    count = 0

    def records() -> Iterator[Record]:
        nonlocal count
        for pub in publications:
            count += 1
            rec = publication_to_record(pub)
            rec.extra = {"benefice_id": pub.pk}
            yield rec

    writer(records(), stream)
    return count


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
