"""Corpus services: import, harvest, deduplicate, undo merges, export. Called by both CLI and web.

One module per concern (see each module's docstring for why it works as it does); this package re-exports
every name callers use, so ``from benefice.corpus import services`` then ``services.import_file`` keeps working.
"""


from benefice.corpus.services._shared import (
    HAL_KEY,
    ImportCounts,
    Progress,
    finish_batch,
    publication_keys,
)
from benefice.corpus.services.bulk import (
    fast_bulk_create,
    insert_rows,
)
from benefice.corpus.services.export import (
    EXPORT_FORMATS,
    export_publications,
    exportable,
)
from benefice.corpus.services.harvesting import (
    enrich_crossref,
    harvest,
    harvest_batch,
    harvest_origin,
)
from benefice.corpus.services.importing import (
    CHUNK,
    RESUME_HINT,
    import_file,
    import_prepared,
    import_records,
    new_publication,
)
from benefice.corpus.services.index import (
    CANDIDATES_PER_KEY,
    LOOKUP_BATCH,
    CorpusIndex,
    prepare_publication,
    reindex_publications,
)
from benefice.corpus.services.merge import (
    dedup_corpus,
    merge_publications,
    merge_target,
    rebuild_publication,
    undo_merge,
)
from benefice.corpus.services.records import (
    IDENTIFIER_FIELDS,
    MERGEABLE_FIELDS,
    apply_record,
    build_search_text,
    content_hash,
    publication_to_record,
    record_from_parsed,
)
from benefice.corpus.services.scan import (
    OUTDATED,
    SCAN_HINT,
    SCAN_IDS,
    ScanOutcome,
    batch_publication_ids,
    scan_batch,
)

__all__ = [
    "CANDIDATES_PER_KEY",
    "CHUNK",
    "CorpusIndex",
    "EXPORT_FORMATS",
    "HAL_KEY",
    "IDENTIFIER_FIELDS",
    "ImportCounts",
    "LOOKUP_BATCH",
    "MERGEABLE_FIELDS",
    "OUTDATED",
    "Progress",
    "RESUME_HINT",
    "SCAN_HINT",
    "SCAN_IDS",
    "ScanOutcome",
    "apply_record",
    "batch_publication_ids",
    "build_search_text",
    "content_hash",
    "dedup_corpus",
    "enrich_crossref",
    "export_publications",
    "exportable",
    "fast_bulk_create",
    "finish_batch",
    "harvest",
    "harvest_batch",
    "harvest_origin",
    "import_file",
    "import_prepared",
    "import_records",
    "insert_rows",
    "merge_publications",
    "merge_target",
    "new_publication",
    "prepare_publication",
    "publication_keys",
    "publication_to_record",
    "rebuild_publication",
    "record_from_parsed",
    "reindex_publications",
    "scan_batch",
    "undo_merge",
]
