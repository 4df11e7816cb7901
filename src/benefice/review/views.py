"""Review pages: thin views over :mod:`benefice.review.services` (access: membership of the review)."""

from __future__ import annotations

import re
import time

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from benefice.core import jobs
from benefice.core.paging import BoundedPaginator
from benefice.core.roles import can_edit
from benefice.core.views import reader_required
from benefice.corpus import source_facets
from benefice.corpus.templatetags.corpus_tags import doc_type_label, format_label, language_label
from benefice.errors import BeneficeError
from benefice.review import jobs as review_jobs
from benefice.review import services
from benefice.review.forms import CorpusSearchForm, MemberForm, ReviewForm, SearchReviewForm, UploadSearchForm
from benefice.review.models import (
    FULL_TEXT,
    STAGES,
    TITLE_ABSTRACT,
    VALUES,
    DecisionChange,
    Resolution,
    Review,
    ReviewRecord,
    ScreeningDecision,
    Status,
)

SKIPPED = "review-skipped-{pk}-{stage}"
#: Prefixes of the two forms of the add-records page (field names and ids: ``file-database``, ``id_file-database``).
FILE_PREFIX, CORPUS_PREFIX = "file", "corpus"


def highlight(text: str, keywords: list[str]) -> SafeString:
    """Escape ``text`` and wrap every case-insensitive occurrence of a keyword in <mark>."""
    words = sorted({k.strip() for k in keywords if k.strip()}, key=len, reverse=True)
    if not words or not text:
        return mark_safe(escape(text or ""))
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(escape(text[last : m.start()]))
        out.append(f"<mark>{escape(m.group(0))}</mark>")
        last = m.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


def _review(request: HttpRequest, pk: int) -> Review:
    review = get_object_or_404(Review, pk=pk)
    if not services.can_view(review, request.user):
        raise PermissionDenied(_("You are not a member of this review."))
    return review


def _lead(request: HttpRequest, review: Review) -> None:
    if not services.is_lead(review, request.user):
        raise PermissionDenied(_("Only a lead of this review can do this."))


def _stage(stage: str) -> str:
    if stage not in (TITLE_ABSTRACT, FULL_TEXT):
        raise Http404
    return stage


def _context(request: HttpRequest, review: Review, **extra) -> dict:
    return {"review": review, "is_lead": services.is_lead(review, request.user), "stages": STAGES, **extra}


def _form_initial(review: Review) -> dict:
    return {
        "title": review.title,
        "question": review.question,
        "inclusion_criteria": review.inclusion_criteria,
        "exclusion_criteria": review.exclusion_criteria,
        "exclusion_reasons": "\n".join(review.exclusion_reasons),
        "keywords": "\n".join(review.keywords),
        "reviewers_per_record": review.reviewers_per_record,
        "blind": review.blind,
        "model_name": review.model_name,
        "retrain_every": review.retrain_every,
    }


def _form_fields(data: dict) -> dict:
    data = dict(data)
    data["exclusion_reasons"] = services.parse_lines(data["exclusion_reasons"])
    data["keywords"] = services.parse_lines(data["keywords"])
    return data


@reader_required
@require_http_methods(["GET", "POST"])
def review_list(request: HttpRequest) -> HttpResponse:
    form = ReviewForm(request.POST or None) if can_edit(request.user) else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Creating a review needs the editor role."))
        if form.is_valid():
            data = _form_fields(form.cleaned_data)
            review = services.create_review(data.pop("title"), request.user, **data)
            messages.success(request, _("Review created."))
            return redirect("review:detail", pk=review.pk)
    reviews = services.reviews_for(request.user).order_by("-created_at")
    return render(request, "review/list.html", {"reviews": reviews, "form": form})


#: A search page counts its publications up to this many (an exact count of a broad search costs more).
SEARCH_COUNT_LIMIT = 10_000


def describe_search(params: dict[str, str]) -> str:
    """A corpus search as a reader reads it, in their language: its words, then each filter's label."""
    names = {
        "year": _("Year"),
        "source": _("Source format"),
        "type": _("Type"),
        "lang": _("Language"),
        "used": _("Data source used"),
        "mentioned": _("Data source mentioned only"),
    }
    sources = source_facets.source_labels(
        [params[p] for p in ("used", "mentioned") if params.get(p)], get_language() or "fr"
    )
    labellers = {
        "source": format_label,
        "type": doc_type_label,
        "lang": language_label,
        "used": sources.get,
        "mentioned": sources.get,
    }
    parts = [_("“%(words)s”") % {"words": params["q"]}] if params.get("q") else []
    for param, name in names.items():
        value = params.get(param)
        if value:
            text = _("unknown") if value == "-" else (labellers.get(param, str)(value) or value)
            parts.append(_("%(name)s: %(value)s") % {"name": name, "value": text})
    return " · ".join(parts) or _("the whole corpus")


@reader_required
@require_http_methods(["GET", "POST"])
def review_from_search(request: HttpRequest) -> HttpResponse:
    """A new review holding every publication of a corpus search (the corpus list's current search, on all
    its pages): the form comes filled from the search, the records are added by a job of the queue, and the
    reader lands on the review once they are in."""
    if not can_edit(request.user):
        raise PermissionDenied(_("Creating a review needs the editor role."))
    source = QueryDict(request.POST.get("search", "")) if request.method == "POST" else request.GET
    params = services.search_params(source)
    description = describe_search(params)
    found = len(services.search_selection(params).order_by().values_list("pk", flat=True)[: SEARCH_COUNT_LIMIT + 1])
    initial = {
        "title": (_("Review: %(search)s") % {"search": description})[:300],
        "database": _("benefice corpus"),
        "query": description,
        "search": urlencode(params),
    }
    form = SearchReviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and found and form.is_valid():
        data = _form_fields(form.cleaned_data)
        fields = {"database": data.pop("database"), "query": data.pop("query")}
        data.pop("search", None)
        review = services.create_review(data.pop("title"), request.user, **data)
        job = review_jobs.create_search_review(
            review, request.user, params, {**fields, "searched_on": timezone.localdate()}
        )
        return redirect("review:import_job", pk=review.pk, job_id=job["id"])
    return render(
        request,
        "review/from_search.html",
        {
            "form": form,
            "found": found,
            "more": found > SEARCH_COUNT_LIMIT,
            "limit": SEARCH_COUNT_LIMIT,
            "description": description,
            "corpus_url": reverse("corpus:list") + (f"?{initial['search']}" if initial["search"] else ""),
        },
    )


@reader_required
@require_GET
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    ranking = services.current_ranking(review)  # read once: the worker may replace it meanwhile
    return render(
        request,
        "review/detail.html",
        _context(
            request,
            review,
            searches=review.searches.all(),
            **_summary(review),
            members=review.members.select_related("user"),
            model_label=dict(ReviewForm.base_fields["model_name"].choices).get(
                review.model_name, review.model_name
            ),
            ranking=ranking,
            member_form=MemberForm(),
        ),
    )


@reader_required
@require_http_methods(["GET", "POST"])
def review_edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    _lead(request, review)
    form = ReviewForm(request.POST or None, initial=_form_initial(review))
    if request.method == "POST" and form.is_valid():
        services.update_review(review, request.user, **_form_fields(form.cleaned_data))
        messages.success(request, _("Protocol saved."))
        return redirect("review:detail", pk=review.pk)
    return render(request, "review/edit.html", _context(request, review, form=form))


@reader_required
@require_POST
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    _lead(request, review)
    form = MemberForm(request.POST)
    if form.is_valid():
        user = get_user_model().objects.filter(username=form.cleaned_data["username"]).first()
        if user is None:
            messages.error(request, _("No user named “%(name)s”.") % {"name": form.cleaned_data["username"]})
        else:
            services.set_member(review, user, form.cleaned_data["role"], request.user)
            messages.success(request, _("%(name)s is now a member.") % {"name": user.username})
    else:
        messages.error(request, _("Give a user name and a role."))
    return redirect("review:detail", pk=review.pk)


@reader_required
@require_http_methods(["GET", "POST"])
def records_add(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    _lead(request, review)
    # two forms on one page with fields of the same names: each has its prefix, so its ids are its own and
    # every label points to its own field
    corpus_form = CorpusSearchForm(
        request.POST if request.POST.get("source") == "corpus" else None, prefix=CORPUS_PREFIX
    )
    upload_form = UploadSearchForm(
        request.POST if request.POST.get("source") == "file" else None,
        request.FILES if request.POST.get("source") == "file" else None,
        prefix=FILE_PREFIX,
    )
    if request.method == "POST":
        try:
            if request.POST.get("source") == "corpus" and corpus_form.is_valid():
                d = corpus_form.cleaned_data
                _search, added = services.add_from_corpus(
                    review,
                    request.user,
                    database=d["database"],
                    query=d["query"] or "",
                    batch_id=d["batch"],
                    year_from=d["year_from"],
                    year_to=d["year_to"],
                    searched_on=d["searched_on"],
                    notes=d["notes"],
                )
            elif request.POST.get("source") == "file" and upload_form.is_valid():
                d = upload_form.cleaned_data  # a file can hold thousands of records: a job of the queue
                job = review_jobs.create_review_import(review, request.user, d["file"], d)
                return redirect("review:import_job", pk=review.pk, job_id=job["id"])
            else:
                added = None
        except BeneficeError as exc:
            messages.error(
                request, _("Nothing was added: %(error)s") % {"error": exc.localized(get_language(), name_only=True)}
            )
        else:
            if added is not None and added.scan is not None and added.scan.failed:
                messages.warning(request, added.scan.error)  # the records are imported and added all the same
            if added is not None:
                messages.success(request, _added_summary(added.identified, added.added))
                return redirect("review:detail", pk=review.pk)
    return render(
        request,
        "review/records_add.html",
        _context(request, review, corpus_form=corpus_form, upload_form=upload_form),
    )


def _added_summary(identified: int, added: int) -> str:
    """What an addition of records did, each count with its own plural ("1 référence identifiée")."""
    dup = identified - added
    parts = {
        "identified": ngettext("%(n)s record identified", "%(n)s records identified", identified)
        % {"n": number_format(identified, force_grouping=True)},
        "added": ngettext("%(n)s added to the review", "%(n)s added to the review", added)
        % {"n": number_format(added, force_grouping=True)},
        "dup": ngettext(
            "%(n)s duplicate or already in the review", "%(n)s duplicates or already in the review", dup
        )
        % {"n": number_format(dup, force_grouping=True)},
    }
    return _("%(identified)s, %(added)s, %(dup)s.") % parts


def _import_job(request: HttpRequest, pk: int, job_id: str) -> tuple[Review, jobs.Job]:
    review = _review(request, pk)
    _lead(request, review)
    job = jobs.read_job(job_id) if jobs.valid_job_id(job_id) else None
    if job is None or job.get("kind") != review_jobs.KIND or job.get("review_id") != review.pk:
        raise Http404(_("No such import."))
    return review, jobs.for_reader(job)


def _import_job_context(request: HttpRequest, review: Review, job: jobs.Job) -> dict:
    result = job.get("result") or {}
    summary = ""
    if job.get("status") == jobs.DONE:
        summary = _added_summary(result.get("identified", 0), result.get("added", 0))
    return _context(
        request,
        review,
        job=job,
        active=job.get("status") in jobs.ACTIVE,
        waiting=jobs.waiting_for_worker(job),
        summary=summary,
        failure=_("Nothing was added: %(error)s")
        % {"error": _(job["error"]) if job.get("error") else ""},  # a message of ours is in the catalogue
        status_url=reverse("review:import_job_status", args=[review.pk, job["id"]]),
    )


@reader_required
@require_GET
def import_job(request: HttpRequest, pk: int, job_id: str) -> HttpResponse:
    """A search export being added to the review: progress, then what was added or why nothing was."""
    review, job = _import_job(request, pk, job_id)
    context = _import_job_context(request, review, job)
    if job.get("land") and job.get("status") == jobs.DONE:  # a review made from a search: open it
        messages.success(request, context["summary"])
        return redirect("review:detail", pk=review.pk)
    return render(request, "review/import_job.html", context)


@reader_required
@require_GET
def import_job_status(request: HttpRequest, pk: int, job_id: str) -> HttpResponse:
    """The fragment the job page polls every second while the import is queued or running."""
    review, job = _import_job(request, pk, job_id)
    if job.get("land") and job.get("status") == jobs.DONE:  # htmx follows to the page, which opens the review
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("review:import_job", args=[review.pk, job["id"]])
        return response
    return render(request, "review/_import_status.html", _import_job_context(request, review, job))


def _skipped(request: HttpRequest, review: Review, stage: str) -> list[int]:
    return request.session.get(SKIPPED.format(pk=review.pk, stage=stage), [])


@reader_required
@require_http_methods(["GET", "POST"])
def screen(request: HttpRequest, pk: int, stage: str) -> HttpResponse:
    """One record at a time: the model's most relevant unscreened record, or ?record=ID to revise one."""
    review = _review(request, pk)
    stage = _stage(stage)
    if not services.can_screen(review, request.user):
        raise PermissionDenied(_("You are not a member of this review."))
    key = SKIPPED.format(pk=review.pk, stage=stage)
    if request.method == "POST":
        record = get_object_or_404(ReviewRecord, pk=request.POST.get("record"), review=review)
        if request.POST.get("action") == "skip":
            request.session[key] = [*_skipped(request, review, stage), record.pk][-200:]
            return redirect("review:screen", pk=review.pk, stage=stage)
        try:
            services.decide(
                record,
                request.user,
                stage,
                request.POST.get("value", ""),
                reasons=[r for r in request.POST.getlist("reasons") if r],
                note=request.POST.get("note", "").strip(),
                tags=services.parse_tags(request.POST.get("tags", "")),
            )
        except BeneficeError as exc:
            messages.error(request, exc.localized_message(get_language()))
            return redirect(f"{reverse('review:screen', args=[review.pk, stage])}?record={record.pk}")
        if request.POST.get("return") == "record":
            messages.success(request, _("Decision saved."))
            return redirect("review:record", pk=review.pk, record_id=record.pk)
        return redirect("review:screen", pk=review.pk, stage=stage)
    started = time.perf_counter()
    record = None
    # the ranking is read once, here: the background worker may replace (and delete) it at any moment, so
    # the page never follows review.current_ranking again (issue 17: 500s between the read and the use)
    ranking = services.current_ranking(review)
    if request.GET.get("record"):
        record = get_object_or_404(ReviewRecord, pk=request.GET["record"], review=review)
    else:
        skip = _skipped(request, review, stage)
        record = services.next_record(review, request.user, stage, skip=skip, ranking=ranking)
        if record is None and skip:
            request.session[key] = []
            record = services.next_record(review, request.user, stage, ranking=ranking)
    elapsed_ms = (time.perf_counter() - started) * 1000
    mine = (
        ScreeningDecision.objects.filter(record=record, stage=stage, reviewer=request.user).first() if record else None
    )
    return render(
        request,
        "review/screen.html",
        _context(
            request,
            review,
            stage=stage,
            stage_label=dict(STAGES)[stage],
            record=record,
            mine=mine,
            title_html=highlight(record.title, review.keywords) if record else "",
            abstract_html=highlight(record.abstract, review.keywords) if record else "",
            ranking=ranking,
            **_screen_aids(review, stage),
            run=services.consecutive_irrelevant(review, request.user),
            elapsed_ms=elapsed_ms,
            reasons=list(enumerate(review.exclusion_reasons, 1)),
        ),
    )


def _summary(review: Review) -> dict:
    """Progress and stopping aid from one read (services.screening_summary): the counts shown agree."""
    ranking = services.current_ranking(review)
    summary = services.screening_summary(review, stored=ranking.stats if ranking else None)
    return {"progress": summary["progress"], "aid": summary["aid"], "curve": summary["curve"]}


def _recall_text(curve) -> str:
    if not curve.screened:
        return _("No record screened yet: the chart starts with the first decision.")
    return ngettext(
        "%(found)s relevant record found in the first %(screened)s screened; in random order about "
        "%(random)s would have been found by now.",
        "%(found)s relevant records found in the first %(screened)s screened; in random order about "
        "%(random)s would have been found by now.",
        curve.found,
    ) % {
        "found": number_format(curve.found, force_grouping=True),
        "screened": number_format(curve.screened, force_grouping=True),
        "random": number_format(round(curve.random_found, 1), decimal_pos=1, force_grouping=True),
    }


def _screen_aids(review: Review, stage: str) -> dict:
    """The screening page's side counts, chart and stopping aid (also served alone, for htmx to refresh)."""
    from benefice.review import charts

    summary = _summary(review)
    text = _recall_text(summary["curve"])
    svg = charts.recall_svg(
        summary["curve"],
        {
            "title": _("Relevant records found against records screened"),
            "desc": text,
            "x": _("records screened"),
            "y": _("relevant found"),
            "model": _("relevant records found"),
            "random": _("screening in random order"),
        },
    )
    return {
        **summary,
        "recall_svg": mark_safe(svg),  # noqa: S308 - built by charts.recall_svg, which escapes every text
        "recall_text": text,
        "aids_url": reverse("review:screen_aids", args=[review.pk, stage]),
    }


@reader_required
@require_GET
def screen_aids(request: HttpRequest, pk: int, stage: str) -> HttpResponse:
    """The side panel of the screening page alone: htmx replaces it every few seconds, so the counts and
    the chart follow the team's decisions too (one's own reload the page)."""
    review = _review(request, pk)
    stage = _stage(stage)
    return render(request, "review/_screen_aids.html", {"review": review, "stage": stage, **_screen_aids(review, stage)})


@reader_required
@require_GET
def record_list(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    records = review.records.order_by("pk").annotate(language=F("publication__language"))  # for lang=
    status = request.GET.get("status", "")
    stage = request.GET.get("stage", TITLE_ABSTRACT)
    stage = stage if stage in (TITLE_ABSTRACT, FULL_TEXT) else TITLE_ABSTRACT
    if status and status in Status.values:  # "" is a status too (not eligible): here it means all
        records = records.filter(**{"ta_status" if stage == TITLE_ABSTRACT else "ft_status": status})
    page = BoundedPaginator(records, 50).get_page(request.GET.get("page"))
    mine = dict(
        ScreeningDecision.objects.filter(record__in=page.object_list, stage=stage, reviewer=request.user).values_list(
            "record_id", "value"
        )
    )
    names = dict(VALUES)
    rows = [(r, names.get(mine.get(r.pk, ""), "")) for r in page.object_list]
    return render(
        request,
        "review/records.html",
        _context(
            request,
            review,
            page=page,
            rows=rows,
            status=status,
            stage=stage,
            statuses=Status.choices[1:],
        ),
    )


@reader_required
@require_GET
def record_detail(request: HttpRequest, pk: int, record_id: int) -> HttpResponse:
    review = _review(request, pk)
    record = get_object_or_404(ReviewRecord, pk=record_id, review=review)
    stages = []
    for code, label in STAGES:
        visible = services.visible_decisions(record, request.user, code)
        changes = DecisionChange.objects.filter(decision__in=visible).select_related(
            "decision__reviewer", "changed_by"
        )
        resolution = (
            Resolution.objects.filter(record=record, stage=code).select_related("resolved_by").first()
        )
        stages.append(
            {
                "code": code,
                "label": label,
                "status": record.get_ta_status_display()
                if code == TITLE_ABSTRACT
                else record.get_ft_status_display(),
                "decisions": visible,
                "changes": changes,
                "resolution": resolution,
                "hidden": len(visible) < ScreeningDecision.objects.filter(record=record, stage=code).count(),
            }
        )
    return render(
        request,
        "review/record.html",
        _context(
            request,
            review,
            record=record,
            stage_rows=stages,
            title_html=highlight(record.title, review.keywords),
            abstract_html=highlight(record.abstract, review.keywords),
        ),
    )


@reader_required
@require_http_methods(["GET", "POST"])
def conflict_list(request: HttpRequest, pk: int, stage: str) -> HttpResponse:
    review = _review(request, pk)
    stage = _stage(stage)
    if request.method == "POST":
        record = get_object_or_404(ReviewRecord, pk=request.POST.get("record"), review=review)
        try:
            services.resolve(
                record,
                request.user,
                stage,
                request.POST.get("value", ""),
                reasons=[r for r in request.POST.getlist("reasons") if r],
                note=request.POST.get("note", "").strip(),
            )
        except BeneficeError as exc:
            messages.error(request, exc.localized_message(get_language()))
        else:
            messages.success(request, _("Conflict resolved: record %(id)s.") % {"id": record.pk})
        return redirect("review:conflicts", pk=review.pk, stage=stage)
    records = list(services.conflicts(review, stage).annotate(language=F("publication__language"))[:200])
    decisions: dict[int, list[ScreeningDecision]] = {}
    for d in ScreeningDecision.objects.filter(record__in=records, stage=stage).select_related("reviewer"):
        decisions.setdefault(d.record_id, []).append(d)
    return render(
        request,
        "review/conflicts.html",
        _context(
            request,
            review,
            stage=stage,
            stage_label=dict(STAGES)[stage],
            rows=[(r, decisions.get(r.pk, [])) for r in records],
            total=services.conflicts(review, stage).count(),
            reasons=review.exclusion_reasons,
        ),
    )


@reader_required
@require_GET
def agreement_view(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    _lead(request, review)  # per-pair statistics reveal who decided what
    return render(
        request,
        "review/agreement.html",
        _context(
            request,
            review,
            pairs=services.agreement_stats(review),
            stage_names=dict(STAGES),
        ),
    )


def _prisma_labels() -> dict[str, str]:
    return {
        "title": _("PRISMA 2020 flow diagram"),
        "identification": _("Identification"),
        "screening": _("Screening"),
        "included": _("Included"),
        "identified": _("Records identified from databases (n = {n})"),
        "removed": _("Records removed before screening: duplicate records removed (n = {n})"),
        "screened": _("Records screened (n = {n})"),
        "excluded": _("Records excluded (n = {n})"),
        "assessed": _("Reports assessed for eligibility (n = {n})"),
        "excluded_ft": _("Reports excluded (n = {n})"),
        "studies": _("Studies included in review (n = {n})"),
        "awaiting": _("Awaiting a decision: title/abstract {ta}, full text {ft}"),
        "no_reason": _("no reason given"),
    }


def _counts_with_reason_labels(counts):
    """The diagram's exclusion reasons in the reader's language (a default reason is stored in English)."""
    import dataclasses
    from collections import Counter

    from benefice.review.templatetags.review_tags import reason_label

    reasons: Counter[str] = Counter()
    for reason, n in counts.excluded_reasons.items():
        reasons[reason_label(reason) if reason else reason] += n
    return dataclasses.replace(counts, excluded_reasons=dict(reasons))


@reader_required
@require_GET
def prisma_view(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    counts = services.prisma_counts(review)
    return render(request, "review/prisma.html", _context(request, review, counts=counts))


@reader_required
@require_GET
def prisma_file(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    from benefice.review import prisma

    review = _review(request, pk)
    counts = _counts_with_reason_labels(services.prisma_counts(review))
    if kind == "svg":
        response = HttpResponse(
            prisma.to_svg(counts, _prisma_labels()), content_type="image/svg+xml; charset=utf-8"
        )
    elif kind == "png":
        response = HttpResponse(prisma.to_png(counts, _prisma_labels()), content_type="image/png")
    else:
        raise Http404
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="prisma-review-{review.pk}.{kind}"'
    return response


@reader_required
@require_GET
def export(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    review = _review(request, pk)
    _lead(request, review)
    if kind == "csv":
        response = HttpResponse(
            services.export_csv(review, request.user), content_type="text/csv; charset=utf-8"
        )
    elif kind == "ris":
        response = HttpResponse(
            services.export_ris(review, request.user), content_type="application/x-research-info-systems"
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="review-{review.pk}.{kind}"'
    return response
