"""A publication's kinds of use (the panel the publication page loads with htmx) and people's corrections.
Thin: ``uses.services`` does the work. The review queue of uncertain kinds of use is the sources' queue
(``sources.views.review_queue``): one queue, most informative first."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from benefice.core.roles import can_edit
from benefice.core.views import after_correction, editor_required, is_htmx, reader_required
from benefice.corpus.models import Publication
from benefice.sources.services import CorrectionRefused
from benefice.uses import pages, services


def _lang() -> str:
    return get_language() or "fr"


def _panel_context(request, pub: Publication | None, notes: list[tuple[str, str]] | None = None) -> dict:
    context: dict = {"pub": pub, "notes": notes or [], "user_can_edit": can_edit(request.user)}
    if pub is not None:
        context.update(pages.publication_uses(pub, _lang()))
    return context


@reader_required
def publication_uses(request, pk: int):
    """The kinds-of-use panel of one publication: loaded into the publication page by htmx, or a page."""
    pub = get_object_or_404(Publication, pk=pk)
    if is_htmx(request):
        return render(request, "uses/_publication_panel.html", _panel_context(request, pub))
    return render(request, "uses/publication.html", {**_panel_context(request, pub), "standalone": True})


def categories_from_post(post) -> list[str]:
    """The categories a form gave, main first: ``none`` means "no kind of use"; ``main`` may be one of the
    chosen categories (or a category chosen only as main). Nothing chosen at all is refused."""
    if post.get("none"):
        return []
    chosen = [c for c in post.getlist("categories") if c.strip()]
    main = (post.get("main") or "").strip()
    if main:
        chosen = [main] + [c for c in chosen if c != main]
    if not chosen:
        raise CorrectionRefused(
            _("Choose at least one kind of use, or “no kind of use”."), field="categories"
        )
    return chosen


def outcome_notes(outcome: services.UseCorrectionOutcome) -> list[tuple[str, str]]:
    lang = _lang()
    cats = outcome.correction.categories
    names = ", ".join(services.category_name(c, lang) for c in cats) if cats else _("no kind of use")
    notes = [("success", _("Kinds of use recorded: %(names)s.") % {"names": names})]
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
        theirs = (
            ", ".join(services.category_name(c, lang) for c in other.categories)
            if other.categories
            else _("no kind of use")
        )
        notes.append(
            (
                "warning",
                _(
                    "%(user)s also corrected the kinds of use while you had this page open (“%(theirs)s”, at "
                    "%(time)s). Both answers are kept in the history; yours, the later, now applies."
                )
                % {
                    "user": other.user.get_username() if other.user else _("someone"),
                    "theirs": theirs,
                    "time": date_format(localtime(other.created_at), "TIME_FORMAT"),
                },
            )
        )
    return notes


def _raw_ids(post) -> list[int]:
    return [int(x) for x in post.get("records", "").split(",") if x.strip().isdecimal()]


def _seen(post) -> int | None:
    value = (post.get("seen") or "").strip()
    return int(value) if value.isdecimal() else None


@editor_required
@require_POST
def publication_correct(request, pk: int):
    """Record one person's kinds of use of a publication (categories, main first, or none)."""
    post = request.POST
    target = pk
    try:
        outcome = services.record_use_correction(
            pk,
            categories_from_post(post),
            user=request.user,
            note=post.get("note", ""),
            evidence=post.get("evidence", ""),
            seen=_seen(post),
            raw_record_ids=_raw_ids(post),
        )
    except CorrectionRefused as exc:
        notes = [("error", exc.localized(get_language(), name_only=True))]
    else:
        notes = outcome_notes(outcome)
        target = outcome.publication.pk
    pub = Publication.objects.filter(pk=target).first()
    return after_correction(
        request,
        pub,
        notes,
        panel="uses/_publication_panel.html",
        panel_context=_panel_context,
        own_page="uses:publication",
        anchor="publication-uses",
    )
