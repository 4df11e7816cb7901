"""The publications a corpus search selects: its words, then its facet filters.

One definition for every place that takes a search as input: the corpus list (which also ranks, pages and
counts facets around it) and a review made from the search (which takes every publication of it, on all
its pages). Two copies of these conditions would drift, and a review would then hold other publications
than the ones its author saw listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet

from benefice.corpus import search, source_facets
from benefice.corpus.models import Publication, RawRecord

#: the data-source facets: publications that use a source, and those that only mention it
SOURCE_FACETS = ("used", "mentioned")


def filtered(qs: QuerySet, params: Mapping[str, Any], skip: str | None = None) -> QuerySet:
    """``qs`` narrowed by the facet filters of ``params`` except ``skip`` (a facet counts its values without
    its own filter). ``params`` are the search form's values (``SearchForm.values()``)."""
    if params.get("year") not in (None, "") and skip != "year":
        qs = qs.filter(year=int(params["year"]))
    if params.get("source") and skip != "source":
        # a subquery rather than a join: no duplicate rows, so no DISTINCT that would defeat the ordering
        qs = qs.filter(pk__in=RawRecord.objects.filter(source_format=params["source"]).values("publication_id"))
    if params.get("type") and skip != "type":
        qs = qs.filter(doc_type="" if params["type"] == "-" else params["type"])
    if params.get("lang") and skip != "lang":
        qs = qs.filter(language="" if params["lang"] == "-" else params["lang"])
    for role in SOURCE_FACETS:
        if params.get(role) and skip != role:
            qs = source_facets.with_source(qs, role, params[role])
    return qs


def selection(params: Mapping[str, Any]) -> QuerySet:
    """Every publication of a search, unordered: the full-text match of its words, then its facet filters."""
    return filtered(search.search(Publication.objects.all(), params.get("q") or ""), params)
