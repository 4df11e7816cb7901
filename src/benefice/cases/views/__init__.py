"""Case pages: cases with their ranking, case pages, edits with history, impact cards.

Thin: the services load, validate, lock and audit; ``rank`` (pure) computes the ranking on the cases as
stored. Every figure on a case page links to its source (DOI resolver or URL) with the exact location or
quote beside it: the one-click rule of the design. What these pages share with the indicator pages (units,
numbers, the history table) is ``benefice.indicators.display``.

A package of one module per section (cases, cards) so that none grows past the project's size limit; the
views are re-exported here, where ``urls`` and ``cases.card`` find them.
"""

from benefice.cases.views.cards import case_card, case_card_pdf
from benefice.cases.views.cases import (
    case_context,
    case_detail,
    case_edit,
    case_history,
    case_list,
    cases_export,
    child_delete,
    child_edit,
)

__all__ = [
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
]
