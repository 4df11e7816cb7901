"""A publication's fields as records fill them: shared by import, merges, exports and the dedup index, so
they all read and write the same fields the same way.
"""

from __future__ import annotations

from typing import Any

from benefice.corpus import fields, pipeline
from benefice.corpus.models import Publication
from benefice.corpus.record import Author, Record

# Publication fields filled from records; first non-empty value wins and is attributed to its RawRecord.
MERGEABLE_FIELDS = fields.MERGEABLE_FIELDS
IDENTIFIER_FIELDS = ("doi", "pmid", "pmcid", "openalex_id", "hal_id")


content_hash = pipeline.content_hash  # kept here too: callers and tests know it as services.content_hash


def apply_record(pub: Publication, record: Record, raw_id: int | None) -> bool:
    """Fill the publication's empty fields from one record; remember where each value came from."""
    changed = False
    for field in MERGEABLE_FIELDS:
        value = fields.record_value(record, field)
        if (
            fields.is_empty(value)
            or not fields.is_empty(getattr(pub, field))
            or not fields.acceptable(field, value)
        ):
            continue
        setattr(pub, field, value)
        if raw_id is not None:
            pub.field_sources[field] = raw_id
        changed = True
    if changed:
        pub.search_text = build_search_text(pub)
    return changed


def build_search_text(pub: Publication) -> str:
    return fields.search_text(lambda f: getattr(pub, f))


def record_from_parsed(parsed: dict[str, Any]) -> Record:
    return Record.from_dict(parsed)


def publication_to_record(pub: Publication) -> Record:
    """A Record view of a merged publication, for exports and for the dedup index."""
    return Record(
        source_format="benefice",
        position=pub.pk or 0,
        **{f: getattr(pub, f) for f in MERGEABLE_FIELDS if f != "authors"},
        authors=[
            Author(
                **{
                    k: a.get(k, "" if k != "affiliations" else [])
                    for k in ("name", "family", "given", "orcid", "affiliations")
                }
            )
            for a in pub.authors
        ],
    )
