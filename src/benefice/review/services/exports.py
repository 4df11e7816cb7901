"""One row per decision, so an export keeps every reviewer's decision, not only the record's status.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Q

from benefice import csvout
from benefice.corpus.formats.writers import write_ris
from benefice.corpus.record import Author, Record
from benefice.review.models import FULL_TEXT, TITLE_ABSTRACT, Resolution, Review, ScreeningDecision, Status

# --- exports -------------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "record_id",
    "title",
    "authors",
    "year",
    "journal",
    "doi",
    "database",
    "ta_status",
    "ft_status",
    "stage",
    "reviewer",
    "decision",
    "reasons",
    "note",
    "tags",
    "decided_at",
    "kind",
)


def _export_rows(review: Review, user=None) -> Iterator[dict]:
    """Rows of the exports. With blind screening, another reviewer's decision on a record still awaiting
    decisions in that stage is left out (as on the pages), so an export cannot break the blinding."""
    searches = dict(review.searches.values_list("pk", "database"))
    decisions: dict[int, list[dict]] = defaultdict(list)
    blinded = ScreeningDecision.objects.none()
    if review.blind:
        blinded = ScreeningDecision.objects.filter(record__review=review).filter(
            Q(stage=TITLE_ABSTRACT, record__ta_status=Status.PENDING)
            | Q(stage=FULL_TEXT, record__ft_status=Status.PENDING)
        )
        if user is not None:
            blinded = blinded.exclude(reviewer=user)
    hidden = set(blinded.values_list("pk", flat=True))
    for d in (
        ScreeningDecision.objects.filter(record__review=review).select_related("reviewer").order_by("created_at", "pk")
    ):
        if d.pk in hidden:
            continue
        decisions[d.record_id].append(
            {
                "stage": d.stage,
                "reviewer": d.reviewer.username,
                "decision": d.value,
                "reasons": "; ".join(d.reasons),
                "note": d.note,
                "tags": "; ".join(d.tags),
                "decided_at": d.updated_at.isoformat(),
                "kind": "decision",
            }
        )
    for r in Resolution.objects.filter(record__review=review).select_related("resolved_by"):
        decisions[r.record_id].append(
            {
                "stage": r.stage,
                "reviewer": r.resolved_by.username if r.resolved_by else "",
                "decision": r.value,
                "reasons": "; ".join(r.reasons),
                "note": r.note,
                "tags": "",
                "decided_at": r.resolved_at.isoformat(),
                "kind": "resolution",
            }
        )
    for record in review.records.order_by("pk").iterator():
        base = {
            "record_id": record.pk,
            "title": record.title,
            "authors": record.authors,
            "year": record.year or "",
            "journal": record.journal,
            "doi": record.doi,
            "database": searches.get(record.search_id, ""),
            "ta_status": record.ta_status,
            "ft_status": record.ft_status,
        }
        rows = decisions.get(record.pk) or [{}]
        for row in rows:
            yield {**{c: "" for c in CSV_COLUMNS}, **base, **row}


def export_csv(review: Review, user=None) -> str:
    """One row per decision (and per resolution); records without any decision get one row."""
    out = io.StringIO()
    writer = csvout.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in _export_rows(review, user):
        writer.writerow(row)
    return out.getvalue()


def export_ris(review: Review, user=None) -> str:
    """RIS with the screening outcome in N1 notes (one per decision) and tags as keywords."""
    grouped: dict[int, list[dict]] = defaultdict(list)
    for row in _export_rows(review, user):
        grouped[row["record_id"]].append(row)
    out = io.StringIO()
    for record in review.records.order_by("pk").iterator():
        rows = grouped[record.pk]
        buffer = io.StringIO()
        write_ris(
            [
                Record(
                    source_format="benefice",
                    title=record.title,
                    abstract=record.abstract,
                    year=record.year,
                    journal=record.journal,
                    doi=record.doi,
                    authors=[Author(name=a.strip()) for a in record.authors.split(";") if a.strip()],
                    keywords=sorted({t for row in rows for t in row["tags"].split("; ") if t}),
                )
            ],
            buffer,
        )
        text = buffer.getvalue().rstrip()
        notes = [
            f"N1  - benefice review {review.pk} record {record.pk}: title/abstract {record.ta_status or '-'}; "
            f"full text {record.ft_status or '-'}"
        ]
        for row in rows:
            if row["decision"]:
                note = f"N1  - {row['kind']} {row['stage']} {row['reviewer']} {row['decision']} {row['decided_at']}"
                if row["reasons"]:
                    note += f" ({row['reasons']})"
                if row["note"]:
                    note += f": {' '.join(row['note'].split())}"
                notes.append(note)
        head, _, tail = text.rpartition("\nER  -")
        out.write(head + "\n" + "\n".join(notes) + "\nER  - \n\n")
    return out.getvalue()
