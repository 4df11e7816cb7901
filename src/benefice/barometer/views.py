"""Barometer pages: the list of editions, one edition's figures, and the drill-down from every figure to
the publications, cases and case figures behind it, plus the edition's own files (static site, PDF, data).

Views are thin: what an edition says is read from its frozen directory (``services``), and which
publications lie behind a figure is recomputed from its frozen inputs by the pure ``drill`` module.
"""

from __future__ import annotations

import io
import mimetypes
import zipfile
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from benefice.barometer import drill, services
from benefice.barometer.charts.base import source_names
from benefice.barometer.models import Edition
from benefice.barometer.site import named_rows, report_name
from benefice.barometer.texts import case_title, fmt_span, measure_name, unit_name
from benefice.core import jobs
from benefice.core.roles import can_edit
from benefice.core.views import editor_required, reader_required
from benefice.errors import BeneficeError

PAGE_SIZE = 100
SOURCE_CATEGORY_ROWS = 30  # source × category pairs listed on the edition page (all in the open data)


def _lang() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


def _text(fr: str, en: str, lang: str) -> dict[str, str]:
    """A curated text in the page's language, with the ``lang`` attribute it needs when only the other
    language exists (RGAA 8.7): ``{"text": ..., "lang": "" | "en" | "fr"}``."""
    if lang == "fr":
        return {"text": fr, "lang": ""} if fr else {"text": en, "lang": "en" if en else ""}
    return {"text": en, "lang": ""} if en else {"text": fr, "lang": "fr" if fr else ""}


def _curated(value: Any, lang: str) -> dict[str, str]:
    """:func:`_text` of a case's text: bilingual (``.fr``/``.en``) or, in editions of English-only cases, a
    plain English string."""
    if hasattr(value, "fr") and hasattr(value, "en"):
        return _text(value.fr, value.en, lang)
    return _text("", str(value or ""), lang)


def _row_text(row: dict[str, Any], key: str, lang: str) -> dict[str, str]:
    """:func:`_text` of a results row's text: ``key_fr``/``key_en`` when the edition has them, else the
    English ``key`` of older editions."""
    if f"{key}_fr" in row or f"{key}_en" in row:
        return _text(row.get(f"{key}_fr") or "", row.get(f"{key}_en") or "", lang)
    return _text("", str(row.get(key) or ""), lang)


def _drill_url(edition: Edition, figure: str, year: int | None = None) -> str:
    query = {"figure": figure} | ({"year": year} if year is not None else {})
    return reverse("barometer:publications", args=[edition.pk]) + "?" + urlencode(query)


def _edition_or_404(pk: int) -> Edition:
    edition = get_object_or_404(Edition, pk=pk)
    if services.status(edition) != services.OK:
        raise Http404(_("This edition's directory is missing or was changed since it was registered."))
    return edition


def _list_rows(editions: list[Edition]) -> list[dict[str, Any]]:
    """The editions as the list shows them: each with its state and, for an earlier version of a year,
    the later version that supersedes it (editions come latest built first within a year)."""
    rows, latest = [], {}
    for e in editions:
        state = services.status(e)
        superseded_by = latest.get(e.year)
        if state == services.OK and superseded_by is None:
            latest[e.year] = e
        rows.append({"edition": e, "status": state, "superseded_by": superseded_by})
    return rows


def _list_page(request: HttpRequest, choice: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    return render(
        request,
        "barometer/list.html",
        {"rows": _list_rows(services.discover_editions()), "can_build": can_edit(request.user), "choice": choice},
        status=status,
    )


@reader_required
def edition_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


def _headline_link(edition: Edition, item: dict[str, Any], results: dict[str, Any]) -> str:
    """Where a headline figure drills down to."""
    ident = item["id"]
    if ident == "publications":
        return _drill_url(edition, "french")
    if ident == "top_source" and item.get("value_en"):
        return _drill_url(edition, f"source:{item['value_en']}")
    if ident == "precise_naming":
        return _drill_url(edition, "vague")
    if ident == "authorisation":
        return _drill_url(edition, "authorisation")
    if ident == "people":
        people = [r for r in results["impact_ranges"] if r["measure"] == "people"]
        if people:
            return reverse("barometer:range", args=[edition.pk, "people", people[0]["unit"]])
    return {"cases": "#cases", "delay": "#chart-delays", "kinds_of_use": "#chart-categories"}.get(ident, "")


@reader_required
def edition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An edition's page, as the French Open Science Barometer shows its indicators: the key figures, then
    for each indicator its chart (the static site's, same builders), a sentence saying what it shows and,
    one click below ("see the data"), its table with each number linked to the publications, cases or
    decisions it counts (two clicks to the evidence); then its files."""
    edition = _edition_or_404(pk)
    results = services.results(edition)
    lang = _lang()
    names = services.code_names(edition, lang)
    charts = services.charts(edition, lang)
    return render(
        request,
        "barometer/edition.html",
        {
            "edition": edition,
            "results": results,
            "perimeter": results["perimeter"],
            "charts": charts,
            "chart": {c.id: c for c in charts},
            **_corpus_tables(edition, results, lang, names),
            **_impact_tables(edition, results, lang, names),
            **_delay_table(edition, results, lang, names),
            "files": _edition_files(edition, lang),
            "lang": lang,
            "drill": {k.replace("-", "_"): _drill_url(edition, k) for k in drill.SIMPLE},
        },
    )


def _delay_table(
    edition: Edition, results: dict[str, Any], lang: str, names: dict[str, dict[str, str]]
) -> dict[str, Any]:
    """The delays from study to decision, each case by its title and each decision type by its name."""
    titles = {c["case"]: case_title(c, lang) for c in results["cases"]}
    decision_names = names.get("decision_type", {})
    summary = results["delay_summary"]
    delays = [
        d
        | {
            "title": titles.get(d["case"], d["case"]),
            "href": reverse("barometer:case", args=[edition.pk, d["case"]]),
            "event": d.get(f"study_event_{lang}") or d.get("study_event", ""),
            "decision_name": decision_names.get(d["decision_type"], d["decision_type"]),
        }
        for d in results["delays"]
    ]
    return {
        "delays": delays,
        "delay_summary": summary,
        "delay_median": fmt_span(summary.get("median_low"), summary.get("median_high"), lang, integer=False),
    }


def _corpus_tables(
    edition: Edition, results: dict[str, Any], lang: str, names: dict[str, dict[str, str]]
) -> dict[str, Any]:
    """The corpus side of the page: headline, publications by year, sources, custodians, kinds of use."""
    source_names = source_labels(results, names, lang)
    headline = [
        {
            "title": item[f"title_{lang}"],
            "value": item[f"value_{lang}"],
            "comment": item[f"comment_{lang}"],
            "href": _headline_link(edition, item, results),
        }
        for item in results["headline"]
    ]
    by_year = [
        row
        | {
            "href_all": _drill_url(edition, "perimeter", row["year"]),
            "href_any": _drill_url(edition, "any", row["year"]),
            "href_french": _drill_url(edition, "french", row["year"]),
        }
        for row in results["publications_by_year"]
    ]
    sources = [
        row
        | {
            "name": row[f"name_{lang}"],
            "href_family": _drill_url(edition, f"source:{row['source']}"),
            "href_own": _drill_url(edition, f"source-own:{row['source']}"),
            "href_mentioned": _drill_url(edition, f"mentioned:{row['source']}"),
        }
        for row in sorted(results["sources"], key=lambda r: (-r["publications_family"], r["source"]))
        if row["publications_family"] or row["mentioned_only"] or row.get("cases_family")
    ]
    custodians = [
        row
        | {
            "href": _drill_url(edition, f"custodian:{row['custodian_slug']}"),
            "sources_text": ", ".join(source_names.get(s, s) for s in row["sources"].split("|") if s),
            "site": reverse(
                "barometer:file",
                args=[edition.pk, f"site/{lang}/custodians/{row['custodian_slug']}/index.html"],
            ),
        }
        for row in sorted(results["custodians"], key=lambda r: (-r["publications"], r["custodian"]))
        if row["publications"]
    ]
    categories = [
        row
        | {
            "name": row[f"name_{lang}"],
            "href": _drill_url(edition, f"category:{row['category']}"),
            "href_cases": _drill_url(edition, f"case-category:{row['category']}"),
        }
        for row in results["categories"]
    ]
    category_names = {r["category"]: r[f"name_{lang}"] for r in results["categories"]}
    source_categories = [
        row
        | {
            "source_name": source_names.get(row["source"]) or row["source"],
            "category_name": category_names.get(row["category"], row["category"]),
            "href": _drill_url(edition, f"source-category:{row['source']}~{row['category']}"),
        }
        for row in sorted(
            results.get("sources_by_category", []),
            key=lambda r: (-r["publications"], r["source"], r["category"]),
        )
        if row["basis"] == "family" and row["publications"]
    ][:SOURCE_CATEGORY_ROWS]
    return {
        "headline": headline,
        "by_year": by_year,
        "sources": sources,
        "custodians": custodians,
        "categories": categories,
        "source_categories": source_categories,
    }


def source_labels(results: dict[str, Any], names: dict[str, dict[str, str]], lang: str) -> dict[str, str]:
    """How the page names each data-source id of an edition: the charts' rule (``charts.base.source_names``),
    with the edition's own typology naming the ids beyond its registry."""
    return source_names(results, lang, names.get("data_source", {}))


def _impact_tables(
    edition: Edition, results: dict[str, Any], lang: str, names: dict[str, dict[str, str]]
) -> dict[str, Any]:
    """The impact side of the page: cases, value ranges, decisions and the ranking, each row linked, each
    code (decision type, grade, unit) by its name."""
    titles = {c["case"]: case_title(c, lang) for c in results["cases"]}
    sources = source_labels(results, names, lang)
    cases = [
        row
        | named_rows([row], names, lang)[0]
        | {
            "title": case_title(row, lang),
            "href": reverse("barometer:case", args=[edition.pk, row["case"]]),
            "sources_text": ", ".join(sources.get(s, s) for s in row["data_sources"].split("|") if s),
        }
        for row in results["cases"]
    ]
    ranges = [
        row
        | {
            "href": reverse("barometer:range", args=[edition.pk, row["measure"], row["unit"]]),
            "measure_name": measure_name(row["measure"], lang),
            "unit_name": unit_name(row["unit"], lang),
        }
        for row in results["impact_ranges"]
    ]
    values_by_source = [
        row
        | {
            "source_name": sources.get(row["key"], row["key"]),
            "unit_name": unit_name(row["unit"], lang),
            "cases": [
                {"id": c, "title": titles.get(c, c), "href": reverse("barometer:case", args=[edition.pk, c])}
                for c in row["case_ids"].split("|")
                if c
            ]
        }
        for row in (results.get("impact_values") or {}).get("by_source", [])
    ]
    decisions_url = reverse("barometer:decisions", args=[edition.pk])
    decision_types = [
        row | {"name": row[f"name_{lang}"], "href": f"{decisions_url}?{urlencode({'type': row['type']})}"}
        for row in results["decision_types"]
        if row["decisions"]
    ]
    decisions_by_year = [
        row | {"href": f"{decisions_url}?{urlencode({'year': row['year']})}"}
        for row in results["decisions_by_year"]
    ]
    ranking = results.get("ranking") or {}
    ranking_rows = [
        row | {"title": titles.get(row.get("case"), row.get("case")),
               "href": reverse("barometer:case", args=[edition.pk, row["case"]])}
        for row in ranking.get("rows", []) if row.get("case") in titles
    ]  # fmt: skip
    return {
        "cases": cases,
        "ranges": ranges,
        "decision_types": decision_types,
        "values_by_source": values_by_source,
        "decisions_by_year": decisions_by_year,
        "ranking": ranking,
        "ranking_note": ranking.get(f"note_{lang}", ""),
        "ranking_rows": ranking_rows,
    }


def _edition_files(edition: Edition, lang: str) -> dict[str, str]:
    """Links to the edition's static site, PDF, open data and manifest in the reader's language."""
    files = {
        "site": reverse("barometer:file", args=[edition.pk, f"site/{lang}/index.html"]),
        "pdf": reverse("barometer:file", args=[edition.pk, f"report/{report_name(edition.year, lang)}"])
        if edition.with_pdf
        else "",
        "datapackage": reverse("barometer:file", args=[edition.pk, "data/datapackage.json"]),
        "zip": reverse("barometer:data_zip", args=[edition.pk]),
        "manifest": reverse("barometer:file", args=[edition.pk, "manifest.json"]),
        "results": reverse("barometer:file", args=[edition.pk, "results.json"]),
    }
    return files


def _figure_title(key: drill.FigureKey, results: dict[str, Any], lang: str) -> str:
    value = key.value
    if key.kind in ("source", "source-own", "mentioned"):
        row = next((r for r in results["sources"] if r["source"] == value), None)
        name = f"{row[f'name_{lang}']} ({value})" if row else value
        return {
            "source": _("Publications using %(source)s or one of its components") % {"source": name},
            "source-own": _("Publications using %(source)s itself") % {"source": name},
            "mentioned": _("Publications naming %(source)s without using it") % {"source": name},
        }[key.kind]
    if key.kind == "custodian":
        row = next((r for r in results["custodians"] if r["custodian_slug"] == value), None)
        return _("Publications using a source held by %(custodian)s") % {
            "custodian": row["custodian"] if row else value
        }
    if key.kind in ("category", "case-category", "source-category", "source-own-category"):
        source, _sep, category = value.partition("~") if "~" in value else ("", "", value)
        row = next((r for r in results["categories"] if r["category"] == category), None)
        name = row[f"name_{lang}"] if row else category
        if key.kind == "category":
            return _("Publications of the corpus labelled “%(category)s”, with how each label was set") % {
                "category": name
            }
        if key.kind == "case-category":
            return _(
                "Publications of the corpus cited by a documented case of the category “%(category)s”"
            ) % {"category": name}
        if key.kind == "source-category":
            return _("Publications labelled “%(category)s” using %(source)s or one of its components") % {
                "category": name,
                "source": source,
            }
        return _("Publications labelled “%(category)s” using %(source)s itself") % {
            "category": name,
            "source": source,
        }
    return {
        "perimeter": _("Publications in the edition's perimeter"),
        "any": _("Publications using at least one registry data source"),
        "french": _("Publications using at least one French data source"),
        "none": _("Publications using no registry data source"),
        "precise": _("Publications naming a source they use precisely (name, acronym or translation)"),
        "vague": _("Publications naming a source they use only by a generic description"),
        "authorisation": _("Publications using a source that cite the access authorisation"),
        "documentation": _("Publications using a source that cite its documentation"),
        "custodian-cited": _("Publications using a source that name its custodian"),
    }[key.kind]


class _TableRows:
    """A table seen as a sequence of row dicts, converted only for the page shown."""

    def __init__(self, table) -> None:
        self.table = table

    def __len__(self) -> int:
        return self.table.num_rows

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        start, stop, _step = window.indices(self.table.num_rows)
        return self.table.slice(start, max(0, stop - start)).to_pylist()


@reader_required
def publications(request: HttpRequest, pk: int) -> HttpResponse:
    """The publications behind one figure, each linked to the corpus when it is still there."""
    edition = _edition_or_404(pk)
    results = services.results(edition)
    year_text = request.GET.get("year", "")
    try:
        key = drill.parse_key(request.GET.get("figure", "perimeter"))
        year = int(year_text) if year_text else None
        selected = drill.select(services.inputs(edition), results, key, year)
    except (BeneficeError, ValueError) as exc:
        return render(request, "barometer/error.html", {"edition": edition, "error": exc}, status=400)
    page = Paginator(_TableRows(selected), PAGE_SIZE).get_page(request.GET.get("page"))
    in_corpus = services.corpus_languages([r["id"] for r in page.object_list])
    query = {"figure": str(key)} | ({"year": year} if year is not None else {})
    return render(
        request,
        "barometer/publications.html",
        {
            "edition": edition,
            "title": _figure_title(key, results, _lang()),
            "year": year,
            "count": selected.num_rows,
            "with_uses": "use_method" in selected.column_names,
            "page": page,
            "rows": [
                r | {"in_corpus": r["id"] in in_corpus, "language": in_corpus.get(r["id"], "")}
                for r in page.object_list
            ],
            "query": urlencode(query),
        },
    )


@reader_required
def case(request: HttpRequest, pk: int, case_id: str) -> HttpResponse:
    edition = _edition_or_404(pk)
    results = services.results(edition)
    try:
        detail = drill.case_in_edition(results, case_id)
    except BeneficeError as exc:
        raise Http404(exc.localized(_lang(), name_only=True)) from exc
    lang = _lang()
    inputs = services.inputs(edition)
    case_def = inputs.cases.cases.get(case_id)
    citations = []
    if case_def is not None:
        from benefice.corpus.models import Publication  # noqa: PLC0415

        for pub in case_def.publications:
            match = None
            if pub.doi:
                match = Publication.objects.filter(doi__iexact=pub.doi).only("pk").first()
            if match is None and pub.pmid:
                match = Publication.objects.filter(pmid=pub.pmid).only("pk").first()
            citations.append({"publication": pub, "corpus_pk": match.pk if match else None})
    names = services.code_names(edition, lang)
    decision_names = {t["type"]: t[f"name_{lang}"] for t in results["decision_types"]}
    delay = detail["delay"]
    return render(
        request,
        "barometer/case.html",
        {
            "edition": edition,
            "case": named_rows([detail["case"]], names, lang)[0],
            "title": case_title(detail["case"], lang),
            "decisions": [
                d
                | {
                    "type_name": decision_names.get(d["type"], d["type"]),
                    "agency_text": _row_text(d, "agency", lang),
                    "scope_name": _scope_name(d.get("scope", "")),
                }
                for d in detail["decisions"]
            ],
            "figures": [
                f
                | named_rows([f], names, lang)[0]
                | {"label_text": _row_text(f, "label", lang), "location_text": _row_text(f, "source_location", lang),
                   "text_text": _row_text(f, "text", lang)}
                for f in detail["figures"]
            ],  # fmt: skip
            "delay": delay,
            "delay_months": fmt_span(delay["months_low"], delay["months_high"], lang, integer=False)
            if delay
            else "",
            "rank": detail["rank"],
            "citations": citations,
            "summary": _curated(case_def.summary, lang) if case_def and case_def.summary else None,
        },
    )


def _scope_name(scope: str) -> str:
    """A decision's scope by its name (the case catalogue's ``DECISION_SCOPES``)."""
    return {
        "national": _("national"),
        "eu": _("European Union"),
        "international": _("international"),
    }.get(scope, scope)


@reader_required
def decisions(request: HttpRequest, pk: int) -> HttpResponse:
    """The counted decisions behind a figure (by type or by year), each with its case and reference."""
    edition = _edition_or_404(pk)
    results = services.results(edition)
    lang = _lang()
    kind = request.GET.get("type") or None
    try:
        year = int(request.GET["year"]) if request.GET.get("year") else None
        rows = drill.decisions_for(results, services.inputs(edition).cases, kind, year)
    except (BeneficeError, ValueError) as exc:
        return render(request, "barometer/error.html", {"edition": edition, "error": exc}, status=400)
    titles = {c["case"]: case_title(c, lang) for c in results["cases"]}
    names = {t["type"]: t[f"name_{lang}"] for t in results["decision_types"]}
    return render(
        request,
        "barometer/decisions.html",
        {
            "edition": edition,
            "type_name": names.get(kind, "") if kind else "",
            "year": year,
            "rows": [
                r | {"case_title": titles.get(r["case"], r["case"]), "type_name": names.get(r["type"], r["type"]),
                     "case_href": reverse("barometer:case", args=[edition.pk, r["case"]]),
                     "agency_text": _row_text(r, "agency", lang), "description_text": _curated(r["description"], lang),
                     "location_text": _curated(r["reference_location"], lang)}
                for r in rows
            ],
        },
    )  # fmt: skip


@reader_required
def impact_range(request: HttpRequest, pk: int, measure: str, unit: str) -> HttpResponse:
    edition = _edition_or_404(pk)
    results = services.results(edition)
    row = next((r for r in results["impact_ranges"] if r["measure"] == measure and r["unit"] == unit), None)
    if row is None:
        raise Http404(_("No such range in this edition."))
    lang = _lang()
    titles = {c["case"]: case_title(c, lang) for c in results["cases"]}
    figures = [
        f | {"case_title": titles.get(f["case"], f["case"]),
             "case_href": reverse("barometer:case", args=[edition.pk, f["case"]]),
             "label_text": _row_text(f, "label", lang), "location_text": _row_text(f, "source_location", lang)}
        for f in drill.figure_rows(results, row["figure_ids"])
    ]  # fmt: skip
    return render(
        request,
        "barometer/range.html",
        {
            "edition": edition,
            "row": row,
            "figures": figures,
            "measure_name": measure_name(row["measure"], lang),
            "unit_name": unit_name(row["unit"], lang),
        },
    )


@reader_required
def edition_file(request: HttpRequest, pk: int, path: str) -> FileResponse:
    """A file of the edition (static site page or asset, PDF, CSV, datapackage.json, manifest)."""
    edition = get_object_or_404(Edition, pk=pk)
    try:
        target = services.served_file(edition, path)
    except (FileNotFoundError, BeneficeError) as exc:
        raise Http404(_("No such file in this edition.")) from exc
    content_type, _encoding = mimetypes.guess_type(target.name)
    if target.suffix in (".csv", ".json", ".html", ".js", ".css", ".jsonl", ".yaml"):
        base = {".jsonl": "application/x-ndjson", ".yaml": "text/plain"}.get(target.suffix, content_type)
        content_type = f"{base}; charset=utf-8"
    as_attachment = target.suffix in (".pdf", ".csv", ".zip") and request.GET.get("inline") != "1"
    response = FileResponse(
        target.open("rb"),
        content_type=content_type or "application/octet-stream",
        as_attachment=as_attachment,
    )
    response["X-Frame-Options"] = "SAMEORIGIN"  # the site's charts offer iframe snippets of its own pages
    return response


@reader_required
def data_zip(request: HttpRequest, pk: int) -> HttpResponse:
    """The open-data package (CSV files and datapackage.json) as one zip, as published."""
    edition = _edition_or_404(pk)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted((edition.path / "data").rglob("*")):
            if path.is_file():
                info = zipfile.ZipInfo(f"barometer-{edition.year}/{path.relative_to(edition.path / 'data')}")
                info.date_time = (edition.year, 1, 1, 0, 0, 0)  # stable bytes for the same edition
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, path.read_bytes())
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="barometer-{edition.year}-data.zip"'
    return response


@editor_required
@require_POST
def build_start(request: HttpRequest) -> HttpResponse:
    """Queue the build of an edition. A future year is refused; when the year already has an edition, the
    list page comes back with the choice the model allows: a new version beside it (the frozen edition
    stays as it was, listed as superseded) or keeping it. Messages never show a server path."""
    try:
        year = int(request.POST.get("year", ""))
        if not 1900 <= year <= 2200:
            raise ValueError(year)
    except ValueError:
        messages.error(request, _("Give the edition year as four digits."))
        return redirect("barometer:list")
    today = timezone.localdate()
    if year > today.year:
        messages.error(
            request,
            _(
                "The %(year)s edition is in the future: an edition is observed in its own year or later, "
                "and today is %(today)s."
            )
            % {"year": year, "today": formats.date_format(today, "DATE_FORMAT")},
        )
        return redirect("barometer:list")
    with_pdf = request.POST.get("with_pdf") == "on"
    new_version = request.POST.get("existing") == "new_version"
    try:
        job = services.start_build(year, request.user, with_pdf=with_pdf, new_version=new_version)
    except services.EditionExists as exc:
        choice = {"year": year, "with_pdf": with_pdf, "editions": exc.editions}
        return _list_page(request, choice=choice, status=409)
    except BeneficeError as exc:
        reason = exc.localized(get_language(), name_only=True)  # the reader's language, no server path
        messages.error(request, _("The edition cannot be built: %(reason)s") % {"reason": reason})
        return redirect("barometer:list")
    return redirect("barometer:build_job", job_id=job["id"])


def _job_or_404(request: HttpRequest, job_id: str) -> dict[str, Any]:
    job = services.read_job(job_id)
    if job is None or (job.get("user_id") != request.user.pk and not request.user.is_superuser):
        raise Http404(_("No such build."))
    return job


@editor_required
def build_job(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _job_or_404(request, job_id)
    return render(request, "barometer/build.html", {"job": job, **_job_context(job)})


@editor_required
def build_job_status(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _job_or_404(request, job_id)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse(
            {k: job.get(k) for k in ("status", "step", "done", "total", "edition_id", "error")}
        )
    return render(request, "barometer/_build_status.html", {"job": job, **_job_context(job)})


def _job_context(job: dict[str, Any]) -> dict[str, Any]:
    steps = {
        "reading the corpus": _("reading the corpus"),
        "computing figures": _("computing figures"),
        "writing open data": _("writing open data"),
        "writing the static site": _("writing the static site"),
        "writing the PDF reports": _("writing the PDF reports"),
    }
    return {
        "step_label": steps.get(job.get("step", ""), ""),
        "edition_href": reverse("barometer:edition", args=[job["edition_id"]])
        if job.get("edition_id")
        else "",
        "status_href": reverse("barometer:build_job_status", args=[job["id"]]),
        "active": job.get("status") in jobs.ACTIVE,
        "waiting": jobs.waiting_for_worker(job),
    }
