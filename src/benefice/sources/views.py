"""Source pages: the registry, how each source is cited, edits with history. Thin: services do the work."""

from __future__ import annotations

import csv
import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from benefice.core.models import AuditEntry
from benefice.core.roles import can_edit
from benefice.core.views import reader_required
from benefice.errors import BeneficeError
from benefice.sources import charts, services
from benefice.sources.models import Mention, Source

LIST_FIELDS = ("acronyms", "former_names", "variants", "translations", "ambiguous", "context")
TEXT_FIELDS = (
    "kind",
    "country",
    "parent",
    "custodian",
    "access",
    "documentation_url",
    "citation",
    "ambiguity",
)


@reader_required
def source_list(request):
    counts = services.source_counts()
    lang = get_language() or "fr"
    kind = request.GET.get("kind", "")
    country = request.GET.get("country", "")
    rows = []
    for src in Source.objects.all():
        if kind and src.kind != kind:
            continue
        if country and src.country != country:
            continue
        c = counts.get(src.id, {"used": 0, "mentioned": 0})
        rows.append({"source": src, "name": src.name(lang), **c})
    rows.sort(key=lambda r: (-r["used"], r["source"].id))
    kinds = sorted(set(Source.objects.values_list("kind", flat=True)))
    countries = sorted(set(Source.objects.values_list("country", flat=True)))
    return render(
        request,
        "sources/list.html",
        {"rows": rows, "kinds": kinds, "countries": countries, "kind": kind, "country": country},
    )


@reader_required
def source_detail(request, source_id: str):
    src = get_object_or_404(Source, pk=source_id)
    stats = services.source_statistics(src.id)
    lang = get_language() or "fr"
    pubs = services.publications_using(src.id, role=None).order_by("-year", "pk")
    page = Paginator(pubs, 20).get_page(request.GET.get("page"))
    highlighted = []
    for pub in page:
        ms = list(Mention.objects.filter(publication=pub, source_id=src.id).order_by("field", "start"))
        highlighted.append(
            {
                "pub": pub,
                "role": "used" if any(m.role == "used" for m in ms) else "mentioned",
                "title": charts.highlight(pub.title, [m for m in ms if m.field == "title"]),
                "abstract": charts.highlight(
                    pub.abstract, [m for m in ms if m.field == "abstract"], context=160
                ),
            }
        )
    specs = {
        "timeline": charts.timeline_spec(stats["per_year"], lang),
        "variants": charts.variants_spec(stats["variants"][:15], lang),
        "co_use": charts.co_use_spec(stats["co_use"][:20], lang),
    }
    return render(
        request,
        "sources/detail.html",
        {
            "source": src,
            "name": src.name(lang),
            "data": src.data,
            "stats": stats,
            "page": page,
            "highlighted": highlighted,
            "specs": specs,
            "children": Source.objects.filter(parent_id_value=src.id),
            "history": AuditEntry.objects.filter(object_type=services.OBJECT_TYPE, object_id=src.id)[:20],
        },
    )


def _form_to_data(src: Source, post) -> dict:
    data = dict(src.data)
    data["names"] = {"fr": post.get("name_fr", "").strip(), "en": post.get("name_en", "").strip()}
    for f in LIST_FIELDS:
        data[f] = [line.strip() for line in post.get(f, "").splitlines() if line.strip()]
    for f in TEXT_FIELDS:
        value = post.get(f, "").strip()
        data[f] = value or (None if f == "parent" else "")
    year = post.get("first_year", "").strip()
    data["first_year"] = int(year) if year.isdecimal() else None
    descriptions = []
    for line in post.get("descriptions", "").splitlines():
        text, _sep, requires = line.partition("|")
        if text.strip():
            req = [w.strip() for w in requires.split(",") if w.strip()]
            descriptions.append({"text": text.strip(), "requires": req} if req else text.strip())
    data["descriptions"] = descriptions
    return data


@reader_required
def source_edit(request, source_id: str):
    if not can_edit(request.user):
        raise PermissionDenied
    src = get_object_or_404(Source, pk=source_id)
    error = None
    data = src.data
    version = src.version
    if request.method == "POST":
        data = _form_to_data(src, request.POST)
        version = int(request.POST.get("version", "0") or 0)
        try:
            services.update_source(
                src.id,
                data,
                expected_version=version,
                user=request.user,
                comment=request.POST.get("comment", ""),
            )
        except BeneficeError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Source %(id)s saved.") % {"id": src.id})
            return redirect("sources:detail", source_id=src.id)
    descriptions = "\n".join(
        d if isinstance(d, str) else f"{d['text']} | {', '.join(d.get('requires', []))}"
        for d in data.get("descriptions", [])
    )
    return render(
        request,
        "sources/edit.html",
        {
            "source": src,
            "data": data,
            "version": version,
            "error": error,
            "descriptions": descriptions,
            "list_fields": [(f, "\n".join(data.get(f) or [])) for f in LIST_FIELDS],
            "text_fields": [(f, data.get(f) or "") for f in TEXT_FIELDS],
        },
        status=409 if error and "changed" in error else (400 if error else 200),
    )


@reader_required
def source_history(request, source_id: str):
    src = get_object_or_404(Source, pk=source_id)
    entries = AuditEntry.objects.filter(object_type=services.OBJECT_TYPE, object_id=src.id)
    rows = [
        {
            "entry": e,
            "changes": [(f, (e.before or {}).get(f), (e.after or {}).get(f)) for f in e.changed_fields],
        }
        for e in entries
    ]
    return render(request, "sources/history.html", {"source": src, "rows": rows})


class _Echo:
    def write(self, value):
        return value


@reader_required
def mentions_csv(request, source_id: str | None = None):
    """Every mention (or one source's), with the publication it is in: the evidence behind the source pages."""
    writer = csv.writer(_Echo())
    qs = Mention.objects.select_related("publication").order_by("publication_id", "field", "start")
    if source_id:
        qs = qs.filter(source_id=source_id)

    def rows():
        yield writer.writerow(
            [
                "source",
                "publication_id",
                "doi",
                "pmid",
                "year",
                "field",
                "start",
                "end",
                "text",
                "form",
                "role",
                "confidence",
            ]
        )
        for m in qs.iterator(chunk_size=2000):
            p = m.publication
            yield writer.writerow(
                [
                    m.source_id,
                    p.pk,
                    p.doi,
                    p.pmid,
                    p.year or "",
                    m.field,
                    m.start,
                    m.end,
                    m.text,
                    m.form,
                    m.role,
                    f"{m.confidence:.3f}",
                ]
            )

    name = f"mentions-{source_id or 'all'}.csv"
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@reader_required
def statistics_csv(request, source_id: str):
    """A source's citation statistics (per year, variants, co-use) as one tidy CSV."""
    src = get_object_or_404(Source, pk=source_id)
    stats = services.source_statistics(src.id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="citation-{src.id}.csv"'
    w = csv.writer(response)
    w.writerow(["source", "table", "key", "form", "count", "share"])
    for row in stats["per_year"]:
        w.writerow([src.id, "used_per_year", row["year"], "", row["used"], ""])
        w.writerow([src.id, "mentioned_only_per_year", row["year"], "", row["mentioned"], ""])
    for row in stats["variants"]:
        w.writerow([src.id, "variant", row["text"], row["form"], row["count"], f"{row['share']:.4f}"])
    for row in stats["co_use"]:
        w.writerow([src.id, "co_use", row["source"], "", row["count"], ""])
    for row in stats["practices"]["rows"]:
        share = "" if row["share"] is None else f"{row['share']:.4f}"
        w.writerow([src.id, "citation_practice", row["key"], "", row["count"], share])
    for row in stats["practices"]["authorisations"]:
        w.writerow([src.id, "authorisation", row["body"], "", row["count"], f"{row['share']:.4f}"])
    return response


@reader_required
def registry_export(request):
    """The registry as stored in the database, in the file format (JSON), so edits can go back to the file."""
    registry = services.db_registry()
    response = HttpResponse(
        json.dumps(registry.to_records(), ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="sources.json"'
    return response
