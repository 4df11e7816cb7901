"""Bounded pagination: no list page counts or skips more than a fixed number of rows (issue 17).

Django's ``Paginator`` counts the whole result (``COUNT(*)`` over every match) and lets a link ask for any
page, so one broad list reads the whole table twice. :class:`BoundedPaginator` counts at most ``limit + 1``
rows (``SELECT COUNT(*) FROM (… LIMIT limit + 1)``) and serves pages within the first ``limit`` rows only:
the offset is bounded. Beyond, ``exact`` is False and the page says "more than N" (with an estimate when
the caller can give one cheaply); narrowing the search or a facet reaches the rest.
"""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Paginator

#: rows a list page counts exactly and pages through; beyond, "more than" this
COUNT_LIMIT = 10_000


class BoundedPaginator(Paginator):
    def __init__(
        self, object_list, per_page, *, limit: int = COUNT_LIMIT, bounded_count=None, **kwargs
    ) -> None:
        """``bounded_count``, when given, is called with the function that counts the rows in the database
        (within ``limit + 1``) and returns the count: a caller that keeps counts (the corpus list's cache)
        decides when to run it, without reaching into the paginator."""
        super().__init__(object_list, per_page, **kwargs)
        self.limit = limit
        self._count_with = bounded_count

    @cached_property
    def _bounded_count(self) -> int:
        if self._count_with is not None:
            return self._count_with(self._count_in_database)
        return self._count_in_database()

    def _count_in_database(self) -> int:
        rows = self.object_list
        if hasattr(rows, "order_by"):  # a queryset: count within the bound, in the database
            return rows.order_by()[: self.limit + 1].count()
        return min(len(rows), self.limit + 1)

    @cached_property
    def count(self) -> int:
        """Rows that can be paged: the exact count up to ``limit``, else ``limit``."""
        return min(self._bounded_count, self.limit)

    @cached_property
    def exact(self) -> bool:
        """Whether :attr:`count` is every row (False: there are more than ``limit``)."""
        return self._bounded_count <= self.limit
