"""Grouping: the matches of a batch joined into groups of one work each, refusing contradictory unions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from benefice.corpus.dedup.index import DuplicateIndex
from benefice.corpus.dedup.prepared import Prepared, prepare
from benefice.corpus.dedup.records import DedupRecord

if TYPE_CHECKING:  # pragma: no cover
    from benefice.corpus.record import Record


class _Clusters:
    """Union-find that refuses unions joining contradictory records (cannot-link constraints).

    Pairwise matching is not transitive: A~B and B~C may chain two different works. A union is
    refused when the groups have no DOI, PMID or notice kind in common where both have one; the DOI and
    kind checks are waived when the two records matched carry the same long abstract (:func:`_same_text`).
    """

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.dois: dict[str, set[str]] = {}
        self.pmids: dict[str, set[str]] = {}
        self.kinds: dict[str, set[str]] = {}

    def add(self, p: Prepared) -> None:
        self.parent[p.id] = p.id
        self.dois[p.id] = {p.doi} if p.doi else set()
        self.pmids[p.id] = {p.pmid} if p.pmid else set()
        self.kinds[p.id] = {p.kind}

    def root(self, x: str) -> str:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, x: str, y: str, same_text: bool = False) -> bool:
        rx, ry = self.root(x), self.root(y)
        if rx == ry:
            return True
        for attr in (self.pmids,) if same_text else (self.dois, self.pmids, self.kinds):
            if attr[rx] and attr[ry] and not (attr[rx] & attr[ry]):
                return False
        self.parent[ry] = rx
        for attr in (self.dois, self.pmids, self.kinds):
            attr[rx] |= attr.pop(ry)
        return True

    def groups(self, order: list[str]) -> list[list[str]]:
        by_root: dict[str, list[str]] = {}
        for x in order:
            by_root.setdefault(self.root(x), []).append(x)
        return [g for g in by_root.values() if len(g) > 1]


def duplicate_groups(
    records: Iterable[Mapping[str, Any] | DedupRecord | Record], *, progress: Any = None
) -> list[list[str]]:
    """Groups (size ≥ 2) of ids of records describing the same work, in input order.

    ``progress``, when given, is called with the number of records processed so far (every 1,000).
    Records without an id get their 1-based position as id; duplicate ids raise ``ValueError``.
    """
    index = DuplicateIndex()
    clusters = _Clusters()
    order: list[str] = []
    for n, rec in enumerate(records, start=1):
        prep = prepare(rec)
        if not prep.id:
            prep.id = str(n)
        if prep.id in index:
            raise ValueError(f"duplicate record id {prep.id!r}")
        clusters.add(prep)
        matches = index.find_all(prep)
        # identifiers first, then the strongest fuzzy evidence: decides which union wins a conflict
        for m in matches:
            other = index.get(m.id)
            clusters.union(
                m.id, prep.id, same_text=bool(prep.text) and other is not None and other.text == prep.text
            )
        index.add(prep.id, prep)
        order.append(prep.id)
        if progress is not None and n % 1000 == 0:
            progress(n)
    return clusters.groups(order)
