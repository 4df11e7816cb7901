"""Migration 0011: merge reasons written in English before issue 19 get their parts, so the pages say them
in French; a reason that is not one the engine writes stays as it was, shown as written."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("corpus", "0010_corpus_generation")]
AFTER = [("corpus", "0011_merge_reason_data")]


def test_existing_reasons_are_parsed_into_messages():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    batch = old.get_model("corpus", "ImportBatch").objects.create(kind="file", origin="a.ris")
    pub = old.get_model("corpus", "Publication").objects.create(title="T")
    RawRecord = old.get_model("corpus", "RawRecord")
    MergeEvent = old.get_model("corpus", "MergeEvent")
    ids = []
    for n, reason in enumerate(
        ["same PMID 20681016", "title 0.97, same authors, year, venue", "checked by hand"]
    ):
        raw = RawRecord.objects.create(
            batch=batch,
            publication=pub,
            source_format="ris",
            position=n + 1,
            raw="TY  - JOUR",
            parsed={},
            content_hash=f"h{n}",
            origin="a.ris",
        )
        ids.append(
            MergeEvent.objects.create(publication=pub, raw_record=raw, method="fuzzy", reason=reason).pk
        )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("corpus", "MergeEvent")
    from benefice.corpus.dedup import reasons

    events = [new.objects.get(pk=pk) for pk in ids]
    assert [e.reason for e in events] == [
        "same PMID 20681016",
        "title 0.97, same authors, year, venue",
        "checked by hand",
    ]
    assert reasons.localized(events[0].reason_data, events[0].reason, "fr") == "même PMID 20681016"
    assert (
        reasons.localized(events[1].reason_data, events[1].reason, "fr")
        == "titre 0.97, mêmes auteurs, année, revue"
    )
    assert events[2].reason_data == [] and reasons.localized([], events[2].reason, "fr") == "checked by hand"
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # leave the database as the other tests expect it
