"""A real browser: an editor opens a publication page, sees its kinds of use (loaded by htmx, the rule's words
highlighted), corrects them with the form (ticks a category, marks it main), and the JSON lines export
changes; a forced re-scan keeps the choice; the review queue's uncertain kinds of use are answered with the
keyboard and its count goes down. axe-core finds no serious or critical violation.

Detection and classification are the stubs of uses_fixtures (served by the live server in this process).
Skipped, with the reason, where /usr/bin/chromium is absent."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect
from uses_fixtures import StubDetector, StubKinds, make_corpus

from benefice.core.roles import EDITOR
from benefice.core.users import ensure_user
from benefice.sources import services as source_services
from benefice.uses import services
from benefice.uses.models import PublicationUses
from support.browser import CHROMIUM, assert_accessible, open_signed_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent (apt-get install chromium)"),
]
PASSWORD = "correct horse battery staple"
PV, DU, EFF = "pharmacovigilance_drug_safety", "drug_utilisation", "effectiveness"


@pytest.fixture
def setup(transactional_db, settings, monkeypatch, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.HOME = tmp_path
    monkeypatch.setattr(source_services.detection, "Detector", StubDetector)  # where scan_database looks it up
    monkeypatch.setattr(StubKinds, "version", "stub 1")
    monkeypatch.setattr(services, "current_classifier", StubKinds)
    source_services.sync_registry()
    pubs = make_corpus()
    source_services.scan_database()
    ensure_user("edith", PASSWORD, EDITOR)
    return pubs


def exported(page, base: str) -> dict[int, dict]:
    response = page.request.get(f"{base}/corpus/export/jsonl/")
    assert response.ok, response.status
    rows = [json.loads(line) for line in response.text().splitlines() if line.strip()]
    return {row["extra"]["benefice_id"]: row for row in rows}


def test_correct_kinds_of_use_on_the_publication_page(browser, live_server, setup) -> None:  # noqa: F811
    a, b, _c = setup
    base = live_server.url
    page, errors = open_signed_in(browser, base, "edith", PASSWORD)
    before = exported(page, base)
    assert before[a.pk]["use_categories"] == [PV] and before[a.pk]["use_categories_method"] == "rule"

    page.goto(f"{base}/corpus/{a.pk}/")
    panel = page.locator("#publication-uses")
    expect(panel.locator("table.uses-table")).to_be_visible()  # loaded by htmx
    expect(panel.locator(f"#use-row-{PV}")).to_have_attribute("data-method", "rule")
    expect(panel.locator("mark.src-use", has_text="congenital malformations")).to_be_visible()
    expect(panel.locator("h2")).to_have_text("Types d'usage")
    assert_accessible(page, "publication page with its kinds of use")

    # tick "drug utilisation", make it the main one, keep pharmacovigilance, save
    panel.locator(f"#use-cat-{DU}").check()
    panel.locator(f"#use-main-{DU}").check()
    panel.locator("#use-note").fill("a drug utilisation study first")
    panel.locator("#use-save").click()
    expect(page.locator("#use-notes .message.success")).to_be_visible()
    expect(page.locator(f"#use-row-{DU}")).to_have_attribute("data-main", "true")
    expect(page.locator(f"#use-row-{DU}")).to_have_attribute("data-method", "person")
    expect(page.locator("#use-summary")).to_have_attribute("data-categories", f"{DU} {PV}")
    expect(page.locator("#use-history")).to_contain_text("a drug utilisation study first")
    assert_accessible(page, "publication page after a correction")
    after = exported(page, base)
    assert after[a.pk]["use_categories"] == [DU, PV] and after[a.pk]["use_categories_method"] == "person"

    # a forced re-scan re-runs detection and classification: the person's choice still applies
    source_services.scan_database(force=True)
    assert PublicationUses.objects.get(publication=a).categories == [DU, PV]
    page.goto(f"{base}/corpus/{a.pk}/")
    expect(page.locator("#use-summary")).to_have_attribute("data-method", "person")

    # the review queue: b's kinds of use are uncertain; "n" answers "no kind of use"
    page.goto(f"{base}/sources/review/")
    expect(page.locator("#remaining-uses")).to_have_text("1")
    expect(page.locator("#review-item")).to_have_attribute("data-kind", "uses")
    expect(page.locator("#review-item")).to_have_attribute("data-publication", str(b.pk))
    assert_accessible(page, "review queue with kinds of use")
    page.keyboard.press("n")
    expect(page.locator("#review-done")).to_be_visible()
    expect(page.locator("#remaining-uses")).to_have_text("0")
    assert exported(page, base)[b.pk]["use_categories"] == []
    assert PublicationUses.objects.get(publication=b).by_person
    assert not errors, errors
