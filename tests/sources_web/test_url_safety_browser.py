"""Failure 3 of issue 17 in Chromium: every page carries the policies, and an editor who types a
javascript: documentation URL is refused with a message naming the field, the source page keeping no link."""

from __future__ import annotations

import pytest

from benefice.core.roles import ADMIN
from benefice.core.users import ensure_user
from benefice.corpus.models import Publication
from benefice.sources import services
from support.browser import CHROMIUM, open_signed_in

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium not installed (/usr/bin/chromium)"),
]


def test_policies_present_and_javascript_url_refused(browser, live_server) -> None:  # noqa: F811
    services.sync_registry()
    # a publication naming the SNDS: a source nobody names has no chart, only a sentence saying why (issue 19)
    Publication.objects.create(title="Statins", year=2019, abstract="We used the SNDS claims data.")
    services.scan_database()
    ensure_user("admin17", "a long enough passphrase", ADMIN)
    page, errors = open_signed_in(browser, live_server.url, "admin17", "a long enough passphrase")
    response = page.goto(f"{live_server.url}/sources/SNDS/edit/")
    headers = response.headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "camera=()" in headers["permissions-policy"]
    page.locator("[name=documentation_url]").fill("javascript:alert(document.cookie)")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert "documentation_url" in page.content() and "http(s)" in page.content()
    page.goto(f"{live_server.url}/sources/SNDS/")
    assert page.locator("a[href^='javascript:']").count() == 0
    # the charts render under the policy (no eval: Vega's expression interpreter) and report no error
    page.wait_for_selector("[data-spec][data-rendered], [data-spec][data-error]", timeout=15_000)
    assert page.locator("[data-spec][data-error]").count() == 0
    assert page.locator("[data-spec][data-rendered] svg").count() >= 1
    assert not errors
