"""The indicator pages in a real browser, in French, on a 390 px phone screen: the list, an indicator with
its values per category, its edit form and its history; each one scanned by axe, read for English prose
and raw codes (tests/support/french.py), and no wider than the screen (wide tables scroll in their box).
Chromium driven by Playwright against the live server; skipped where it is absent."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from benefice.cases import services as case_services
from benefice.core.roles import EDITOR
from benefice.core.users import ensure_user
from benefice.indicators import services as indicator_services
from support.browser import CHROMIUM, assert_accessible, open_signed_in
from support.french import VISIBLE_TEXT_JS, problems

from .conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent (apt-get install chromium)"),
]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def setup(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    indicator_services.sync_indicators()
    case_services.sync_cases()
    ensure_user("alice", PASSWORD, EDITOR)


def test_indicator_pages_in_french_on_a_phone(browser, live_server, setup) -> None:
    base = live_server.url
    page, errors = open_signed_in(browser, base, "alice", PASSWORD, locale="fr-FR")
    page.set_viewport_size(PHONE)
    report = {}
    for path, heading in [
        ("/impact/indicators/", "Catalogue d'indicateurs"),
        ("/impact/indicators/A2/", "A2 — Fardeau attribuable"),
        ("/impact/indicators/A2/edit/", "Modifier l'indicateur A2"),
        ("/impact/indicators/A2/history/", "A2"),
    ]:
        page.goto(f"{base}{path}")
        expect(page.locator("h1")).to_contain_text(heading)
        assert_accessible(page, path)
        found = problems(page.evaluate(VISIBLE_TEXT_JS))
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"] + 1:
            found.append(f"page is {width} px wide on a {PHONE['width']} px screen")
        if found:
            report[path] = found
    assert not errors, errors
    assert not report, "\n".join(f"{p}:\n  " + "\n  ".join(items[:20]) for p, items in report.items())
