"""One export function for the CLI and the web, so both write the same fields.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import F, QuerySet

from benefice.corpus.formats import writers
from benefice.corpus.models import Publication
from benefice.corpus.record import Record
from benefice.corpus.services.records import publication_to_record
from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop

# --- export ----------------------------------------------------------------------------------------------

EXPORT_FORMATS = ("csv", "ris", "jsonl")


def exportable(publications: QuerySet) -> QuerySet:
    """The publications with their effective source lists and kinds of use read in the same query (LEFT JOINs).

    An export then makes no query per publication, and none at all in the thread that writes it: the web
    export writes in a worker thread, which must not open a database connection of its own. The lists are
    ``PublicationDetection.sources_used`` / ``sources_mentioned`` and ``PublicationUses.categories`` (with
    ``by_person`` and ``labels``, which say how they were set), people's corrections applied."""
    return publications.annotate(
        export_sources_used=F("detection__sources_used"),
        export_sources_mentioned=F("detection__sources_mentioned"),
        export_use_categories=F("uses__categories"),
        export_use_by_person=F("uses__by_person"),
        export_use_labels=F("uses__labels"),
    )


def export_publications(publications: Iterable[Publication], fmt: str, stream) -> int:
    """Write publications in one of EXPORT_FORMATS; returns how many were written. The CLI and the web export
    both call this, so they write the same fields.

    JSON lines also carry ``sources_used`` and ``sources_mentioned`` (registry ids, the effective lists with
    people's corrections applied; ``[]`` for a publication not scanned yet), ``use_categories`` (the stored
    effective kinds of use, ``uses.PublicationUses.categories``: typology ids, main first; ``[]`` when none
    or not classified yet) and ``use_categories_method`` (``person``, ``rule``, ``model`` — how the main one
    was set; ``none`` when the machine found none — or ``not classified``). A queryset is read through
    :func:`exportable`; other iterables must hold publications that came through it, or their sources and
    kinds of use are written as not scanned (this function never queries per publication)."""
    from benefice.uses.services import export_method  # cycle: uses.services imports this package

    writer = {"csv": writers.write_csv, "ris": writers.write_ris, "jsonl": _write_jsonl}.get(fmt)
    if writer is None:
        raise BeneficeError(
            gettext_noop("unknown export format %(format)r (choose from %(known)s)"),
            params={"format": fmt, "known": ", ".join(EXPORT_FORMATS)},
        )
    if isinstance(publications, QuerySet):
        publications = exportable(publications).iterator(chunk_size=500)
    count = 0

    def records() -> Iterator[Record | dict[str, Any]]:
        nonlocal count
        for pub in publications:
            count += 1
            rec = publication_to_record(pub)
            rec.extra = {"benefice_id": pub.pk}
            if fmt != "jsonl":
                yield rec
                continue
            data = rec.to_dict()
            data.pop("raw", None)
            data["sources_used"] = list(getattr(pub, "export_sources_used", None) or [])
            data["sources_mentioned"] = list(getattr(pub, "export_sources_mentioned", None) or [])
            data["use_categories"] = list(getattr(pub, "export_use_categories", None) or [])
            data["use_categories_method"] = export_method(
                getattr(pub, "export_use_by_person", None), getattr(pub, "export_use_labels", None)
            )
            yield data

    writer(records(), stream)
    return count


def _write_jsonl(rows: Iterable[dict[str, Any]], stream) -> int:
    """One JSON object per line: the record's fields (``Record.to_dict`` without ``raw``) and the export's."""
    n = 0
    for row in rows:
        stream.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        n += 1
    return n
