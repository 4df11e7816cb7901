"""Impact pages, the impact card of a case: HTML and PDF, in the language asked for or the page's."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from benefice.cases import card as card_module
from benefice.cases.models import Case
from benefice.core.forms import reader_language
from benefice.core.views import reader_required


def _card_language(request: HttpRequest) -> str:
    lang = request.GET.get("lang", "") or reader_language()
    return lang if lang in ("fr", "en") else reader_language()


@reader_required
def case_card(request: HttpRequest, case_id: str) -> HttpResponse:
    case = get_object_or_404(Case, pk=case_id)
    html = card_module.render_card_html(
        case, _card_language(request), base_url=request.build_absolute_uri("/")
    )
    return HttpResponse(html, content_type="text/html; charset=utf-8")


@reader_required
def case_card_pdf(request: HttpRequest, case_id: str) -> HttpResponse:
    case = get_object_or_404(Case, pk=case_id)
    lang = _card_language(request)
    pdf = card_module.render_card_pdf(case, lang)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="impact-{case.id}-{lang}.pdf"'
    return response
