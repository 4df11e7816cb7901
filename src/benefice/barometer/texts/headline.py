"""The key figures of the home page (and of the PDF), each with its comment in both languages.

Every comment is a template filled with the edition's live values, so that a figure and the sentence
explaining it can never disagree; the templates live here, next to each other in both languages, so a
translation cannot drift from its original unnoticed. One builder per figure, in :data:`HEADLINE`'s order.
"""

from __future__ import annotations

from typing import Any

from benefice.barometer.texts.words import (
    LANGS,
    count,
    fmt_int,
    fmt_num,
    fmt_pct,
    fmt_range,
    fmt_span,
    french_spaces,
    has_width,
)
from benefice.i18n import pick


def _name(row: dict[str, Any], lang: str) -> str:
    return row.get(f"name_{lang}") or row.get("source") or ""


def _figure(
    key: str, value: str | dict[str, str], text: dict[str, str], proof: list[str], chart: str = ""
) -> dict[str, Any]:
    """One key figure as the home page and the PDF show it: its value, title and comment in both languages."""
    return {
        "id": key,
        "value_fr": value if isinstance(value, str) else value["fr"],
        "value_en": value if isinstance(value, str) else value["en"],
        "title_fr": french_spaces(text["title_fr"]),
        "title_en": text["title_en"],
        "comment_fr": french_spaces(text["fr"]),
        "comment_en": text["en"],
        "evidence": proof,
        "chart": chart,
    }


def _publications(results: dict[str, Any]) -> dict[str, Any]:
    """The number of publications using a French source, and its change over the last year."""
    edition, perimeter, evidence = results["edition"], results["perimeter"], results["evidence"]
    first, last = edition["first_publication_year"], edition["last_publication_year"]
    latest = {r["year"]: r for r in results["publications_by_year"]}[last]
    total = perimeter["using_french_source"]
    change = {
        lang: (
            f"{fmt_pct(latest['change_pct'], lang, signed=True)}"
            if latest["change_pct"] is not None
            else pick("sans année précédente comparable", "no comparable previous year", lang)
        )
        for lang in LANGS
    }
    return _figure(
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


def _top_source(results: dict[str, Any]) -> dict[str, Any] | None:
    """The French source used by most publications, with its components."""
    total, evidence = results["perimeter"]["using_french_source"], results["evidence"]
    french = [r for r in results["sources"] if r["country"] == "FR" and not r["parent"]]
    top = max(french, key=lambda r: (r["publications_family"], r["source"]), default=None)
    if top is not None and top["publications_family"]:
        share = top["publications_family"] / total if total else None
        return _figure(
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
    return None


def _precise_naming(results: dict[str, Any]) -> dict[str, Any]:
    perimeter, evidence = results["perimeter"], results["evidence"]
    pairs = sum(r["pairs"] for r in results["publications_by_year"])
    known = perimeter["pairs_with_forms"]
    precise_share = round(perimeter["pairs_precise"] / known, 4) if known else None
    return _figure(
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


def _authorisation(results: dict[str, Any]) -> dict[str, Any]:
    perimeter, evidence = results["perimeter"], results["evidence"]
    users = perimeter["using_any_source"]
    auth_share = round(perimeter["citing_authorisation"] / users, 4) if users else None
    doc_share = round(perimeter["citing_documentation"] / users, 4) if users else None
    return _figure(
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


def _kinds_of_use(results: dict[str, Any]) -> dict[str, Any] | None:
    perimeter, evidence = results["perimeter"], results["evidence"]
    labels = perimeter.get("labels", 0)
    if labels:
        top_use = max(results["categories"], key=lambda r: (r["publications"], r["category"]))
        shares = {m: round(perimeter[f"labels_by_{m}"] / labels, 4) for m in ("person", "rule", "model")}
        return _figure(
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
    return None


def _cases(results: dict[str, Any]) -> dict[str, Any]:
    edition = results["edition"]
    n_cases = len(results["cases"])
    included = [d for d in results["decisions"] if d["included"]]
    with_decision = sum(1 for c in results["cases"] if c["decisions"])
    strongest = max(results["decision_types"], key=lambda r: (r["decisions"] > 0, r["rank"]))
    return _figure(
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


def _people(results: dict[str, Any]) -> dict[str, Any] | None:
    people = next(
        (r for r in results["impact_ranges"] if r["measure"] == "people" and r["unit"] == "persons"), None
    )
    if people is not None:
        ranged = has_width(people["low"], people["high"])
        spans = {lang: fmt_span(people["low"], people["high"], lang) for lang in LANGS}
        fr_detail = (
            "bas : recouvrement total au sein d'un cas, haut : aucun recouvrement"
            if ranged
            else "les hypothèses de recouvrement donnent le même nombre"
        )
        en_detail = (
            "low: full overlap within a case, high: none"
            if ranged
            else "every overlap assumption gives the same number"
        )
        return _figure(
            "people",
            {lang: fmt_range(people["low"], people["value"], people["high"], lang) for lang in LANGS},
            {
                "title_fr": "Personnes concernées par les décisions (fourchette)",
                "title_en": "People concerned by the decisions (range)",
                "fr": french_spaces(
                    f"Les cas documentés concernent {'de ' if ranged else ''}{spans['fr']} "
                    f"{'personne' if people['high'] < 2 else 'personnes'} "
                    f"({count(people['figures'], 'chiffre', 'chiffres', 'fr')} de "
                    f"{fmt_int(people['cases'], 'fr')} cas ; {fr_detail})."
                ),
                "en": f"The documented cases concern {spans['en']} "
                f"{'person' if people['high'] == 1 else 'people'} "
                f"({count(people['figures'], 'figure', 'figures', 'en')} from "
                f"{count(people['cases'], 'case', 'cases', 'en')}; {en_detail}).",
            },
            people["figure_ids"].split("|"),
            "impact_ranges",
        )
    return None


def _months(low: float | None, high: float | None, lang: str) -> str:
    """ "3–5 mois" when the precision of the dates leaves a range, "4 mois" when it does not."""
    value = f"{fmt_num(low, lang)}–{fmt_num(high, lang)}" if has_width(low, high) else fmt_num(high, lang)
    if lang == "fr":
        return f"{value} mois"
    return f"{value} {'month' if not has_width(low, high) and high == 1 else 'months'}"


def _left_out(delay: dict[str, Any]) -> dict[str, str]:
    """The sentence on the cases with decisions that the median leaves out, and why (none when all count)."""
    without, before = delay.get("without_study", 0), delay.get("decided_before_study", 0)
    fr, en = [], []
    if without:
        fr.append(f"{count(without, 'cas a', 'cas ont', 'fr')} des décisions sans étude datée")
        en.append(f"{count(without, 'case has', 'cases have', 'en')} decisions but no dated study")
    if before:
        fr.append(
            f"{count(before, 'cas a', 'cas ont', 'fr')} toutes ses décisions avant la publication de l'étude"
            if before == 1
            else f"{fmt_int(before, 'fr')} cas ont toutes leurs décisions avant la publication de l'étude"
        )
        en.append(
            f"{count(before, 'case has', 'cases have', 'en')} every decision before the study was made public"
        )
    if not fr:
        return {"fr": "", "en": ""}
    return {
        "fr": " Hors du calcul : " + " ; ".join(fr) + ".",
        "en": " Left out: " + "; ".join(en) + ".",
    }


def _delay(results: dict[str, Any]) -> dict[str, Any] | None:
    """The median delay from study to decision; when no case has a dated study followed by a decision, a
    figure that says so (rather than no figure, or "0–0 months")."""
    delay = results["delay_summary"]
    n = delay["cases"]
    apart = _left_out(delay)
    if not n:
        if not results["cases"]:
            return None
        return _figure(
            "delay",
            {"fr": "Non mesurable", "en": "Not measurable"},
            {
                "title_fr": "Délai médian de l'étude à la décision",
                "title_en": "Median time from study to decision",
                "fr": french_spaces(
                    "Aucun cas documenté n'a à la fois une étude datée et une décision qui la suit : le délai "
                    "de l'étude à la décision ne peut pas encore être mesuré." + apart["fr"]
                ),
                "en": "No documented case has both a dated study and a decision that follows it: the time "
                "from study to decision cannot be measured yet." + apart["en"],
            },
            [],
            "delays",
        )
    low, high = delay["median_low"], delay["median_high"]
    ranged = has_width(low, high)
    return _figure(
        "delay",
        {lang: _months(low, high, lang) for lang in LANGS},
        {
            "title_fr": "Délai médian de l'étude à la décision",
            "title_en": "Median time from study to decision",
            "fr": (
                "Pour le seul cas où l'étude et la décision qui la suit sont datées, le délai est de "
                if n == 1
                else f"Pour les {fmt_int(n, 'fr')} cas où l'étude et la décision qui la suit sont datées, le "
                "délai médian est de "
            )
            + _months(low, high, "fr").replace("–", " à ", 1)
            + (" (la fourchette tient à la précision des dates)." if ranged else ".")
            + apart["fr"],
            "en": (
                "For the one case where both the study and the decision that follows it are dated, the time is "
                if n == 1
                else f"For the {fmt_int(n, 'en')} cases where both the study and the decision that follows it "
                "are dated, the median time is "
            )
            + _months(low, high, "en").replace("–", " to ", 1)
            + (" (the range reflects the precision of dates)." if ranged else ".")
            + apart["en"],
        },
        delay["case_ids"].split("|"),
        "delays",
    )


#: the key figures of the home page, in their order; a builder returns None when the edition has nothing for it
HEADLINE = (
    _publications,
    _top_source,
    _precise_naming,
    _authorisation,
    _kinds_of_use,
    _cases,
    _people,
    _delay,
)


def headline(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The handful of key figures of the home page, each with its comment (both languages) and evidence."""
    return [figure for build in HEADLINE if (figure := build(results)) is not None]
