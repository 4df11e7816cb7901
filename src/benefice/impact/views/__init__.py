"""Impact pages: indicator catalogue, cases with their ranking, case pages, edits with history, impact cards.

Thin: the services load, validate, lock and audit; ``rank`` (pure) computes the ranking on the cases as
stored. Every figure on a case page links to its source (DOI resolver or URL) with the exact location or
quote beside it: the one-click rule of the design.

A package of one module per section (indicators, cases, cards, and what they share in ``common``) so
that none grows past the project's size limit; the views are re-exported here, where ``urls`` and
``impact.card`` find them.
"""

from benefice.impact.views.cards import case_card, case_card_pdf
from benefice.impact.views.cases import (
    case_context,
    case_detail,
    case_edit,
    case_history,
    case_list,
    cases_export,
    child_delete,
    child_edit,
)
from benefice.impact.views.common import RANK_METHODS, fmt_number, unit_name
from benefice.impact.views.indicators import (
    indicator_detail,
    indicator_edit,
    indicator_history,
    indicator_list,
    indicators_export,
)

__all__ = [
    "RANK_METHODS",
    "case_card",
    "case_card_pdf",
    "case_context",
    "case_detail",
    "case_edit",
    "case_history",
    "case_list",
    "cases_export",
    "child_delete",
    "child_edit",
    "fmt_number",
    "indicator_detail",
    "indicator_edit",
    "indicator_history",
    "indicator_list",
    "indicators_export",
    "unit_name",
]
