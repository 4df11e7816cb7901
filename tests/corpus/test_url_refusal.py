"""A publication's URL is http(s) or a DOI (issue 17): ``Publication.url`` refuses anything else at
full_clean, an import that brings such a URL goes on (the publication keeps no URL, the report says why, the
raw record keeps it verbatim), and the data migration empties what was stored before the check."""

from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from benefice.core.models import AuditEntry
from benefice.corpus import pipeline, services
from benefice.corpus.models import ImportBatch, Publication
from benefice.errors import localized_error

URLS = {
    "js": "javascript:alert(1)",
    "mixed": " JaVaScRiPt:alert(document.cookie)",
    "data": "data:text/html,<script>alert(1)</script>",
    "vb": "vbscript:msgbox(1)",
    "ftp": "ftp://example.org/paper.pdf",
    "relative": "/articles/42",
    "https": "https://example.org/paper",
    "http": "http://example.org/other",
    "doi": "10.1000/xyz.1",
}
KEPT = {"https", "http", "doi"}


def _bibtex(tmp_path):
    entries = "".join(
        f"@article{{{key},\n  title = {{Cohort study {key} of the SNDS}},\n  year = {{2020}},\n"
        f"  url = {{{url}}},\n}}\n\n"
        for key, url in URLS.items()
    )
    path = tmp_path / "urls.bib"
    path.write_text(entries, encoding="utf-8")
    return path


@pytest.mark.parametrize("key", sorted(URLS))
def test_full_clean(db, key: str) -> None:
    pub = Publication(title="x", url=URLS[key])
    if key in KEPT:
        pub.full_clean()
    else:
        with pytest.raises(ValidationError) as err:
            pub.full_clean()
        assert "url" in err.value.message_dict


@pytest.mark.django_db(transaction=True)
def test_import_keeps_no_refused_url_and_says_why(tmp_path) -> None:
    batch = services.import_file(_bibtex(tmp_path))
    assert batch.status == ImportBatch.Status.DONE and batch.new_publications == len(URLS)
    for key, url in URLS.items():
        pub = Publication.objects.get(title=f"Cohort study {key} of the SNDS")
        raw = pub.raw_records.get()
        assert url.strip() in raw.raw  # the raw record keeps what the file said
        if key in KEPT:
            assert pub.url == url and "url" in pub.field_sources
        else:
            assert pub.url == "" and "url" not in pub.field_sources
            parsed = raw.parsed if isinstance(raw.parsed, dict) else json.loads(raw.parsed)
            assert parsed["url"] == "" and "not kept" in parsed["extra"]["warnings"][-1]
    batch.refresh_from_db()
    notes = [localized_error(e, "en") for e in batch.errors]
    notes = [n for n in notes if "URL not kept" in n]
    assert len(notes) == len(URLS) - len(KEPT)
    assert any("javascript: links are refused" in n and "an http(s) address or a DOI" in n for n in notes)
    assert all(n.startswith("record ") for n in notes)
    french = [localized_error(e, "fr") for e in batch.errors]  # the batches page says it in French (issue 19)
    assert all(n.startswith("notice ") and "URL non conservée" in n for n in french), french[:2]
    again = services.import_file(_bibtex(tmp_path))  # idempotent: nothing new, nothing to report
    assert again.already_known == len(URLS) and again.errors == []


def test_report_bounded() -> None:
    notes = [f"record {i}: URL not kept" for i in range(30)]
    report = pipeline.add_notes(["earlier error"], notes[:25], limit=20)
    assert report[:20] == ["earlier error", *notes[:19]] and localized_error(report[-1], "en").startswith("6 more")
    report = pipeline.add_notes(report, notes[25:], limit=20)
    assert len(report) == 21 and localized_error(report[-1], "en").startswith("11 more")
    assert localized_error(report[-1], "fr").startswith("11 autres notices")
    older = pipeline.add_notes([f"{pipeline._MORE}4"], notes[:1], limit=20)  # a report written before
    assert len(older) == 1 and localized_error(older[0], "en").startswith("5 more")


@pytest.mark.django_db
def test_migration_empties_stored_urls(db) -> None:
    bad = Publication.objects.create(
        title="bad", url="javascript:alert(1)", field_sources={"url": 1, "title": 1}
    )
    good = Publication.objects.create(title="good", url="https://example.org/x")
    migration = importlib.import_module("benefice.corpus.migrations.0009_refuse_unsafe_urls")
    migration.clear_refused_urls(apps, None)
    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.url == "" and bad.field_sources == {"title": 1} and good.url == "https://example.org/x"
    entry = AuditEntry.objects.get(object_type="corpus.Publication", object_id=str(bad.pk))
    assert entry.before == {"url": "javascript:alert(1)"} and "javascript:" in entry.comment
