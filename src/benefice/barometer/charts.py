"""The charts of an edition: data, Vega-Lite specification, comment, source and method note, per language.

One definition feeds the static site (rendered by vega-embed), its CSV downloads and table alternatives,
and the PDF report (which draws the same rows as plain SVG bars, since Vega needs a browser). A chart's
comment is built from the very rows it plots.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from benefice.barometer.texts import MEASURES, UNITS, fmt_int, fmt_num, fmt_pct, french_spaces

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
BLUE, GREEN, GREY = "#1f5fa8", "#2e7d5b", "#5a6270"
TOP_SOURCES = 25
TOP_CUSTODIANS = 15
TOP_LINES = 6


@dataclass
class Chart:
    """One chart in one language."""

    id: str
    title: str
    comment: str
    source: str
    method: str
    method_anchor: str
    columns: list[tuple[str, str]]  # (key, header) of the table alternative and CSV
    rows: list[dict[str, Any]]
    spec: dict[str, Any]
    label_key: str = ""  # for the PDF's SVG bars
    value_key: str = ""
    low_key: str = ""
    high_key: str = ""
    share: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The page labels the whole SVG (role=img + aria-label) and gives the data as a table: Vega's own
        # per-mark ARIA roles would be unlabelled images to a screen reader (axe: svg-img-alt).
        self.spec.setdefault("config", {})["aria"] = False

    @property
    def alt(self) -> str:
        return f"{self.title}. {self.comment}"


def _short(text: str, limit: int = 60) -> str:
    """A chart label: the text up to ``limit`` characters, cut at a word and marked with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:(") + "…"


def _t(lang: str, fr: str, en: str) -> str:
    return fr if lang == "fr" else en


def _source_line(results: dict[str, Any], lang: str) -> str:
    e, v = results["edition"], results["versions"]
    return _t(
        lang,
        f"Baromètre benefice {e['year']}, publications {e['first_publication_year']}–"
        f"{e['last_publication_year']} observées le {e['observed_at']} ; registre des sources {v['registry']}, "
        f"typologie {v['typology']}, indicateurs {v['indicators']}, cas {v['cases']}.",
        f"benefice barometer {e['year']}, publications {e['first_publication_year']}–"
        f"{e['last_publication_year']} observed on {e['observed_at']}; source registry {v['registry']}, "
        f"typology {v['typology']}, indicators {v['indicators']}, cases {v['cases']}.",
    )


def _bar(values: list[dict], x: str, y: str, x_title: str, y_title: str, *, horizontal: bool = False,
         color: str = BLUE, description: str = "", x_type: str = "ordinal") -> dict[str, Any]:  # fmt: skip
    if horizontal:
        encoding = {
            "y": {"field": x, "type": "nominal", "sort": "-x", "title": x_title},
            "x": {"field": y, "type": "quantitative", "title": y_title},
        }
        height: Any = {"step": 18}
    else:
        encoding = {
            "x": {"field": x, "type": x_type, "title": x_title},
            "y": {"field": y, "type": "quantitative", "title": y_title},
        }
        height = 240
    return {
        "$schema": SCHEMA,
        "description": description,
        "width": "container",
        "height": height,
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True, "color": color},
        "encoding": encoding,
    }


def _lines(values: list[dict], x: str, y: str, series: str, titles: tuple[str, str, str], description: str,
           y_format: str = "") -> dict[str, Any]:  # fmt: skip
    y_enc: dict[str, Any] = {"field": y, "type": "quantitative", "title": titles[1]}
    if y_format:
        y_enc["axis"] = {"format": y_format}
    return {
        "$schema": SCHEMA,
        "description": description,
        "width": "container",
        "height": 260,
        "data": {"values": values},
        "mark": {"type": "line", "point": True, "tooltip": True, "aria": False},
        "encoding": {
            "x": {"field": x, "type": "ordinal", "title": titles[0]},
            "y": y_enc,
            "color": {"field": series, "type": "nominal", "title": titles[2]},
        },
    }


def _ranges(values: list[dict], label: str, title: str, description: str) -> dict[str, Any]:
    """Horizontal low–high rules with a point at the central value (when known)."""
    y = {"field": label, "type": "nominal", "title": None, "sort": None}
    return {
        "$schema": SCHEMA,
        "description": description,
        "width": "container",
        "height": {"step": 24},
        "data": {"values": values},
        "encoding": {"y": y},
        "layer": [
            {
                "mark": {"type": "rule", "strokeWidth": 3, "color": BLUE, "tooltip": True},
                "encoding": {
                    "x": {"field": "low", "type": "quantitative", "title": title, "scale": {"zero": True}},
                    "x2": {"field": "high"},
                },
            },
            {
                "mark": {"type": "tick", "color": BLUE, "thickness": 2},
                "encoding": {"x": {"field": "low", "type": "quantitative"}},
            },
            {
                "mark": {"type": "tick", "color": BLUE, "thickness": 2},
                "encoding": {"x": {"field": "high", "type": "quantitative"}},
            },
            {
                "transform": [{"filter": "datum.value != null"}],
                "mark": {"type": "point", "filled": True, "color": "#b3261e", "size": 60},
                "encoding": {"x": {"field": "value", "type": "quantitative"}},
            },
        ],
    }


# ----------------------------------------------------------------------------------------------------------
# National charts
# ----------------------------------------------------------------------------------------------------------
def national_charts(results: dict[str, Any], lang: str) -> list[Chart]:
    src = _source_line(results, lang)
    e = results["edition"]
    last = e["last_publication_year"]
    charts: list[Chart] = []
    year_t = _t(lang, "Année de publication", "Publication year")
    pubs_t = _t(lang, "Publications", "Publications")

    # 1. Publications by year.
    rows = [
        {"year": r["year"], "publications": r["using_french_source"], "change": r["change"],
         "change_pct": r["change_pct"]}
        for r in results["publications_by_year"]
    ]  # fmt: skip
    peak = max(rows, key=lambda r: (r["publications"], -r["year"]))
    latest = rows[-1]
    change = fmt_pct(latest["change_pct"], lang, signed=True) if latest["change_pct"] is not None else "—"
    charts.append(
        Chart(
            "publications_by_year",
            _t(
                lang,
                "Publications utilisant une source française, par année",
                "Publications using a French source, by year",
            ),
            _t(
                lang,
                f"{fmt_int(latest['publications'], lang)} publications en {last} ({change} sur un an) ; "
                f"le maximum de la période est atteint en {peak['year']} ({fmt_int(peak['publications'], lang)}).",
                f"{fmt_int(latest['publications'], lang)} publications in {last} ({change} year on year); "
                f"the peak of the period is {peak['year']} ({fmt_int(peak['publications'], lang)}).",
            ),
            src,
            _t(
                lang,
                "Une publication compte une fois par année de publication, quel que soit le nombre de sources "
                "qu'elle utilise ; l'année d'observation est distincte de l'année de publication.",
                "A publication counts once in its publication year, whatever the number of sources it uses; the "
                "observation date is distinct from the publication year.",
            ),
            "perimeter",
            [
                ("year", year_t),
                ("publications", pubs_t),
                ("change", _t(lang, "Variation", "Change")),
                ("change_pct", _t(lang, "Variation (part)", "Change (share)")),
            ],
            rows,
            _bar(rows, "year", "publications", year_t, pubs_t, description=year_t),
            "year",
            "publications",
        )  # fmt: skip
    )

    # 2. Sources (family view).
    used = sorted(
        (r for r in results["sources"] if r["publications_family"]),
        key=lambda r: (-r["publications_family"], r["source"]),
    )[:TOP_SOURCES]
    rows = [
        {"source": r["source"], "name": r[f"name_{lang}"], "publications_family": r["publications_family"],
         "publications_own": r["publications_own"]}
        for r in used
    ]  # fmt: skip
    zero = sum(1 for r in results["sources"] if not r["publications_family"])
    first = rows[0] if rows else None
    charts.append(
        Chart(
            "sources",
            _t(
                lang,
                f"Les {len(rows)} sources les plus utilisées (avec leurs composantes)",
                f"The {len(rows)} most used sources (with their components)",
            ),
            _t(
                lang,
                (
                    f"{first['name']} ({first['source']}) arrive en tête avec {fmt_int(first['publications_family'], lang)} "
                    f"publications. "
                    if first
                    else ""
                )
                + f"{fmt_int(zero, lang)} sources du registre n'ont aucune publication dans le périmètre (voir le tableau complet).",
                (
                    f"{first['name']} ({first['source']}) comes first with {fmt_int(first['publications_family'], lang)} "
                    f"publications. "
                    if first
                    else ""
                )
                + f"{fmt_int(zero, lang)} registry sources have no publication in the perimeter (see the full table).",
            ),
            src,
            _t(
                lang,
                "Vue « famille » : une publication compte une fois pour une source si elle utilise la source "
                "ou l'une de ses composantes. La colonne « propre » ne compte que la source nommée elle-même.",
                "“Family” view: a publication counts once for a source if it uses the source or any of its "
                "components. The “own” column counts the named source alone.",
            ),
            "rollup",
            [
                ("source", _t(lang, "Source", "Source")),
                ("name", _t(lang, "Nom", "Name")),
                ("publications_family", _t(lang, "Publications (famille)", "Publications (family)")),
                ("publications_own", _t(lang, "Publications (propre)", "Publications (own)")),
            ],
            rows,
            _bar(
                rows,
                "source",
                "publications_family",
                _t(lang, "Source", "Source"),
                pubs_t,
                horizontal=True,
                description=pubs_t,
            ),
            "source",
            "publications_family",
        )  # fmt: skip
    )

    # 3. Top families over the years.
    top_ids = [r["source"] for r in used[:TOP_LINES]]
    rows = [
        {"source": r["source"], "year": r["year"], "publications": r["publications_family"],
         "change": r["change_family"]}
        for r in results["sources_by_year"] if r["source"] in top_ids
    ]  # fmt: skip
    growth = []
    for sid in top_ids:
        series = [r for r in rows if r["source"] == sid]
        growth.append((series[-1]["publications"] - series[0]["publications"], sid))
    best = max(growth) if growth else None
    charts.append(
        Chart(
            "sources_by_year",
            _t(lang, "Évolution des sources les plus utilisées", "Trends of the most used sources"),
            _t(
                lang,
                f"Parmi les {len(top_ids)} premières sources, {best[1]} progresse le plus sur la période "
                f"({fmt_int(best[0], lang)} publications de plus en {last} qu'en {e['first_publication_year']})."
                if best
                else "Aucune source utilisée.",
                f"Among the top {len(top_ids)} sources, {best[1]} grows most over the period "
                f"({fmt_int(best[0], lang)} more publications in {last} than in {e['first_publication_year']})."
                if best
                else "No source used.",
            ),
            src,
            _t(
                lang,
                "Vue famille, par année de publication ; variation d'une année sur l'autre dans le CSV.",
                "Family view, by publication year; year-over-year change in the CSV.",
            ),
            "rollup",
            [
                ("source", "Source"),
                ("year", year_t),
                ("publications", pubs_t),
                ("change", _t(lang, "Variation sur un an", "Year-over-year change")),
            ],
            rows,
            _lines(rows, "year", "publications", "source", (year_t, pubs_t, "Source"), pubs_t),
        )  # fmt: skip
    )

    # 4. Custodians.
    custodians = sorted(
        (r for r in results["custodians"] if r["publications"]),
        key=lambda r: (-r["publications"], r["custodian"]),
    )[:TOP_CUSTODIANS]
    rows = [
        {"custodian": r["custodian"], "publications": r["publications"], "sources": r["sources"]}
        for r in custodians
    ]
    charts.append(
        Chart(
            "custodians",
            _t(lang, "Publications par responsable de données", "Publications by data custodian"),
            _t(
                lang,
                f"{rows[0]['custodian']} est le responsable dont les sources sont les plus utilisées "
                f"({fmt_int(rows[0]['publications'], lang)} publications)."
                if rows
                else "Aucune publication.",
                f"{rows[0]['custodian']} is the custodian whose sources are most used "
                f"({fmt_int(rows[0]['publications'], lang)} publications)."
                if rows
                else "No publication.",
            ),
            src,
            _t(
                lang,
                "Une publication compte une fois pour un responsable, quel que soit le nombre de ses sources utilisées.",
                "A publication counts once for a custodian, whatever the number of its sources it uses.",
            ),
            "custodians",
            [
                ("custodian", _t(lang, "Responsable", "Custodian")),
                ("publications", pubs_t),
                ("sources", _t(lang, "Sources", "Sources")),
            ],
            rows,
            _bar(
                rows,
                "custodian",
                "publications",
                _t(lang, "Responsable", "Custodian"),
                pubs_t,
                horizontal=True,
                color=GREEN,
                description=pubs_t,
            ),
            "custodian",
            "publications",
        )  # fmt: skip
    )

    # 5. Citation quality by year.
    measures = (
        ("precise_share", _t(lang, "Source nommée précisément", "Source named precisely")),
        ("authorisation_share", _t(lang, "Autorisation citée", "Authorisation cited")),
        ("documentation_share", _t(lang, "Documentation citée", "Documentation cited")),
    )
    rows = [
        {"year": r["year"], "measure": label, "share": r[key]}
        for r in results["publications_by_year"] for key, label in measures if r[key] is not None
    ]  # fmt: skip
    latest = next((r for r in reversed(results["publications_by_year"]) if r["using_any_source"]), None)
    charts.append(
        Chart(
            "citation_by_year",
            _t(lang, "Comment les sources sont citées", "How sources are cited"),
            _t(
                lang,
                f"En {latest['year']}, {fmt_pct(latest['precise_share'], lang)} des usages nomment la source "
                f"précisément, {fmt_pct(latest['authorisation_share'], lang)} des publications citent l'autorisation "
                f"et {fmt_pct(latest['documentation_share'], lang)} la documentation."
                if latest
                else "—",
                f"In {latest['year']}, {fmt_pct(latest['precise_share'], lang)} of uses name the source precisely, "
                f"{fmt_pct(latest['authorisation_share'], lang)} of publications cite the authorisation and "
                f"{fmt_pct(latest['documentation_share'], lang)} the documentation."
                if latest
                else "—",
            ),
            src,
            _t(
                lang,
                "Nommée précisément : par son nom, son sigle, une traduction ou un ancien nom, pas seulement "
                "par une description générique ; parts calculées sur les usages dont la forme est connue.",
                "Named precisely: by its name, acronym, a translation or a former name, not only by a generic "
                "description; shares over the uses whose form is known.",
            ),
            "citation",
            [
                ("year", year_t),
                ("measure", _t(lang, "Mesure", "Measure")),
                ("share", _t(lang, "Part", "Share")),
            ],
            rows,
            _lines(
                rows,
                "year",
                "share",
                "measure",
                (year_t, _t(lang, "Part", "Share"), _t(lang, "Mesure", "Measure")),
                _t(lang, "Parts", "Shares"),
                y_format="%",
            ),
            share=True,
        )  # fmt: skip
    )

    # 6. Kinds of use from the whole corpus (the cases' own categories follow, apart).
    charts.extend(use_charts(results, lang, src))

    # 7. Decision types.
    rows = [{"type": r[f"name_{lang}"], "rank": r["rank"], "decisions": r["decisions"], "cases": r["cases"]}
            for r in results["decision_types"]]  # fmt: skip
    most = max(rows, key=lambda r: (r["decisions"], r["rank"]))
    charts.append(
        Chart(
            "decision_types",
            _t(
                lang,
                "Décisions par type (du plus faible au plus fort)",
                "Decisions by type (weakest to strongest)",
            ),
            _t(
                lang,
                f"Le type de décision le plus fréquent est « {most['type']} » ({fmt_int(most['decisions'], lang)} "
                f"décisions dans {fmt_int(most['cases'], lang)} cas).",
                f"The most frequent kind of decision is “{most['type']}” ({fmt_int(most['decisions'], lang)} "
                f"decisions in {fmt_int(most['cases'], lang)} cases).",
            ),
            src,
            _t(
                lang,
                "Décisions datées au plus tard à la date d'observation ; échelle ordinale de la typologie.",
                "Decisions dated no later than the observation date; ordinal scale of the typology.",
            ),
            "decisions",
            [
                ("type", "Type"),
                ("rank", _t(lang, "Rang", "Rank")),
                ("decisions", _t(lang, "Décisions", "Decisions")),
                ("cases", _t(lang, "Cas", "Cases")),
            ],
            rows,
            _bar(
                rows,
                "type",
                "decisions",
                "Type",
                _t(lang, "Décisions", "Decisions"),
                horizontal=False,
                color=GREY,
                description=_t(lang, "Décisions", "Decisions"),
                x_type="nominal",
            ),
            "type",
            "decisions",
        )  # fmt: skip
    )
    charts[-1].spec["encoding"]["x"]["sort"] = None

    # 8. Impact ranges.
    rows = [
        {"label": f"{MEASURES[r['measure']][lang]} ({UNITS.get(r['unit'], {}).get(lang, r['unit'])})",
         "measure": r["measure"], "unit": r["unit"], "low": r["low"], "value": r["value"], "high": r["high"],
         "cases": r["cases"], "figures": r["figures"]}
        for r in results["impact_ranges"]
    ]  # fmt: skip
    charts.append(
        Chart(
            "impact_ranges",
            _t(
                lang,
                "Personnes concernées et événements (fourchettes)",
                "People concerned and events (ranges)",
            ),
            _t(
                lang,
                "; ".join(
                    f"{r['label']} : {fmt_int(r['low'], lang)} à {fmt_int(r['high'], lang)}" for r in rows
                )
                + "."
                if rows
                else "Aucun chiffre disponible à la date d'observation.",
                "; ".join(
                    f"{r['label']}: {fmt_int(r['low'], lang)} to {fmt_int(r['high'], lang)}" for r in rows
                )
                + "."
                if rows
                else "No figure available at the observation date.",
            ),
            src,
            _t(
                lang,
                "Toujours des fourchettes : dans un cas, les chiffres d'une même unité peuvent se recouvrir "
                "(bas = plus grande borne basse, haut = somme des bornes hautes) ; entre cas, ils s'additionnent. "
                "Chiffres non vérifiés exclus.",
                "Always ranges: within a case, figures in the same unit may overlap (low = largest low, high = sum "
                "of highs); across cases they add up. Unverified figures excluded.",
            ),
            "ranges",
            [
                ("label", _t(lang, "Mesure", "Measure")),
                ("low", _t(lang, "Bas", "Low")),
                ("value", _t(lang, "Valeur centrale", "Central value")),
                ("high", _t(lang, "Haut", "High")),
                ("cases", _t(lang, "Cas", "Cases")),
                ("figures", _t(lang, "Chiffres", "Figures")),
            ],
            rows,
            _ranges(rows, "label", _t(lang, "Nombre", "Number"), _t(lang, "Fourchettes", "Ranges")),
            "label",
            "value",
            "low",
            "high",
        )  # fmt: skip
    )

    # 9. Delays from study to decision.
    rows = [{"case": d["case"], "low": d["months_low"], "high": d["months_high"], "value": None,
             "study_date": d["study_date"], "decision_date": d["decision_date"]} for d in results["delays"]]  # fmt: skip
    summary = results["delay_summary"]
    charts.append(
        Chart(
            "delays",
            _t(
                lang,
                "Délai de l'étude à la décision, par cas (mois)",
                "Time from study to decision, by case (months)",
            ),
            _t(
                lang,
                f"Délai médian : {fmt_num(summary['median_low'], lang)} à {fmt_num(summary['median_high'], lang)} mois "
                f"sur {fmt_int(summary['cases'], lang)} cas datés."
                if summary["cases"]
                else "Aucun cas daté.",
                f"Median time: {fmt_num(summary['median_low'], lang)} to {fmt_num(summary['median_high'], lang)} months "
                f"over {fmt_int(summary['cases'], lang)} dated cases."
                if summary["cases"]
                else "No dated case.",
            ),
            src,
            _t(
                lang,
                "De la première étape datée évoquant une étude, un rapport ou des résultats à la première "
                "décision datée qui suit ; une date connue à l'année couvre douze mois.",
                "From the first dated step that speaks of a study, report or results to the first dated decision "
                "that follows; a date known to the year spans twelve months.",
            ),
            "delays",
            [
                ("case", _t(lang, "Cas", "Case")),
                ("study_date", _t(lang, "Étude", "Study")),
                ("decision_date", _t(lang, "Décision", "Decision")),
                ("low", _t(lang, "Mois (bas)", "Months (low)")),
                ("high", _t(lang, "Mois (haut)", "Months (high)")),
            ],
            rows,
            _ranges(rows, "case", _t(lang, "Mois", "Months"), _t(lang, "Délais", "Delays")),
            "case",
            "high",
            "low",
            "high",
        )  # fmt: skip
    )

    # 10. Ranking of the cases and how stable each rank is under uncertain weights (when the edition has one).
    ranking = results.get("ranking") or {}
    if ranking.get("available") and ranking.get("rows"):
        titles = {c["case"]: c[f"title_{lang}"] for c in results["cases"]}
        rows = [{"case": f"{r['rank']}. {_short(titles.get(r['case'], r['case']))}", "value": r["rank"],
                 "low": r["rank_low"], "high": r["rank_high"], "score": r["score"]} for r in ranking["rows"]]  # fmt: skip
        stable = sum(1 for r in ranking["rows"] if r["rank_low"] == r["rank_high"])
        top = rows[0]
        charts.append(
            Chart(
                "ranking",
                _t(
                    lang,
                    "Classement des cas et stabilité des rangs",
                    "Ranking of cases and stability of ranks",
                ),
                _t(
                    lang,
                    f"En tête : {top['case']} (rangs plausibles {top['low']} à {top['high']}). Cas gardant le "
                    f"même rang quelles que soient les pondérations tirées : {fmt_int(stable, lang)} sur "
                    f"{fmt_int(len(rows), lang)}.",
                    f"First: {top['case']} (plausible ranks {top['low']} to {top['high']}). Cases keeping the same "
                    f"rank whatever the weights drawn: {fmt_int(stable, lang)} of {fmt_int(len(rows), lang)}.",
                ),
                src,
                ranking[f"note_{lang}"],
                "weights",
                [
                    ("case", _t(lang, "Cas", "Case")),
                    ("value", _t(lang, "Rang", "Rank")),
                    ("low", _t(lang, "Meilleur rang plausible", "Best plausible rank")),
                    ("high", _t(lang, "Moins bon rang plausible", "Worst plausible rank")),
                    ("score", "Score"),
                ],
                rows,
                _ranges(
                    rows, "case", _t(lang, "Rang", "Rank"), _t(lang, "Rangs plausibles", "Plausible ranks")
                ),
                "case",
                "high",
                "low",
                "high",
            )  # fmt: skip
        )
    return charts


# ----------------------------------------------------------------------------------------------------------
# Kinds of use
# ----------------------------------------------------------------------------------------------------------
NB = "\u00a0"  # no-break space: French typography before « : », inside « guillemets »
METHOD_NAMES = {
    "person": {"fr": "personne", "en": "person"},
    "rule": {"fr": "règle", "en": "rule"},
    "model": {"fr": "modèle", "en": "model"},
}
METHOD_COLOURS = {"person": GREEN, "rule": BLUE, "model": "#b07d1a"}
TOP_PAIRS = 25


def _q(text: str, lang: str) -> str:
    return f"«{NB}{text}{NB}»" if lang == "fr" else f"“{text}”"


def _bar_range(
    values: list[dict], label: str, x_title: str, y_title: str, description: str
) -> dict[str, Any]:
    """Horizontal bars (labelled count) with the 95 % interval of the count as a rule and the expected count
    as a point."""
    y = {"field": label, "type": "nominal", "title": y_title, "sort": None}
    return {
        "$schema": SCHEMA,
        "description": description,
        "width": "container",
        "height": {"step": 20},
        "data": {"values": values},
        "encoding": {"y": y},
        "layer": [
            {
                "mark": {"type": "bar", "color": GREEN, "opacity": 0.55, "tooltip": True},
                "encoding": {"x": {"field": "publications", "type": "quantitative", "title": x_title}},
            },
            {
                "mark": {"type": "rule", "strokeWidth": 2, "color": GREY},
                "encoding": {"x": {"field": "low", "type": "quantitative"}, "x2": {"field": "high"}},
            },
            {
                "mark": {"type": "point", "filled": True, "color": "#b3261e", "size": 40},
                "encoding": {"x": {"field": "expected", "type": "quantitative"}},
            },
        ],
    }


def _use_columns(lang: str) -> list[tuple[str, str]]:
    return [
        ("publications", _t(lang, "Publications du corpus", "Publications (corpus)")),
        ("by_person", _t(lang, "dont par une personne", "of which by a person")),
        ("by_rule", _t(lang, "dont par une règle", "of which by a rule")),
        ("by_model", _t(lang, "dont par le modèle", "of which by the model")),
        ("expected", _t(lang, "Nombre attendu", "Expected count")),
        ("low", _t(lang, "Intervalle à 95\u00a0% (bas)", "95 % interval (low)")),
        ("high", _t(lang, "Intervalle à 95\u00a0% (haut)", "95 % interval (high)")),
    ]


def use_charts(results: dict[str, Any], lang: str, src: str) -> list[Chart]:
    """Kinds of use from the whole corpus (per category, by method, per year, per source × category) and,
    apart, the documented cases per category."""
    names = {r["category"]: r[f"name_{lang}"] for r in results["categories"]}
    pubs_t = _t(lang, "Publications du corpus", "Publications (corpus)")
    cat_t = _t(lang, "Catégorie", "Category")
    year_t = _t(lang, "Année de publication", "Publication year")
    use_fields = ("publications", "by_person", "by_rule", "by_model", "expected", "low", "high")
    charts: list[Chart] = []
    range_note = _t(
        lang,
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

    # Per category.
    rows = [
        {"category": names[r["category"]], "id": r["category"], **{k: r[k] for k in use_fields}}
        for r in sorted(results["categories"], key=lambda r: (-r["publications"], r["category"]))
    ]
    top = rows[0]
    labelled = results["perimeter"].get("publications_with_category", 0)
    charts.append(
        Chart(
            "categories",
            _t(
                lang,
                "Publications du corpus par catégorie d'usage",
                "Publications of the corpus by category of use",
            ),
            _t(
                lang,
                f"{fmt_int(labelled, lang)} publications du corpus ont au moins une catégorie d'usage. "
                f"{_q(top['category'], lang)} est la plus représentée{NB}: {fmt_int(top['publications'], lang)} "
                f"publications (nombre attendu {fmt_num(top['expected'], lang)}, intervalle à 95{NB}% "
                f"{fmt_int(top['low'], lang)} à {fmt_int(top['high'], lang)}), dont "
                f"{fmt_int(top['by_person'], lang)} étiquetées par une personne, {fmt_int(top['by_rule'], lang)} "
                f"par une règle et {fmt_int(top['by_model'], lang)} par le modèle.",
                f"{fmt_int(labelled, lang)} publications of the corpus have at least one category of use. "
                f"{_q(top['category'], lang)} is the most frequent: {fmt_int(top['publications'], lang)} "
                f"publications (expected count {fmt_num(top['expected'], lang)}, 95 % interval "
                f"{fmt_int(top['low'], lang)} to {fmt_int(top['high'], lang)}), of which "
                f"{fmt_int(top['by_person'], lang)} labelled by a person, {fmt_int(top['by_rule'], lang)} by a "
                f"rule and {fmt_int(top['by_model'], lang)} by the model.",
            ),
            src,
            _t(
                lang,
                "Une publication peut relever de plusieurs catégories ; elle compte une fois dans chacune. ",
                "A publication may fall under several categories; it counts once in each. ",
            )
            + range_note,
            "categories",
            [("category", cat_t), *_use_columns(lang)],
            rows,
            _bar_range(rows, "category", pubs_t, cat_t, pubs_t),
            "category",
            "publications",
            "low",
            "high",
        )  # fmt: skip
    )

    # By method.
    rows = [
        {"category": names[r["category"]], "label": f"{_short(names[r['category']], 30)} — {METHOD_NAMES[m][lang]}",
         "method": METHOD_NAMES[m][lang], "labels": r[f"by_{m}"]}
        for r in sorted(results["categories"], key=lambda r: (-r["publications"], r["category"]))
        for m in ("person", "rule", "model")
    ]  # fmt: skip
    p = results["perimeter"]
    charts.append(
        Chart(
            "categories_methods",
            _t(lang, "Qui a posé les étiquettes d'usage", "Who set the kinds of use"),
            _t(
                lang,
                f"Sur {fmt_int(p.get('labels', 0), lang)} étiquettes{NB}: {fmt_int(p.get('labels_by_person', 0), lang)} "
                f"posées ou corrigées par une personne, {fmt_int(p.get('labels_by_rule', 0), lang)} par une règle, "
                f"{fmt_int(p.get('labels_by_model', 0), lang)} par le modèle.",
                f"Of {fmt_int(p.get('labels', 0), lang)} labels: {fmt_int(p.get('labels_by_person', 0), lang)} set or "
                f"corrected by a person, {fmt_int(p.get('labels_by_rule', 0), lang)} by a rule, "
                f"{fmt_int(p.get('labels_by_model', 0), lang)} by the model.",
            ),
            src,
            _t(
                lang,
                "La correction d'une personne remplace les étiquettes de la machine et n'est jamais écrasée.",
                "A person's correction replaces the machine's labels and is never overwritten.",
            ),
            "categories",
            [
                ("category", cat_t),
                ("method", _t(lang, "Posée par", "Set by")),
                ("labels", _t(lang, "Étiquettes", "Labels")),
            ],
            rows,
            {
                "$schema": SCHEMA,
                "description": _t(lang, "Étiquettes", "Labels"),
                "width": "container",
                "height": {"step": 18},
                "data": {"values": rows},
                "mark": {"type": "bar", "tooltip": True},
                "encoding": {
                    "y": {"field": "category", "type": "nominal", "title": cat_t, "sort": None},
                    "x": {
                        "field": "labels",
                        "type": "quantitative",
                        "stack": True,
                        "title": _t(lang, "Étiquettes", "Labels"),
                    },
                    "color": {
                        "field": "method",
                        "type": "nominal",
                        "title": _t(lang, "Posée par", "Set by"),
                        "scale": {
                            "domain": [METHOD_NAMES[m][lang] for m in METHOD_COLOURS],
                            "range": list(METHOD_COLOURS.values()),
                        },
                    },
                },
            },
            "label",
            "labels",
        )  # fmt: skip
    )

    # Per year (the most frequent categories).
    top_ids = [r["id"] for r in charts[0].rows if r["publications"]][:TOP_LINES]
    rows = [
        {"category": names[r["category"]], "year": r["year"], **{k: r[k] for k in use_fields}}
        for r in results["categories_by_year"] if r["category"] in top_ids
    ]  # fmt: skip
    last = results["edition"]["last_publication_year"]
    latest = [r for r in rows if r["year"] == last]
    best = max(latest, key=lambda r: (r["publications"], r["category"]), default=None)
    charts.append(
        Chart(
            "categories_by_year",
            _t(lang, "Catégories d'usage par année", "Categories of use by year"),
            _t(
                lang,
                f"En {last}, {_q(best['category'], lang)} compte {fmt_int(best['publications'], lang)} publications "
                f"(intervalle à 95{NB}% {fmt_int(best['low'], lang)} à {fmt_int(best['high'], lang)})."
                if best
                else "Aucune publication étiquetée.",
                f"In {last}, {_q(best['category'], lang)} counts {fmt_int(best['publications'], lang)} publications "
                f"(95 % interval {fmt_int(best['low'], lang)} to {fmt_int(best['high'], lang)})."
                if best
                else "No labelled publication.",
            ),
            src,
            _t(
                lang,
                f"Les {len(top_ids)} catégories les plus représentées, par année de publication ; toutes les "
                "catégories et années, avec nombre attendu et intervalle, dans le CSV.",
                f"The {len(top_ids)} most frequent categories, by publication year; every category and year, with "
                "expected count and interval, in the CSV.",
            ),
            "categories",
            [("category", cat_t), ("year", year_t), *_use_columns(lang)],
            rows,
            _lines(rows, "year", "publications", "category", (year_t, pubs_t, cat_t), pubs_t),
        )  # fmt: skip
    )

    # Source × category (family view).
    pairs = sorted(
        (r for r in results.get("sources_by_category", []) if r["basis"] == "family" and r["publications"]),
        key=lambda r: (-r["publications"], r["source"], r["category"]),
    )[:TOP_PAIRS]
    rows = [
        {"pair": f"{r['source']} · {_short(names[r['category']], 40)}", "source": r["source"],
         "category": names[r["category"]], **{k: r[k] for k in use_fields}}
        for r in pairs
    ]  # fmt: skip
    first = rows[0] if rows else None
    charts.append(
        Chart(
            "sources_by_category",
            _t(lang, "Sources et catégories d'usage", "Sources and categories of use"),
            _t(
                lang,
                f"Couple le plus fréquent{NB}: {first['source']} et {_q(first['category'], lang)}, "
                f"{fmt_int(first['publications'], lang)} publications (intervalle à 95{NB}% "
                f"{fmt_int(first['low'], lang)} à {fmt_int(first['high'], lang)})."
                if first
                else "Aucune publication étiquetée n'utilise de source.",
                f"Most frequent pair: {first['source']} and {_q(first['category'], lang)}, "
                f"{fmt_int(first['publications'], lang)} publications (95 % interval {fmt_int(first['low'], lang)} "
                f"to {fmt_int(first['high'], lang)})."
                if first
                else "No labelled publication uses a source.",
            ),
            src,
            _t(
                lang,
                f"Vue famille (la source ou l'une de ses composantes), {TOP_PAIRS} premiers couples ; vues "
                "« propre » et « famille » de tous les couples dans les données ouvertes. ",
                f"Family view (the source or one of its components), top {TOP_PAIRS} pairs; “own” and “family” views "
                "of every pair in the open data. ",
            )
            + range_note,
            "categories",
            [("source", "Source"), ("category", cat_t), *_use_columns(lang)],
            rows,
            _bar_range(rows, "pair", pubs_t, _t(lang, "Source · catégorie", "Source · category"), pubs_t),
            "pair",
            "publications",
            "low",
            "high",
        )  # fmt: skip
    )

    # The cases' own categories, apart.
    rows = [
        {"category": names[r["category"]], "cases": r["cases"], "decisions": r["decisions"],
         "publications_in_cases": r.get("publications_in_cases", 0)}
        for r in sorted(results["categories"], key=lambda r: (-r["cases"], r["category"]))
    ]  # fmt: skip
    charts.append(
        Chart(
            "case_categories",
            _t(lang, "Cas documentés par catégorie d'usage", "Documented cases by category of use"),
            _t(
                lang,
                f"{_q(rows[0]['category'], lang)} réunit le plus de cas documentés ({fmt_int(rows[0]['cases'], lang)} "
                f"cas, {fmt_int(rows[0]['decisions'], lang)} décisions).",
                f"{_q(rows[0]['category'], lang)} gathers the most documented cases ({fmt_int(rows[0]['cases'], lang)} "
                f"cases, {fmt_int(rows[0]['decisions'], lang)} decisions).",
            ),
            src,
            _t(
                lang,
                "Catégories attribuées aux cas par ceux qui les documentent, distinctes des catégories des "
                "publications du corpus ; la dernière colonne compte les publications du corpus que ces cas citent.",
                "Categories given to the cases by those who document them, distinct from the categories of the "
                "corpus publications; the last column counts the corpus publications those cases cite.",
            ),
            "decisions",
            [
                ("category", cat_t),
                ("cases", _t(lang, "Cas", "Cases")),
                ("decisions", _t(lang, "Décisions", "Decisions")),
                (
                    "publications_in_cases",
                    _t(lang, "Publications citées par ces cas", "Publications these cases cite"),
                ),
            ],
            rows,
            _bar(
                rows,
                "category",
                "cases",
                cat_t,
                _t(lang, "Cas", "Cases"),
                horizontal=True,
                color=GREY,
                description=_t(lang, "Cas", "Cases"),
            ),
            "category",
            "cases",
        )  # fmt: skip
    )
    if lang == "fr":
        for chart in charts:
            chart.title, chart.comment, chart.method = (
                french_spaces(chart.title),
                french_spaces(chart.comment),
                french_spaces(chart.method),
            )
    return charts


# ----------------------------------------------------------------------------------------------------------
# Local (per-custodian) charts
# ----------------------------------------------------------------------------------------------------------
def custodian_charts(results: dict[str, Any], custodian: dict[str, Any], lang: str) -> list[Chart]:
    """The local barometer of one custodian: only its sources."""
    src = _source_line(results, lang)
    members = set(custodian["sources"].split("|"))
    year_t = _t(lang, "Année de publication", "Publication year")
    pubs_t = "Publications"
    key = custodian["custodian_slug"]
    charts: list[Chart] = []
    rows = [
        {"year": r["year"], "publications": r["publications"]}
        for r in results["custodians_by_year"] if r["custodian_slug"] == key
    ]  # fmt: skip
    total = sum(r["publications"] for r in rows)
    charts.append(
        Chart(
            "local_by_year",
            _t(
                lang,
                "Publications utilisant ses sources, par année",
                "Publications using its sources, by year",
            ),
            _t(
                lang,
                f"{fmt_int(total, lang)} publications utilisent au moins une source de {custodian['custodian']} "
                f"sur la période, dont {fmt_int(rows[-1]['publications'], lang)} en {rows[-1]['year']}.",
                f"{fmt_int(total, lang)} publications use at least one source of {custodian['custodian']} over the "
                f"period, {fmt_int(rows[-1]['publications'], lang)} of them in {rows[-1]['year']}.",
            ),
            src,
            _t(
                lang,
                "Une publication compte une fois, quel que soit le nombre de sources du responsable utilisées.",
                "A publication counts once, whatever the number of the custodian's sources it uses.",
            ),
            "custodians",
            [("year", year_t), ("publications", pubs_t)],
            rows,
            _bar(rows, "year", "publications", year_t, pubs_t, color=GREEN, description=pubs_t),
            "year",
            "publications",
        )  # fmt: skip
    )
    rows = [
        {"source": r["source"], "publications_own": r["publications_own"], "precise_share": r["precise_share"],
         "authorisation_share": r["authorisation_share"], "documentation_share": r["documentation_share"],
         "cases_own": r.get("cases_own", 0)}
        for r in results["sources"] if r["source"] in members
    ]  # fmt: skip
    charts.append(
        Chart(
            "local_sources",
            _t(
                lang,
                "Ses sources : publications et qualité de citation",
                "Its sources: publications and citation quality",
            ),
            _t(
                lang,
                "; ".join(
                    f"{r['source']} : {fmt_int(r['publications_own'], lang)} publications, nommée "
                    f"précisément dans {fmt_pct(r['precise_share'], lang)} des cas"
                    for r in rows
                )
                + ".",
                "; ".join(
                    f"{r['source']}: {fmt_int(r['publications_own'], lang)} publications, named precisely in "
                    f"{fmt_pct(r['precise_share'], lang)} of uses"
                    for r in rows
                )
                + ".",
            ),
            src,
            _t(
                lang,
                "Comptes propres (la source nommée elle-même) ; une source sans publication figure avec zéro.",
                "Own counts (the named source itself); a source with no publication is shown with zero.",
            ),
            "citation",
            [
                ("source", "Source"),
                ("publications_own", _t(lang, "Publications (propre)", "Publications (own)")),
                ("precise_share", _t(lang, "Nommée précisément", "Named precisely")),
                ("authorisation_share", _t(lang, "Autorisation citée", "Authorisation cited")),
                ("documentation_share", _t(lang, "Documentation citée", "Documentation cited")),
                ("cases_own", _t(lang, "Cas documentés", "Documented cases")),
            ],
            rows,
            _bar(
                rows,
                "source",
                "publications_own",
                "Source",
                pubs_t,
                horizontal=True,
                color=GREEN,
                description=pubs_t,
            ),
            "source",
            "publications_own",
        )  # fmt: skip
    )
    return charts


def cell(value: Any, lang: str, key: str = "") -> str:
    """A table cell as text in the page's language (shares as percentages, numbers grouped)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _t(lang, "oui", "yes") if value else _t(lang, "non", "no")
    if key.endswith("share") or key == "change_pct":
        return fmt_pct(value, lang)
    if key == "year" or key.endswith("_year"):
        return str(value)
    if isinstance(value, int | float):
        return fmt_num(value, lang)
    return str(value)
