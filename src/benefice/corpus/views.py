"""Corpus pages: browse and search, one publication with its provenance, import, batches, export.

Every page is server-rendered and works without JavaScript; htmx only swaps parts of a page (the results of
a search, the progress of an import). A request made by htmx carries ``HX-Request``; responses that differ
on it say so in ``Vary`` so that no cache (nor the browser's back button) serves a fragment as a page.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import connection
from django.db.models import Count, F, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from benefice.core import guard, jobs
from benefice.core.paging import BoundedPaginator
from benefice.core.views import editor_required, reader_required
from benefice.corpus import jobs as import_jobs
from benefice.corpus import listcache, search, source_facets
from benefice.corpus.forms import PAGE_SIZES, SORTS, ImportForm, SearchForm
from benefice.corpus.models import ImportBatch, MergeEvent, Publication, RawRecord
from benefice.corpus.selection import SOURCE_FACETS, filtered
from benefice.corpus.templatetags.corpus_tags import (
    DOC_TYPE_LABELS,
    FORMAT_LABELS,
    doc_type_label,
    format_label,
    label,
    language_label,
)
from benefice.errors import BeneficeError

#: Facets of the corpus browser (URL parameters). ``used`` / ``mentioned`` are data sources (registry ids) a
#: publication uses or only mentions, read from its effective detection lists (``source_facets``).
FACETS = ("year", "source", "type", "lang", "used", "mentioned")
YEAR_FACET_LIMIT = 50
FACET_LIMIT = 20
#: facets of a broad search (or one that runs out of budget) are counted over this many first results
FACET_SAMPLE = 2000
#: time an estimate of a broad search's count may take on SQLite (PostgreSQL's planner gives one at once)
ESTIMATE_BUDGET_SECONDS = 0.2

#: Fields shown in the "Bibliographic data" table of a publication, in this order.
DETAIL_FIELDS = (
    "doi",
    "pmid",
    "pmcid",
    "openalex_id",
    "hal_id",
    "year",
    "date",
    "journal",
    "issn",
    "publisher",
    "volume",
    "issue",
    "pages",
    "doc_type",
    "language",
    "oa_status",
    "cited_by_count",
    "url",
    "keywords",
    "mesh",
    "funders",
    "referenced_works",
)

EXPORT_CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
}


def is_htmx(request: HttpRequest) -> bool:
    """An htmx request for a fragment (a history restore asks for the whole page)."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


# --- search -------------------------------------------------------------------------------------------


def _ordered(qs: QuerySet, params: dict[str, Any]) -> QuerySet:
    ordering = SORTS[params["sort"]][1]
    if ordering is None:  # relevance: ranked in the full-text index (search.ranked), never here
        return qs.order_by("-year", "pk")
    if params["sort"] == "cited":
        return qs.order_by(F("cited_by_count").desc(nulls_last=True), "-year", "pk")
    return qs.order_by(*ordering)


def _facet_rows(qs: QuerySet, field: str, *, by_value: bool = False, limit: int = FACET_LIMIT) -> list:
    rows = qs.order_by().values(field).annotate(n=Count("pk", distinct=True))
    rows = rows.order_by(f"-{field}") if by_value else rows.order_by("-n", field)
    return [(row[field], row["n"]) for row in rows[:limit]]


def build_facets(searched: QuerySet, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Facet values with counts, each counted over the search narrowed by the *other* facets.

    So choosing a year still lists the other years (with how many results each would give) instead of
    collapsing the year facet to the one value chosen.
    """
    facets = []
    specs = (
        ("year", _("Year"), "year", True, YEAR_FACET_LIMIT, str),
        ("source", _("Source format"), "raw_records__source_format", False, FACET_LIMIT, format_label),
        ("type", _("Type"), "doc_type", False, FACET_LIMIT, doc_type_label),
        ("lang", _("Language"), "language", False, FACET_LIMIT, language_label),
    )
    for param, title, field, by_value, limit, labeller in specs:
        rows = _facet_rows(filtered(searched, params, skip=param), field, by_value=by_value, limit=limit)
        selected = params.get(param)
        values = []
        for value, count in rows:
            if value is None or value == "":
                if param in ("year", "source"):
                    continue  # no way to filter "unknown year" in the year facet: leave it out
                value, text = "-", _("unknown")
            else:
                text = labeller(value)
            values.append(
                {
                    "value": value,
                    "label": text,
                    "count": count,
                    "selected": selected is not None and str(selected) == str(value),
                }
            )
        facets.append({"param": param, "title": title, "values": values, "selected": selected})
    facets.extend(_source_facets(searched, params))
    return facets


def _source_facets(searched: QuerySet, params: dict[str, Any]) -> list[dict[str, Any]]:
    """The "source used" and "source mentioned" facets, counted like the others (search and other facets).

    With no search and no other filter the counts run over every detection, without evaluating the
    corpus as a restriction: the common case (opening the corpus page) stays one grouped scan."""
    titles = {"used": _("Data source used"), "mentioned": _("Data source mentioned only")}
    facets = []
    for role in SOURCE_FACETS:
        narrowed = bool(params.get("q") or params.get("sample")) or any(
            params.get(p) not in (None, "") for p in FACETS if p != role
        )
        restriction = filtered(searched, params, skip=role) if narrowed else None
        rows = source_facets.source_counts(restriction, role, limit=FACET_LIMIT)
        selected = params.get(role) or None
        if selected and selected not in {sid for sid, _n in rows}:
            rows.append((selected, 0))  # the chosen source stays visible (and removable) with its count
        labels = source_facets.source_labels([sid for sid, _n in rows], get_language() or "fr")
        values = [
            {"value": sid, "label": labels[sid], "count": n, "selected": sid == selected} for sid, n in rows
        ]
        facets.append({"param": role, "title": titles[role], "values": values, "selected": selected})
    return facets


def _source_badges(publications: list[Publication]) -> None:
    """Each result's sources as (id, label): a registry id that is a code is shown by its name (issue 19)."""
    used = {pub.pk: list(getattr(getattr(pub, "detection", None), "sources_used", None) or []) for pub in publications}
    labels = source_facets.badge_labels(sorted({sid for ids in used.values() for sid in ids}), get_language() or "fr")
    for pub in publications:
        pub.source_badges = [(sid, labels.get(sid, sid)) for sid in used[pub.pk]]


def _search_params(request: HttpRequest) -> dict[str, Any]:
    return SearchForm(request.GET).values()


def _results(params: dict[str, Any]) -> tuple[QuerySet, QuerySet]:
    """(search results before facet filters, final ordered results).

    Ordered by relevance, the results are ranked inside the full-text index (``search.ranked``): a page
    reads the top rows of the index and never ranks row by row."""
    searched = search.search(Publication.objects.all(), params["q"])
    if SORTS[params["sort"]][1] is None and params["q"]:
        return searched, filtered(search.ranked(Publication.objects.all(), params["q"]), params)
    return searched, _ordered(filtered(searched, params), params)


def _facets_within_budget(searched: QuerySet, results: QuerySet, params: dict[str, Any], exact: bool):
    """(facets, sample size or None): every facet counted over the whole search when the results are counted
    exactly and the counting fits ``FACET_BUDGET_SECONDS``; else over a sample of ``FACET_SAMPLE`` results
    (the first the index finds, unranked: no sort), and the page says so. A broad search thus costs a
    bounded amount of work."""
    if exact:
        try:
            with guard.budget(settings.FACET_BUDGET_SECONDS):
                return build_facets(searched, params), None
        except guard.BudgetExceeded as exc:
            if exc.reason == "disconnected":
                raise
    ids = list(results.order_by().values_list("pk", flat=True)[:FACET_SAMPLE])
    sample = Publication.objects.filter(pk__in=ids)
    return build_facets(sample, {**params, "q": "", "sample": True}), len(ids)


@reader_required
@require_GET
def publication_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    params = form.values()
    searched, results = _results(params)
    # bounded: at most COUNT_LIMIT rows counted and paged; the page's rows are read by primary key with
    # their detection (one-to-one: a result shows the sources it uses) and raw records. Counts, the page's
    # ids and facets are computed once per state of the corpus (listcache: keyed by the generation token).
    token = listcache.generation()
    paginator = BoundedPaginator(
        results.values_list("pk", flat=True),
        params["size"],
        bounded_count=lambda count: listcache.cached("count", params, count, token=token),
    )
    page = paginator.get_page(request.GET.get("page"))
    ids = listcache.cached("page", {**params, "page": page.number}, lambda: list(page.object_list), token=token)
    rows = Publication.objects.filter(pk__in=ids).select_related("detection").prefetch_related("raw_records")
    by_id = {pub.pk: pub for pub in rows}
    page.object_list = [by_id[pk] for pk in ids if pk in by_id]
    _source_badges(page.object_list)
    facets, facet_sample = listcache.cached(
        "facets",
        {**params, "ui": get_language() or "fr", "exact": paginator.exact},
        lambda: _facets_within_budget(searched, results, params, paginator.exact),
        token=token,
    )
    context = {
        "form": form,
        "params": params,
        "page": page,
        "count_exact": paginator.exact,
        "count_limit": paginator.limit,
        "estimate": None
        if paginator.exact
        else listcache.cached("estimate", params, lambda: _estimate(results, params), token=token),
        "facet_sample": facet_sample,
        "facets": facets,
        "sorts": [(key, lbl) for key, (lbl, _o) in SORTS.items()],
        "export_formats": list(EXPORT_CONTENT_TYPES),
        "active_filters": _active_filters(params),
        "total": listcache.cached("total", {}, Publication.objects.count, token=token),
        "page_sizes": PAGE_SIZES,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "filter_params": [{"name": p, "value": params.get(p)} for p in FACETS],
        "partial": is_htmx(request),
    }
    template = "corpus/_results.html" if context["partial"] else "corpus/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _estimate(results: QuerySet, params: dict[str, Any]) -> int | None:
    """About how many results a broad search has, when it can be told cheaply: PostgreSQL's planner
    estimate; on SQLite the index's own count of the matches when no facet narrows the search (a few ms
    at 100,000 matches: FTS5 counts its doclists), else the count if it fits a small budget; None otherwise."""
    counted = results.order_by()
    try:
        if connection.vendor == "postgresql":
            sql, sql_params = counted.values("pk").query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", sql_params)
                plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            return int(plan[0]["Plan"]["Plan Rows"])
        with guard.budget(ESTIMATE_BUDGET_SECONDS):
            if (
                connection.vendor == "sqlite"
                and params["q"]
                and all(params.get(p) in (None, "") for p in FACETS)
            ):
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT count(*) FROM corpus_publication_fts WHERE corpus_publication_fts MATCH %s",
                        [search.fts5_query(params["q"])],
                    )
                    return cursor.fetchone()[0]
            return counted.count()
    except guard.BudgetExceeded as exc:
        if exc.reason == "disconnected":
            raise
        return None


def _active_filters(params: dict[str, Any]) -> list[dict[str, str]]:
    """The facet filters in force, as removable chips."""
    active = []
    names = {
        "year": _("Year"),
        "source": _("Source format"),
        "type": _("Type"),
        "lang": _("Language"),
        "used": _("Data source used"),
        "mentioned": _("Data source mentioned only"),
    }
    sources = source_facets.source_labels(
        [params[p] for p in SOURCE_FACETS if params.get(p)], get_language() or "fr"
    )
    for param in FACETS:
        value = params.get(param)
        if value is None or value == "":
            continue
        if value == "-":
            text = _("unknown")
        elif param == "source":
            text = label(FORMAT_LABELS, value)
        elif param == "type":
            text = label(DOC_TYPE_LABELS, value)
        elif param == "lang":
            text = language_label(value)
        elif param in SOURCE_FACETS:
            text = sources[value]
        else:
            text = str(value)
        active.append({"param": param, "name": names[param], "label": text})
    return active


# --- export -------------------------------------------------------------------------------------------


class _QueueStream:
    """A text stream whose writes go to a queue (the exporter writes, the HTTP response reads)."""

    def __init__(self, out: queue.SimpleQueue) -> None:
        self.out = out

    def write(self, text: str) -> int:
        if text:
            self.out.put(text)
        return len(text)

    def flush(self) -> None:
        pass


_END = object()


def stream_export(publications: Iterable[Publication], fmt: str, *, batch: int = 200) -> Iterator[bytes]:
    """Yield the export of ``publications`` as UTF-8 bytes while it is being written.

    ``services.export_publications`` pushes text into a stream and returns when it has written
    everything; an HTTP response pulls. The exporter therefore runs in a worker thread fed through a
    bounded queue, while this generator (in the request's thread, the one allowed to use the database
    connection) reads the publications and hands out what the worker wrote so far. Memory stays
    bounded by the queue size whatever the size of the corpus.
    """
    from benefice.corpus.services import export_publications

    inbox: queue.Queue = queue.Queue(maxsize=batch)
    out: queue.SimpleQueue = queue.SimpleQueue()
    failure: list[BaseException] = []

    def feed() -> Iterator[Publication]:
        while (item := inbox.get()) is not _END:
            yield item

    def work() -> None:
        try:
            export_publications(feed(), fmt, _QueueStream(out))
        except BaseException as exc:  # re-raised in the response thread below
            failure.append(exc)
            while inbox.get() is not _END:  # let the producer finish instead of blocking on a full queue
                pass
        finally:
            out.put(_END)

    worker = threading.Thread(target=work, name="export", daemon=True)
    worker.start()

    def drain() -> Iterator[bytes]:
        chunks = []
        while True:
            try:
                item = out.get_nowait()
            except queue.Empty:
                break
            if item is _END:
                out.put(_END)  # keep the end marker for the final blocking drain
                break
            chunks.append(item)
        if chunks:
            yield "".join(chunks).encode("utf-8")

    try:
        for pub in publications:
            inbox.put(pub)
            yield from drain()
        inbox.put(_END)
        while (item := out.get()) is not _END:
            yield item.encode("utf-8")
    except GeneratorExit:  # the client went away: stop the worker
        inbox.put(_END)
        raise
    worker.join()
    if failure:
        raise failure[0]


@reader_required
@require_GET
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in EXPORT_CONTENT_TYPES:
        raise Http404(_("Unknown export format"))
    params = _search_params(request)
    _searched, results = _results(params)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    from benefice.corpus.services import exportable

    # the effective source lists come in the same query: the writer thread must not query (stream_export)
    publications = exportable(results).iterator(chunk_size=500)
    response = StreamingHttpResponse(stream_export(publications, fmt), content_type=EXPORT_CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="benefice-corpus-{stamp}.{fmt}"'
    return response


# --- one publication ----------------------------------------------------------------------------------


@reader_required
@require_GET
def publication_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pub = get_object_or_404(Publication, pk=pk)
    raws = list(pub.raw_records.select_related("batch", "batch__user").order_by("pk"))
    by_id = {raw.pk: raw for raw in raws}

    def source(field: str) -> RawRecord | None:
        raw_id = pub.field_sources.get(field)
        return by_id.get(int(raw_id)) if raw_id is not None else None

    fields = []
    for name in DETAIL_FIELDS:
        value = getattr(pub, name)
        if value in (None, "", []):
            continue
        fields.append({"name": name, "value": value, "source": source(name)})
    events = list(
        pub.merge_events.select_related(
            "raw_record", "raw_record__batch", "created_by", "undone_by", "split_into"
        )
    )
    context = {
        "pub": pub,
        "fields": fields,
        "title_source": source("title"),
        "abstract_source": source("abstract"),
        "authors_source": source("authors"),
        "raw_records": raws,
        "events": events,
        "can_undo": len(raws) > 1,
        "split_from": MergeEvent.objects.filter(split_into=pub).select_related("publication"),
    }
    return render(request, "corpus/detail.html", context)


@editor_required
@require_POST
def undo_merge(request: HttpRequest, event_id: int) -> HttpResponse:
    from benefice.corpus.services import undo_merge as undo

    event = get_object_or_404(MergeEvent.objects.select_related("publication"), pk=event_id)
    source = event.publication
    try:
        new = undo(event, user=request.user)
    except BeneficeError as exc:
        reason = exc.localized(get_language(), name_only=True)
        messages.error(request, _("The merge could not be undone: %(reason)s") % {"reason": reason})
        return redirect("corpus:detail", pk=source.pk)
    messages.success(
        request,
        format_html(
            _('Merge undone: the record is now the separate publication <a href="{url}">#{pk}</a>.'),
            url=reverse("corpus:detail", args=[new.pk]),
            pk=new.pk,
        ),
    )
    return redirect("corpus:detail", pk=source.pk)


# --- import -------------------------------------------------------------------------------------------


@editor_required
def import_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            job = import_jobs.create_import_job(
                form.cleaned_data["file"], form.cleaned_data["format"], request.user
            )
            return redirect("corpus:import_job", job_id=job["id"])
    else:
        form = ImportForm()
    recent = import_jobs.recent_imports(10)
    for job in recent:
        job["created"] = datetime.fromisoformat(job["created_at"]) if job.get("created_at") else None
    return render(request, "corpus/import.html", {"form": form, "recent_jobs": recent})


def _job_or_404(job_id: str) -> jobs.Job:
    job = jobs.read_job(job_id) if jobs.valid_job_id(job_id) else None
    if job is None or job.get("kind") != "import":
        raise Http404(_("No such import job"))
    return job


def _job_context(job: jobs.Job) -> dict[str, Any]:
    total = job.get("total")
    done = job.get("done", 0)
    percent = round(100 * done / total) if total else None
    if job.get("error_data"):
        job = {**job, "error": import_jobs.job_error(job)}  # said in the reader's language, not the importer's
    if job.get("scan_error_data"):
        job = {**job, "scan_error": import_jobs.scan_error(job)}
    return {
        "job": job,
        "active": job.get("status") in jobs.ACTIVE,
        "waiting": jobs.waiting_for_worker(job),
        "percent": min(percent, 100) if percent is not None else None,
        "batch": ImportBatch.objects.filter(pk=job.get("batch_id")).first() if job.get("batch_id") else None,
    }


@editor_required
@require_GET
def import_job(request: HttpRequest, job_id: str) -> HttpResponse:
    return render(request, "corpus/import_job.html", _job_context(_job_or_404(job_id)))


@editor_required
@require_GET
def import_job_status(request: HttpRequest, job_id: str) -> HttpResponse:
    """The progress fragment htmx polls every second; a finished job's fragment no longer polls."""
    context = {**_job_context(_job_or_404(job_id)), "partial": is_htmx(request)}
    response = render(request, "corpus/_job_status.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- batches ------------------------------------------------------------------------------------------


@reader_required
@require_GET
def batch_list(request: HttpRequest) -> HttpResponse:
    batches = ImportBatch.objects.select_related("user")
    status = request.GET.get("status", "")
    if status in ImportBatch.Status.values:
        batches = batches.filter(status=status)
    page = BoundedPaginator(batches.order_by("-started_at", "-pk"), 50).get_page(request.GET.get("page"))
    # raw records counted for the page's batches only, through the batch index: annotating the whole list
    # grouped every raw record of the corpus before the page was cut (0.5 s at 100,000 records)
    page.object_list = list(page.object_list)
    counts = dict(
        RawRecord.objects.filter(batch_id__in=[b.pk for b in page.object_list])
        .order_by()
        .values_list("batch_id")
        .annotate(n=Count("pk"))
    )
    for batch in page.object_list:
        batch.raw_count = counts.get(batch.pk, 0)
    return render(
        request,
        "corpus/batches.html",
        {
            "page": page,
            "status": status,
            "statuses": ImportBatch.Status.choices,
        },
    )
