"""Analysis of the coded material: coded segments, frequencies by participant attribute, co-occurrence,
and the export of segments as CSV, XLSX or DOCX. Only pseudonymised text ever leaves through here.
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict

from benefice import csvout
from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop
from benefice.interviews import refi
from benefice.interviews.models import Coding, InterviewProject
from benefice.interviews.services.access import ATTRIBUTES


def coded_segments(project: InterviewProject, transcripts, code_ids=None, coder_ids=None) -> list[dict]:
    queryset = Coding.objects.filter(selection__transcript__in=transcripts).select_related(
        "selection__transcript__participant", "code", "coder"
    )
    if code_ids:
        queryset = queryset.filter(code_id__in=code_ids)
    if coder_ids:
        queryset = queryset.filter(coder_id__in=coder_ids)
    rows = []
    for coding in queryset.order_by("selection__transcript__title", "selection__start", "pk"):
        selection = coding.selection
        participant = selection.transcript.participant
        rows.append(
            {
                "code": coding.code.name,
                "transcript": selection.transcript.title,
                "participant": participant.code if participant else "",
                **{key: (participant.attributes.get(key, "") if participant else "") for key in ATTRIBUTES},
                "coder": coding.coder.name,
                "start": selection.start,
                "end": selection.end,
                "text": selection.quote,
                "memo": coding.memo,
            }
        )
    return rows


def frequencies(project: InterviewProject, transcripts, attribute: str) -> tuple[list[str], list[dict]]:
    """Codings per code and value of a participant attribute (and how many participants said it)."""
    if attribute not in ATTRIBUTES:
        raise BeneficeError(
            gettext_noop("unknown attribute %(attribute)r (%(known)s)"),
            params={"attribute": attribute, "known": ", ".join(ATTRIBUTES)},
            field="attribute",
        )
    cells: dict[str, Counter] = defaultdict(Counter)
    people: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    values: set[str] = set()
    for row in coded_segments(project, transcripts):
        value = row[attribute] or "—"
        values.add(value)
        cells[row["code"]][value] += 1
        people[row["code"]][value].add(row["participant"] or row["transcript"])
    columns = sorted(values)
    table = [
        {
            "code": code,
            "cells": [(cells[code][v], len(people[code][v])) for v in columns],
            "total": sum(cells[code].values()),
        }
        for code in sorted(cells)
    ]
    return columns, table


def cooccurrence(project: InterviewProject, transcripts) -> tuple[list[str], list[list[int]]]:
    """How often two codes sit on overlapping text (in the same transcript); the diagonal counts codings."""
    codings = list(
        Coding.objects.filter(selection__transcript__in=transcripts).select_related("selection", "code")
    )
    codes = sorted({c.code for c in codings}, key=lambda c: (c.name, c.pk))
    index = {code.pk: i for i, code in enumerate(codes)}
    matrix = [[0] * len(codes) for _ in codes]
    by_transcript: dict[int, list[Coding]] = defaultdict(list)
    for coding in codings:
        by_transcript[coding.selection.transcript_id].append(coding)
        matrix[index[coding.code_id]][index[coding.code_id]] += 1
    for items in by_transcript.values():
        items.sort(key=lambda c: c.selection.start)
        for i, first in enumerate(items):
            for second in items[i + 1 :]:
                if second.selection.start >= first.selection.end:
                    break
                if first.code_id != second.code_id:
                    a, b = index[first.code_id], index[second.code_id]
                    matrix[a][b] += 1
                    matrix[b][a] += 1
    return [c.name for c in codes], matrix


SEGMENT_COLUMNS = ("code", "transcript", "participant", *ATTRIBUTES, "coder", "start", "end", "text", "memo")


def export_segments(rows: list[dict], kind: str, title: str) -> tuple[bytes, str]:
    """Coded segments as CSV, XLSX or DOCX: (content, MIME type). Pseudonymised text only."""
    if kind == "csv":
        buffer = io.StringIO()
        writer = csvout.DictWriter(
            buffer, fieldnames=SEGMENT_COLUMNS, extrasaction="ignore", lineterminator="\r\n"
        )
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8"
    if kind == "xlsx":
        # deferred: openpyxl takes over half a second to import and only this XLSX export needs it
        from openpyxl import Workbook
        from openpyxl.styles import Font

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "segments"
        sheet.append(list(SEGMENT_COLUMNS))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_spreadsheet_safe(row[c]) for c in SEGMENT_COLUMNS])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if kind == "docx":
        import docx  # deferred: python-docx is slow to import and only this DOCX export needs it

        document = docx.Document()
        document.add_heading(refi.xml_safe(title), level=1)
        current = None
        for row in sorted(rows, key=lambda r: (r["code"], r["transcript"], r["start"])):
            if row["code"] != current:
                current = row["code"]
                document.add_heading(refi.xml_safe(current), level=2)
            meta = f"{row['transcript']} · {row['participant'] or '—'} · {row['coder']} · {row['start']}-{row['end']}"
            document.add_paragraph(refi.xml_safe(meta)).italic = True
            document.add_paragraph(refi.xml_safe(row["text"]), style="Quote")
            if row["memo"]:
                document.add_paragraph(refi.xml_safe(f"Memo: {row['memo']}"))
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    raise BeneficeError(
        gettext_noop("unknown export format %(kind)r (csv, xlsx, docx)"), params={"kind": kind}
    )


def _spreadsheet_safe(value):
    """Text a spreadsheet would run as a formula gets a quote in front (``benefice.csvout``)."""
    if isinstance(value, str):
        value = refi.xml_safe(value)
    return csvout.neutralise(value)
