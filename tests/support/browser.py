"""Browser machinery shared by every app's browser tests: Debian's Chromium driven by Playwright, axe-core.

Fixtures ``browser`` (a headless Chromium) and ``demo_corpus`` (the bundled demo data and the demo account)
are registered for the whole suite by ``pytest_plugins`` in ``tests/conftest.py``: tests name them as
arguments and import nothing for them. Helpers are imported from here: ``axe_violations`` and
``assert_accessible`` run axe-core (vendored in ``vendor/``) on a page and keep serious or critical WCAG 2.1
A/AA violations; ``open_signed_in`` gives a fresh context signed in as a user; ``sign_in`` signs in as the
demo user. A test module marks itself ``browser`` and skips when ``CHROMIUM`` is absent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

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
