"""The corpus in a real browser (Debian's Chromium driven by Playwright), against a live server with the demo
corpus.

Signs in as the demo user, searches the demo corpus, narrows by a facet, opens a publication, takes a
screenshot, and runs axe-core on each page visited, failing on any serious or critical WCAG 2.1 A/AA
violation. A second test checks that searching works with JavaScript disabled (htmx is only an
enhancement). Skipped, with the reason, where /usr/bin/chromium is not installed.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from support.browser import CHROMIUM, PASSWORD, USER, assert_accessible, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent (apt-get install chromium)"),
]


def test_sign_in_search_open_publication(browser, live_server, demo_corpus, tmp_path) -> None:
    assert demo_corpus > 50
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_server.url)
    assert page.locator("html").get_attribute("lang") == "fr"
    status = page.locator("#result-status")
    assert f"{demo_corpus} publications" in status.inner_text()
    assert_accessible(page, "corpus page")

    # type a query: htmx replaces the results and the address, no page load
    page.evaluate("window.__same_document = true")
    page.get_by_label("Rechercher dans le corpus").fill("cyproterone")
    expect(page).to_have_url(re.compile(r"q=cyproterone&sort=relevance"))
    page.wait_for_function("() => !document.querySelector('#results').classList.contains('htmx-request')")
    assert page.evaluate("window.__same_document === true")
    results = page.locator("li.result h3 a")
    results.first.wait_for()
    titles = [t.lower() for t in results.all_inner_texts()]
    assert titles and all("cyproterone" in t or "meningioma" in t for t in titles), titles
    matches = int(re.search(r"\d+", status.inner_text()).group(0))
    assert matches == len(titles)

    # narrow by a year facet (htmx): results, address and count follow; focus goes to the results heading
    year_link = page.locator("#facet-year + ul a").first
    year = year_link.locator("span").first.inner_text().strip()
    year_link.click()
    expect(page).to_have_url(re.compile(rf"year={year}"))
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'results-title'")
    assert page.locator("#facet-year + ul a[aria-current='true']").count() == 1
    assert_accessible(page, "corpus page after search and facet")

    # open the first publication
    first = page.locator("li.result h3 a").first
    title = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/corpus/\d+/$"))
    assert page.locator("h1").inner_text() == title
    assert page.locator("pre.raw").first.inner_text().startswith(("TY  -", "PMID-"))
    assert page.locator("a[href^='https://doi.org/']").count() >= 1
    page.screenshot(path=str(tmp_path / "publication.png"), full_page=True)
    assert (tmp_path / "publication.png").stat().st_size > 10_000
    assert_accessible(page, "publication page")

    # the other pages of the app
    for path in ("/corpus/import/", "/corpus/batches/"):
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page, path)

    # a narrow screen (phone): the layout reflows without horizontal scrolling of the page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/corpus/?q=covid")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_accessible(page, "corpus page on a phone")
    assert not errors, errors
    context.close()


def test_search_works_without_javascript(browser, live_server, demo_corpus) -> None:
    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_label("User name").fill(USER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/corpus/$"))
    page.get_by_label("Search the corpus").fill("meningioma")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r"q=meningioma"))
    assert page.locator("li.result").count() >= 1
    context.close()


def test_corpus_pages_read_in_french_on_a_phone(browser, live_server, demo_corpus) -> None:
    """Issue 19: at 390 px the corpus pages reflow (their tables scroll in their own container), and in
    French they hold no English sentence and no raw code; text in another language carries its lang."""
    from support.french import VISIBLE_TEXT_JS, problems

    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server.url)
    detail = page.locator("li.result h3 a").first.get_attribute("href")
    found = []
    for path in ("/corpus/", detail, "/corpus/batches/", "/corpus/import/"):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path
        found += [f"{path}: {problem}" for problem in problems(page.evaluate(VISIBLE_TEXT_JS))]
        assert_accessible(page, f"{path} on a phone, in French")
    context.close()
    if found:
        pytest.fail("\n".join(found))
