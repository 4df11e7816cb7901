"""A real browser (issue 19): from the corpus list's search to a review, through the button, the filled
form and the job; then the review's pages in French at 390 px (no sideways scroll, tables in their box),
the screening page's recall chart, and axe-core finding no serious or critical violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from benefice.review.models import Review
from support.browser import CHROMIUM, assert_accessible, open_signed_in

from .conftest import PASSWORD, make_publications

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent (apt-get install chromium)"),
]


@pytest.fixture
def setup(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from benefice.core.roles import EDITOR
    from benefice.core.users import ensure_user
    from benefice.corpus.models import Publication

    ensure_user("lead", PASSWORD, EDITOR)
    make_publications(n_relevant=30, n_irrelevant=6)
    Publication.objects.update(language="en")


def test_a_search_becomes_a_review_and_its_pages_fit_a_phone(browser, live_server, setup) -> None:  # noqa: F811
    base = live_server.url
    page, errors = open_signed_in(browser, base, "lead", PASSWORD)
    page.goto(f"{base}/corpus/?q=SNDS")
    page.get_by_role("link", name="Créer une revue à partir de ces résultats").click()
    expect(page.locator("#search-count")).to_contain_text("30")
    assert_accessible(page, "new review from a search")
    with page.expect_navigation():
        page.locator("#review-from-search-form button[type=submit]").click()
    page.wait_for_load_state()
    review = Review.objects.get()
    assert page.url.endswith(f"/review/{review.pk}/")  # landed on the review
    assert review.records.count() == 30

    screen = f"{base}/review/{review.pk}/screen/ta/"
    page.goto(screen)
    for _ in range(4):
        with page.expect_navigation():
            page.keyboard.press("e")
        page.wait_for_load_state("domcontentloaded")
    chart = page.locator("svg.recall-chart")
    expect(chart).to_be_visible()
    assert chart.get_attribute("role") == "img"
    expect(page.locator("#recall-text")).to_contain_text("4 premières examinées")
    expect(page.locator("#aid-waiting")).to_contain_text("décisions avant une estimation du rappel")
    assert_accessible(page, "screening page with its chart")

    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("", "screen/ta/", "records/", "agreement/", "prisma/", "records/add/"):
        page.goto(f"{base}/review/{review.pk}/{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        assert_accessible(page, f"review page {path or 'overview'} at 390 px")
    page.goto(f"{base}/review/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not errors
