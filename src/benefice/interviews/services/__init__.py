"""What the interview workspace does, apart from HTTP: access, import, pseudonymisation review, coding,
codebook changes, agreement, analysis, exports, REFI-QDA exchange, theme suggestions and groundings.

Views and the ``qda`` command call these functions so the rules (coders only see pseudonymised text,
every change is audited, exports never carry originals) hold whatever the entry point.

One module per part of that work (``access``, ``transcripts``: import and pseudonymise, ``coding``,
``codebook``, ``agreement``, ``analysis``, ``exchange``: REFI-QDA, ``kept``: sources kept without their
content, ``themes``: theme suggestions, ``groundings``); the private helpers several of them share are
in ``_shared``. Callers keep using this package: ``from benefice.interviews import services`` then
``services.add_coding(...)``. A test that replaces a function must patch the module that looks it up.
"""

from __future__ import annotations

from benefice.core.models import audit  # the views record their own audit entries through services.audit
from benefice.interviews.services.access import (
    ATTRIBUTES,
    create_project,
    parse_names,
    projects_for,
    role_in,
    save_participant,
    set_member,
    update_project,
    visible_transcripts,
)
from benefice.interviews.services.agreement import agreement_for
from benefice.interviews.services.analysis import (
    SEGMENT_COLUMNS,
    coded_segments,
    cooccurrence,
    export_segments,
    frequencies,
)
from benefice.interviews.services.codebook import (
    ORDERS_OF_WORTH,
    PALETTE,
    STARTER_TITLES,
    code_tree,
    create_code,
    flatten,
    history,
    load_starter_codebook,
    merge_codes,
    next_colour_for,
    save_version,
    split_code,
    update_code,
)
from benefice.interviews.services.coding import (
    QUOTE_CHARACTERS,
    add_coding,
    coder_for,
    codings_json,
    delete_coding,
)
from benefice.interviews.services.exchange import (
    export_qdc,
    export_qdpx,
    import_codebook,
    import_refi,
    media_code_guids,
    to_refi,
)
from benefice.interviews.services.groundings import add_grounding, groundings_for, indicator_codes
from benefice.interviews.services.kept import (
    MAX_KEPT_ROWS,
    describe_position,
    kept_sources,
    stored_coding_count,
)
from benefice.interviews.services.themes import accept_suggestion, suggest_themes, uncoded_segments
from benefice.interviews.services.transcripts import (
    TRANSCRIPT_FORMATS,
    ReviewGroup,
    add_names_and_redetect,
    apply_review,
    import_transcript,
    project_mapping,
    propose_entities,
    review_groups,
)

__all__ = [
    "ATTRIBUTES",
    "MAX_KEPT_ROWS",
    "ORDERS_OF_WORTH",
    "PALETTE",
    "QUOTE_CHARACTERS",
    "SEGMENT_COLUMNS",
    "STARTER_TITLES",
    "TRANSCRIPT_FORMATS",
    "ReviewGroup",
    "accept_suggestion",
    "add_coding",
    "add_grounding",
    "add_names_and_redetect",
    "agreement_for",
    "apply_review",
    "audit",
    "code_tree",
    "coded_segments",
    "coder_for",
    "codings_json",
    "cooccurrence",
    "create_code",
    "create_project",
    "delete_coding",
    "describe_position",
    "export_qdc",
    "export_qdpx",
    "export_segments",
    "flatten",
    "frequencies",
    "groundings_for",
    "history",
    "import_codebook",
    "import_refi",
    "import_transcript",
    "indicator_codes",
    "kept_sources",
    "load_starter_codebook",
    "media_code_guids",
    "merge_codes",
    "next_colour_for",
    "parse_names",
    "project_mapping",
    "projects_for",
    "propose_entities",
    "review_groups",
    "role_in",
    "save_participant",
    "save_version",
    "set_member",
    "split_code",
    "stored_coding_count",
    "suggest_themes",
    "to_refi",
    "uncoded_segments",
    "update_code",
    "update_project",
    "visible_transcripts",
]
