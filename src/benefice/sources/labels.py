"""The words the source pages show for the registry's codes: kinds of source, countries, forms of a name, fields.

A code (``cohort``, ``primary_care``, ``official_name``, ``FR``) is what the registry file and the detector
store; a reader gets its label in the page's language. Each label is an English gettext msgid with a message
context, translated in the main catalogue (``locale/fr/LC_MESSAGES/django.po``) and read through
:mod:`benefice.i18n`, so the pure modules (charts) and the views share them. An unknown code (a registry edited
with a new kind or country) is shown as it is written rather than hidden. Pure Python (no Django).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from benefice.i18n import pgettext, pick

KIND_CONTEXT = "kind of data source"
COUNTRY_CONTEXT = "country of a data source"
FORM_CONTEXT = "form of a source name"
FIELD_CONTEXT = "registry field"

#: registry ``kind`` -> label (English msgid)
KIND_LABELS: dict[str, str] = {
    "claims": "Claims data",
    "hospital_discharge": "Hospital discharge data",
    "cause_of_death": "Causes of death",
    "cohort": "Cohort",
    "disease_registry": "Disease registry",
    "hospital_data_warehouse": "Hospital data warehouse",
    "survey": "Survey",
    "sample": "Sample",
    "surveillance": "Surveillance system",
    "linked_database": "Linked database",
    "primary_care": "Primary care records",
    "administrative": "Administrative data",
    "actor": "Actor (not a data source)",
}

#: registry ``country`` (ISO 3166-1 alpha-2, ``EU`` for pan-European sources) -> label
COUNTRY_LABELS: dict[str, str] = {
    "FR": "France",
    "EU": "Europe (several countries)",
    "GB": "United Kingdom",
    "DK": "Denmark",
    "SE": "Sweden",
    "NO": "Norway",
    "FI": "Finland",
    "US": "United States",
    "CA": "Canada",
    "KR": "South Korea",
    "TW": "Taiwan",
    "JP": "Japan",
    "DE": "Germany",
    "ES": "Spain",
    "NL": "Netherlands",
}

#: how a mention names a source (``registry.FORMS``) -> label
FORM_LABELS: dict[str, str] = {
    "acronym": "acronym",
    "official_name": "official name",
    "translation": "translation",
    "former_name": "former name",
    "description": "description",
}

#: registry fields -> label (the edit form, the history of changes)
FIELD_LABELS: dict[str, str] = {
    "names": "Official names",
    "kind": "Kind of source",
    "country": "Country",
    "parent": "Part of (source id)",
    "predecessor": "Replaces (source id)",
    "successor": "Replaced by (source id)",
    "custodian": "Custodian",
    "access": "Access",
    "ambiguity": "Ambiguity note",
    "history": "History",
    "first_year": "First year of data",
    "documentation_url": "Documentation (web address)",
    "citation": "Recommended citation",
    "acronyms": "Acronyms",
    "former_names": "Former names",
    "variants": "Spelling variants",
    "translations": "Translations",
    "descriptions": "Descriptions",
    "ambiguous": "Ambiguous forms",
    "context": "Context words",
    "grammar": "Description rules",
}


def _label(table: dict[str, str], context: str, code: str, lang: str | None) -> str:
    msgid = table.get(code)
    return pgettext(context, msgid, lang or "fr") if msgid else code


def kind_label(code: str, lang: str | None) -> str:
    """The kind of a source in ``lang`` ("Cohorte" for ``cohort``)."""
    return _label(KIND_LABELS, KIND_CONTEXT, code, lang)


def country_label(code: str, lang: str | None) -> str:
    """The country of a source in ``lang`` ("Royaume-Uni" for ``GB``)."""
    return _label(COUNTRY_LABELS, COUNTRY_CONTEXT, code, lang)


def form_label(code: str, lang: str | None) -> str:
    """How a source was named ("acronyme" for ``acronym``), for the naming chart's legend."""
    return _label(FORM_LABELS, FORM_CONTEXT, code, lang)


def field_label(code: str, lang: str | None) -> str:
    """A registry field's label ("Note sur l'ambiguïté" for ``ambiguity``)."""
    return _label(FIELD_LABELS, FIELD_CONTEXT, code, lang)


_THREE_LETTER = {"eng": "en", "fre": "fr", "fra": "fr", "ger": "de", "deu": "de", "spa": "es", "ita": "it"}


def text_language(code: str | None) -> str:
    """The ``lang`` attribute of a publication's title and abstract: its record's language as a two-letter
    code (ISO 639-1, what the importers store; the common three-letter codes are mapped), else "" (unknown:
    no attribute, rather than a wrong one)."""
    code = (code or "").strip().lower()
    if len(code) == 2 and code.isalpha():
        return code
    return _THREE_LETTER.get(code, "")


def short_name(source_id: str, entry: Mapping[str, Any] | None, lang: str | None) -> str:
    """How a page or a chart names a source in a list: the first acronym its owners use ("PMSI MCO",
    "EDS AP-HP"), else its name in ``lang`` (the other language's when that one is missing), else the id.

    Why not the id: registry ids (``PMSI_MCO``, ``ERA_REGISTRY``) are keys written for programs, in upper
    case with underscores; a reader takes them for codes left on the page. ``entry`` is the registry
    record (``Source.to_dict()``, a stored ``Source.data`` or a frozen edition's registry entry); None for
    an id the registry no longer has, which is then shown as written rather than hidden."""
    if not entry:
        return source_id
    acronyms = entry.get("acronyms") or []
    if acronyms:
        return str(acronyms[0])
    names = entry.get("names") or {}
    if isinstance(names, Mapping):
        return pick(str(names.get("fr") or ""), str(names.get("en") or ""), lang) or source_id
    return source_id
