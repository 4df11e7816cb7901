"""The index of records already in a corpus, filed by blocking keys, to test new records against them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from benefice.corpus.dedup.pairs import compare
from benefice.corpus.dedup.prepared import Prepared, prepare
from benefice.corpus.dedup.records import DedupRecord, Match

if TYPE_CHECKING:  # pragma: no cover
    from benefice.corpus.record import Record

_MAX_BUCKET = 200  # fuzzy keys shared by more records than this stop discriminating (e.g. "editorial")


class DuplicateIndex:
    """Records already in a corpus, filed by blocking keys, to test new records against them.

    ``find`` returns the best match; ``find_all`` every match (used for grouping). Identifier buckets
    are never capped; a fuzzy bucket only keeps its most recent ``_MAX_BUCKET`` members so one generic
    title cannot make look-ups quadratic.
    """

    def __init__(self) -> None:
        self._records: dict[str, Prepared] = {}
        self._buckets: dict[str, dict[str, None]] = {}

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, id: object) -> bool:
        return id in self._records

    def add(self, id: str, record: Mapping[str, Any] | DedupRecord | Record | Prepared) -> None:
        """File a record under ``id`` (replacing any record already filed under that id)."""
        prep = record if isinstance(record, Prepared) else prepare(record, id=id)
        if prep.id != id:
            prep.id = id
        if id in self._records:
            self.remove(id)
        self._records[id] = prep
        for key in prep.keys:
            bucket = self._buckets.setdefault(key, {})
            bucket[id] = None
            if len(bucket) > _MAX_BUCKET and key[0] not in "dpco":
                del bucket[next(iter(bucket))]

    def remove(self, id: str) -> None:
        """Forget a record (no error if it was never added)."""
        prep = self._records.pop(id, None)
        if prep is None:
            return
        for key in prep.keys:
            bucket = self._buckets.get(key)
            if bucket is not None:
                bucket.pop(id, None)
                if not bucket:
                    del self._buckets[key]

    def get(self, id: str) -> Prepared | None:
        return self._records.get(id)

    def candidates(self, prep: Prepared) -> Iterator[Prepared]:
        seen: set[str] = {prep.id} if prep.id else set()
        for key in prep.keys:
            bucket = self._buckets.get(key)
            if not bucket:
                continue
            for cid in bucket:
                if cid not in seen:
                    seen.add(cid)
                    yield self._records[cid]

    def find_all(self, record: Mapping[str, Any] | DedupRecord | Record | Prepared) -> list[Match]:
        """Every indexed record that duplicates ``record``, best first."""
        prep = record if isinstance(record, Prepared) else prepare(record)
        found = [m for c in self.candidates(prep) if (m := compare(prep, c)) is not None]
        found.sort(key=lambda m: (-m.score, m.method != "identifier", m.id))
        return found

    def find(self, record: Mapping[str, Any] | DedupRecord | Record | Prepared) -> Match | None:
        """The indexed record that ``record`` most likely duplicates, or None."""
        found = self.find_all(record)
        return found[0] if found else None
