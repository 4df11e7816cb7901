"""Review services: protocol, records, screening decisions, conflicts, agreement, PRISMA counts, exports.

Views and the demo call these; every change runs in one transaction and leaves the database as it was on
error. A decision is committed *before* the background worker is asked to retrain (``on_commit``), so a
crash during retraining cannot lose it. One module per concern; this package re-exports every name callers
use (``from benefice.review import services`` then ``services.decide``).
"""


from benefice.review.services.access import (
    can_screen,
    can_view,
    is_lead,
    membership,
    reviews_for,
)
from benefice.review.services.decisions import (
    DECISION_VALUES,
    STAGE_CODES,
    decide,
    refresh_status,
    resolve,
)
from benefice.review.services.exports import (
    CSV_COLUMNS,
    export_csv,
    export_ris,
)
from benefice.review.services.protocol import (
    create_review,
    parse_lines,
    parse_tags,
    set_member,
    update_review,
)
from benefice.review.services.records import (
    SEARCH_PARAMS,
    Added,
    add_from_corpus,
    add_from_search,
    corpus_selection,
    import_for_review,
    search_params,
    search_selection,
)
from benefice.review.services.reporting import (
    agreement_stats,
    aid_from,
    consecutive_irrelevant,
    labels_in_order,
    prisma_counts,
    progress,
    screening_summary,
    status_counts,
    stopping_aid,
)
from benefice.review.services.screening import (
    conflicts,
    current_ranking,
    next_record,
    visible_decisions,
)

__all__ = [
    "Added",
    "CSV_COLUMNS",
    "DECISION_VALUES",
    "STAGE_CODES",
    "SEARCH_PARAMS",
    "add_from_corpus",
    "add_from_search",
    "agreement_stats",
    "aid_from",
    "can_screen",
    "can_view",
    "conflicts",
    "consecutive_irrelevant",
    "corpus_selection",
    "create_review",
    "current_ranking",
    "decide",
    "export_csv",
    "export_ris",
    "import_for_review",
    "is_lead",
    "labels_in_order",
    "membership",
    "next_record",
    "parse_lines",
    "parse_tags",
    "prisma_counts",
    "progress",
    "refresh_status",
    "resolve",
    "reviews_for",
    "screening_summary",
    "search_params",
    "search_selection",
    "set_member",
    "status_counts",
    "stopping_aid",
    "update_review",
    "visible_decisions",
]
