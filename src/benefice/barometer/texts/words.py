"""The barometer's words: its labels (UI words, translated in the gettext catalogue), the names of its
measures and units, number formats in each language, and French typography.

The labels' French is in the barometer app's catalogue, read through :mod:`benefice.i18n` without Django
(the site and the PDF are built without it); this module keeps their keys and English msgids.
"""

from __future__ import annotations

import re

from benefice.i18n import pgettext

LANGS = ("fr", "en")
NBSP = "\u202f"  # narrow no-break space: the French thousands separator and the space before %
CONTEXT = "barometer"  # the gettext message context of the barometer's words

#: The barometer's words (pages, PDF, chart axes, legends and table headers) by the key the templates and
#: the charts name them with. Each value is the English text and its gettext msgid; the French is the
#: msgstr in the barometer app's catalogue (locale/fr/LC_MESSAGES/django.po), under the message context
#: "barometer" so that a word the web app translates otherwise keeps its own translation.
LABELS: dict[str, str] = {
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
    # the versions an edition was built from, in the site's footer and the report's first lines
    "versions_colon": "Versions:",
    "versions_line": "registry {registry} · typology {typology} · indicators {indicators} · cases {cases}",
    "chart_colon": "Chart:",
}
MEASURES = {
    "people": "People concerned",
    "attributable": "Attributable events",
    "avoided": "Events avoided",
}
UNITS = {
    "persons": "persons",
    "pregnancies": "pregnancies",
    "events": "events",
    "deaths": "deaths",
    "hospitalisations": "hospitalisations",
    "cases": "cases",
    "children": "children",
    "events_per_year": "events per year",
    "deaths_per_year": "deaths per year",
    "cases_per_year": "cases per year",
    "pregnancies_per_year": "pregnancies per year",
    # the other units the shipped cases and indicators use (issue 19: a unit is never shown as its key)
    "women": "women",
    "girls": "girls",
    "procedures": "procedures",
    "consultations": "consultations",
    "percent": "percent",
    "percent_change": "percent change",
    "relative_risk": "relative risk",
    "hazard_ratio": "hazard ratio",
    "odds_ratio": "odds ratio",
    "per_million": "per million",
    "per_100000": "per 100,000",
    "cigarettes_per_day": "cigarettes per day",
    "text": "text",
}


def label(key: str, lang: str) -> str:
    """The barometer's word ``key`` (of :data:`LABELS`) in ``lang``: English for any language but French."""
    return pgettext(CONTEXT, LABELS[key], lang)


def labels(lang: str) -> dict[str, str]:
    """Every word of :data:`LABELS` in ``lang``, by key: what the site's and the PDF's templates get as ``t``."""
    return {key: pgettext(CONTEXT, msgid, lang) for key, msgid in LABELS.items()}


def measure_name(measure: str, lang: str) -> str:
    return pgettext(CONTEXT, MEASURES[measure], lang)


def unit_name(unit: str, lang: str) -> str:
    """A unit's name in ``lang``; a unit without one is shown as its key."""
    return pgettext(CONTEXT, UNITS[unit], lang) if unit in UNITS else unit


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


def singular(n: float | int | None, lang: str) -> bool:
    """Whether a count takes the singular noun: French says « 0 publication, 1 publication », English
    "1 publication" only."""
    if n is None:
        return False
    return abs(n) < 2 if lang == "fr" else n == 1


def count(n: float | int | None, one: str, many: str, lang: str) -> str:
    """A count and its noun with the plural right in ``lang``: ``count(1, "cas", "cas", "fr")``."""
    return f"{fmt_int(n, lang)} {one if singular(n, lang) else many}"


def has_width(low: float | None, high: float | None) -> bool:
    """A range worth showing as a range: both bounds known and the low below the high. "4 925 579 à
    4 925 579" is one number, and reads as a bug when written as two."""
    return low is not None and high is not None and low < high


def fmt_span(low: float | None, high: float | None, lang: str, *, integer: bool = True) -> str:
    """The words "low to high" when the range has width, else the single value ("12" rather than "12 to
    12"): what the comments write where the value column shows ``low–high``."""
    show = fmt_int if integer else fmt_num
    if not has_width(low, high):
        return show(high if low is None else low, lang)
    return f"{show(low, lang)} {'à' if lang == 'fr' else 'to'} {show(high, lang)}"


def fmt_range(low: float | None, value: float | None, high: float | None, lang: str) -> str:
    """A range with its central value when there is one: "1 200 (800–1 500)"."""
    span = f"{fmt_int(low, lang)}–{fmt_int(high, lang)}"
    if not has_width(low, high):
        return fmt_int(high if low is None else low, lang)
    return f"{fmt_int(value, lang)} ({span})" if value is not None else span


_FR_SPACE = re.compile(r" (?=[:;!?%»])|(?<=«) ")


def french_spaces(text: str) -> str:
    """French typography: a no-break space before « : », « ; », « ! », « ? », « % » and inside guillemets."""
    return _FR_SPACE.sub("\u00a0", text)


def case_title(row: dict, lang: str) -> str:
    """A case's title in ``lang`` from an edition's row, with French typography in French (the curated
    titles were written with plain spaces before « : »)."""
    title = row.get(f"title_{lang}") or row.get("title_en") or row.get("title_fr") or row.get("case", "")
    return french_spaces(title) if lang == "fr" else title
