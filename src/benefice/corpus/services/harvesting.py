"""Harvests commit page by page, so a harvest stopped midway resumes from its last committed page.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction

from benefice.corpus.models import ImportBatch, Publication
from benefice.corpus.services._shared import ImportCounts, Progress, finish_batch
from benefice.corpus.services.importing import import_records
from benefice.corpus.services.index import CorpusIndex
from benefice.errors import BeneficeError


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
        batch.errors = [*batch.errors, exc.to_data()]  # said in its reader's language (issue 19)
        batch.status = ImportBatch.Status.INTERRUPTED
        batch.save()
        raise
    except KeyboardInterrupt:
        batch.status = ImportBatch.Status.INTERRUPTED
        batch.save()
        raise
    finish_batch(batch, totals, ImportBatch.Status.DONE)
    return batch


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
            batch.errors = [*batch.errors, exc.to_data()]
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
    finish_batch(batch, totals, ImportBatch.Status.DONE)
    return batch
