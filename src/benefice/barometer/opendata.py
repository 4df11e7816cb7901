"""The open-data package of an edition: CSV files described by a Frictionless ``datapackage.json``.

Licence: *Licence Ouverte / Open Licence 2.0* (Etalab). It is the licence the French administration
recommends for the data it publishes (décret 2017-638), it only asks for attribution, and it is compatible
with CC-BY and ODbL re-use. ODbL's share-alike would bind anyone who merges these aggregates into their own
database, which would hinder exactly the re-use a barometer is for; the figures here are aggregates and
bibliographic identifiers, not a database whose openness needs protecting. The licence can be changed with
the ``licence`` parameter (``odbl-1.0``), which the manifest records.

Every field has a type and a bilingual description, so ``frictionless validate datapackage.json`` checks
both the structure and the values.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

import pyarrow as pa

from benefice import csvout
from benefice.errors import BeneficeError

LICENCES = {
    "etalab-2.0": {
        "name": "etalab-2.0",
        "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
        "title": "Licence Ouverte / Open Licence version 2.0",
    },
    "odbl-1.0": {
        "name": "ODbL-1.0",
        "path": "https://opendatacommons.org/licenses/odbl/1-0/",
        "title": "Open Data Commons Open Database License 1.0",
    },
}

# name -> (Table Schema type, English description, French description)
FIELDS: dict[str, tuple[str, str, str]] = {
    "year": ("integer", "Publication year", "Année de publication"),
    "publications": ("integer", "Number of publications", "Nombre de publications"),
    "using_any_source": (
        "integer",
        "Publications using at least one registry source",
        "Publications utilisant au moins une source du registre",
    ),
    "using_french_source": (
        "integer",
        "Publications using at least one French source",
        "Publications utilisant au moins une source française",
    ),
    "change": (
        "integer",
        "Change from the previous publication year",
        "Variation par rapport à l'année précédente",
    ),
    "change_pct": (
        "number",
        "Relative change from the previous year (share, empty when the previous year is zero)",
        "Variation relative (part ; vide si l'année précédente est à zéro)",
    ),
    "pairs": ("integer", "(publication, source used) pairs", "Couples (publication, source utilisée)"),
    "precise_share": (
        "number",
        "Share of uses naming the source precisely (not only a description), over uses whose form is known",
        "Part des usages nommant la source précisément, parmi ceux dont la forme est connue",
    ),
    "authorisation_share": (
        "number",
        "Share of publications citing the authorisation (CNIL, CESREES/CEREES, HDH)",
        "Part des publications citant l'autorisation (CNIL, CESREES/CEREES, HDH)",
    ),
    "documentation_share": (
        "number",
        "Share of publications citing the documentation",
        "Part des publications citant la documentation",
    ),
    "custodian_share": (
        "number",
        "Share of publications citing the custodian",
        "Part des publications citant le responsable",
    ),
    "source": ("string", "Registry source id", "Identifiant de la source dans le registre"),
    "name_fr": ("string", "Name in French", "Nom en français"),
    "name_en": ("string", "Name in English", "Nom en anglais"),
    "kind": ("string", "Kind of source", "Type de source"),
    "country": ("string", "Country (ISO 3166-1 alpha-2)", "Pays (ISO 3166-1 alpha-2)"),
    "parent": ("string", "Parent source id", "Source parente"),
    "components": ("string", "Component source ids, separated by |", "Composantes, séparées par |"),
    "custodian": (
        "string",
        "Data custodian (as in the registry)",
        "Responsable des données (selon le registre)",
    ),
    "custodian_slug": (
        "string",
        "Custodian key (local barometer folder)",
        "Clé du responsable (dossier du baromètre local)",
    ),
    "publications_own": (
        "integer",
        "Publications naming the source itself as used",
        "Publications utilisant la source elle-même",
    ),
    "publications_family": (
        "integer",
        "Publications using the source or any of its components, counted once",
        "Publications utilisant la source ou l'une de ses composantes, comptées une fois",
    ),
    "change_family": (
        "integer",
        "Year-over-year change of the family count",
        "Variation annuelle du compte famille",
    ),
    "change_family_pct": (
        "number",
        "Relative year-over-year change of the family count",
        "Variation annuelle relative du compte famille",
    ),
    "mentioned_only": (
        "integer",
        "Publications mentioning the source without using it",
        "Publications mentionnant la source sans l'utiliser",
    ),
    "forms_known": (
        "integer",
        "Uses whose naming form is known",
        "Usages dont la forme de désignation est connue",
    ),
    "cases_own": ("integer", "Documented cases naming the source", "Cas documentés nommant la source"),
    "cases_family": (
        "integer",
        "Documented cases naming the source or a component",
        "Cas documentés nommant la source ou une composante",
    ),
    "decisions_family": ("integer", "Decisions in those cases", "Décisions de ces cas"),
    "sources": ("string", "Source ids, separated by |", "Identifiants des sources, séparés par |"),
    "category": (
        "string",
        "Category of use (typology id)",
        "Catégorie d'usage (identifiant de la typologie)",
    ),
    "cases": ("integer", "Number of documented cases", "Nombre de cas documentés"),
    "decisions": ("integer", "Number of decisions", "Nombre de décisions"),
    "case": ("string", "Impact case id", "Identifiant du cas d'impact"),
    "title_fr": ("string", "Title in French", "Titre en français"),
    "title_en": ("string", "Title in English", "Titre en anglais"),
    "categories": ("string", "Categories of use, separated by |", "Catégories d'usage, séparées par |"),
    "publications_corpus": (
        "integer",
        "Publications of the corpus labelled with the category of use (its effective kinds of use)",
        "Publications du corpus étiquetées dans la catégorie d'usage (usages en vigueur)",
    ),
    "by_person": ("integer", "Of which labels set by a person", "Dont étiquettes posées par une personne"),
    "by_rule": ("integer", "Of which labels set by a rule", "Dont étiquettes posées par une règle"),
    "by_model": ("integer", "Of which labels set by the model", "Dont étiquettes posées par le modèle"),
    "expected": (
        "number",
        "Expected count: sum of the labels' calibrated probabilities (a person's label counts 1)",
        "Nombre attendu : somme des probabilités calibrées des étiquettes (une étiquette posée par une "
        "personne compte 1)",
    ),
    "count_low": (
        "integer",
        "Low bound of the 95 % interval of the count (Poisson-binomial)",
        "Borne basse de l'intervalle à 95 % du nombre (loi de Poisson binomiale)",
    ),
    "count_high": (
        "integer",
        "High bound of the 95 % interval of the count (Poisson-binomial)",
        "Borne haute de l'intervalle à 95 % du nombre (loi de Poisson binomiale)",
    ),
    "interval": (
        "string",
        "How the interval was computed: exact (Poisson-binomial) or normal (approximation with continuity "
        "correction, beyond 200 uncertain labels)",
        "Calcul de l'intervalle : exact (loi de Poisson binomiale) ou normal (approximation avec correction "
        "de continuité, au-delà de 200 étiquettes incertaines)",
    ),
    "basis": (
        "string",
        "own (the source itself) or family (the source or one of its components)",
        "own (la source elle-même) ou family (la source ou l'une de ses composantes)",
    ),
    "publications_in_cases": (
        "integer",
        "Publications of the corpus cited by a documented case of the category (the cases' categories)",
        "Publications du corpus citées par un cas documenté de la catégorie (catégories des cas)",
    ),
    "use_methods": (
        "string",
        "How each category was set (person, rule, model), in the order of categories, separated by |",
        "Comment chaque catégorie a été posée (person, rule, model), dans l'ordre des catégories, séparés par |",
    ),
    "use_probabilities": (
        "string",
        "Calibrated probability of each category, in the order of categories, separated by |",
        "Probabilité calibrée de chaque catégorie, dans l'ordre des catégories, séparées par |",
    ),
    "case_categories": (
        "string",
        "Categories of the documented cases citing the publication, separated by |",
        "Catégories des cas documentés citant la publication, séparées par |",
    ),
    "data_sources": ("string", "Data sources, separated by |", "Sources de données, séparées par |"),
    "attribution_grade": ("string", "Attribution grade (typology)", "Degré d'attribution (typologie)"),
    "strongest_decision": ("string", "Strongest decision type", "Type de décision le plus fort"),
    "first_decision": (
        "string",
        "Date of the first decision (YYYY, YYYY-MM or YYYY-MM-DD)",
        "Date de la première décision",
    ),
    "dois": (
        "string",
        "DOIs of the case's publications, separated by |",
        "DOI des publications du cas, séparés par |",
    ),
    "agency": ("string", "Deciding body", "Instance de décision"),
    "date": ("string", "Date (YYYY, YYYY-MM or YYYY-MM-DD)", "Date (AAAA, AAAA-MM ou AAAA-MM-JJ)"),
    "type": ("string", "Decision type (typology id)", "Type de décision (identifiant de la typologie)"),
    "type_rank": (
        "integer",
        "Rank of the decision type (higher is stronger)",
        "Rang du type de décision (plus haut = plus fort)",
    ),
    "rank": ("integer", "Rank (higher is stronger)", "Rang (plus haut = plus fort)"),
    "scope": ("string", "Scope (national, eu, international)", "Portée (nationale, UE, internationale)"),
    "verified": ("boolean", "Checked in the source", "Vérifié dans la source"),
    "included": ("boolean", "Counted in this edition's totals", "Compté dans les totaux de l'édition"),
    "figure_id": (
        "string",
        "Figure id: case/indicator/rank within the case",
        "Identifiant du chiffre : cas/indicateur/rang",
    ),
    "indicator": ("string", "Indicator code (catalogue)", "Code de l'indicateur (catalogue)"),
    "label": ("string", "Label", "Libellé"),
    "unit": ("string", "Unit", "Unité"),
    "low": ("number", "Low bound", "Borne basse"),
    "value": ("number", "Central value (empty when none)", "Valeur centrale (vide si aucune)"),
    "high": ("number", "High bound", "Borne haute"),
    "text": ("string", "Narrative", "Récit"),
    "evidence_grade": ("string", "Evidence grade (typology)", "Niveau de preuve (typologie)"),
    "entered_at": ("string", "Date the figure was entered", "Date de saisie du chiffre"),
    "source_doi": ("string", "DOI of the figure's source", "DOI de la source du chiffre"),
    "source_url": ("string", "URL of the figure's source", "URL de la source du chiffre"),
    "source_location": ("string", "Where in the source", "Emplacement dans la source"),
    "measure": (
        "string",
        "Measure: people, attributable or avoided",
        "Mesure : personnes, attribuables ou évités",
    ),
    "figures": ("integer", "Number of figures", "Nombre de chiffres"),
    "figure_ids": ("string", "Figure ids, separated by |", "Identifiants des chiffres, séparés par |"),
    "study_date": ("string", "Date of the first study step", "Date de la première étape d'étude"),
    "study_event": (
        "string",
        "That step, as in the case timeline",
        "Cette étape, selon la chronologie du cas",
    ),
    "decision_date": ("string", "Date of the decision that follows", "Date de la décision qui suit"),
    "decision_type": ("string", "Type of that decision", "Type de cette décision"),
    "months_low": (
        "integer",
        "Months from study to decision, low bound",
        "Mois de l'étude à la décision, borne basse",
    ),
    "months_high": (
        "integer",
        "Months from study to decision, high bound",
        "Mois de l'étude à la décision, borne haute",
    ),
    "id": ("string", "Publication id in the frozen publication set", "Identifiant de la publication"),
    "doi": ("string", "DOI", "DOI"),
    "pmid": ("string", "PubMed id", "Identifiant PubMed"),
    "title": ("string", "Title", "Titre"),
    "journal": ("string", "Journal", "Revue"),
    "sources_used": ("string", "Sources used, separated by |", "Sources utilisées, séparées par |"),
    "value_fr": ("string", "Value as shown (French)", "Valeur affichée (français)"),
    "value_en": ("string", "Value as shown (English)", "Valeur affichée (anglais)"),
    "comment_fr": ("string", "Comment (French)", "Commentaire (français)"),
    "comment_en": ("string", "Comment (English)", "Commentaire (anglais)"),
    "evidence": (
        "string",
        "Evidence: DOIs, publication, case or figure ids, separated by |",
        "Preuves : DOI, identifiants, séparés par |",
    ),
    "chart": ("string", "Chart id", "Identifiant du graphique"),
    "by": ("string", "Grouping: source or category", "Regroupement : source ou catégorie"),
    "key": (
        "string",
        "Data source id or category of use id",
        "Identifiant de la source ou de la catégorie d'usage",
    ),
    "method": (
        "string",
        "sum (intervals added), single (one figure) or envelope (span of non-additive figures)",
        "sum (intervalles additionnés), single (un chiffre) ou envelope (étendue de chiffres non additifs)",
    ),
    "n_cases": ("integer", "Cases contributing", "Cas contributeurs"),
    "n_figures": ("integer", "Figures contributing", "Chiffres contributeurs"),
    "case_ids": ("string", "Case ids, separated by |", "Identifiants des cas, séparés par |"),
    "deduplicated_populations": (
        "string",
        "Populations counted once, with the figures compared",
        "Populations comptées une fois, avec les chiffres comparés",
    ),
    "verified_only": ("boolean", "Only verified figures", "Uniquement des chiffres vérifiés"),
    "case_rank": ("integer", "Rank of the case (1 = first)", "Rang du cas (1 = premier)"),
    "score": (
        "number",
        "Score of the case under the edition's weights",
        "Score du cas avec les pondérations de l'édition",
    ),
    "rank_low": (
        "integer",
        "Best plausible rank under uncertain weights",
        "Meilleur rang plausible sous pondérations incertaines",
    ),
    "rank_high": (
        "integer",
        "Worst plausible rank under uncertain weights",
        "Moins bon rang plausible sous pondérations incertaines",
    ),
}

# table name -> (columns, primary key, English description)
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "headline": (("id", "title_fr", "title_en", "value_fr", "value_en", "comment_fr", "comment_en", "evidence", "chart"), ("id",), "Key figures of the edition with their comments and evidence"),
    "publications_by_year": (("year", "publications", "using_any_source", "using_french_source", "change", "change_pct", "pairs", "precise_share", "authorisation_share", "documentation_share", "custodian_share"), ("year",), "Publications by publication year, with citation quality"),
    "sources": (("source", "name_fr", "name_en", "kind", "country", "parent", "components", "custodian", "custodian_slug", "publications_own", "publications_family", "mentioned_only", "forms_known", "precise_share", "authorisation_share", "documentation_share", "custodian_share", "cases_own", "cases_family", "decisions_family"), ("source",), "Every registry source (zero when unused): publications, citation quality, cases"),
    "sources_by_year": (("source", "year", "publications_own", "publications_family", "change_family", "change_family_pct"), ("source", "year"), "Publications per source and publication year"),
    "custodians": (("custodian_slug", "custodian", "sources", "publications"), ("custodian_slug",), "Publications per data custodian"),
    "custodians_by_year": (("custodian_slug", "year", "publications"), ("custodian_slug", "year"), "Publications per data custodian and year"),
    "categories": (("category", "name_fr", "name_en", "publications_corpus", "by_person", "by_rule", "by_model", "expected", "count_low", "count_high", "interval", "cases", "decisions", "publications_in_cases"), ("category",), "Per category of use: publications of the corpus (labels by person, rule and model, expected count and 95 % interval) and, apart, the documented cases, their decisions and the publications they cite"),
    "categories_by_year": (("category", "year", "publications_corpus", "by_person", "by_rule", "by_model", "expected", "count_low", "count_high", "interval"), ("category", "year"), "Publications of the corpus per category of use and publication year, by how labels were set, with expected count and 95 % interval"),
    "sources_by_category": (("source", "category", "basis", "publications_corpus", "by_person", "by_rule", "by_model", "expected", "count_low", "count_high", "interval"), ("source", "category", "basis"), "Publications of the corpus per data source (own and family) and category of use, by how labels were set, with expected count and 95 % interval"),
    "cases": (("case", "title_fr", "title_en", "categories", "data_sources", "attribution_grade", "decisions", "strongest_decision", "first_decision", "publications", "dois"), ("case",), "Documented impact cases"),
    "decisions": (("case", "agency", "date", "year", "type", "type_rank", "scope", "verified", "included"), (), "Decisions of the cases known at the observation date"),
    "decision_types": (("type", "rank", "name_fr", "name_en", "decisions", "cases"), ("type",), "Decisions by type"),
    "figures": (("figure_id", "case", "indicator", "label", "unit", "low", "value", "high", "text", "evidence_grade", "attribution_grade", "verified", "entered_at", "included", "source_doi", "source_url", "source_location"), ("figure_id",), "Figures of the cases, with their sources"),
    "impact_ranges": (("measure", "unit", "low", "value", "high", "cases", "figures", "figure_ids"), ("measure", "unit"), "People concerned and events attributable or avoided, as ranges"),
    "delays": (("case", "study_date", "study_event", "decision_date", "decision_type", "months_low", "months_high"), ("case",), "Time from study to decision per case"),
    "publications": (("id", "year", "doi", "pmid", "title", "journal", "sources_used", "categories", "use_methods", "use_probabilities", "case_categories"), ("id",), "The publications in the perimeter, for drill-down from any count"),
    "impact_values": (("by", "key", "indicator", "unit", "low", "value", "high", "method", "n_cases", "n_figures", "case_ids", "figure_ids", "deduplicated_populations", "verified_only"), ("by", "key", "indicator", "unit"), "Indicator values per data source and per category of use (ranges added as intervals, a population counted once; rows of different keys must not be added up)"),
    "ranking": (("case", "case_rank", "score", "rank_low", "rank_high"), ("case",), "Ranking of the cases with the range of ranks under uncertain weights (empty when the edition has no ranking)"),
}  # fmt: skip


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, list | tuple):
        return "|".join(str(v) for v in value)
    return str(value)


def _use_row(row: dict[str, Any]) -> dict[str, Any]:
    """A kinds-of-use row under its open-data column names (``publications`` of the corpus, interval
    bounds as ``count_low`` / ``count_high``)."""
    return row | {
        "publications_corpus": row["publications"],
        "count_low": row["low"],
        "count_high": row["high"],
    }


def csv_bytes(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> bytes:
    """CSV (UTF-8, comma, LF) of the given columns; lists joined with |, booleans true/false, None empty;
    text a spreadsheet would run as a formula is prefixed with a quote (``benefice.csvout``)."""
    buffer = io.StringIO()
    writer = csvout.writer(buffer)  # formula-like text cells get a quote in front (see csvout)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_text(row.get(c)) for c in columns])
    return buffer.getvalue().encode("utf-8")


def publication_rows(table: pa.Table, first: int, last: int) -> Iterable[dict[str, Any]]:
    """The perimeter's publications, in id order, in batches (the table can hold a million rows)."""
    columns = ["id", "year", "doi", "pmid", "title", "journal", "sources_used", "categories", "use_methods",
               "use_probabilities", "case_categories"]  # fmt: skip
    for batch in table.select(columns).to_batches(50_000):
        for row in batch.to_pylist():
            if first <= row["year"] <= last:
                yield row


def field_schema(name: str) -> dict[str, Any]:
    if name not in FIELDS:
        raise BeneficeError(f"no description for open-data column {name!r}", field=name)
    ftype, en, fr = FIELDS[name]
    return {"name": name, "type": ftype, "description": f"{en}. — {fr}."}


def build_opendata(
    results: dict[str, Any], publications: pa.Table, input_hashes: dict[str, str]
) -> dict[str, bytes]:
    """File name (relative to ``data/``) -> bytes, including ``datapackage.json``."""
    e = results["edition"]
    licence = LICENCES.get(results["params"].get("licence", "etalab-2.0"))
    if licence is None:
        raise BeneficeError(
            f"unknown licence {results['params'].get('licence')!r} (known: {', '.join(LICENCES)})",
            field="licence",
        )
    files: dict[str, bytes] = {}
    resources = []
    for name, (columns, key, description) in TABLES.items():
        if name == "publications":
            rows: Iterable[dict[str, Any]] = publication_rows(
                publications, e["first_publication_year"], e["last_publication_year"]
            )
        elif name == "impact_values":
            iv = results.get("impact_values") or {}
            rows = [*iv.get("by_source", []), *iv.get("by_category", [])]
        elif name == "ranking":
            rows = [{**r, "case_rank": r["rank"]} for r in results["ranking"]["rows"]]
        elif name in ("categories", "categories_by_year", "sources_by_category"):
            rows = [_use_row(r) for r in results[name]]
        elif name == "headline":
            rows = [{**h, "evidence": h["evidence"]} for h in results["headline"]]
        else:
            rows = results[name]
        files[f"{name}.csv"] = csv_bytes(columns, rows)
        schema: dict[str, Any] = {"fields": [field_schema(c) for c in columns], "missingValues": [""]}
        if key:
            schema["primaryKey"] = list(key)
        resources.append(
            {
                "name": name.replace("_", "-"),
                "path": f"{name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "description": description,
                "schema": schema,
            }
        )
    versions = results["versions"]
    package = {
        "profile": "tabular-data-package",
        "name": f"benefice-barometer-{e['year']}",
        "title": f"Baromètre des bénéfices de la réutilisation des données de santé — édition {e['year']} / "
        f"Barometer of the benefits of reusing health data — {e['year']} edition",
        "description": f"Publications {e['first_publication_year']}–{e['last_publication_year']} observed on "
        f"{e['observed_at']}. Registry {versions['registry']}, typology {versions['typology']}, indicators "
        f"{versions['indicators']}, cases {versions['cases']}. Text cells starting with =, +, -, @, a tab or a "
        "carriage return (other than plain numbers such as -3.2) carry a leading single quote, so that no "
        "spreadsheet runs them as formulas. — Les cellules de texte commençant par =, +, -, @, une tabulation "
        "ou un retour chariot (hors nombres comme -3.2) sont précédées d'une apostrophe : aucun tableur ne les "
        "exécute comme formules.",
        "version": str(e["year"]),
        "created": e["observed_at"] + "T00:00:00Z",
        "licenses": [licence],
        "sources": [
            {
                "title": f"benefice source registry {versions['registry']} (sha256 {input_hashes.get('sources.yaml', '')})"
            },
            {
                "title": f"benefice typology {versions['typology']} and indicator catalogue {versions['indicators']}"
            },
            {
                "title": f"benefice impact cases {versions['cases']} (each figure cites its DOI or URL in figures.csv)"
            },
            {
                "title": "Bibliographic metadata of the publications (PubMed, OpenAlex, Crossref, HAL) as imported into benefice"
            },
        ],
        "contributors": [{"title": "benefice", "role": "author"}],
        "resources": resources,
    }
    files["datapackage.json"] = (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return files
