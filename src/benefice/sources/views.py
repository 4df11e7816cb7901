"""Source pages: the registry, how each source is cited, edits with history. Thin: services do the work."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from benefice import csvout
from benefice.core.models import AuditEntry
from benefice.core.paging import BoundedPaginator
from benefice.core.roles import can_edit
from benefice.core.views import after_correction, editor_required, is_htmx, reader_required
from benefice.corpus.models import Publication
from benefice.errors import BeneficeError
from benefice.i18n import pick_with_language
from benefice.sources import charts, labels, services
from benefice.sources.labels import text_language
from benefice.sources.models import Mention, Source
from benefice.sources.registry import KINDS

LIST_FIELDS = ("acronyms", "former_names", "variants", "translations", "ambiguous", "context")
TEXT_FIELDS = ("country", "parent", "documentation_url", "citation")
#: prose a reader sees, written in French and in English (French first in the form)
PROSE_FIELDS = ("custodian", "access", "ambiguity")


def _shown(value, lang: str) -> dict | None:
    """A prose field for the page: its text in the reader's language (the other language's when that one is
    missing, an entry stored by an older version) and the language it is written in, for ``lang``."""
    if isinstance(value, dict):
        text, written_in = pick_with_language(str(value.get("fr") or ""), str(value.get("en") or ""), lang)
        return {"text": text, "lang": written_in} if text else None
    text = str(value or "")
    return {"text": text, "lang": ""} if text else None


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
        rows.append(
            {
                "source": src,
                "name": src.name(lang),
                "name_lang": src.name_language(lang),
                "kind": labels.kind_label(src.kind, lang),
                "country": labels.country_label(src.country, lang),
                **c,
            }
        )
    rows.sort(key=lambda r: (-r["used"], r["source"].id))
    kinds = sorted(
        ((k, labels.kind_label(k, lang)) for k in set(Source.objects.values_list("kind", flat=True))),
        key=lambda kv: kv[1].casefold(),
    )
    countries = sorted(
        ((c, labels.country_label(c, lang)) for c in set(Source.objects.values_list("country", flat=True))),
        key=lambda kv: kv[1].casefold(),
    )
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
    used_ids, mentioned_ids = services.effective_publications(src.id)
    pubs = Publication.objects.filter(pk__in=used_ids | mentioned_ids).order_by("-year", "pk")
    page = BoundedPaginator(pubs, 20).get_page(request.GET.get("page"))
    highlighted = []
    for pub in page:
        ms = list(Mention.objects.filter(publication=pub, source_id=src.id).order_by("field", "start"))
        highlighted.append(
            {
                "pub": pub,
                "lang": text_language(pub.language),
                "role": "used" if pub.pk in used_ids else "mentioned",
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
    data = src.data
    history = []
    for h in data.get("history") or []:
        if isinstance(h, dict) and _shown(h.get("event"), lang):
            history.append({"year": h.get("year"), **_shown(h.get("event"), lang)})
    return render(
        request,
        "sources/detail.html",
        {
            "source": src,
            "name": src.name(lang),
            "name_lang": src.name_language(lang),
            "data": data,
            "kind": labels.kind_label(src.kind, lang),
            "country": labels.country_label(src.country, lang),
            "prose": {f: _shown(data.get(f), lang) for f in PROSE_FIELDS},
            "events": history,
            "stats": stats,
            "page": page,
            "highlighted": highlighted,
            "specs": specs,
            "children": [(c.id, c.short_name(lang)) for c in Source.objects.filter(parent_id_value=src.id)],
            "parent": (
                parent.short_name(lang)
                if (parent := Source.objects.filter(pk=data.get("parent") or "").first())
                else data.get("parent")
            ),
            "history": AuditEntry.objects.filter(object_type=services.OBJECT_TYPE, object_id=src.id)[:20],
        },
    )


class _FormError(ValueError):
    """A line of the edit form the registry cannot read (said to the person in the page's language); ``data``
    is the rest of the form, shown again with the message so nothing typed is lost."""

    def __init__(self, message: str, data: dict) -> None:
        super().__init__(message)
        self.data = data


def _bilingual(post, name: str) -> dict | str:
    """{fr, en} from the form's two fields; "" when both are empty (the registry check says which one is
    missing when only one is written)."""
    fr, en = post.get(f"{name}_fr", "").strip(), post.get(f"{name}_en", "").strip()
    return {"fr": fr, "en": en} if fr or en else ""


def _form_to_data(src: Source, post) -> dict:
    data = dict(src.data)
    data["names"] = {"fr": post.get("name_fr", "").strip(), "en": post.get("name_en", "").strip()}
    data["kind"] = post.get("kind", "").strip()
    for f in LIST_FIELDS:
        data[f] = [line.strip() for line in post.get(f, "").splitlines() if line.strip()]
    for f in TEXT_FIELDS:
        value = post.get(f, "").strip()
        data[f] = value or (None if f == "parent" else "")
    data["access"] = _bilingual(post, "access")
    data["ambiguity"] = _bilingual(post, "ambiguity")
    custodian = _bilingual(post, "custodian")
    if isinstance(custodian, dict) and (not custodian["en"] or custodian["en"] == custodian["fr"]):
        custodian = custodian["fr"]  # a proper name: the same in both languages
    data["custodian"] = custodian
    year = post.get("first_year", "").strip()
    data["first_year"] = int(year) if year.isdecimal() else None
    history = []
    problem = ""
    for number, line in enumerate(post.get("history", "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 3 or not parts[0].isdecimal() or not parts[1] or not parts[2]:
            problem = problem or _("History, line %(n)s: write “year | French | English”.") % {"n": number}
            continue
        history.append({"year": int(parts[0]), "event": {"fr": parts[1], "en": parts[2]}})
    data["history"] = history
    descriptions = []
    for line in post.get("descriptions", "").splitlines():
        text, _sep, requires = line.partition("|")
        if text.strip():
            req = [w.strip() for w in requires.split(",") if w.strip()]
            descriptions.append({"text": text.strip(), "requires": req} if req else text.strip())
    data["descriptions"] = descriptions
    if problem:
        raise _FormError(problem, data)
    return data


def _pair(value) -> tuple[str, str]:
    """The French and English of a stored prose field (a proper name, or an older version's English)."""
    if isinstance(value, dict):
        return str(value.get("fr") or ""), str(value.get("en") or "")
    return "", str(value or "")


@reader_required
def source_edit(request, source_id: str):
    if not can_edit(request.user):
        raise PermissionDenied
    src = get_object_or_404(Source, pk=source_id)
    lang = get_language() or "fr"
    error = None
    data = src.data
    version = src.version
    if request.method == "POST":
        version = int(request.POST.get("version", "0") or 0)
        try:
            data = _form_to_data(src, request.POST)
            services.update_source(
                src.id,
                data,
                expected_version=version,
                user=request.user,
                comment=request.POST.get("comment", ""),
            )
        except _FormError as exc:
            error = str(exc)
            data = exc.data
        except BeneficeError as exc:
            error = exc.localized(get_language(), name_only=True)
        else:
            messages.success(request, _("Source %(id)s saved.") % {"id": src.id})
            return redirect("sources:detail", source_id=src.id)
    descriptions = "\n".join(
        d if isinstance(d, str) else f"{d['text']} | {', '.join(d.get('requires', []))}"
        for d in data.get("descriptions", [])
    )
    custodian = data.get("custodian")
    custodian_pair = (custodian, custodian) if isinstance(custodian, str) else _pair(custodian)
    prose = [
        {"name": "custodian", "label": labels.field_label("custodian", lang), "pair": custodian_pair},
        *(
            {"name": f, "label": labels.field_label(f, lang), "pair": _pair(data.get(f)), "long": True}
            for f in ("access", "ambiguity")
        ),
    ]
    history = "\n".join(
        f"{h.get('year')} | {' | '.join(_pair(h.get('event')))}"
        for h in data.get("history") or []
        if isinstance(h, dict)
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
            "kinds": [(k, labels.kind_label(k, lang)) for k in sorted(KINDS)],
            "prose": prose,
            "history_text": request.POST.get("history", history) if error else history,
            "list_fields": [
                (f, labels.field_label(f, lang), "\n".join(data.get(f) or [])) for f in LIST_FIELDS
            ],
            "text_fields": [(f, labels.field_label(f, lang), data.get(f) or "") for f in TEXT_FIELDS],
        },
        status=409 if error and "changed" in error else (400 if error else 200),
    )


def _value_text(value, lang: str) -> str:
    """A stored field's value as the history of changes shows it: a note in the reader's language (both
    languages when they differ, so a change of either shows), a list one item after another."""
    if isinstance(value, dict) and set(value) <= {"fr", "en"}:
        fr, en = str(value.get("fr") or ""), str(value.get("en") or "")
        first, second = (fr, en) if lang.startswith("fr") else (en, fr)
        return first if not second or second == first else f"{first} / {second}"
    if isinstance(value, dict) and "year" in value:
        return f"{value['year']} — {_value_text(value.get('event'), lang)}"
    if isinstance(value, dict) and "text" in value:
        return str(value["text"])
    if isinstance(value, list):
        return " · ".join(_value_text(v, lang) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_value_text(v, lang)}" for k, v in value.items())
    return "" if value is None else str(value)


@reader_required
def source_history(request, source_id: str):
    src = get_object_or_404(Source, pk=source_id)
    entries = AuditEntry.objects.filter(object_type=services.OBJECT_TYPE, object_id=src.id)
    lang = get_language() or "fr"
    rows = [
        {
            "entry": e,
            "changes": [
                (
                    labels.field_label(f, lang),
                    _value_text((e.before or {}).get(f), lang),
                    _value_text((e.after or {}).get(f), lang),
                )
                for f in e.changed_fields
            ],
        }
        for e in entries
    ]
    return render(request, "sources/history.html", {"source": src, "rows": rows})


class _Echo:
    def write(self, value):
        return value


@reader_required
def mentions_csv(request, source_id: str | None = None):
    """Every mention (or one source's), with the publication it is in: the evidence behind the source pages (the
    detector's mentions of the sources that count, and the words people selected: ``evidence_from``)."""
    writer = csvout.writer(_Echo(), lineterminator="\r\n")
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
                "evidence_from",
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
                    "person" if m.by_person else "detector",
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
    w = csvout.writer(response, lineterminator="\r\n")
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


# --- a publication's sources, people's corrections, the review queue ------------------------------------------

REVIEW_SKIPPED = "sources-review-skipped"
USES_SKIPPED = "uses-review-skipped"  # publications whose uncertain kinds of use the person left for later
REVIEW_KEYS = {"used": "u", "mentioned": "m", "rejected": "r"}


def _int_or_none(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdecimal() else None


def _panel_context(request, pub: Publication | None, notes: list[tuple[str, str]] | None = None) -> dict:
    lang = get_language() or "fr"
    context: dict = {
        "pub": pub,
        "notes": notes or [],
        "user_can_edit": can_edit(request.user),
        "pub_lang": text_language(pub.language) if pub is not None else "",
    }
    if pub is not None:
        context.update(services.publication_sources(pub, lang))
        context["registry"] = sorted(
            ((s.id, s.name(lang)) for s in Source.objects.exclude(kind="actor")),
            key=lambda r: r[1].casefold(),
        )
    return context


@reader_required
def publication_sources(request, pk: int):
    """The sources panel of one publication: loaded into the publication page by htmx, or a page of its own."""
    pub = get_object_or_404(Publication, pk=pk)
    if is_htmx(request):
        return render(request, "sources/_publication_panel.html", _panel_context(request, pub))
    return render(request, "sources/publication.html", {**_panel_context(request, pub), "standalone": True})


def _outcome_notes(outcome: services.CorrectionOutcome) -> list[tuple[str, str]]:
    c = outcome.correction
    verdict = c.get_verdict_display()
    notes = [
        ("success", _("%(source)s: “%(verdict)s” recorded.") % {"source": c.source_id, "verdict": verdict})
    ]
    if outcome.followed_from is not None:
        notes.append(
            (
                "warning",
                _(
                    "Publication #%(old)s was merged into publication #%(new)s meanwhile: the correction was "
                    "recorded on publication #%(new)s."
                )
                % {"old": outcome.followed_from, "new": outcome.publication.pk},
            )
        )
    for other in outcome.overridden:
        notes.append(
            (
                "warning",
                _(
                    "%(user)s also corrected %(source)s while you had this page open (“%(verdict)s”, at "
                    "%(time)s). Both answers are kept in the history; yours, the later, now applies."
                )
                % {
                    "user": other.user.get_username() if other.user else _("someone"),
                    "source": c.source_id,
                    "verdict": other.get_verdict_display(),
                    "time": date_format(localtime(other.created_at), "TIME_FORMAT"),
                },
            )
        )
    return notes


@editor_required
@require_POST
def publication_correct(request, pk: int):
    """Record one person's verdict on one source of a publication (confirm, reject, change role, add)."""
    post = request.POST
    raw_ids = [int(x) for x in post.get("records", "").split(",") if x.strip().isdecimal()]
    notes: list[tuple[str, str]]
    target = pk
    try:
        outcome = services.record_correction(
            pk,
            post.get("source", ""),
            post.get("verdict", ""),
            user=request.user,
            field_name=post.get("field", "").strip(),
            start=_int_or_none(post.get("start")),
            end=_int_or_none(post.get("end")),
            text=post.get("text", ""),
            seen=_int_or_none(post.get("seen")),
            raw_record_ids=raw_ids,
        )
    except services.CorrectionRefused as exc:
        notes = [("error", exc.localized(get_language(), name_only=True))]
    else:
        notes = _outcome_notes(outcome)
        target = outcome.publication.pk
    pub = Publication.objects.filter(pk=target).first()
    return after_correction(
        request,
        pub,
        notes,
        panel="sources/_publication_panel.html",
        panel_context=_panel_context,
        own_page="sources:publication",
        anchor="publication-sources",
    )


def _skipped(request) -> list[str]:
    return list(request.session.get(REVIEW_SKIPPED, []))


def _uses_skipped(request) -> list[int]:
    return [int(x) for x in request.session.get(USES_SKIPPED, []) if str(x).isdecimal()]


def _answer_uses(request):
    """An answer of the queue about a publication's kinds of use: confirm the proposal, none, or the
    categories ticked (main first); or skip it for now."""
    from benefice.uses import services as uses_services
    from benefice.uses.models import PublicationUses
    from benefice.uses.views import categories_from_post, outcome_notes

    post = request.POST
    pk = _int_or_none(post.get("publication")) or 0
    if post.get("action") == "skip":
        request.session[USES_SKIPPED] = [*_uses_skipped(request), pk][-500:]
        return redirect("sources:review")
    try:
        verdict = post.get("verdict", "")
        if verdict == "accept":
            row = PublicationUses.objects.filter(publication_id=pk).first()
            categories = [lab["category"] for lab in row.detected] if row else []
        elif verdict == "none":
            categories = []
        else:
            categories = categories_from_post(post)
        outcome = uses_services.record_use_correction(
            pk,
            categories,
            user=request.user,
            seen=_int_or_none(post.get("seen")),
            raw_record_ids=[int(x) for x in post.get("records", "").split(",") if x.strip().isdecimal()],
        )
    except services.CorrectionRefused as exc:
        messages.error(request, exc.localized(get_language(), name_only=True))
        request.session[USES_SKIPPED] = [*_uses_skipped(request), pk][-500:]
    else:
        for level, text in outcome_notes(outcome):
            getattr(messages, level)(request, text)
        request.session["sources-review-answered"] = request.session.get("sources-review-answered", 0) + 1
    return redirect("sources:review")


def _next_items(request):
    """The next uncertain source and the next uncertain kinds of use, skips taken into account (both skip
    lists start again once everything left was skipped)."""
    from benefice.uses import pages as uses_pages

    item = services.next_review_item(_skipped(request))
    use_item = uses_pages.next_review_item(_uses_skipped(request))
    if item is None and use_item is None and (_skipped(request) or _uses_skipped(request)):
        request.session[REVIEW_SKIPPED] = []
        request.session[USES_SKIPPED] = []
        item = services.next_review_item()
        use_item = uses_pages.next_review_item()
    return item, use_item


@reader_required
def review_queue(request):
    """Uncertain detections and uncertain kinds of use, one at a time, most informative first (the smallest
    margin of either); keyboard-driven like the screening page. One queue for both."""
    from benefice.uses import pages as uses_pages

    if request.method == "POST":
        if not can_edit(request.user):
            raise PermissionDenied(_("Only editors can answer the review queue."))
        if request.POST.get("kind") == "uses":
            return _answer_uses(request)
        key = f"{request.POST.get('publication', '')}:{request.POST.get('source', '')}"
        if request.POST.get("action") == "skip":
            request.session[REVIEW_SKIPPED] = [*_skipped(request), key][-500:]
            return redirect("sources:review")
        try:
            outcome = services.record_correction(
                _int_or_none(request.POST.get("publication")) or 0,
                request.POST.get("source", ""),
                request.POST.get("verdict", ""),
                user=request.user,
                seen=_int_or_none(request.POST.get("seen")),
                raw_record_ids=[
                    int(x) for x in request.POST.get("records", "").split(",") if x.strip().isdecimal()
                ],
            )
        except services.CorrectionRefused as exc:
            messages.error(request, exc.localized(get_language(), name_only=True))
            request.session[REVIEW_SKIPPED] = [*_skipped(request), key][-500:]
        else:
            for level, text in _outcome_notes(outcome):
                getattr(messages, level)(request, text)
            request.session["sources-review-answered"] = request.session.get("sources-review-answered", 0) + 1
        return redirect("sources:review")
    item, use_item = _next_items(request)
    context: dict = {
        "remaining": {**services.review_remaining(), **uses_pages.review_remaining()},
        "answered": request.session.get("sources-review-answered", 0),
        "user_can_edit": can_edit(request.user),
        "item": None,
        "use_item": None,
    }
    source_margin = item[0].review_margin if item is not None else None
    if use_item is not None and (
        item is None
        or (use_item.review_margin or 0.0) < (source_margin if source_margin is not None else 1.0)
    ):
        panel = uses_pages.publication_uses(use_item.publication, get_language() or "fr")
        context.update(use_item=use_item, pub=use_item.publication, **panel)
    elif item is not None:
        det, sid = item
        panel = services.publication_sources(det.publication, get_language() or "fr")
        row = next((r for r in panel["rows"] if r["id"] == sid), None)
        context.update(
            item=det,
            pub=det.publication,
            pub_lang=text_language(det.publication.language),
            source_id=sid,
            row=row,
            fields=panel["fields"],
            seen=panel["seen"],
            raw_record_ids=panel["raw_record_ids"],
        )
    return render(request, "sources/review.html", context)
