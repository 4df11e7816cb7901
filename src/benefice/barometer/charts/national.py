"""The national charts about publications, sources, custodians, citation, decisions, impact, delays and the
ranking: one builder per chart (the kinds of use are in :mod:`.uses`)."""

from __future__ import annotations

from typing import Any

from benefice.barometer.charts.base import (
    GREEN,
    GREY,
    TOP_CUSTODIANS,
    TOP_LINES,
    TOP_SOURCES,
    Chart,
    Context,
    _bar,
    _lines,
    _ranges,
    _short,
    cols,
    french_typography,
)
from benefice.barometer.texts import case_title, count, fmt_int, fmt_pct, fmt_span, measure_name, unit_name


def _top_sources(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The most used sources (family view), most used first."""
    return sorted(
        (r for r in results["sources"] if r["publications_family"]),
        key=lambda r: (-r["publications_family"], r["source"]),
    )[:TOP_SOURCES]


@french_typography
def publications_by_year(ctx: Context) -> Chart:
    lang, results = ctx.lang, ctx.results
    last = results["edition"]["last_publication_year"]
    year_t, pubs_t = ctx.label("year"), ctx.label("publications")
    rows = [
        {"year": r["year"], "publications": r["using_french_source"], "change": r["change"],
         "change_pct": r["change_pct"]}
        for r in results["publications_by_year"]
    ]  # fmt: skip
    peak = max(rows, key=lambda r: (r["publications"], -r["year"]))
    latest = rows[-1]
    change = fmt_pct(latest["change_pct"], lang, signed=True) if latest["change_pct"] is not None else "—"
    none = not peak["publications"]
    return Chart(
        id="publications_by_year",
        title=ctx.t(
            "Publications utilisant une source française, par année",
            "Publications using a French source, by year",
        ),
        comment=ctx.t(
            f"{count(latest['publications'], 'publication', 'publications', lang)} en {last} ({change} sur un "
            f"an) ; le maximum de la période est atteint en {peak['year']} ({fmt_int(peak['publications'], lang)}).",
            f"{count(latest['publications'], 'publication', 'publications', lang)} in {last} ({change} year on "
            f"year); the peak of the period is {peak['year']} ({fmt_int(peak['publications'], lang)}).",
        )
        if not none
        else ctx.t(
            "Aucune publication du périmètre n'utilise une source française.",
            "No publication of the perimeter uses a French source.",
        ),
        source=ctx.source,
        method=ctx.t(
            "Une publication compte une fois par année de publication, quel que soit le nombre de sources "
            "qu'elle utilise ; l'année d'observation est distincte de l'année de publication.",
            "A publication counts once in its publication year, whatever the number of sources it uses; the "
            "observation date is distinct from the publication year.",
        ),
        method_anchor="perimeter",
        columns=cols(
            ("year", year_t),
            ("publications", pubs_t),
            ("change", ctx.label("change")),
            ("change_pct", ctx.label("change_share")),
        ),
        rows=rows,
        spec=_bar(rows, "year", "publications", year_t, pubs_t, description=year_t),
        label_key="year",
        value_key="publications",
        empty_text=ctx.t(
            "Rien à tracer : aucune publication du périmètre n'utilise une source française.",
            "Nothing to draw: no publication of the perimeter uses a French source.",
        )
        if none
        else "",
    )


@french_typography
def sources(ctx: Context) -> Chart:
    lang, results = ctx.lang, ctx.results
    pubs_t = ctx.label("publications")
    rows = [
        {"source": ctx.source_name(r["source"]), "name": r[f"name_{lang}"],
         "publications_family": r["publications_family"],
         "publications_own": r["publications_own"]}
        for r in _top_sources(results)
    ]  # fmt: skip
    zero = sum(1 for r in results["sources"] if not r["publications_family"])
    first = rows[0] if rows else None
    return Chart(
        id="sources",
        title=ctx.t(
            f"Les {len(rows)} sources les plus utilisées (avec leurs composantes)"
            if len(rows) > 1
            else "La source la plus utilisée (avec ses composantes)",
            f"The {len(rows)} most used sources (with their components)"
            if len(rows) > 1
            else "The most used source (with its components)",
        ),
        comment=ctx.t(
            (
                f"{first['name']} ({first['source']}) arrive en tête avec "
                f"{count(first['publications_family'], 'publication', 'publications', lang)}. "
                if first
                else ""
            )
            + (
                f"{count(zero, 'source', 'sources', lang)} du registre "
                + ("n'a" if zero < 2 else "n'ont")
                + " aucune publication dans le périmètre (voir le tableau complet)."
            ),
            (
                f"{first['name']} ({first['source']}) comes first with "
                f"{count(first['publications_family'], 'publication', 'publications', lang)}. "
                if first
                else ""
            )
            + f"{count(zero, 'registry source has', 'registry sources have', lang)} no publication in the "
            "perimeter (see the full table).",
        ),
        source=ctx.source,
        method=ctx.t(
            "Vue « famille » : une publication compte une fois pour une source si elle utilise la source "
            "ou l'une de ses composantes. La colonne « propre » ne compte que la source nommée elle-même.",
            "“Family” view: a publication counts once for a source if it uses the source or any of its "
            "components. The “own” column counts the named source alone.",
        ),
        method_anchor="rollup",
        columns=cols(
            ("source", ctx.label("source_header")),
            ("name", ctx.label("name")),
            ("publications_family", ctx.label("publications_family")),
            ("publications_own", ctx.label("publications_own")),
        ),
        rows=rows,
        spec=_bar(
            rows,
            "source",
            "publications_family",
            ctx.label("source_header"),
            pubs_t,
            horizontal=True,
            description=pubs_t,
        ),
        label_key="source",
        value_key="publications_family",
        empty_text=""
        if rows
        else ctx.t(
            "Rien à tracer : aucune publication du périmètre n'utilise une source du registre.",
            "Nothing to draw: no publication of the perimeter uses a registry source.",
        ),
    )


@french_typography
def sources_by_year(ctx: Context) -> Chart:
    lang, results = ctx.lang, ctx.results
    e = results["edition"]
    last = e["last_publication_year"]
    year_t, pubs_t = ctx.label("year"), ctx.label("publications")
    top_ids = [r["source"] for r in _top_sources(results)[:TOP_LINES]]
    rows = [
        {"source": ctx.source_name(r["source"]), "year": r["year"], "publications": r["publications_family"],
         "change": r["change_family"]}
        for r in results["sources_by_year"] if r["source"] in top_ids
    ]  # fmt: skip
    growth = []
    for sid in top_ids:
        series = [r for r in rows if r["source"] == ctx.source_name(sid)]
        growth.append((series[-1]["publications"] - series[0]["publications"], ctx.source_name(sid)))
    best = max(growth) if growth else None
    first_year = e["first_publication_year"]
    if best is None:
        comment = ctx.t("Aucune source utilisée.", "No source used.")
    elif best[0] > 0:
        comment = ctx.t(
            f"{f'Parmi les {len(top_ids)} premières sources, ' if len(top_ids) > 1 else ''}{best[1]} progresse "
            f"{'le plus ' if len(top_ids) > 1 else ''}sur la période "
            f"({count(best[0], 'publication', 'publications', lang)} de plus en {last} qu'en {first_year}).",
            f"{f'Among the top {len(top_ids)} sources, ' if len(top_ids) > 1 else ''}{best[1]} grows "
            f"{'most ' if len(top_ids) > 1 else ''}over the period "
            f"({count(best[0], 'more publication', 'more publications', lang)} in {last} than in {first_year}).",
        )
    else:  # nothing grew: no source "progresses most" by zero or less
        comment = ctx.t(
            f"Aucune des {len(top_ids)} premières sources n'a plus de publications en {last} qu'en "
            f"{first_year}."
            if len(top_ids) > 1
            else f"La source la plus utilisée n'a pas plus de publications en {last} qu'en {first_year}.",
            f"None of the top {len(top_ids)} sources has more publications in {last} than in {first_year}."
            if len(top_ids) > 1
            else f"The most used source has no more publications in {last} than in {first_year}.",
        )
    return Chart(
        id="sources_by_year",
        title=ctx.t("Évolution des sources les plus utilisées", "Trends of the most used sources"),
        comment=comment,
        source=ctx.source,
        method=ctx.t(
            "Vue famille, par année de publication ; variation d'une année sur l'autre dans le CSV.",
            "Family view, by publication year; year-over-year change in the CSV.",
        ),
        method_anchor="rollup",
        columns=cols(
            ("source", ctx.label("source_header")),
            ("year", year_t),
            ("publications", pubs_t),
            ("change", ctx.label("change_year")),
        ),
        rows=rows,
        spec=_lines(
            rows, "year", "publications", "source", (year_t, pubs_t, ctx.label("source_header")), pubs_t
        ),
        empty_text=""
        if rows
        else ctx.t(
            "Rien à tracer : aucune publication du périmètre n'utilise une source du registre.",
            "Nothing to draw: no publication of the perimeter uses a registry source.",
        ),
    )


@french_typography
def custodians(ctx: Context) -> Chart:
    lang, results = ctx.lang, ctx.results
    pubs_t = ctx.label("publications")
    top = sorted(
        (r for r in results["custodians"] if r["publications"]),
        key=lambda r: (-r["publications"], r["custodian"]),
    )[:TOP_CUSTODIANS]
    rows = [
        {"custodian": r["custodian"], "publications": r["publications"], "sources": r["sources"]} for r in top
    ]
    return Chart(
        id="custodians",
        title=ctx.t("Publications par responsable de données", "Publications by data custodian"),
        comment=ctx.t(
            f"{rows[0]['custodian']} est le responsable dont les sources sont les plus utilisées "
            f"({count(rows[0]['publications'], 'publication', 'publications', lang)})."
            if rows
            else "Aucune publication n'utilise la source d'un responsable connu.",
            f"{rows[0]['custodian']} is the custodian whose sources are most used "
            f"({count(rows[0]['publications'], 'publication', 'publications', lang)})."
            if rows
            else "No publication uses a source of a known custodian.",
        ),
        source=ctx.source,
        method=ctx.t(
            "Une publication compte une fois pour un responsable, quel que soit le nombre de ses sources utilisées.",
            "A publication counts once for a custodian, whatever the number of its sources it uses.",
        ),
        method_anchor="custodians",
        columns=cols(
            ("custodian", ctx.label("custodian")),
            ("publications", pubs_t),
            ("sources", ctx.label("sources")),
        ),
        rows=rows,
        spec=_bar(
            rows,
            "custodian",
            "publications",
            ctx.label("custodian"),
            pubs_t,
            horizontal=True,
            color=GREEN,
            description=pubs_t,
        ),
        label_key="custodian",
        value_key="publications",
        empty_text=""
        if rows
        else ctx.t(
            "Rien à tracer : aucune publication du périmètre n'utilise la source d'un responsable connu.",
            "Nothing to draw: no publication of the perimeter uses a source of a known custodian.",
        ),
    )


@french_typography
def citation_by_year(ctx: Context) -> Chart:
    lang, results = ctx.lang, ctx.results
    year_t = ctx.label("year")
    measures = (
        ("precise_share", ctx.label("source_named_precisely")),
        ("authorisation_share", ctx.label("authorisation_cited")),
        ("documentation_share", ctx.label("documentation_cited")),
    )
    rows = [
        {"year": r["year"], "measure": label, "share": r[key]}
        for r in results["publications_by_year"] for key, label in measures if r[key] is not None
    ]  # fmt: skip
    latest = next((r for r in reversed(results["publications_by_year"]) if r["using_any_source"]), None)
    return Chart(
        id="citation_by_year",
        title=ctx.t("Comment les sources sont citées", "How sources are cited"),
        comment=ctx.t(
            f"En {latest['year']}, {fmt_pct(latest['precise_share'], lang)} des usages nomment la source "
            f"précisément, {fmt_pct(latest['authorisation_share'], lang)} des publications citent l'autorisation "
            f"et {fmt_pct(latest['documentation_share'], lang)} la documentation."
            if latest
            else "Aucune publication n'utilise de source : pas de part à calculer.",
            f"In {latest['year']}, {fmt_pct(latest['precise_share'], lang)} of uses name the source precisely, "
            f"{fmt_pct(latest['authorisation_share'], lang)} of publications cite the authorisation and "
            f"{fmt_pct(latest['documentation_share'], lang)} the documentation."
            if latest
            else "No publication uses a source: no share to compute.",
        ),
        source=ctx.source,
        method=ctx.t(
            "Nommée précisément : par son nom, son sigle, une traduction ou un ancien nom, pas seulement "
            "par une description générique ; parts calculées sur les usages dont la forme est connue.",
            "Named precisely: by its name, acronym, a translation or a former name, not only by a generic "
            "description; shares over the uses whose form is known.",
        ),
        method_anchor="citation",
        columns=cols(
            ("year", year_t),
            ("measure", ctx.label("measure")),
            ("share", ctx.label("share")),
        ),
        rows=rows,
        spec=_lines(
            rows,
            "year",
            "share",
            "measure",
            (year_t, ctx.label("share"), ctx.label("measure")),
            ctx.label("shares"),
            y_format="%",
        ),
        share=True,
        empty_text=""
        if rows
        else ctx.t(
            "Rien à tracer : aucune publication du périmètre n'utilise une source, il n'y a pas de part à "
            "calculer.",
            "Nothing to draw: no publication of the perimeter uses a source, there is no share to compute.",
        ),
    )


@french_typography
def decision_types(ctx: Context) -> Chart:
    lang = ctx.lang
    rows = [{"type": r[f"name_{lang}"], "rank": r["rank"], "decisions": r["decisions"], "cases": r["cases"]}
            for r in ctx.results["decision_types"]]  # fmt: skip
    most = max(rows, key=lambda r: (r["decisions"], r["rank"]), default=None)
    none = most is None or not most["decisions"]
    spec = _bar(
        rows,
        "type",
        "decisions",
        ctx.label("type"),
        ctx.label("decisions"),
        horizontal=False,
        color=GREY,
        description=ctx.label("decisions"),
        x_type="nominal",
    )
    spec["encoding"]["x"]["sort"] = None  # the typology's order, weakest to strongest
    return Chart(
        id="decision_types",
        title=ctx.t(
            "Décisions par type (du plus faible au plus fort)",
            "Decisions by type (weakest to strongest)",
        ),
        comment=ctx.t(
            "Aucune décision n'est datée au plus tard à la date d'observation.",
            "No decision is dated no later than the observation date.",
        )
        if none
        else ctx.t(
            f"Le type de décision le plus fréquent est « {most['type']} » "
            f"({count(most['decisions'], 'décision', 'décisions', lang)} dans {fmt_int(most['cases'], lang)} cas).",
            f"The most frequent kind of decision is “{most['type']}” "
            f"({count(most['decisions'], 'decision', 'decisions', lang)} in "
            f"{count(most['cases'], 'case', 'cases', lang)}).",
        ),
        source=ctx.source,
        method=ctx.t(
            "Décisions datées au plus tard à la date d'observation ; échelle ordinale de la typologie.",
            "Decisions dated no later than the observation date; ordinal scale of the typology.",
        ),
        method_anchor="decisions",
        columns=cols(
            ("type", ctx.label("type")),
            ("rank", ctx.label("rank")),
            ("decisions", ctx.label("decisions")),
            ("cases", ctx.label("cases")),
        ),
        rows=rows,
        spec=spec,
        label_key="type",
        value_key="decisions",
        empty_text=ctx.t(
            "Rien à tracer : aucune décision des cas documentés n'est datée au plus tard à la date "
            "d'observation.",
            "Nothing to draw: no decision of the documented cases is dated no later than the observation date.",
        )
        if none
        else "",
    )


@french_typography
def impact_ranges(ctx: Context) -> Chart:
    lang = ctx.lang
    rows = [
        {"label": f"{measure_name(r['measure'], lang)} ({unit_name(r['unit'], lang)})",
         "measure": r["measure"], "unit": r["unit"], "low": r["low"], "value": r["value"], "high": r["high"],
         "cases": r["cases"], "figures": r["figures"]}
        for r in ctx.results["impact_ranges"]
    ]  # fmt: skip
    return Chart(
        id="impact_ranges",
        title=ctx.t(
            "Personnes concernées et événements (fourchettes)",
            "People concerned and events (ranges)",
        ),
        comment=ctx.t(
            " ; ".join(f"{r['label']} : {fmt_span(r['low'], r['high'], lang)}" for r in rows) + "."
            if rows
            else "Aucun chiffre disponible à la date d'observation.",
            "; ".join(f"{r['label']}: {fmt_span(r['low'], r['high'], lang)}" for r in rows) + "."
            if rows
            else "No figure available at the observation date.",
        ),
        source=ctx.source,
        method=ctx.t(
            "Toujours des fourchettes : dans un cas, les chiffres d'une même unité peuvent se recouvrir "
            "(bas = plus grande borne basse, haut = somme des bornes hautes) ; entre cas, ils s'additionnent. "
            "Chiffres non vérifiés exclus.",
            "Always ranges: within a case, figures in the same unit may overlap (low = largest low, high = sum "
            "of highs); across cases they add up. Unverified figures excluded.",
        ),
        method_anchor="ranges",
        columns=cols(
            ("label", ctx.label("measure")),
            ("low", ctx.label("low")),
            ("value", ctx.label("central_value")),
            ("high", ctx.label("high")),
            ("cases", ctx.label("cases")),
            ("figures", ctx.label("figures")),
        ),
        rows=rows,
        spec=_ranges(rows, "label", ctx.label("number"), ctx.label("ranges")),
        label_key="label",
        value_key="value",
        low_key="low",
        high_key="high",
        empty_text=""
        if rows
        else ctx.t(
            "Rien à tracer : aucun chiffre vérifié des cas documentés n'est disponible à la date d'observation.",
            "Nothing to draw: no verified figure of the documented cases is available at the observation date.",
        ),
    )


@french_typography
def delays(ctx: Context) -> Chart:
    lang, results = ctx.lang, ctx.results
    titles = {c["case"]: _short(case_title(c, lang)) for c in results["cases"]}
    rows = [{"case": titles.get(d["case"], d["case"]), "low": d["months_low"], "high": d["months_high"],
             "value": None, "study_date": d["study_date"], "decision_date": d["decision_date"]}
            for d in results["delays"]]  # fmt: skip
    summary = results["delay_summary"]
    median = fmt_span(summary.get("median_low"), summary.get("median_high"), lang, integer=False)
    without = summary.get("without_study", 0)  # cases with decisions and no dated study, counted apart
    return Chart(
        id="delays",
        title=ctx.t(
            "Délai de l'étude à la décision, par cas (mois)",
            "Time from study to decision, by case (months)",
        ),
        comment=ctx.t(
            f"Délai médian : {median} mois sur {count(summary['cases'], 'cas daté', 'cas datés', lang)}."
            if summary["cases"]
            else "Aucun cas n'a à la fois une étude datée et une décision qui la suit : pas de délai à mesurer.",
            f"Median time: {median} months over {count(summary['cases'], 'dated case', 'dated cases', lang)}."
            if summary["cases"]
            else "No case has both a dated study and a decision that follows it: no delay to measure.",
        )
        + ctx.t(
            f" {count(without, 'cas a', 'cas ont', lang)} des décisions sans étude datée.",
            f" {count(without, 'case has', 'cases have', lang)} decisions but no dated study.",
        )
        * bool(without),
        source=ctx.source,
        method=ctx.t(
            "De la première étape datée évoquant une étude, un rapport ou des résultats à la première "
            "décision datée qui suit ; une date connue à l'année couvre douze mois.",
            "From the first dated step that speaks of a study, report or results to the first dated decision "
            "that follows; a date known to the year spans twelve months.",
        ),
        method_anchor="delays",
        columns=cols(
            ("case", ctx.label("case")),
            ("study_date", ctx.label("study")),
            ("decision_date", ctx.label("decision")),
            ("low", ctx.label("months_low")),
            ("high", ctx.label("months_high")),
        ),
        rows=rows,
        spec=_ranges(rows, "case", ctx.label("months"), ctx.label("delays")),
        label_key="case",
        value_key="high",
        low_key="low",
        high_key="high",
        empty_text=""
        if rows
        else ctx.t(
            "Rien à tracer : aucun cas n'a à la fois une étude datée et une décision qui la suit.",
            "Nothing to draw: no case has both a dated study and a decision that follows it.",
        ),
    )


@french_typography
def ranking(ctx: Context) -> Chart | None:
    """The ranking of the cases and how stable each rank is under uncertain weights (when the edition has
    one)."""
    lang, results = ctx.lang, ctx.results
    ranked = results.get("ranking") or {}
    if not (ranked.get("available") and ranked.get("rows")):
        return None
    titles = {c["case"]: case_title(c, lang) for c in results["cases"]}
    rows = [{"case": f"{r['rank']}. {_short(titles.get(r['case'], r['case']))}", "value": r["rank"],
             "low": r["rank_low"], "high": r["rank_high"], "score": r["score"]} for r in ranked["rows"]]  # fmt: skip
    stable = sum(1 for r in ranked["rows"] if r["rank_low"] == r["rank_high"])
    top = rows[0]
    return Chart(
        id="ranking",
        title=ctx.t(
            "Classement des cas et stabilité des rangs",
            "Ranking of cases and stability of ranks",
        ),
        comment=ctx.t(
            f"En tête : {top['case']} (rangs plausibles {fmt_span(top['low'], top['high'], lang)}). Cas gardant le "
            f"même rang quelles que soient les pondérations tirées : {fmt_int(stable, lang)} sur "
            f"{fmt_int(len(rows), lang)}.",
            f"First: {top['case']} (plausible ranks {fmt_span(top['low'], top['high'], lang)}). Cases keeping the same "
            f"rank whatever the weights drawn: {fmt_int(stable, lang)} of {fmt_int(len(rows), lang)}.",
        ),
        source=ctx.source,
        method=ranked[f"note_{lang}"],
        method_anchor="weights",
        columns=cols(
            ("case", ctx.label("case")),
            ("value", ctx.label("rank")),
            ("low", ctx.label("best_rank")),
            ("high", ctx.label("worst_rank")),
            ("score", ctx.label("score")),
        ),
        rows=rows,
        spec=_ranges(rows, "case", ctx.label("rank"), ctx.label("plausible_ranks")),
        label_key="case",
        value_key="high",
        low_key="low",
        high_key="high",
    )
