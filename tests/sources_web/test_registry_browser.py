"""The source pages in Chromium, in French, on a 390 px phone (issue 19): the registry's notes in French, the
naming chart's legend in words, no raw code, nothing wider than the screen, axe-core clean."""

from __future__ import annotations

import re

import pytest

from benefice.core.roles import ADMIN
from benefice.core.users import ensure_user
from benefice.corpus.models import Publication
from benefice.sources import services
from support.browser import CHROMIUM, assert_accessible, open_signed_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium not installed (/usr/bin/chromium)"),
]
PASSWORD = "a long enough passphrase"
CODES = re.compile(r"\b(linked_database|primary_care|hospital_discharge|official_name|former_name)\b")


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_source_pages_in_french_on_a_phone(browser, live_server) -> None:
    services.sync_registry()
    for i, text in enumerate(("the SNDS", "the French national health data system (SNDS)")):
        Publication.objects.create(
            title=f"Statins in {text}", year=2019 + i, language="en", abstract=f"We used {text} and the PMSI."
        )
    services.scan_database()
    ensure_user("admin19", PASSWORD, ADMIN)
    page, errors = open_signed_in(browser, live_server.url, "admin19", PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}/sources/SNDS/")
    page.wait_for_selector("[data-spec][data-rendered], [data-spec][data-error]", timeout=15_000)
    assert page.locator("[data-spec][data-error]").count() == 0
    body = page.locator("main").inner_text()
    assert "Accès permanent pour les organismes désignés par décret" in body
    assert "Base de données chaînée" in body and "Création du SNIIRAM" in body
    assert not CODES.search(body)
    legend = page.locator("[data-spec=spec-variants] svg.marks").text_content()
    assert "acronyme" in legend and "acronym " not in legend and not CODES.search(legend)
    assert page.locator("a[lang=en]").count() >= 1  # English titles carry their language
    assert _fits(page), "the source page is wider than a 390 px screen"
    assert_accessible(page, "source page (fr, 390 px)")

    page.goto(f"{live_server.url}/sources/")
    body = page.locator("main").inner_text()
    assert "Cohorte" in body and "Royaume-Uni" in body and not CODES.search(body)
    assert _fits(page), "the registry list is wider than a 390 px screen (its table must scroll)"
    assert_accessible(page, "registry list (fr, 390 px)")

    page.goto(f"{live_server.url}/sources/SNDS/edit/")
    assert page.locator("#f-access_fr").input_value().startswith("Accès permanent")
    assert _fits(page)
    assert_accessible(page, "source edit form (fr)")
    assert not errors
