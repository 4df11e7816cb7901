"""Words of the barometer in French and English: number formats, labels, and the headline figures.

Every comment is a template filled with the edition's live values, so that a figure and the sentence
explaining it can never disagree; the templates live here, next to each other in both languages, so a
translation cannot drift from its original unnoticed.
"""

from __future__ import annotations

import re
from typing import Any

from benefice.barometer.compute import EXACT_MAX

LANGS = ("fr", "en")
NBSP = "\u202f"  # narrow no-break space: the French thousands separator and the space before %

LABELS: dict[str, dict[str, str]] = {
    "fr": {
        "title": "Baromètre des bénéfices de la réutilisation des données de santé",
        "short": "Baromètre",
        "edition": "Édition",
        "observed": "observée le",
        "perimeter_years": "publications parues de {first} à {last}",
        "home": "Chiffres clés",
        "charts": "Graphiques",
        "methodology": "Méthodologie",
        "custodians": "Baromètres locaux par responsable de données",
        "custodian": "Responsable",
        "evidence": "Éléments de preuve",
        "evidence_colon": "Éléments de preuve :",
        "source": "Source :",
        "method": "Méthode :",
        "download_csv": "Télécharger les données (CSV)",
        "embed": "Intégrer ce graphique",
        "embed_help": "Copiez ce code dans votre page :",
        "table": "Tableau des données",
        "other_language": "English",
        "skip": "Aller au contenu",
        "report": "Rapport PDF",
        "opendata": "Données ouvertes (CSV + datapackage.json)",
        "ranking": "Classement des cas",
        "no_data": "Aucune donnée pour ce graphique dans cette édition.",
        "sources_table": "Sources de données",
        "publications": "Publications",
        "year": "Année de publication",
        "all_custodians": "Tous les responsables",
        "back": "Retour au baromètre national",
        "local_intro": "Ce baromètre local ne retient que les sources dont {custodian} est responsable : {sources}.",
        "version": "Versions",
        "nav": "Navigation principale",
        "range": "fourchette",
        "cases": "Cas",
        # the words of the charts (barometer.charts): axes, legends, table headers
        "source_header": "Source",
        "name": "Nom",
        "change": "Variation",
        "change_share": "Variation (part)",
        "change_year": "Variation sur un an",
        "publications_family": "Publications (famille)",
        "publications_own": "Publications (propre)",
        "sources": "Sources",
        "source_named_precisely": "Source nommée précisément",
        "named_precisely": "Nommée précisément",
        "authorisation_cited": "Autorisation citée",
        "documentation_cited": "Documentation citée",
        "measure": "Mesure",
        "share": "Part",
        "shares": "Parts",
        "rank": "Rang",
        "decisions": "Décisions",
        "low": "Bas",
        "central_value": "Valeur centrale",
        "high": "Haut",
        "figures": "Chiffres",
        "number": "Nombre",
        "ranges": "Fourchettes",
        "case": "Cas",
        "study": "Étude",
        "decision": "Décision",
        "months_low": "Mois (bas)",
        "months_high": "Mois (haut)",
        "months": "Mois",
        "delays": "Délais",
        "best_rank": "Meilleur rang plausible",
        "worst_rank": "Moins bon rang plausible",
        "plausible_ranks": "Rangs plausibles",
        "publications_corpus": "Publications du corpus",
        "category": "Catégorie",
        "set_by": "Posée par",
        "labels": "Étiquettes",
        "source_category": "Source · catégorie",
        "publications_cited_by_cases": "Publications citées par ces cas",
        "documented_cases": "Cas documentés",
        "by_person": "dont par une personne",
        "by_rule": "dont par une règle",
        "by_model": "dont par le modèle",
        "expected": "Nombre attendu",
        "interval_low": "Intervalle à 95\u00a0% (bas)",
        "interval_high": "Intervalle à 95\u00a0% (haut)",
        "yes": "oui",
        "no": "non",
        "method_person": "personne",
        "method_rule": "règle",
        "method_model": "modèle",
        "type": "Type",
        "score": "Score",
    },
    "en": {
        "title": "Barometer of the benefits of reusing health data",
        "short": "Barometer",
        "edition": "Edition",
        "observed": "observed on",
        "perimeter_years": "publications from {first} to {last}",
        "home": "Key figures",
        "charts": "Charts",
        "methodology": "Methodology",
        "custodians": "Local barometers by data custodian",
        "custodian": "Custodian",
        "evidence": "Evidence",
        "evidence_colon": "Evidence:",
        "source": "Source:",
        "method": "Method:",
        "download_csv": "Download the data (CSV)",
        "embed": "Embed this chart",
        "embed_help": "Copy this code into your page:",
        "table": "Data table",
        "other_language": "Français",
        "skip": "Skip to content",
        "report": "PDF report",
        "opendata": "Open data (CSV + datapackage.json)",
        "ranking": "Ranking of cases",
        "no_data": "No data for this chart in this edition.",
        "sources_table": "Data sources",
        "publications": "Publications",
        "year": "Publication year",
        "all_custodians": "All custodians",
        "back": "Back to the national barometer",
        "local_intro": "This local barometer keeps only the sources {custodian} is responsible for: {sources}.",
        "version": "Versions",
        "nav": "Main navigation",
        "range": "range",
        "cases": "Cases",
        # the words of the charts (barometer.charts): axes, legends, table headers
        "source_header": "Source",
        "name": "Name",
        "change": "Change",
        "change_share": "Change (share)",
        "change_year": "Year-over-year change",
        "publications_family": "Publications (family)",
        "publications_own": "Publications (own)",
        "sources": "Sources",
        "source_named_precisely": "Source named precisely",
        "named_precisely": "Named precisely",
        "authorisation_cited": "Authorisation cited",
        "documentation_cited": "Documentation cited",
        "measure": "Measure",
        "share": "Share",
        "shares": "Shares",
        "rank": "Rank",
        "decisions": "Decisions",
        "low": "Low",
        "central_value": "Central value",
        "high": "High",
        "figures": "Figures",
        "number": "Number",
        "ranges": "Ranges",
        "case": "Case",
        "study": "Study",
        "decision": "Decision",
        "months_low": "Months (low)",
        "months_high": "Months (high)",
        "months": "Months",
        "delays": "Delays",
        "best_rank": "Best plausible rank",
        "worst_rank": "Worst plausible rank",
        "plausible_ranks": "Plausible ranks",
        "publications_corpus": "Publications (corpus)",
        "category": "Category",
        "set_by": "Set by",
        "labels": "Labels",
        "source_category": "Source · category",
        "publications_cited_by_cases": "Publications these cases cite",
        "documented_cases": "Documented cases",
        "by_person": "of which by a person",
        "by_rule": "of which by a rule",
        "by_model": "of which by the model",
        "expected": "Expected count",
        "interval_low": "95 % interval (low)",
        "interval_high": "95 % interval (high)",
        "yes": "yes",
        "no": "no",
        "method_person": "person",
        "method_rule": "rule",
        "method_model": "model",
        "type": "Type",
        "score": "Score",
    },
}

MEASURES = {
    "people": {"fr": "Personnes concernées", "en": "People concerned"},
    "attributable": {"fr": "Événements attribuables", "en": "Attributable events"},
    "avoided": {"fr": "Événements évités", "en": "Events avoided"},
}
UNITS = {
    "persons": {"fr": "personnes", "en": "persons"},
    "pregnancies": {"fr": "grossesses", "en": "pregnancies"},
    "events": {"fr": "événements", "en": "events"},
    "deaths": {"fr": "décès", "en": "deaths"},
    "hospitalisations": {"fr": "hospitalisations", "en": "hospitalisations"},
    "cases": {"fr": "cas", "en": "cases"},
    "children": {"fr": "enfants", "en": "children"},
    "events_per_year": {"fr": "événements par an", "en": "events per year"},
    "deaths_per_year": {"fr": "décès par an", "en": "deaths per year"},
    "cases_per_year": {"fr": "cas par an", "en": "cases per year"},
    "pregnancies_per_year": {"fr": "grossesses par an", "en": "pregnancies per year"},
}


def fmt_int(value: float | int | None, lang: str) -> str:
    if value is None:
        return "—"
    text = f"{round(value):,}"
    return text.replace(",", NBSP) if lang == "fr" else text


def fmt_num(value: float | None, lang: str, digits: int = 1) -> str:
    if value is None:
        return "—"
    if float(value).is_integer():
        return fmt_int(value, lang)
    text = f"{value:,.{digits}f}"
    return text.replace(",", NBSP).replace(".", ",") if lang == "fr" else text


def fmt_pct(share: float | None, lang: str, signed: bool = False) -> str:
    if share is None:
        return "—"
    text = f"{share * 100:{'+' if signed else ''}.1f}"
    return text.replace(".", ",") + NBSP + "%" if lang == "fr" else text + "%"


def fmt_range(low: float | None, value: float | None, high: float | None, lang: str) -> str:
    """A range with its central value when there is one: "1 200 (800–1 500)"."""
    span = f"{fmt_int(low, lang)}–{fmt_int(high, lang)}"
    if low == high:
        return fmt_int(low, lang)
    return f"{fmt_int(value, lang)} ({span})" if value is not None else span


def _name(row: dict[str, Any], lang: str) -> str:
    return row.get(f"name_{lang}") or row.get("source") or ""


def headline(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The handful of key figures of the home page, each with its comment (both languages) and evidence."""
    out: list[dict[str, Any]] = []
    edition = results["edition"]
    first, last = edition["first_publication_year"], edition["last_publication_year"]
    perimeter = results["perimeter"]
    by_year = {r["year"]: r for r in results["publications_by_year"]}
    latest = by_year[last]
    evidence = results["evidence"]

    def add(key: str, value: str, text: dict[str, str], proof: list[str], chart: str = "") -> None:
        out.append(
            {
                "id": key,
                "value_fr": value if isinstance(value, str) else value["fr"],
                "value_en": value if isinstance(value, str) else value["en"],
                "title_fr": text["title_fr"],
                "title_en": text["title_en"],
                "comment_fr": text["fr"],
                "comment_en": text["en"],
                "evidence": proof,
                "chart": chart,
            }
        )

    total = perimeter["using_french_source"]
    change = {
        lang: (
            f"{fmt_pct(latest['change_pct'], lang, signed=True)}"
            if latest["change_pct"] is not None
            else ("sans année précédente comparable" if lang == "fr" else "no comparable previous year")
        )
        for lang in LANGS
    }
    add(
        "publications",
        {lang: fmt_int(total, lang) for lang in LANGS},
        {
            "title_fr": "Publications utilisant une source française",
            "title_en": "Publications using a French data source",
            "fr": f"{fmt_int(total, 'fr')} publications parues de {first} à {last} analysent au moins une source "
            f"de données de santé française, dont {fmt_int(latest['using_french_source'], 'fr')} en {last} "
            f"({change['fr']} par rapport à {last - 1}).",
            "en": f"{fmt_int(total, 'en')} publications from {first} to {last} analyse at least one French "
            f"health data source, {fmt_int(latest['using_french_source'], 'en')} of them in {last} "
            f"({change['en']} on {last - 1}).",
        },
        evidence["latest_year"],
        "publications_by_year",
    )

    french = [r for r in results["sources"] if r["country"] == "FR" and not r["parent"]]
    top = max(french, key=lambda r: (r["publications_family"], r["source"]), default=None)
    if top is not None and top["publications_family"]:
        share = top["publications_family"] / total if total else None
        add(
            "top_source",
            top["source"],
            {
                "title_fr": "Source la plus utilisée (avec ses composantes)",
                "title_en": "Most used source (with its components)",
                "fr": f"{_name(top, 'fr')} ({top['source']}) est utilisé, directement ou par l'une de ses "
                f"composantes, par {fmt_int(top['publications_family'], 'fr')} publications, soit "
                f"{fmt_pct(share, 'fr')} des publications utilisant une source française.",
                "en": f"{_name(top, 'en')} ({top['source']}) is used, directly or through one of its "
                f"components, by {fmt_int(top['publications_family'], 'en')} publications, "
                f"{fmt_pct(share, 'en')} of those using a French source.",
            },
            evidence.get(f"source:{top['source']}", []),
            "sources",
        )

    pairs = sum(r["pairs"] for r in results["publications_by_year"])
    known = perimeter["pairs_with_forms"]
    precise_share = round(perimeter["pairs_precise"] / known, 4) if known else None
    add(
        "precise_naming",
        {lang: fmt_pct(precise_share, lang) for lang in LANGS},
        {
            "title_fr": "Sources nommées précisément",
            "title_en": "Sources named precisely",
            "fr": f"Dans {fmt_pct(precise_share, 'fr')} des {fmt_int(known, 'fr')} usages de sources dont la "
            f"forme est connue (sur {fmt_int(pairs, 'fr')}), la source est désignée par son nom, son sigle ou "
            f"une traduction, et non par une seule description générique. Exemples de désignations vagues "
            f"en preuve.",
            "en": f"In {fmt_pct(precise_share, 'en')} of the {fmt_int(known, 'en')} uses of a source whose form "
            f"is known (out of {fmt_int(pairs, 'en')}), the source is named by its name, acronym or a "
            f"translation rather than only by a generic description. Examples of vague naming as evidence.",
        },
        evidence["vague_naming"],
        "citation_by_year",
    )

    users = perimeter["using_any_source"]
    auth_share = round(perimeter["citing_authorisation"] / users, 4) if users else None
    doc_share = round(perimeter["citing_documentation"] / users, 4) if users else None
    add(
        "authorisation",
        {lang: fmt_pct(auth_share, lang) for lang in LANGS},
        {
            "title_fr": "Publications citant l'autorisation d'accès",
            "title_en": "Publications citing the access authorisation",
            "fr": f"{fmt_pct(auth_share, 'fr')} des publications utilisant une source citent l'autorisation "
            f"(CNIL, CESREES/CEREES, Health Data Hub) et {fmt_pct(doc_share, 'fr')} sa documentation.",
            "en": f"{fmt_pct(auth_share, 'en')} of the publications using a source cite the authorisation "
            f"(CNIL, CESREES/CEREES, Health Data Hub) and {fmt_pct(doc_share, 'en')} its documentation.",
        },
        evidence["precise_naming"],
        "citation_by_year",
    )

    labels = perimeter.get("labels", 0)
    if labels:
        top_use = max(results["categories"], key=lambda r: (r["publications"], r["category"]))
        shares = {m: round(perimeter[f"labels_by_{m}"] / labels, 4) for m in ("person", "rule", "model")}
        add(
            "kinds_of_use",
            {lang: fmt_int(perimeter["publications_with_category"], lang) for lang in LANGS},
            {
                "title_fr": "Publications du corpus avec un type d'usage",
                "title_en": "Publications of the corpus with a kind of use",
                "fr": french_spaces(
                    f"{fmt_int(perimeter['publications_with_category'], 'fr')} publications du corpus ont au moins "
                    f"une catégorie d'usage ; la plus fréquente, « {top_use['name_fr']} », en compte "
                    f"{fmt_int(top_use['publications'], 'fr')} (nombre attendu {fmt_num(top_use['expected'], 'fr')}, "
                    f"intervalle à 95 % {fmt_int(top_use['low'], 'fr')} à {fmt_int(top_use['high'], 'fr')}). "
                    f"Des {fmt_int(labels, 'fr')} étiquettes, {fmt_pct(shares['person'], 'fr')} ont été posées par "
                    f"une personne, {fmt_pct(shares['rule'], 'fr')} par une règle et "
                    f"{fmt_pct(shares['model'], 'fr')} par le modèle."
                ),
                "en": f"{fmt_int(perimeter['publications_with_category'], 'en')} publications of the corpus have at "
                f"least one category of use; the most frequent, “{top_use['name_en']}”, counts "
                f"{fmt_int(top_use['publications'], 'en')} (expected count {fmt_num(top_use['expected'], 'en')}, "
                f"95 % interval {fmt_int(top_use['low'], 'en')} to {fmt_int(top_use['high'], 'en')}). Of the "
                f"{fmt_int(labels, 'en')} labels, {fmt_pct(shares['person'], 'en')} were set by a person, "
                f"{fmt_pct(shares['rule'], 'en')} by a rule and {fmt_pct(shares['model'], 'en')} by the model.",
            },
            evidence[f"category:{top_use['category']}"],
            "categories",
        )

    n_cases = len(results["cases"])
    included = [d for d in results["decisions"] if d["included"]]
    with_decision = sum(1 for c in results["cases"] if c["decisions"])
    strongest = max(results["decision_types"], key=lambda r: (r["decisions"] > 0, r["rank"]))
    add(
        "cases",
        {lang: fmt_int(n_cases, lang) for lang in LANGS},
        {
            "title_fr": "Cas d'impact documentés",
            "title_en": "Documented impact cases",
            "fr": f"{fmt_int(n_cases, 'fr')} cas documentés, dont {fmt_int(with_decision, 'fr')} ont conduit à "
            f"au moins une décision datée au plus tard le {edition['observed_at']} "
            f"({fmt_int(len(included), 'fr')} décisions ; la plus forte : "
            f"« {strongest['name_fr']} », {fmt_int(strongest['decisions'], 'fr')} fois).",
            "en": f"{fmt_int(n_cases, 'en')} documented cases, {fmt_int(with_decision, 'en')} of which led to at "
            f"least one decision dated no later than {edition['observed_at']} "
            f"({fmt_int(len(included), 'en')} decisions; the strongest kind, "
            f"“{strongest['name_en']}”, {fmt_int(strongest['decisions'], 'en')} times).",
        },
        [c["case"] for c in results["cases"] if c["decisions"]],
        "decision_types",
    )

    people = next(
        (r for r in results["impact_ranges"] if r["measure"] == "people" and r["unit"] == "persons"), None
    )
    if people is not None:
        add(
            "people",
            {lang: fmt_range(people["low"], people["value"], people["high"], lang) for lang in LANGS},
            {
                "title_fr": "Personnes concernées par les décisions (fourchette)",
                "title_en": "People concerned by the decisions (range)",
                "fr": f"Les cas documentés concernent de {fmt_int(people['low'], 'fr')} à "
                f"{fmt_int(people['high'], 'fr')} personnes ({fmt_int(people['figures'], 'fr')} chiffres de "
                f"{fmt_int(people['cases'], 'fr')} cas ; bas : recouvrement total au sein d'un cas, haut : "
                f"aucun recouvrement).",
                "en": f"The documented cases concern {fmt_int(people['low'], 'en')} to "
                f"{fmt_int(people['high'], 'en')} people ({fmt_int(people['figures'], 'en')} figures from "
                f"{fmt_int(people['cases'], 'en')} cases; low: full overlap within a case, high: none).",
            },
            people["figure_ids"].split("|"),
            "impact_ranges",
        )

    delay = results["delay_summary"]
    if delay["cases"]:
        add(
            "delay",
            {
                lang: f"{fmt_num(delay['median_low'], lang)}–{fmt_num(delay['median_high'], lang)} "
                + ("mois" if lang == "fr" else "months")
                for lang in LANGS
            },
            {
                "title_fr": "Délai médian de l'étude à la décision",
                "title_en": "Median time from study to decision",
                "fr": f"Pour les {fmt_int(delay['cases'], 'fr')} cas où l'étude et la décision qui la suit sont "
                f"datées, le délai médian est de {fmt_num(delay['median_low'], 'fr')} à "
                f"{fmt_num(delay['median_high'], 'fr')} mois (la fourchette tient à la précision des dates).",
                "en": f"For the {fmt_int(delay['cases'], 'en')} cases where both the study and the decision "
                f"that follows it are dated, the median time is {fmt_num(delay['median_low'], 'en')} to "
                f"{fmt_num(delay['median_high'], 'en')} months (the range reflects the precision of dates).",
            },
            delay["case_ids"].split("|"),
            "delays",
        )
    return out


_FR_SPACE = re.compile(r" (?=[:;!?%»])|(?<=«) ")


def french_spaces(text: str) -> str:
    """French typography: a no-break space before « : », « ; », « ! », « ? », « % » and inside guillemets."""
    return _FR_SPACE.sub("\u00a0", text)


def rules(results: dict[str, Any], lang: str) -> list[dict[str, str]]:
    """The written rules of the perimeter and method, with this edition's values (methodology page, PDF)."""
    e = results["edition"]
    p = results["params"]
    fr = lang == "fr"
    out = [
        (
            "perimeter",
            "Périmètre" if fr else "Perimeter",
            f"L'édition {e['year']} couvre les publications parues de {e['first_publication_year']} à "
            f"{e['last_publication_year']} ({p['span']} années), telles qu'elles étaient connues le "
            f"{e['observed_at']}. L'année de publication et la date d'observation sont distinctes : une "
            f"publication de {e['last_publication_year']} indexée plus tard entrera dans l'édition suivante, "
            f"pas dans celle-ci. Les publications hors période sont comptées sur cette page, jamais écartées "
            f"en silence."
            if fr
            else f"The {e['year']} edition covers publications from {e['first_publication_year']} to "
            f"{e['last_publication_year']} ({p['span']} years) as they were known on {e['observed_at']}. The "
            f"publication year is kept apart from the observation date: a {e['last_publication_year']} "
            f"publication indexed later enters the next edition, not this one. Publications outside the "
            f"period are counted on this page, never silently dropped.",
        ),
        (
            "use",
            "Usage et mention" if fr else "Use and mention",
            "Une publication « utilise » une source qu'elle analyse ; une source seulement citée (revue, "
            "discussion, méthodes) est « mentionnée » et n'entre pas dans les comptes d'usage."
            if fr
            else "A publication “uses” a source it analyses; a source it only names (review, discussion, "
            "methods) is “mentioned” and does not enter the use counts.",
        ),
        (
            "rollup",
            "Sources et composantes" if fr else "Sources and components",
            "Une composante nommée (par exemple le DCIR) compte pour elle-même. La vue « famille » compte "
            "une publication une seule fois pour une source parente (par exemple le SNDS) si elle utilise "
            "la source parente ou l'une quelconque de ses composantes, quel qu'en soit le nombre. Les deux "
            "vues sont publiées (colonnes « propre » et « famille »)."
            if fr
            else "A named component (DCIR, for instance) counts for itself. The “family” view counts a "
            "publication once for a parent source (the SNDS, for instance) if it uses the parent or any of "
            "its components, however many. Both views are published (“own” and “family” columns).",
        ),
        (
            "custodians",
            "Responsables de données" if fr else "Data custodians",
            "Le responsable d'une source est celui du registre. Une publication compte une fois pour un "
            "responsable si elle utilise au moins une de ses sources. Les sources sans responsable renseigné "
            "n'apparaissent pas dans cette vue."
            if fr
            else "A source's custodian is the registry's. A publication counts once for a custodian if it "
            "uses at least one of its sources. Sources without a recorded custodian do not appear in this view.",
        ),
        (
            "citation",
            "Qualité de citation" if fr else "Citation quality",
            "Pour chaque couple (publication, source utilisée) dont la forme est connue : la source est "
            "« nommée précisément » si elle l'est par son nom officiel, son sigle, une traduction ou un "
            "ancien nom, et pas seulement par une description générique. Les parts d'autorisation (CNIL, "
            "CESREES/CEREES, Health Data Hub), de documentation et de responsable cités sont calculées sur "
            "les publications qui utilisent une source."
            if fr
            else "For each (publication, source used) pair whose form is known: the source is “named "
            "precisely” when named by its official name, acronym, a translation or a former name, not only "
            "by a generic description. The shares citing the authorisation (CNIL, CESREES/CEREES, Health "
            "Data Hub), the documentation and the custodian are over the publications using a source.",
        ),
        (
            "categories",
            "Catégories d'usage" if fr else "Categories of use",
            french_spaces(
                "Les catégories d'usage sont comptées sur tout le corpus : chaque publication porte ses étiquettes "
                "en vigueur (celles du classifieur, ou la correction d'une personne, qui l'emporte toujours). Une "
                "publication peut relever de plusieurs catégories de la typologie et compte une fois dans "
                "chacune ; une catégorie sans publication figure avec zéro. Chaque compte (par catégorie, par "
                "catégorie et année, par source et catégorie, en vue « propre » et « famille ») dit combien "
                "d'étiquettes ont été posées par une personne, par une règle et par le modèle. Une étiquette posée "
                "par une personne est certaine ; celle d'une règle ou du modèle porte sa probabilité calibrée p. "
                "Les étiquettes étant traitées comme des épreuves indépendantes, le nombre d'étiquettes justes "
                "suit une loi de Poisson binomiale : le nombre attendu est la somme des p, l'intervalle à 95 % va "
                "du quantile 2,5 % au quantile 97,5 % de cette loi, calculée exactement jusqu'à "
                f"{EXACT_MAX} étiquettes incertaines dans un compte et, au-delà, par l'approximation normale avec "
                "correction de continuité (erreur de l'ordre de 1/écart-type, calcul linéaire au lieu de "
                "quadratique). Par exemple, trois étiquettes de probabilités 0,2, 0,5 et 1 donnent un nombre "
                "attendu de 1,7 et un intervalle de 1 à 3. Les probabilités sont gardées à 4 décimales et "
                "additionnées en entiers, si bien qu'une reconstruction donne les mêmes octets. L'intervalle ne "
                "porte que sur les étiquettes posées : les publications que le classifieur a laissées sans "
                "catégorie ne sont pas comptées. Les catégories des cas documentés, attribuées par ceux qui les "
                "documentent, sont présentées à part (nombre de cas, de décisions et de publications du corpus "
                "que ces cas citent) et ne s'additionnent jamais aux publications du corpus."
            )
            if fr
            else "Categories of use are counted over the whole corpus: each publication carries its effective "
            "labels (the classifier's, or a person's correction, which always wins). A publication may fall "
            "under several categories of the typology and counts once in each; a category with no "
            "publication is shown with zero. Every count (per category, per category and year, per source "
            "and category in the “own” and “family” views) says how many labels were set by a person, by a "
            "rule and by the model. A person's label is certain; a rule's or the model's carries its "
            "calibrated probability p. Taking labels as independent trials, the number of right labels "
            "follows a Poisson-binomial distribution: the expected count is the sum of the p, the 95 % "
            "interval runs from its 2.5 % to its 97.5 % quantile, computed exactly up to "
            f"{EXACT_MAX} uncertain labels in a count and, beyond, by the normal approximation with "
            "continuity correction (error of the order of 1/standard deviation, linear instead of quadratic "
            "cost). For instance, three labels of probability 0.2, 0.5 and 1 give an expected count of 1.7 and "
            "an interval of 1 to 3. Probabilities are kept to 4 decimals and summed as integers, so a rebuild "
            "gives the same bytes. The interval concerns the labels given only: publications the classifier "
            "left without a category are not counted. The documented cases' categories, given by those who "
            "document them, are shown apart (number of cases, decisions and corpus publications those cases "
            "cite) and are never added to the corpus publications.",
        ),
        (
            "decisions",
            "Cas et décisions" if fr else "Cases and decisions",
            f"Un cas documente le chemin d'une étude vers une décision. Seules les décisions datées au plus "
            f"tard le {e['observed_at']} et les chiffres saisis au plus tard à cette date sont retenus"
            + ("" if p["include_unverified"] else " ; les éléments marqués non vérifiés sont exclus")
            + ". Une source parente se voit attribuer les cas de ses composantes (vue famille)."
            if fr
            else f"A case documents the path from a study to a decision. Only decisions dated no later than "
            f"{e['observed_at']} and figures entered by that date are kept"
            + ("" if p["include_unverified"] else "; items marked unverified are excluded")
            + ". A parent source is credited with its components' cases (family view).",
        ),
        (
            "ranges",
            "Fourchettes" if fr else "Ranges",
            "Personnes concernées (indicateurs A1, X1) et événements attribuables (A2, H3, J1) ou évités "
            "(A3, C2, E2, H5) sont toujours donnés en fourchette. Dans un cas, plusieurs chiffres d'une même "
            "unité peuvent se recouvrir : la borne basse est la plus grande borne basse, la borne haute la "
            "somme des bornes hautes. Entre cas, les bornes s'additionnent. Femmes, jeunes filles et enfants "
            "sont comptés comme personnes ; les taux ne sont jamais additionnés."
            if fr
            else "People concerned (indicators A1, X1) and attributable (A2, H3, J1) or avoided (A3, C2, E2, "
            "H5) events are always given as ranges. Within a case, several figures in the same unit may "
            "overlap: the low bound is the largest low, the high bound the sum of highs. Across cases the "
            "bounds add up. Women, girls and children count as persons; rates are never added.",
        ),
        (
            "delays",
            "Délais" if fr else "Delays",
            "Délai de l'étude à la décision : de la première étape datée de la chronologie d'un cas qui "
            "évoque une étude, un rapport, des résultats ou une publication, à la première décision datée "
            "qui la suit, en mois ; une date connue à l'année couvre douze mois, d'où une fourchette."
            if fr
            else "Time from study to decision: from the first dated step of a case's timeline that speaks of a "
            "study, report, results or publication to the first dated decision that follows, in months; a "
            "date known only to the year spans twelve months, hence a range.",
        ),
        (
            "yoy",
            "Évolutions annuelles" if fr else "Year-over-year changes",
            "Les variations comparent une année de publication à la précédente, dans la même édition ; la "
            "variation relative n'est pas calculée quand l'année précédente est à zéro."
            if fr
            else "Changes compare a publication year with the previous one, within the same edition; the "
            "relative change is not computed when the previous year is zero.",
        ),
        (
            "limits",
            "Limites" if fr else "Limits",
            "Les comptes dépendent de la couverture des bases bibliographiques et de la détection des "
            "sources ; les cas documentés ne sont pas exhaustifs et leurs chiffres, souvent relayés par des "
            "sources secondaires, doivent être vérifiés dans le rapport primaire ; l'attribution d'une "
            "décision à une étude est graduée, jamais certaine."
            if fr
            else "Counts depend on the coverage of bibliographic databases and on source detection; the "
            "documented cases are not exhaustive and their figures, often relayed by secondary sources, "
            "should be checked in the primary report; attributing a decision to a study is graded, never "
            "certain.",
        ),
    ]
    return [{"anchor": a, "title": t, "text": x} for a, t, x in out]
