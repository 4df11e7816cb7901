"""The local barometer of one data custodian (only its sources): one builder per chart, in the order of
:data:`LOCAL_CHARTS`."""

from __future__ import annotations

from benefice.barometer.charts.base import GREEN, Chart, ChartBuilder, Context, _bar, cols, french_typography
from benefice.barometer.texts import count, fmt_pct


def _custodian(ctx: Context) -> dict:
    if ctx.custodian is None:
        raise ValueError("a local chart needs the custodian")
    return ctx.custodian


@french_typography
def local_by_year(ctx: Context) -> Chart:
    lang, custodian = ctx.lang, _custodian(ctx)
    year_t = ctx.label("year")
    pubs_t = ctx.label("publications")
    key = custodian["custodian_slug"]
    rows = [
        {"year": r["year"], "publications": r["publications"]}
        for r in ctx.results["custodians_by_year"] if r["custodian_slug"] == key
    ]  # fmt: skip
    total = sum(r["publications"] for r in rows)
    name = custodian["custodian"]
    return Chart(
        id="local_by_year",
        title=ctx.t(
            "Publications utilisant ses sources, par année",
            "Publications using its sources, by year",
        ),
        comment=ctx.t(
            f"{count(total, 'publication utilise', 'publications utilisent', lang)} au moins une source de "
            f"{name} sur la période, dont {count(rows[-1]['publications'], 'publication', 'publications', lang)} "
            f"en {rows[-1]['year']}.",
            f"{count(total, 'publication uses', 'publications use', lang)} at least one source of {name} over "
            f"the period, {count(rows[-1]['publications'], 'publication', 'publications', lang)} of them in "
            f"{rows[-1]['year']}.",
        )
        if total
        else ctx.t(
            f"Aucune publication du périmètre n'utilise une source de {name}.",
            f"No publication of the perimeter uses a source of {name}.",
        ),
        source=ctx.source,
        method=ctx.t(
            "Une publication compte une fois, quel que soit le nombre de sources du responsable utilisées.",
            "A publication counts once, whatever the number of the custodian's sources it uses.",
        ),
        method_anchor="custodians",
        columns=cols(("year", year_t), ("publications", pubs_t)),
        rows=rows,
        spec=_bar(rows, "year", "publications", year_t, pubs_t, color=GREEN, description=pubs_t),
        label_key="year",
        value_key="publications",
        empty_text=""
        if total
        else ctx.t(
            f"Rien à tracer : aucune publication du périmètre n'utilise une source de {name}.",
            f"Nothing to draw: no publication of the perimeter uses a source of {name}.",
        ),
    )


@french_typography
def local_sources(ctx: Context) -> Chart:
    lang, custodian = ctx.lang, _custodian(ctx)
    pubs_t = ctx.label("publications")
    members = set(custodian["sources"].split("|"))
    rows = [
        {"source": ctx.source_name(r["source"]), "publications_own": r["publications_own"],
         "precise_share": r["precise_share"],
         "authorisation_share": r["authorisation_share"], "documentation_share": r["documentation_share"],
         "cases_own": r.get("cases_own", 0)}
        for r in ctx.results["sources"] if r["source"] in members
    ]  # fmt: skip
    return Chart(
        id="local_sources",
        title=ctx.t(
            "Ses sources : publications et qualité de citation",
            "Its sources: publications and citation quality",
        ),
        comment=ctx.t(
            "; ".join(
                f"{r['source']} : {count(r['publications_own'], 'publication', 'publications', lang)}, nommée "
                f"précisément dans {fmt_pct(r['precise_share'], lang)} des cas"
                for r in rows
            )
            + ".",
            "; ".join(
                f"{r['source']}: {count(r['publications_own'], 'publication', 'publications', lang)}, named precisely in "
                f"{fmt_pct(r['precise_share'], lang)} of uses"
                for r in rows
            )
            + ".",
        ),
        source=ctx.source,
        method=ctx.t(
            "Comptes propres (la source nommée elle-même) ; une source sans publication figure avec zéro.",
            "Own counts (the named source itself); a source with no publication is shown with zero.",
        ),
        method_anchor="citation",
        columns=cols(
            ("source", ctx.label("source_header")),
            ("publications_own", ctx.label("publications_own")),
            ("precise_share", ctx.label("named_precisely")),
            ("authorisation_share", ctx.label("authorisation_cited")),
            ("documentation_share", ctx.label("documentation_cited")),
            ("cases_own", ctx.label("documented_cases")),
        ),
        rows=rows,
        spec=_bar(
            rows,
            "source",
            "publications_own",
            ctx.label("source_header"),
            pubs_t,
            horizontal=True,
            color=GREEN,
            description=pubs_t,
        ),
        label_key="source",
        value_key="publications_own",
    )


#: The charts of a custodian's local barometer, in the order its page shows them.
LOCAL_CHARTS: dict[str, ChartBuilder] = {
    "local_by_year": local_by_year,
    "local_sources": local_sources,
}
