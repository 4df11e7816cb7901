"""The kinds of use from the whole corpus (per category, by method, per year, per source × category) and,
apart, the documented cases per category: one builder per chart, in the order of :data:`USE_CHARTS`."""

from __future__ import annotations

from typing import Any

from benefice.barometer.charts.base import (
    BLUE,
    COUNT_AXIS,
    GREEN,
    GREY,
    LABEL_LIMIT,
    NB,
    SCHEMA,
    TOP_LINES,
    TOP_PAIRS,
    Chart,
    ChartBuilder,
    Column,
    Context,
    _bar,
    _bar_range,
    _label,
    _lines,
    _q,
    _short,
    cols,
    french_typography,
)
from benefice.barometer.texts import LANGS, count, fmt_int, fmt_num, fmt_span

METHODS = ("person", "rule", "model")  # who set a label
METHOD_NAMES = {m: {lang: _label(lang, f"method_{m}") for lang in LANGS} for m in METHODS}
METHOD_COLOURS = {"person": GREEN, "rule": BLUE, "model": "#b07d1a"}
USE_FIELDS = ("publications", "by_person", "by_rule", "by_model", "expected", "low", "high")


def _names(ctx: Context) -> dict[str, str]:
    return {r["category"]: r[f"name_{ctx.lang}"] for r in ctx.results["categories"]}


def _by_publications(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The categories, most publications first."""
    return sorted(results["categories"], key=lambda r: (-r["publications"], r["category"]))


def _range_note(ctx: Context) -> str:
    return ctx.t(
        "Chaque étiquette dit qui l'a posée (personne, règle ou modèle). Une étiquette posée par une personne "
        "est certaine ; celles d'une règle ou du modèle portent leur probabilité calibrée : le nombre attendu "
        "est la somme des probabilités, l'intervalle à 95\u00a0% celui de la loi de Poisson binomiale (exacte, "
        "ou approximation normale au-delà de 200 étiquettes incertaines). Les catégories des cas documentés "
        "sont comptées à part.",
        "Each label says who set it (a person, a rule or the model). A person's label is certain; a rule's or "
        "the model's carries its calibrated probability: the expected count is the sum of the probabilities, "
        "the 95 % interval that of the Poisson-binomial distribution (exact, or the normal approximation beyond "
        "200 uncertain labels). The documented cases' categories are counted apart.",
    )


def _use_columns(lang: str) -> list[Column]:
    return cols(
        ("publications", _label(lang, "publications_corpus")),
        ("by_person", _label(lang, "by_person")),
        ("by_rule", _label(lang, "by_rule")),
        ("by_model", _label(lang, "by_model")),
        ("expected", _label(lang, "expected")),
        ("low", _label(lang, "interval_low")),
        ("high", _label(lang, "interval_high")),
    )


@french_typography
def categories(ctx: Context) -> Chart:
    lang, results = ctx.lang, ctx.results
    names, pubs_t, cat_t = _names(ctx), ctx.label("publications_corpus"), ctx.label("category")
    rows = [
        {"category": names[r["category"]], "id": r["category"], **{k: r[k] for k in USE_FIELDS}}
        for r in _by_publications(results)
    ]
    top = rows[0] if rows else None
    labelled = results["perimeter"].get("publications_with_category", 0)
    none = top is None or not labelled
    return Chart(
        id="categories",
        title=ctx.t(
            "Publications du corpus par catégorie d'usage",
            "Publications of the corpus by category of use",
        ),
        comment=ctx.t(
            "Aucune publication du corpus n'a encore de catégorie d'usage.",
            "No publication of the corpus has a category of use yet.",
        )
        if none
        else ctx.t(
            f"{count(labelled, 'publication du corpus a', 'publications du corpus ont', lang)} au moins une "
            f"catégorie d'usage. {_q(top['category'], lang)} est la plus représentée{NB}: "
            f"{count(top['publications'], 'publication', 'publications', lang)} (nombre attendu "
            f"{fmt_num(top['expected'], lang)}, intervalle à 95{NB}% {fmt_span(top['low'], top['high'], lang)}), "
            f"dont {fmt_int(top['by_person'], lang)} "
            f"{'étiquetée' if top['by_person'] < 2 else 'étiquetées'} par une personne, "
            f"{fmt_int(top['by_rule'], lang)} par une règle et {fmt_int(top['by_model'], lang)} par le modèle.",
            f"{count(labelled, 'publication of the corpus has', 'publications of the corpus have', lang)} at "
            f"least one category of use. {_q(top['category'], lang)} is the most frequent: "
            f"{count(top['publications'], 'publication', 'publications', lang)} (expected count "
            f"{fmt_num(top['expected'], lang)}, 95 % interval {fmt_span(top['low'], top['high'], lang)}), of which "
            f"{fmt_int(top['by_person'], lang)} labelled by a person, {fmt_int(top['by_rule'], lang)} by a "
            f"rule and {fmt_int(top['by_model'], lang)} by the model.",
        ),
        source=ctx.source,
        method=ctx.t(
            "Une publication peut relever de plusieurs catégories ; elle compte une fois dans chacune. ",
            "A publication may fall under several categories; it counts once in each. ",
        )
        + _range_note(ctx),
        method_anchor="categories",
        columns=[Column("category", cat_t), *_use_columns(lang)],
        rows=rows,
        spec=_bar_range(rows, "category", pubs_t, cat_t, pubs_t),
        label_key="category",
        value_key="publications",
        low_key="low",
        high_key="high",
        empty_text=ctx.t(
            "Rien à tracer : aucune publication du corpus n'a encore de catégorie d'usage.",
            "Nothing to draw: no publication of the corpus has a category of use yet.",
        )
        if none
        else "",
    )


@french_typography
def categories_methods(ctx: Context) -> Chart:
    lang, results = ctx.lang, ctx.results
    names, cat_t = _names(ctx), ctx.label("category")
    rows = [
        {"category": names[r["category"]], "label": f"{_short(names[r['category']], 30)} — {METHOD_NAMES[m][lang]}",
         "method": METHOD_NAMES[m][lang], "labels": r[f"by_{m}"]}
        for r in _by_publications(results)
        for m in METHODS
    ]  # fmt: skip
    p = results["perimeter"]
    none = not p.get("labels", 0)
    return Chart(
        id="categories_methods",
        title=ctx.t("Qui a posé les étiquettes d'usage", "Who set the kinds of use"),
        comment=ctx.t("Aucune étiquette d'usage n'a été posée.", "No kind-of-use label has been set.")
        if none
        else ctx.t(
            f"Sur {count(p.get('labels', 0), 'étiquette', 'étiquettes', lang)}{NB}: {fmt_int(p.get('labels_by_person', 0), lang)} "
            f"posées ou corrigées par une personne, {fmt_int(p.get('labels_by_rule', 0), lang)} par une règle, "
            f"{fmt_int(p.get('labels_by_model', 0), lang)} par le modèle.",
            f"Of {count(p.get('labels', 0), 'label', 'labels', lang)}: {fmt_int(p.get('labels_by_person', 0), lang)} set or "
            f"corrected by a person, {fmt_int(p.get('labels_by_rule', 0), lang)} by a rule, "
            f"{fmt_int(p.get('labels_by_model', 0), lang)} by the model.",
        ),
        source=ctx.source,
        method=ctx.t(
            "La correction d'une personne remplace les étiquettes de la machine et n'est jamais écrasée.",
            "A person's correction replaces the machine's labels and is never overwritten.",
        ),
        method_anchor="categories",
        columns=cols(
            ("category", cat_t),
            ("method", ctx.label("set_by")),
            ("labels", ctx.label("labels")),
        ),
        rows=rows,
        spec={
            "$schema": SCHEMA,
            "description": ctx.label("labels"),
            "width": "container",
            "height": {"step": 18},
            "data": {"values": rows},
            "mark": {"type": "bar", "tooltip": True},
            "encoding": {
                "y": {
                    "field": "category",
                    "type": "nominal",
                    "title": cat_t,
                    "sort": None,
                    "axis": {"labelLimit": LABEL_LIMIT},
                },
                "x": {
                    "field": "labels",
                    "type": "quantitative",
                    "stack": True,
                    "title": ctx.label("labels"),
                    "axis": dict(COUNT_AXIS),
                },
                "color": {
                    "field": "method",
                    "type": "nominal",
                    "title": ctx.label("set_by"),
                    "scale": {
                        "domain": [METHOD_NAMES[m][lang] for m in METHOD_COLOURS],
                        "range": list(METHOD_COLOURS.values()),
                    },
                },
            },
        },
        label_key="label",
        value_key="labels",
        empty_text=ctx.t(
            "Rien à tracer : aucune étiquette d'usage n'a été posée, ni par une personne, ni par une règle, "
            "ni par le modèle.",
            "Nothing to draw: no kind-of-use label has been set, by a person, a rule or the model.",
        )
        if none
        else "",
    )


@french_typography
def categories_by_year(ctx: Context) -> Chart:
    """The most frequent categories, per year."""
    lang, results = ctx.lang, ctx.results
    names, pubs_t, cat_t = _names(ctx), ctx.label("publications_corpus"), ctx.label("category")
    year_t = ctx.label("year")
    top_ids = [r["category"] for r in _by_publications(results) if r["publications"]][:TOP_LINES]
    rows = [
        {"category": names[r["category"]], "year": r["year"], **{k: r[k] for k in USE_FIELDS}}
        for r in results["categories_by_year"] if r["category"] in top_ids
    ]  # fmt: skip
    last = results["edition"]["last_publication_year"]
    latest = [r for r in rows if r["year"] == last]
    best = max(latest, key=lambda r: (r["publications"], r["category"]), default=None)
    if best is not None and not best["publications"]:
        best = None
    none = not any(r["publications"] for r in rows)
    return Chart(
        id="categories_by_year",
        title=ctx.t("Catégories d'usage par année", "Categories of use by year"),
        comment=ctx.t(
            f"En {last}, {_q(best['category'], lang)} compte "
            f"{count(best['publications'], 'publication', 'publications', lang)} "
            f"(intervalle à 95{NB}% {fmt_span(best['low'], best['high'], lang)})."
            if best
            else f"Aucune publication étiquetée en {last}.",
            f"In {last}, {_q(best['category'], lang)} counts "
            f"{count(best['publications'], 'publication', 'publications', lang)} "
            f"(95 % interval {fmt_span(best['low'], best['high'], lang)})."
            if best
            else f"No labelled publication in {last}.",
        ),
        source=ctx.source,
        method=ctx.t(
            f"Les {len(top_ids)} catégories les plus représentées, par année de publication ; toutes les "
            "catégories et années, avec nombre attendu et intervalle, dans le CSV.",
            f"The {len(top_ids)} most frequent categories, by publication year; every category and year, with "
            "expected count and interval, in the CSV.",
        ),
        method_anchor="categories",
        columns=[Column("category", cat_t), Column("year", year_t), *_use_columns(lang)],
        rows=rows,
        spec=_lines(rows, "year", "publications", "category", (year_t, pubs_t, cat_t), pubs_t),
        empty_text=ctx.t(
            "Rien à tracer : aucune publication du corpus n'a encore de catégorie d'usage.",
            "Nothing to draw: no publication of the corpus has a category of use yet.",
        )
        if none
        else "",
    )


@french_typography
def sources_by_category(ctx: Context) -> Chart:
    """Source × category, family view."""
    lang, results = ctx.lang, ctx.results
    names, pubs_t, cat_t = _names(ctx), ctx.label("publications_corpus"), ctx.label("category")
    pairs = sorted(
        (r for r in results.get("sources_by_category", []) if r["basis"] == "family" and r["publications"]),
        key=lambda r: (-r["publications"], r["source"], r["category"]),
    )[:TOP_PAIRS]
    rows = [
        {"pair": f"{ctx.source_name(r['source'])} · {_short(names[r['category']], 40)}",
         "source": ctx.source_name(r["source"]),
         "category": names[r["category"]], **{k: r[k] for k in USE_FIELDS}}
        for r in pairs
    ]  # fmt: skip
    first = rows[0] if rows else None
    return Chart(
        id="sources_by_category",
        title=ctx.t("Sources et catégories d'usage", "Sources and categories of use"),
        comment=ctx.t(
            f"Couple le plus fréquent{NB}: {first['source']} et {_q(first['category'], lang)}, "
            f"{count(first['publications'], 'publication', 'publications', lang)} (intervalle à 95{NB}% "
            f"{fmt_span(first['low'], first['high'], lang)})."
            if first
            else "Aucune publication étiquetée n'utilise de source.",
            f"Most frequent pair: {first['source']} and {_q(first['category'], lang)}, "
            f"{count(first['publications'], 'publication', 'publications', lang)} (95 % interval "
            f"{fmt_span(first['low'], first['high'], lang)})."
            if first
            else "No labelled publication uses a source.",
        ),
        source=ctx.source,
        method=ctx.t(
            f"Vue famille (la source ou l'une de ses composantes), {TOP_PAIRS} premiers couples ; vues "
            "« propre » et « famille » de tous les couples dans les données ouvertes. ",
            f"Family view (the source or one of its components), top {TOP_PAIRS} pairs; “own” and “family” views "
            "of every pair in the open data. ",
        )
        + _range_note(ctx),
        method_anchor="categories",
        columns=[
            Column("source", ctx.label("source_header")),
            Column("category", cat_t),
            *_use_columns(lang),
        ],
        rows=rows,
        spec=_bar_range(rows, "pair", pubs_t, ctx.label("source_category"), pubs_t),
        label_key="pair",
        value_key="publications",
        low_key="low",
        high_key="high",
        empty_text=""
        if rows
        else ctx.t(
            "Rien à tracer : aucune publication étiquetée n'utilise de source, il n'y a pas de couple source "
            "et catégorie.",
            "Nothing to draw: no labelled publication uses a source, so there is no source and category pair.",
        ),
    )


@french_typography
def case_categories(ctx: Context) -> Chart:
    """The cases' own categories, apart from the corpus's."""
    lang, results = ctx.lang, ctx.results
    names, cat_t = _names(ctx), ctx.label("category")
    rows = [
        {"category": names[r["category"]], "cases": r["cases"], "decisions": r["decisions"],
         "publications_in_cases": r.get("publications_in_cases", 0)}
        for r in sorted(results["categories"], key=lambda r: (-r["cases"], r["category"]))
    ]  # fmt: skip
    top = rows[0] if rows else None
    none = top is None or not top["cases"]
    return Chart(
        id="case_categories",
        title=ctx.t("Cas documentés par catégorie d'usage", "Documented cases by category of use"),
        comment=ctx.t(
            "Aucun cas documenté n'a de catégorie d'usage.", "No documented case has a category of use."
        )
        if none
        else ctx.t(
            f"{_q(top['category'], lang)} réunit le plus de cas documentés ({fmt_int(top['cases'], lang)} "
            f"cas, {count(top['decisions'], 'décision', 'décisions', lang)}).",
            f"{_q(top['category'], lang)} gathers the most documented cases "
            f"({count(top['cases'], 'case', 'cases', lang)}, {count(top['decisions'], 'decision', 'decisions', lang)}).",
        ),
        source=ctx.source,
        method=ctx.t(
            "Catégories attribuées aux cas par ceux qui les documentent, distinctes des catégories des "
            "publications du corpus ; la dernière colonne compte les publications du corpus que ces cas citent.",
            "Categories given to the cases by those who document them, distinct from the categories of the "
            "corpus publications; the last column counts the corpus publications those cases cite.",
        ),
        method_anchor="decisions",
        columns=cols(
            ("category", cat_t),
            ("cases", ctx.label("cases")),
            ("decisions", ctx.label("decisions")),
            (
                "publications_in_cases",
                ctx.label("publications_cited_by_cases"),
            ),
        ),
        rows=rows,
        spec=_bar(
            rows,
            "category",
            "cases",
            cat_t,
            ctx.label("cases"),
            horizontal=True,
            color=GREY,
            description=ctx.label("cases"),
        ),
        label_key="category",
        value_key="cases",
        empty_text=ctx.t(
            "Rien à tracer : aucun cas documenté n'a de catégorie d'usage.",
            "Nothing to draw: no documented case has a category of use.",
        )
        if none
        else "",
    )


#: The kinds-of-use charts, in the order the national barometer shows them.
USE_CHARTS: dict[str, ChartBuilder] = {
    "categories": categories,
    "categories_methods": categories_methods,
    "categories_by_year": categories_by_year,
    "sources_by_category": sources_by_category,
    "case_categories": case_categories,
}


def use_charts(results: dict[str, Any], lang: str, src: str = "") -> list[Chart]:
    """The kinds-of-use charts of an edition, with the source line ``src`` (by default, the edition's)."""
    ctx = Context(results, lang, source=src)
    return [chart for build in USE_CHARTS.values() if (chart := build(ctx)) is not None]
