"""The impact card: one printable page per case, in French or English, as HTML and as PDF.

Made for communication (a report annex, a slide handout), so it must stay honest when it travels alone:
every number keeps its range, its grade and its source (DOI or URL plus where in it), unverified items are
marked, and the page says which version of the case it shows and when it was printed. The PDF is the same
HTML laid out by WeasyPrint with DejaVu fonts (installed with the system), so no font is fetched.
"""

from __future__ import annotations

import datetime as _dt

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import format_html

from benefice.cases.models import Case

MAX_FIGURES = 6  # what fits on one A4 page with the summary, decisions and sources
MAX_PUBLICATIONS = 3


def card_context(case: Case, lang: str) -> dict:
    """What the card shows: the case page's content, cut to one page (the card says what it left out)."""
    from benefice.cases.views import case_context

    ctx = case_context(case)
    numeric = [f for f in ctx["figures"] if f["f"].value is not None or f["f"].low is not None]
    narrative = [f for f in ctx["figures"] if f not in numeric]
    figures = (numeric + narrative)[:MAX_FIGURES]
    ctx.update(
        lang=lang,
        card_figures=figures,
        figures_left_out=len(ctx["figures"]) - len(figures),
        card_publications=ctx["publications"][:MAX_PUBLICATIONS],
        publications_left_out=max(0, len(ctx["publications"]) - MAX_PUBLICATIONS),
        printed=_dt.date.today().isoformat(),
        case_code=format_html("<code>{}</code>", case.id),  # an identifier, marked as one
        any_unverified=any(not f["f"].verified for f in figures)
        or any(not d["d"].verified for d in ctx["decisions"]),
    )
    return ctx


def render_card_html(case: Case, lang: str = "fr", *, base_url: str = "") -> str:
    """The card as a standalone HTML page (its CSS inline, so it prints the same anywhere)."""
    with translation.override(lang):
        return render_to_string("cases/card.html", {**card_context(case, lang), "base_url": base_url})


def render_card_pdf(case: Case, lang: str = "fr") -> bytes:
    """The card as a one-page A4 PDF."""
    from weasyprint import HTML

    return HTML(string=render_card_html(case, lang)).write_pdf()
