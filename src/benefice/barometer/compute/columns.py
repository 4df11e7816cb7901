"""Columnar primitives over integer keys (numpy + pyarrow): sorted sets, membership, (publication, source)
pairs, their expansion to groups, and count grids."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def sorted_unique(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct values by sort + neighbour comparison (numpy 2's hash-based ``unique`` is several
    times slower on millions of nearly sorted integer keys)."""
    if len(keys) == 0:
        return keys
    keys = np.sort(keys, kind="stable")
    keep = np.empty(len(keys), dtype=bool)
    keep[0] = True
    np.not_equal(keys[1:], keys[:-1], out=keep[1:])
    return keys[keep]


def member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """``np.isin`` for a sorted set, by binary search."""
    if len(sorted_set) == 0:
        return np.zeros(len(values), dtype=bool)
    pos = np.searchsorted(sorted_set, values)
    pos[pos == len(sorted_set)] = 0
    return sorted_set[pos] == values


def pairs(column: pa.ChunkedArray, codes: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(publication index, source code) for each element of a list<string> column, duplicates removed."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    flat = pc.list_flatten(array)
    if len(flat) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    parents = pc.list_parent_indices(array).to_numpy().astype(np.int64)
    source = pc.index_in(flat, value_set=codes).to_numpy(zero_copy_only=False).astype(np.int64)
    n = len(codes)
    keys = sorted_unique(parents * n + source)
    return keys // n, keys % n


def _expand(pub: np.ndarray, src: np.ndarray, groups: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Map each (pub, source) pair to (pub, g) for every group g in ``groups[source]``, deduplicated."""
    sizes = np.array([len(g) for g in groups], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    flat = np.array([x for g in groups for x in g], dtype=np.int64)
    counts = sizes[src]
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    starts = np.repeat(offsets[src], counts)
    within = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    target = flat[starts + within]
    n = max(len(groups), int(flat.max()) + 1 if len(flat) else 1)
    keys = sorted_unique(np.repeat(pub, counts) * n + target)
    return keys // n, keys % n


def _grid(keys_a: np.ndarray, keys_b: np.ndarray, na: int, nb: int, weights=None) -> np.ndarray:
    return np.bincount(keys_a * nb + keys_b, weights=weights, minlength=na * nb).reshape(na, nb)
