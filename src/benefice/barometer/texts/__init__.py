"""Words of the barometer in French and English: labels, number formats, the key figures and the rules.

A package by section (``words``: labels, units, formats, typography; ``headline``: the key figures;
``rules``: the methodology's written rules) so that none grows past the project's size limit. Everything
is re-exported here, where the site, the PDF, the charts, the templates' tags and the edition's
computation import it.
"""

from benefice.barometer.texts.headline import HEADLINE, headline
from benefice.barometer.texts.rules import rules
from benefice.barometer.texts.words import (
    CONTEXT,
    LABELS,
    LANGS,
    MEASURES,
    NBSP,
    UNITS,
    case_title,
    count,
    fmt_int,
    fmt_num,
    fmt_pct,
    fmt_range,
    fmt_span,
    french_spaces,
    has_width,
    label,
    labels,
    measure_name,
    singular,
    unit_name,
)

__all__ = [
    "CONTEXT",
    "HEADLINE",
    "LABELS",
    "LANGS",
    "MEASURES",
    "NBSP",
    "UNITS",
    "case_title",
    "count",
    "fmt_int",
    "fmt_num",
    "fmt_pct",
    "fmt_range",
    "fmt_span",
    "french_spaces",
    "has_width",
    "headline",
    "label",
    "labels",
    "measure_name",
    "rules",
    "singular",
    "unit_name",
]
