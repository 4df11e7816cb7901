"""A real browser: an editor opens a publication page, sees its sources with the evidence highlighted, rejects one,
adds one by selecting words in the abstract, sees the source list's counts change; a forced re-scan keeps both
corrections; the review queue answers with the keyboard. axe-core finds no serious or critical violation.

Detection is the stub of corrections_fixtures (served by the live server in this process), so the test checks
the corrections, not the detector. Skipped, with the reason, where /usr/bin/chromium is absent.
"""

from __future__ import annotations

import re

import pytest
from corrections_fixtures import ABSTRACT_A, TITLE_A, TITLE_B, StubDetector, make_raw
from playwright.sync_api import expect

from benefice.core.roles import EDITOR
from benefice.core.users import ensure_user
from benefice.corpus.models import Publication
from benefice.sources import services
from benefice.sources.models import PublicationDetection
from support.browser import CHROMIUM, assert_accessible, open_signed_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent (apt-get install chromium)"),
]
PASSWORD = "correct horse battery staple"

SELECT_WORDS = """([field, words]) => {
  const container = document.querySelector(`#publication-sources .source-text[data-field="${field}"]`);
  const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(words);
    if (at !== -1) {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + words.length);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      return true;
    }
  }
  return false;
}"""


@pytest.fixture
def setup(transactional_db, settings, monkeypatch):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setattr(services.detection, "Detector", StubDetector)  # where scan_database looks it up
    services.sync_registry()
    a = Publication.objects.create(title=TITLE_A, abstract=ABSTRACT_A, year=2018)
    b = Publication.objects.create(
        title=TITLE_B, abstract="Data were extracted from the SNDS. The EGB.", year=2020
    )
    make_raw(a, 1)
    make_raw(b, 2)
    services.scan_database()
    ensure_user("edith", PASSWORD, EDITOR)
    return a, b


def used_count(page, source_id: str) -> str:
    row = page.locator("table.data-table tbody tr", has=page.locator(f'a[href="/sources/{source_id}/"]'))
    return row.locator("td.num").first.inner_text()


def test_correct_on_the_publication_page_and_survive_a_rescan(browser, live_server, setup) -> None:  # noqa: F811
    a, b = setup
    base = live_server.url
    page, errors = open_signed_in(browser, base, "edith", PASSWORD)
    page.goto(f"{base}/sources/")
    assert used_count(page, "SNDS") == "2" and used_count(page, "CONSTANCES") == "0"

    page.goto(f"{base}/corpus/{a.pk}/")
    panel = page.locator("#publication-sources")
    expect(panel.locator("table.sources-table")).to_be_visible()  # loaded by htmx
    expect(panel.locator('.source-text[data-field="title"] mark.src-used', has_text="SNDS")).to_be_visible()
    expect(panel.locator('.source-text[data-field="abstract"] mark.src-review')).to_have_text("CPRD")
    expect(panel.locator("#source-row-CPRD")).to_have_attribute("data-status", "review")
    assert_accessible(page, "publication page with its sources")

    # reject the SNDS
    panel.locator('#source-row-SNDS button[value="rejected"]').click()
    expect(page.locator("#source-row-SNDS")).to_have_attribute("data-status", "rejected")
    expect(page.locator("#correction-notes .message.success")).to_be_visible()
    expect(page.locator(".source-text mark", has_text="SNDS")).to_have_count(0)

    # add CONSTANCES by selecting its words in the abstract
    assert page.evaluate(SELECT_WORDS, ["abstract", "Constances cohort"])
    expect(page.locator("#add-text")).to_have_value("Constances cohort")
    start = ABSTRACT_A.index("Constances cohort")
    expect(page.locator("#add-start")).to_have_value(str(start))
    expect(page.locator("#add-end")).to_have_value(str(start + len("Constances cohort")))
    expect(page.locator("#add-field")).to_have_value("abstract")
    page.locator("#add-source").select_option("CONSTANCES")
    page.locator("#add-submit").click()
    expect(page.locator("#source-row-CONSTANCES")).to_have_attribute("data-status", "used")
    expect(
        page.locator('.source-text[data-field="abstract"] mark.src-used', has_text="Constances cohort")
    ).to_be_visible()
    assert_accessible(page, "publication page after two corrections")

    page.goto(f"{base}/sources/")
    assert used_count(page, "SNDS") == "1" and used_count(page, "CONSTANCES") == "1"
    page.goto(f"{base}/sources/SNDS/")
    expect(page.locator("#cited-title + p")).to_contain_text("1")

    # a forced re-scan re-runs detection on everything: the corrections still apply
    report = services.scan_database(force=True)
    assert report.scanned == 2
    assert PublicationDetection.objects.get(publication=a).detected_used == ["SNDS", "PMSI"]
    page.goto(f"{base}/corpus/{a.pk}/")
    expect(page.locator("#source-row-SNDS")).to_have_attribute("data-status", "rejected")
    expect(page.locator("#source-row-CONSTANCES")).to_have_attribute("data-status", "used")
    page.goto(f"{base}/sources/")
    assert used_count(page, "SNDS") == "1" and used_count(page, "CONSTANCES") == "1"

    # the review queue, with the keyboard: CPRD first (nearest the threshold), then EGB
    page.goto(f"{base}/sources/review/")
    assert_accessible(page, "review queue")
    expect(page.locator("#remaining-sources")).to_have_text("2")
    expect(page.locator("#review-item")).to_have_attribute("data-source", "CPRD")
    page.keyboard.press("s")
    expect(page.locator("#review-item")).to_have_attribute("data-source", "EGB")
    page.keyboard.press("u")
    expect(page.locator("#remaining-sources")).to_have_text("1")
    expect(page.locator("#review-item")).to_have_attribute("data-source", "CPRD")
    page.keyboard.press("m")
    expect(page.locator("#review-done")).to_be_visible()
    assert "EGB" in PublicationDetection.objects.get(publication=b).sources_used
    assert "CPRD" in PublicationDetection.objects.get(publication=a).sources_mentioned
    assert not errors, errors
    assert re.search(r"/sources/review/$", page.url)
