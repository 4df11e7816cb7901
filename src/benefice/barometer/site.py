"""The static site of an edition: plain HTML files in French and English that work from ``file://``.

No server and no CDN: Vega, Vega-Lite and vega-embed are copied from benefice's vendored files into
``assets/``, every chart carries its data inline (a browser refuses to fetch files next to a page opened
from disk), and links are relative. Each chart comes with its comment, source and method note, a table
alternative, a CSV download, PNG/SVG export from vega-embed's menu and an iframe snippet. Templates are
Jinja2 (not Django) so the site is built without Django.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from benefice.barometer.charts import Chart, cell, custodian_charts, national_charts
from benefice.barometer.opendata import csv_bytes
from benefice.barometer.texts import CONTEXT, LANGS, case_title, count, labels, rules, unit_name
from benefice.i18n import pgettext, pick, pick_text, translator

TEMPLATES = Path(__file__).with_name("site_templates")
#: the context of the figures table's "Evidence" header (« Preuve »), the label "evidence" being longer
EVIDENCE_GRADE = "barometer: grade of evidence"
#: the vendored Vega libraries, beside htmx in the project-wide static files: one copy serves the web app
#: (``{% static 'benefice/vendor/vega/...' %}``) and is copied into the site's ``assets/``
VEGA_DIR = Path(__file__).resolve().parent.parent / "static" / "benefice" / "vendor" / "vega"
#: the script that draws the charts, the same file for the site (its ``assets/barometer.js``) and the web app
CHARTS_JS = Path(__file__).resolve().parent / "static" / "benefice" / "barometer" / "charts.js"
VEGA_FILES = (
    "vega.min.js",
    "vega-lite.min.js",
    "vega-embed.min.js",
    "LICENSE.vega-lite",
    "LICENSE.vega-embed",
    "README",
)


#: The policy every page of the site carries in a ``<meta http-equiv>`` (issue 17): the site is copied to any
#: web server, whose headers we do not control, so the page states it. Scripts and styles come only from the
#: site's own files (``assets/``): no inline script, no inline style, no eval — charts run Vega's expression
#: interpreter (``ast: true`` in barometer.js), and vega-embed's and vega-tooltip's stylesheets are files the
#: pages link with the ids those libraries look for, so they inject no ``<style>``. Nothing is fetched (the data are inline), no plug-in, no form. ``frame-ancestors`` is not
#: set: a ``<meta>`` cannot carry it, and the embed pages are meant to be framed by other sites.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'"
)
#: Links out (DOIs, sources' sites) tell nothing about the page they were followed from.
REFERRER_POLICY = "no-referrer"


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
    )
    env.globals["cell"] = cell
    env.globals["count"] = count
    env.globals["csp"] = CONTENT_SECURITY_POLICY
    env.globals["referrer"] = REFERRER_POLICY
    return env


def _spec_json(spec: dict[str, Any]) -> str:
    """JSON safe inside <script>: no "</" can close the element early."""
    return json.dumps(spec, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")


def _words(lang: str) -> Callable[[str], str]:
    """The site's own words (table titles, headers, notes) in ``lang``: English msgids translated in the
    barometer's catalogue, context "barometer", read without Django."""
    catalogue = translator(lang)
    return lambda msgid: catalogue.pgettext(CONTEXT, msgid)


def report_name(year: int, lang: str) -> str:
    return f"barometre-{year}-fr.pdf" if lang == "fr" else f"barometer-{year}-en.pdf"


def _prepare(charts: list[Chart], embed_prefix: str, base_url: str, lang: str) -> list[Chart]:
    for c in charts:
        c.extra["spec_json"] = _spec_json(c.spec)
        src = f"{base_url.rstrip('/')}/{lang}/embed/{c.id}.html" if base_url else f"{embed_prefix}{c.id}.html"
        c.extra["embed_snippet"] = (
            f'<iframe src="{src}" title="{c.title}" width="100%" height="480" style="border:0" loading="lazy"></iframe>'
        )
    return charts


class _ChartView:
    """A chart as the templates see it (attribute access to the prepared extras)."""

    def __init__(self, chart: Chart) -> None:
        self._chart = chart

    def __getattr__(self, name: str) -> Any:
        if name in self._chart.extra:
            return self._chart.extra[name]
        return getattr(self._chart, name)


#: the edition's parameters in words (French, English); the key is what ``--param KEY=JSON`` names
PARAM_NAMES = {
    "span": ("Nombre d'années du périmètre", "Years in the perimeter"),
    "last_publication_year": (
        "Dernière année de publication (par défaut, l'année qui précède l'édition)",
        "Last publication year (by default, the year before the edition)",
    ),
    "include_unverified": ("Chiffres et décisions non vérifiés comptés", "Unverified figures and decisions counted"),
    "evidence_per_figure": ("Exemples de preuve par chiffre clé", "Examples of evidence per key figure"),
    "base_url": ("Adresse publique du site", "Public address of the site"),
    "licence": ("Licence des données ouvertes", "Licence of the open data"),
}


def _methodology_tables(
    results: dict[str, Any], definitions: dict[str, Any], lang: str
) -> list[dict[str, Any]]:
    tr = _words(lang)
    typology, indicators = definitions["typology"], definitions["indicators"]
    tables = [
        {
            "id": "indicators",
            "title": tr("Indicators"),
            "note": tr("Indicator catalogue, version ")
            + indicators.version,
            "headers": [
                "Code",
                tr("Name"),
                "Type",
                tr("Level"),
                tr("Definition"),
            ],
            "rows": [
                [
                    i.code,
                    pick_text(i.name, lang),
                    i.type,
                    pick_text(typology.ladder[i.level].name, lang),
                    i.definition if isinstance(i.definition, str) else pick_text(i.definition, lang),
                ]
                for i in indicators.indicators.values()
            ],
        },
        {
            "id": "grades",
            "title": tr("Evidence and attribution grades"),
            "note": "",
            "headers": ["Id", tr("Name"), tr("Definition")],
            "rows": [
                [g.id, pick_text(g.name, lang), pick_text(g.definition, lang)]
                for g in typology.evidence_grades.values()
            ]
            + [
                [g.id, pick_text(g.name, lang), pick_text(g.definition, lang)]
                for g in sorted(typology.attribution_grades.values(), key=lambda g: -g.rank)
            ],
        },
        {
            "id": "decision-scale",
            "title": tr("Decision scale"),
            "note": "",
            "headers": [tr("Rank"), "Type", tr("Definition")],
            "rows": [
                [str(d.rank), pick_text(d.name, lang), pick_text(d.definition, lang)]
                for d in sorted(typology.decision_types.values(), key=lambda d: d.rank)
            ],
        },
        {
            "id": "weights",
            "title": tr("Parameters and weights"),
            "note": results["ranking"][f"note_{lang}"],
            "headers": [tr("Parameter"), tr("Value")],
            "rows": [
                [f"{pick(*PARAM_NAMES[k], lang)} ({k})" if k in PARAM_NAMES else k,
                 cell(v, lang) if isinstance(v, bool | int | float | str) or v is None
                 else json.dumps(v, ensure_ascii=False)]
                for k, v in sorted(results["params"].items())
            ],  # fmt: skip
        },
        {
            "id": "inputs",
            "title": tr("Frozen inputs"),
            "note": "SHA-256",
            "headers": [tr("File"), "SHA-256"],
            "rows": [[k, v] for k, v in sorted(definitions["hashes"].items())],
        },
    ]
    return tables


def _page(
    env: Environment,
    files: dict[str, bytes],
    common: dict[str, Any],
    lang: str,
    other: str,
    template: str,
    path: str,
    depth: int,
    title: str,
    **extra: Any,
) -> None:
    """Render one page at ``<lang>/<path>``, ``depth`` folders below the language's home."""
    up = "../" * depth
    context = {
        **common,
        "root": up + "../",
        "home": up,
        "page_title": title,
        "other_lang_href": f"{up}../{other}/{path}",
        "charts": [],
        "methodology_href": f"{up}methodology.html",
        **extra,
    }
    files[f"{lang}/{path}"] = env.get_template(template).render(**context).encode("utf-8")


def _source_columns(lang: str, t: dict[str, str]) -> list[tuple[str, str]]:
    """The columns of the sources table and its CSV: (row key, header)."""
    tr = _words(lang)
    return [
        ("source", "Source"),
        (f"name_{lang}", tr("Name")),
        ("custodian", t["custodian"]),
        ("publications_family", tr("Publications (family)")),
        ("publications_own", tr("Publications (own)")),
        ("mentioned_only", tr("Mentioned only")),
        ("precise_share", tr("Named precisely")),
        ("authorisation_share", tr("Authorisation cited")),
        ("cases_family", tr("Cases (family)")),
    ]


def code_names(typology: Any, lang: str) -> dict[str, dict[str, str]]:
    """The typology's names of the codes an edition's rows carry (decision types, grades), in ``lang``, by
    column: a table shows « Retrait », never ``withdrawal``. A code the typology lacks is shown as is."""
    names = {
        "decision": {k: pick_text(r.name, lang) for k, r in typology.decision_types.items()},
        "attribution": {k: pick_text(r.name, lang) for k, r in typology.attribution_grades.items()},
        "evidence": {k: pick_text(r.name, lang) for k, r in typology.evidence_grades.items()},
    }
    return {
        "strongest_decision": names["decision"],
        "decision_type": names["decision"],
        "attribution_grade": names["attribution"],
        "evidence_grade": names["evidence"],
        # the typology's names of the data-source ids cases and labels may use beyond the registry (OTHER_FR)
        "data_source": {k: pick_text(v, lang) for k, v in typology.data_sources.items()},
    }


def named_rows(rows: list[dict[str, Any]], names: dict[str, dict[str, str]], lang: str) -> list[dict[str, Any]]:
    """Rows with their codes replaced by names (:func:`code_names`) and their units by the units' names."""
    out = []
    for row in rows:
        named = {k: names[k].get(v, v) if k in names and isinstance(v, str) else v for k, v in row.items()}
        if isinstance(row.get("unit"), str):
            named["unit"] = unit_name(row["unit"], lang)
        for key in BILINGUAL_KEYS:  # the case's texts in the page's language, when the edition has both
            if row.get(f"{key}_{lang}"):
                named[key] = row[f"{key}_{lang}"]
        out.append(named)
    return out


#: the texts of a case an edition's rows carry in both languages (``label_fr``, ``label_en``…) since issue 19;
#: the bare key is the English, as in the editions built before
BILINGUAL_KEYS = ("label", "text", "source_location", "agency", "study_event")


def _case_tables(
    results: dict[str, Any], lang: str, t: dict[str, str], names: dict[str, dict[str, str]]
) -> list[dict[str, Any]]:
    """The tables of the cases page (cases, figures, values by source, ranking), each also a CSV; codes are
    shown by their names."""
    tr = _words(lang)
    titles = {c["case"]: case_title(c, lang) for c in results["cases"]}
    return [
        {
            "id": "cases",
            "title": tr("Documented cases"),
            "note": "",
            "columns": [("case", tr("Case")), (f"title_{lang}", tr("Title")),
                        ("data_sources", "Sources"), ("decisions", tr("Decisions")),
                        ("strongest_decision", tr("Strongest decision")),
                        ("first_decision", tr("First decision")),
                        ("attribution_grade", "Attribution")],
            "rows": named_rows(results["cases"], names, lang),
        },
        {
            "id": "figures",
            "title": tr("Case figures"),
            "note": tr("Unverified figures: kept out of totals."),
            "columns": [("figure_id", "Id"), ("label", tr("Label")), ("unit", tr("Unit")),
                        ("low", tr("Low")), ("value", tr("Value")),
                        ("high", tr("High")), ("evidence_grade", pgettext(EVIDENCE_GRADE, "Evidence", lang)),
                        ("included", tr("Counted")), ("source_doi", "DOI")],
            "rows": named_rows(results["figures"], names, lang),
        },
        {
            "id": "values_by_source",
            "title": tr("Indicator values by data source"),
            "note": tr("Ranges added as intervals, the same population counted once; a case with several "
                       "sources counts under each: do not add rows of different sources."),
            "columns": [("key", "Source"), ("indicator", tr("Indicator")), ("unit", tr("Unit")),
                        ("low", tr("Low")), ("value", tr("Value")), ("high", tr("High")),
                        ("method", tr("Method")), ("n_cases", tr("Cases")),
                        ("figure_ids", tr("Figures"))],
            "rows": named_rows((results.get("impact_values") or {}).get("by_source", []), names, lang),
        },
        {
            "id": "ranking",
            "title": t["ranking"],
            "note": results["ranking"][f"note_{lang}"],
            "columns": [("rank", tr("Rank")), ("case", tr("Case")),
                        ("title", tr("Title")), ("score", "Score"),
                        ("rank_range", tr("Plausible ranks"))],
            "rows": [{**r, "title": titles.get(r["case"], r["case"]), "rank_range": f"{r['rank_low']}–{r['rank_high']}"}
                     for r in results["ranking"]["rows"]],
        },
    ]  # fmt: skip


def build_site(results: dict[str, Any], definitions: dict[str, Any], code_version: str) -> dict[str, bytes]:
    """Relative path (under ``site/``) -> bytes of every file of the static site.

    ``definitions`` holds the parsed ``registry``, ``typology``, ``indicators`` and the input ``hashes``.
    """
    env = _env()
    files: dict[str, bytes] = {}
    for name in VEGA_FILES:
        files[f"assets/{name}"] = (VEGA_DIR / name).read_bytes()
    files["assets/barometer.js"] = CHARTS_JS.read_bytes()
    for name in ("barometer.css", "vega-embed.css", "vega-tooltip.css"):
        files[f"assets/{name}"] = (TEMPLATES / name).read_bytes()
    e = results["edition"]
    files["index.html"] = env.get_template("root.html").render(edition=e).encode("utf-8")
    registry = definitions["registry"]
    families = [(s.id, registry.descendants(s.id)) for s in registry if s.components and not s.parent]
    base_url = str(results["params"].get("base_url") or "")

    for lang in LANGS:
        other = "en" if lang == "fr" else "fr"
        t = labels(lang)
        tr = _words(lang)
        common = {
            "lang": lang,
            "other_lang": other,
            "t": t,
            "edition": e,
            "versions": results["versions"],
            "code_version": code_version,
            "report_name": report_name(e["year"], lang),
            "ranking": results["ranking"],
        }

        page = functools.partial(_page, env, files, common, lang, other)

        charts = _prepare(national_charts(results, lang), "embed/", base_url, lang)
        for c in charts:
            files[f"{lang}/data/{c.id}.csv"] = csv_bytes([k for k, _ in c.columns], c.rows)
            up = "../"
            files[f"{lang}/embed/{c.id}.html"] = (
                env.get_template("embed.html")
                .render(lang=lang, t=t, c=_ChartView(c), root=up + "../")
                .encode("utf-8")
            )
        views = [_ChartView(c) for c in charts]
        page("index.html", "index.html", 0, f"{t['title']} — {e['year']}", headline=results["headline"])
        page("charts.html", "charts.html", 0, t["charts"], chart_list=views, charts=views, intro="",
             data_prefix="data/", embed_prefix="embed/", back_href="")  # fmt: skip

        source_columns = _source_columns(lang, t)
        files[f"{lang}/data/sources.csv"] = csv_bytes([k for k, _ in source_columns], results["sources"])
        page(
            "sources.html",
            "sources.html",
            0,
            t["sources_table"],
            intro=tr("Every registry source, including those with no publication in the perimeter (zero)."),
            columns=source_columns,
            rows=sorted(results["sources"], key=lambda r: (-r["publications_family"], r["source"])),
        )

        case_tables = _case_tables(results, lang, t, code_names(definitions["typology"], lang))
        for table in case_tables:
            if table["rows"]:
                files[f"{lang}/data/{table['id']}.csv"] = csv_bytes(
                    [k for k, _ in table["columns"]], table["rows"]
                )
        page("cases.html", "cases.html", 0, t["cases"], tables=case_tables)
        page(
            "methodology.html",
            "methodology.html",
            0,
            t["methodology"],
            rules=rules(results, lang),
            families=families,
            tables=_methodology_tables(results, definitions, lang),
        )

        custodians = sorted(results["custodians"], key=lambda r: (-r["publications"], r["custodian"]))
        page(
            "custodians.html",
            "custodians/index.html",
            1,
            t["custodians"],
            custodians=custodians,
            intro=tr("Each local barometer keeps only one data custodian's sources."),
        )
        for custodian in custodians:
            key = custodian["custodian_slug"]
            local = _prepare(custodian_charts(results, custodian, lang), "", "", lang)
            for c in local:
                files[f"{lang}/custodians/{key}/data/{c.id}.csv"] = csv_bytes(
                    [k for k, _ in c.columns], c.rows
                )
            views = [_ChartView(c) for c in local]
            page(
                "charts.html",
                f"custodians/{key}/index.html",
                2,
                f"{t['short']} — {custodian['custodian']}",
                chart_list=views,
                charts=views,
                intro=t["local_intro"].format(
                    custodian=custodian["custodian"], sources=custodian["sources"].replace("|", ", ")
                ),
                data_prefix="data/",
                embed_prefix="",
                back_href="../../index.html",
            )
    return files


__all__ = ["build_site", "code_names", "named_rows", "report_name"]
