"""Records come from the corpus (a selection, or a file imported through the corpus importers), so a
review never holds a publication twice and its records show their detected sources.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.http import urlencode
from django.utils.translation import gettext_noop

from benefice.core.models import audit
from benefice.corpus import formats
from benefice.corpus import search as corpus_search
from benefice.corpus.forms import SearchForm
from benefice.corpus.models import ImportBatch, Publication, RawRecord
from benefice.corpus.selection import selection
from benefice.corpus.services import (
    CorpusIndex,
    ScanOutcome,
    content_hash,
    finish_batch,
    import_records,
    scan_batch,
)
from benefice.errors import BeneficeError
from benefice.review.models import Review, ReviewRecord, Search
from benefice.review.services._shared import _schedule

# --- records -------------------------------------------------------------------------------------------


@dataclass
class Added:
    identified: int
    added: int
    already_in_review: int
    # a file import: the source scan of the publications it brought to the corpus (corpus.services.ScanOutcome)
    scan: ScanOutcome | None = None


def _record_for(review: Review, pub: Publication, search: Search) -> ReviewRecord:
    return ReviewRecord(
        review=review,
        publication=pub,
        search=search,
        title=pub.title,
        abstract=pub.abstract,
        authors="; ".join(a.get("name", "") for a in pub.authors if a.get("name")),
        year=pub.year,
        journal=pub.journal,
        doi=pub.doi,
    )


def _add_publications(review: Review, search: Search, pub_ids: list[int]) -> Added:
    """Add the publications (duplicates already merged by the corpus) not yet in the review."""
    unique = list(dict.fromkeys(pub_ids))
    present = (
        set(
            ReviewRecord.objects.filter(review=review, publication_id__in=unique).values_list(
                "publication_id", flat=True
            )
        )
        if len(unique) < 5000
        else set(review.records.values_list("publication_id", flat=True))
    )
    todo = [pk for pk in unique if pk not in present]
    new: list[ReviewRecord] = []
    for start in range(0, len(todo), 1000):
        chunk = Publication.objects.filter(pk__in=todo[start : start + 1000]).order_by("pk")
        new.extend(_record_for(review, pub, search) for pub in chunk)
    ReviewRecord.objects.bulk_create(new, batch_size=1000)
    search.records_identified = len(pub_ids)
    search.records_added = len(new)
    search.save(update_fields=["records_identified", "records_added"])
    return Added(len(pub_ids), len(new), len(pub_ids) - len(new))


def corpus_selection(query: str = "", batch_id: int | None = None, year_from=None, year_to=None) -> QuerySet:
    """Corpus publications matching a full-text query, an import batch and a year range."""
    qs = Publication.objects.all()
    if query.strip():
        qs = corpus_search.search(qs, query)
    if batch_id:
        qs = qs.filter(pk__in=RawRecord.objects.filter(batch_id=batch_id).values("publication_id"))
    if year_from:
        qs = qs.filter(year__gte=year_from)
    if year_to:
        qs = qs.filter(year__lte=year_to)
    return qs


def add_from_corpus(
    review: Review,
    user,
    *,
    database: str,
    query: str = "",
    batch_id: int | None = None,
    year_from=None,
    year_to=None,
    searched_on=None,
    notes: str = "",
) -> tuple[Search, Added]:
    """Add the corpus publications matching the selection as one search of the protocol."""
    selection = corpus_selection(query, batch_id, year_from, year_to)
    return _add_corpus_search(
        review,
        user,
        selection,
        gettext_noop("no publication of the corpus matches this selection"),
        database=database,
        query=query,
        searched_on=searched_on,
        date_from=str(year_from or ""),
        date_to=str(year_to or ""),
        notes=notes,
        batch_id=batch_id or None,
    )


def _add_corpus_search(review: Review, user, selection: QuerySet, none_matches: str, **search: Any):
    """Record one search of the protocol taken from the corpus and add its publications, in one transaction;
    ``none_matches`` (a message template) refuses a search that selects nothing."""
    with transaction.atomic():
        ids = list(selection.order_by("pk").values_list("pk", flat=True))
        if not ids:
            raise BeneficeError(none_matches)
        made = Search.objects.create(review=review, kind=Search.CORPUS, created_by=user, **search)
        added = _add_publications(review, made, ids)
        audit("add", "review.Review", review.pk, after={"search": made.pk, "added": added.added}, user=user)
    _schedule(review)
    return made, added


#: The corpus browser's URL parameters that choose publications (sort and page size only order them).
SEARCH_PARAMS = ("q", "year", "source", "type", "lang", "used", "mentioned")


def search_params(query: Mapping[str, Any]) -> dict[str, str]:
    """The parameters of a corpus search that select publications, as text (a query string's values).

    Read through the corpus browser's own form, so a value the browser ignores (``year=abc``) is ignored
    here too and the review gets exactly the publications the reader saw listed."""
    values = SearchForm({k: query.get(k) for k in SEARCH_PARAMS if query.get(k) not in (None, "")}).values()
    return {k: str(values[k]) for k in SEARCH_PARAMS if values.get(k) not in (None, "")}


def search_selection(params: Mapping[str, Any]) -> QuerySet:
    """Every publication of a corpus search, on all its pages, as the corpus list selects it
    (``corpus.selection``), from parameters read through the corpus browser's own form."""
    return selection(search_params(params))


def add_from_search(
    review: Review,
    user,
    *,
    params: Mapping[str, Any],
    database: str,
    query: str = "",
    searched_on=None,
    notes: str = "",
) -> tuple[Search, Added]:
    """Add every publication of a corpus search (all its pages) as one search of the protocol.

    ``query`` is the search as a reader reads it; the exact parameters go to the search's notes, after
    ``notes``, so the selection can be run again."""
    params = search_params(params)
    exact = urlencode(params)
    # English in the job file and logs; the job's page says it in the reader's language
    return _add_corpus_search(
        review,
        user,
        search_selection(params),
        gettext_noop("no publication of the corpus matches this search"),
        database=database,
        query=query,
        searched_on=searched_on,
        date_from=params.get("year", ""),
        date_to=params.get("year", ""),
        notes="\n".join(part for part in (notes.strip(), f"?{exact}" if exact else "") if part),
    )


def import_for_review(
    review: Review,
    user,
    *,
    filename: str,
    content: bytes,
    database: str,
    query: str = "",
    searched_on=None,
    date_from: str = "",
    date_to: str = "",
    notes: str = "",
    fmt: str = "auto",
) -> tuple[Search, Added]:
    """Import a search export through the corpus importers and add every record it holds to the review.

    Records already in the corpus (same text, or merged as duplicates) are found through their content
    hash, so re-importing a file adds the records to the review without adding them twice to the corpus.
    Raises BeneficeError naming the file and record; nothing is kept then.

    Like every corpus import, the publications the file brought are then scanned for data sources
    (``corpus.services.scan_batch``, once the import has committed): the review's records are corpus
    publications, whose pages show their sources. ``added.scan`` says what the scan did; a failed scan keeps
    the import and says to run ``benefice scan``.
    """
    safe = Path(filename).name or "upload"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / safe
        path.write_bytes(content)
        name = fmt if fmt != "auto" else formats.detect_format(path)
        hashes: list[str] = []

        def records() -> Iterator:
            for record in formats.read(path, name):
                hashes.append(content_hash(record))
                yield record

        with transaction.atomic():
            batch = ImportBatch.objects.create(user=user, kind="review", origin=safe, format=name)
            counts = import_records(
                records(), batch, origin=safe, index=CorpusIndex.from_database(), user=user
            )
            finish_batch(batch, counts, ImportBatch.Status.DONE)
            if not hashes:
                raise BeneficeError(gettext_noop("the file holds no record"), path=safe)
            by_hash = dict(
                RawRecord.objects.filter(content_hash__in=set(hashes)).values_list(
                    "content_hash", "publication_id"
                )
            )
            ids = [by_hash[h] for h in hashes if by_hash.get(h)]
            search = Search.objects.create(
                review=review,
                database=database,
                query=query,
                kind=Search.FILE,
                searched_on=searched_on,
                date_from=date_from,
                date_to=date_to,
                notes=notes,
                batch=batch,
                created_by=user,
            )
            added = _add_publications(review, search, ids)
            search.records_identified = len(hashes)
            search.save(update_fields=["records_identified"])
            added.identified = len(hashes)
            audit(
                "import",
                "review.Review",
                review.pk,
                after={"search": search.pk, "added": added.added},
                user=user,
            )
    added.scan = scan_batch(batch)
    _schedule(review)
    return search, added
