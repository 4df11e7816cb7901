"""The sources app's services: the registry in the database, detection over the corpus, people's verdicts,
and how each source is cited.

One module per concern (``registry``, ``detection``, ``review``, ``stats``); every name callers use is
re-exported here, so ``from benefice.sources.services import …`` and ``services.<name>`` keep working. A
test that replaces a name a service looks up (the ``Detector`` of ``detection.scan_database``) patches the
module that looks it up.
"""

from __future__ import annotations

from benefice.sources.services.detection import (
    EFFECTIVE_FIELDS,
    RECORD_FIELDS,
    SCAN_CHUNK,
    ScanReport,
    detection_record,
    reapply_corrections,
    scan_database,
)
from benefice.sources.services.registry import (
    OBJECT_TYPE,
    EditConflict,
    SyncReport,
    db_registry,
    registry_hash,
    sync_registry,
    update_source,
)
from benefice.sources.services.review import (
    STATUS_ORDER,
    CorrectionOutcome,
    CorrectionRefused,
    correction_examples,
    ensure_detection,
    follow_corrections,
    next_review_item,
    publication_sources,
    record_correction,
    resolve_publication,
    review_remaining,
)
from benefice.sources.services.stats import (
    citation_practices,
    effective_publications,
    mention_rows,
    publications_using,
    source_counts,
    source_statistics,
)

__all__ = [
    "EFFECTIVE_FIELDS",
    "OBJECT_TYPE",
    "RECORD_FIELDS",
    "SCAN_CHUNK",
    "STATUS_ORDER",
    "CorrectionOutcome",
    "CorrectionRefused",
    "EditConflict",
    "ScanReport",
    "SyncReport",
    "citation_practices",
    "correction_examples",
    "db_registry",
    "detection_record",
    "effective_publications",
    "ensure_detection",
    "follow_corrections",
    "mention_rows",
    "next_review_item",
    "publication_sources",
    "publications_using",
    "reapply_corrections",
    "record_correction",
    "registry_hash",
    "resolve_publication",
    "review_remaining",
    "scan_database",
    "source_counts",
    "source_statistics",
    "sync_registry",
    "update_source",
]
