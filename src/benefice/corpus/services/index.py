"""The dedup index kept in the database (``DedupKey``, ``DedupForm``): how an import finds, chunk by chunk,
the stored publication a record describes without loading the corpus.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator

from django.db import connection

from benefice.corpus import dedup
from benefice.corpus.dedup import reasons
from benefice.corpus.dedup.reasons import Reason
from benefice.corpus.models import DedupForm, DedupKey, MergeEvent, Publication
from benefice.corpus.services._shared import HAL_KEY, _index_rows, _insert_keys
from benefice.corpus.services.records import MERGEABLE_FIELDS, publication_to_record
from benefice.i18n import Message

CANDIDATES_PER_KEY = 200  # as the engine's own bucket cap: a key shared by more records stops discriminating
LOOKUP_BATCH = 500  # keys per IN (...) query, well under SQLite's parameter limit


def prepare_publication(pub: Publication, key: int | str | None = None) -> dedup.Prepared:
    key = pub.pk if key is None else key
    return dedup.prepare(dedup.from_record(publication_to_record(pub), id=str(key)))


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
            | set(
                DedupForm.objects.exclude(form__startswith=current).values_list("publication_id", flat=True)
            )
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

    def find(
        self, hal_id: str, prepared: dedup.Prepared
    ) -> tuple[int | str, str, float | None, Reason] | None:
        """(publication key, method, score, reason) of the publication a record (its HAL id and prepared
        form) describes, if any; the reason as messages (:mod:`benefice.corpus.dedup.reasons`)."""
        if hal_id and hal_id in self._hal:
            return (
                self._hal[hal_id],
                MergeEvent.Method.IDENTIFIER,
                1.0,
                reasons.same_identifier("hal_id", hal_id),
            )
        match = self._local.find(prepared)
        if match is None:
            return None
        method = MergeEvent.Method.IDENTIFIER if match.method == "identifier" else MergeEvent.Method.FUZZY
        key: int | str = match.id if match.id.startswith("new:") else int(match.id)
        return key, method, match.score, match.parts or (Message(match.reason),)
