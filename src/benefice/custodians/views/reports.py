"""A custodian's report, as a page and as a PDF, rendered from one context so both say the same.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

from benefice.core.views import reader_required
from benefice.custodians import services
from benefice.custodians.models import Custodian
from benefice.i18n import pick


# ------------------------------------------------------------------------------------------------- reports
def _report_context(request, custodian: Custodian) -> dict:
    report = services.custodian_report(custodian, lang=translation.get_language() or "fr")
    lang = (translation.get_language() or "fr")[:2]
    report["recommendation_rows"] = [
        {"rule": r.rule, "figure": r.figure, "text": r.text(lang), "rationale": r.rationale(lang)}
        for r in report["recommendations"]
    ]
    pks = dict(custodian.projects.values_list("reference", "pk"))
    titles = {case.id: case.title for case in report["cases"]}
    links = {fid: _record_links(f, pks, titles) for fid, f in report["figures"].items()}
    for row in report["recommendation_rows"]:
        row["links"] = links.get(row["figure"].id, [])
    report["figure_rows"] = [
        {"figure": f, "label": str(FIGURE_LABELS.get(fid, fid)), "links": links[fid]}
        for fid, f in report["figures"].items()
    ]
    report["lang"] = lang
    report["max_per_year"] = max((n for _, n in report["per_year"]), default=0)
    return report


def _record_links(
    figure, project_pks: dict[str, int], case_titles: dict | None = None, limit: int = 15
) -> list[dict[str, str]]:
    """The first records a figure counted, each with the page that shows it: publications of the corpus,
    projects, or the impact case holding the decision (``case#n``)."""
    out = []
    for record in figure.records[:limit]:
        url = ""
        if figure.id.startswith("pubs_") and record.isdecimal():
            url = reverse("corpus:detail", args=[int(record)])
        elif "#" in record:
            case_id, _, number = record.partition("#")
            label = _case_decision_label((case_titles or {}).get(case_id), case_id, number)
            try:
                url = reverse("cases:case", args=[case_id])
            except Exception:  # noqa: BLE001 - the impact app may not be installed: plain text then
                url = ""
            out.append({"label": label, "url": url})
            continue
        elif record in project_pks:
            url = reverse("custodians:project", args=[project_pks[record]])
        out.append({"label": record, "url": url})
    return out


def _case_decision_label(title, case_id: str, number: str) -> str:
    """``mediator_benfluorex#2`` as a reader names it: the case's title (``title``, bilingual) in the page's
    language, and which of its decisions (a case id is a code, never shown as a word)."""
    lang = (translation.get_language() or "fr")[:2]
    title = pick(title.fr, title.en, lang) if title is not None else case_id.replace("_", " ")
    return gettext("%(case)s, decision %(n)s") % {"case": title, "n": number}


FIGURE_LABELS = {
    "pubs_source_not_named_in_full": gettext_lazy("Publications that never name the source in full"),
    "pubs_documentation_not_cited": gettext_lazy("Publications that cite no documentation of the source"),
    "pubs_authorisation_not_cited": gettext_lazy("Publications that cite no authorisation"),
    "projects_without_publication": gettext_lazy(
        "Projects started 3 or more years ago with no confirmed publication"
    ),
    "projects_without_benefit_record": gettext_lazy("Projects without a benefit record"),
    "decisions_without_data_trail": gettext_lazy(
        "Decisions of related impact cases with no reference to the decision text"
    ),
    "unrecognised_source_labels": gettext_lazy(
        "Projects with a data-source label the registry does not recognise"
    ),
}


def _with_language(request):
    lang = request.GET.get("lang", "")
    return lang if lang in ("fr", "en") else None


@reader_required
def report(request, slug: str) -> HttpResponse:
    custodian = get_object_or_404(Custodian, slug=slug)
    lang = _with_language(request)
    if lang:
        with translation.override(lang):
            html = render_to_string(
                "custodians/report.html", _report_context(request, custodian) | {"pdf": False}, request
            )
        return HttpResponse(html)
    return render(request, "custodians/report.html", _report_context(request, custodian) | {"pdf": False})


@reader_required
def report_pdf(request, slug: str) -> HttpResponse:
    from weasyprint import HTML  # slow to import (and needs system libraries): loaded for a PDF only

    custodian = get_object_or_404(Custodian, slug=slug)
    lang = _with_language(request) or (translation.get_language() or "fr")[:2]
    with translation.override(lang):
        html = render_to_string(
            "custodians/report_pdf.html", _report_context(request, custodian) | {"pdf": True}
        )
    pdf = HTML(string=html, base_url=request.build_absolute_uri(reverse("custodians:list"))).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="benefice-{custodian.slug}-{lang}.pdf"'
    return response
