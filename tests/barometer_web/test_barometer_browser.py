"""A real browser on the barometer pages: every page passes axe-core (no serious or critical WCAG 2.1 AA
violation), a figure is followed down to a publication of the corpus, and an editor builds an edition from
the page (its progress section updates itself until the edition is ready). Chromium driven by Playwright
against the live server; skipped, with the reason, where /usr/bin/chromium is absent."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from benefice.barometer import services
from support.browser import CHROMIUM, axe_violations, open_signed_in

from .conftest import OBSERVED, PASSWORD, YEAR

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent (apt-get install chromium)"),
]


def sign_in(chromium, base_url: str, username: str):
    return open_signed_in(chromium, base_url, username, PASSWORD)


def test_browse_drill_down_and_build(browser, live_server, transactional_db, corpus, home, people):  # noqa: F811
    edition = services.build_from_database(YEAR, OBSERVED, with_pdf=False)
    page, errors = sign_in(browser, live_server.url, "editor")
    page.goto(f"{live_server.url}/barometer/")
    assert axe_violations(page) == []
    page.get_by_role("link", name=f"Édition {YEAR}").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Baromètre, édition {YEAR}")
    assert axe_violations(page) == []

    # a source's family count -> the publications behind it -> the publication in the corpus
    sources = page.locator("section[aria-labelledby=sources-title] table")
    sources.get_by_role("row").filter(has_text="(SNDS)").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("SNDS")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Statin use in France").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Statin use in France")

    page.goto(f"{live_server.url}/barometer/{edition.pk}/cases/mediator_benfluorex/")
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/barometer/{edition.pk}/")
    page.locator("section[aria-labelledby=ranges-title] table a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Personnes concernées")
    assert axe_violations(page) == []

    # build another year from the page: the progress section updates itself until the edition is ready
    page.goto(f"{live_server.url}/barometer/")
    page.get_by_label("Année de l'édition").fill(str(YEAR - 1))
    page.get_by_label("Avec les rapports PDF (plus lent)").uncheck()
    page.get_by_role("button", name="Construire l'édition").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Construction de l'édition {YEAR - 1}")
    assert axe_violations(page) == []
    expect(page.get_by_role("link", name="Ouvrir l'édition")).to_be_visible(timeout=60_000)
    page.get_by_role("link", name="Ouvrir l'édition").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Baromètre, édition {YEAR - 1}")

    # the edition's own static site, served by the app
    page.goto(f"{live_server.url}/barometer/{edition.pk}/files/site/fr/index.html")
    expect(page.locator("h1")).to_be_visible()
    assert errors == []
