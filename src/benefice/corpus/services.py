"""Corpus services: import, harvest, deduplicate, undo merges, export. Called by both CLI and web.

Import is idempotent: a record is identified by the hash of its verbatim text, so importing the same file
twice adds nothing. A file is imported in one transaction: a malformed record anywhere leaves the database
as it was, and the batch is marked failed with the error naming the file and record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from benefice.corpus import dedup, formats
from benefice.corpus.models import ImportBatch, MergeEvent, Publication, RawRecord
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


def content_hash(record: Record) -> str:
    return hashlib.sha256(
        f"{record.source_format}\0{record.raw}".encode("utf-8", "surrogatepass")
    ).hexdigest()


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
    return "\n".join(p for p in parts if p)


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


class CorpusIndex:
    """In-memory lookup of the existing corpus: identifiers and a fuzzy duplicate index."""

    def __init__(self) -> None:
        self.ids: dict[str, dict[str, int]] = {f: {} for f in IDENTIFIER_FIELDS}
        self.fuzzy = dedup.DuplicateIndex()

    @classmethod
    def from_database(cls) -> CorpusIndex:
        index = cls()
        fields = ["pk", *MERGEABLE_FIELDS]
        for row in Publication.objects.values(*[f if f != "pk" else "id" for f in fields]).iterator(
            chunk_size=2000
        ):
            pub = Publication(**row)
            index.add(pub)
        return index

    def add(self, pub: Publication) -> None:
        for f in IDENTIFIER_FIELDS:
            value = getattr(pub, f)
            if value:
                self.ids[f].setdefault(value, pub.pk)
        self.fuzzy.add(str(pub.pk), dedup.from_record(publication_to_record(pub)))

    def remove(self, pub: Publication) -> None:
        for f in IDENTIFIER_FIELDS:
            value = getattr(pub, f)
            if value and self.ids[f].get(value) == pub.pk:
                del self.ids[f][value]
        self.fuzzy.remove(str(pub.pk))

    def find(self, record: Record) -> tuple[int, str, float | None, str] | None:
        """(publication id, method, score, reason) of the publication this record describes, if any."""
        for f in IDENTIFIER_FIELDS:
            value = getattr(record, f)
            if value and value in self.ids[f]:
                return self.ids[f][value], MergeEvent.Method.IDENTIFIER, 1.0, f"same {f} {value}"
        match = self.fuzzy.find(dedup.from_record(record))
        if match is None:
            return None
        method = MergeEvent.Method.IDENTIFIER if match.method == "identifier" else MergeEvent.Method.FUZZY
        return int(match.id), method, match.score, match.reason


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
    """Store records (verbatim) and merge them into publications. Caller holds the transaction."""
    index = index or CorpusIndex.from_database()
    counts = ImportCounts()
    buffer: list[Record] = []

    def flush() -> None:
        hashes = {content_hash(r): r for r in buffer}
        known = set(
            RawRecord.objects.filter(content_hash__in=list(hashes)).values_list("content_hash", flat=True)
        )
        seen_here: set[str] = set()
        for h, record in ((content_hash(r), r) for r in buffer):
            if h in known or h in seen_here:
                counts.already_known += 1
                continue
            seen_here.add(h)
            _store_one(record, h, batch, origin, index, counts, user)
        buffer.clear()

    for record in records:
        counts.records_read += 1
        buffer.append(record)
        if len(buffer) >= CHUNK:
            flush()
            if progress:
                progress(counts.records_read, total)
    if buffer:
        flush()
    if progress:
        progress(counts.records_read, total)
    return counts


def _store_one(
    record: Record, h: str, batch: ImportBatch, origin: str, index: CorpusIndex, counts: ImportCounts, user
) -> None:
    found = index.find(record)
    raw = RawRecord.objects.create(
        batch=batch,
        source_format=record.source_format,
        origin=origin,
        position=record.position,
        line=record.line,
        raw=record.raw,
        parsed=record.to_dict(),
        content_hash=h,
    )
    if found is None:
        pub = Publication()
        apply_record(pub, record, raw.pk)
        pub.save()
        raw.publication = pub
        raw.save(update_fields=["publication"])
        index.add(pub)
        counts.new_publications += 1
        return
    pub_id, method, score, reason = found
    pub = Publication.objects.get(pk=pub_id)
    if apply_record(pub, record, raw.pk):
        pub.save()
        index.remove(pub)
        index.add(pub)
    raw.publication = pub
    raw.save(update_fields=["publication"])
    MergeEvent.objects.create(
        publication=pub, raw_record=raw, method=method, score=score, reason=reason, created_by=user
    )
    counts.duplicates_merged += 1


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
            counts = import_records(
                formats.read(path, name), batch, origin=path.name, progress=progress, total=total, user=user
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
