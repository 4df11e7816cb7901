"""A real browser (Debian's Chromium driven by Playwright) against a live server with the demo corpus.

Signs in as the demo user, searches the demo corpus, narrows by a facet, opens a publication, takes a
screenshot, and runs axe-core on each page visited, failing on any serious or critical WCAG 2.1 A/AA
violation. A second test checks that searching works with JavaScript disabled (htmx is only an
enhancement). Skipped, with the reason, where /usr/bin/chromium is not installed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from benefice.core.roles import ADMIN
from benefice.core.users import ensure_user
from benefice.corpus.models import Publication

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
USER, PASSWORD = "demo", "demo"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent (apt-get install chromium)"),
]


@pytest.fixture
def browser(monkeypatch) -> Iterator:
    # Playwright's sync API runs an event loop in this thread; Django would then refuse the test's own
    # database calls as "async unsafe". They are not: the loop only drives the browser.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def demo_corpus(transactional_db) -> int:
    """The bundled demo corpus, imported through the real importers, and the demo account."""
    from benefice.demo import load_demo

    load_demo(echo=lambda _message: None)
    ensure_user(USER, PASSWORD, ADMIN, superuser=True)
    return Publication.objects.count()


def axe_violations(page) -> list[dict]:
    """Serious and critical axe-core violations of WCAG 2.1 A/AA on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluated by the test driver, not an inline
        # <script>: the pages' Content-Security-Policy (issue 17) forbids those
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [node["target"] for node in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def assert_accessible(page, where: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{where}: {json.dumps(violations, indent=1, ensure_ascii=False)}"


def open_signed_in(chromium, base_url: str, username: str, password: str, *, locale: str = "fr-FR"):
    """A fresh browser context signed in as ``username``: (page, JavaScript errors seen on it so far).

    Shared by every app's browser tests, so the way to sign in is written once.
    """
    context = chromium.new_context(
        locale=locale, viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base_url}/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    return page, errors


def sign_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/corpus/")
    assert "/login/" in page.url  # anonymous visitors are sent to sign in
    assert_accessible(page, "sign-in page")
    page.get_by_label("Nom d'utilisateur").fill(USER)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/corpus/$"))


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
