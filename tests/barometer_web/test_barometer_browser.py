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

    # the page leads with its charts (issue 19): each drawn by Vega as one labelled image, count axes in
    # integers, and its table one click below ("Voir les données")
    charts = page.locator("figure.chart-figure .chart[data-spec]")
    expect(charts.first.locator("svg.marks")).to_be_visible(timeout=30_000)
    page.wait_for_function("document.querySelectorAll('.chart[data-spec]').length == "
                           "document.querySelectorAll('.chart[data-rendered]').length")  # fmt: skip
    assert charts.count() >= 8 and page.locator(".chart[data-error]").count() == 0
    svg = page.locator("#chart-publications_by_year .chart svg.marks")
    assert svg.get_attribute("role") == "img" and svg.get_attribute("aria-label").startswith("Publications")
    ticks = page.eval_on_selector_all(
        "#chart-publications_by_year .chart svg.marks .role-axis-label text", "els => els.map(e => e.textContent)"
    )
    assert ticks and all(t.replace("\u202f", "").isdigit() for t in ticks), ticks  # no "0.2 publications"
    assert axe_violations(page) == []

    # a source's family count -> the publications behind it -> the publication in the corpus
    block = page.locator("#chart-sources")
    sources = block.locator("details.see-data table")
    expect(sources).to_be_hidden()  # one click below the chart
    block.locator("details.see-data summary").click()
    sources.get_by_role("row").filter(has_text="(SNDS)").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("SNDS")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Statin use in France").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Statin use in France")

    page.goto(f"{live_server.url}/barometer/{edition.pk}/cases/mediator_benfluorex/")
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/barometer/{edition.pk}/")
    page.locator("#chart-impact_ranges details.see-data summary").click()
    page.locator("#chart-impact_ranges details.see-data table a").first.click()
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

    # the same year again: the page offers a new version beside the frozen edition (issue 19)
    page.goto(f"{live_server.url}/barometer/")
    page.get_by_label("Année de l'édition").fill(str(YEAR))
    page.get_by_label("Avec les rapports PDF (plus lent)").uncheck()
    page.get_by_role("button", name="Construire l'édition").click()
    expect(page.get_by_role("heading", name=f"L'édition {YEAR} existe déjà")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name=f"Construire une nouvelle version de l'édition {YEAR}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Construction de l'édition {YEAR}")
    expect(page.get_by_role("link", name="Ouvrir l'édition")).to_be_visible(timeout=60_000)

    # the edition's own static site, served by the app
    page.goto(f"{live_server.url}/barometer/{edition.pk}/files/site/fr/index.html")
    expect(page.locator("h1")).to_be_visible()
    assert errors == []


def test_the_edition_page_fits_a_phone(browser, live_server, transactional_db, corpus, home, people):  # noqa: F811
    """390 px wide: the charts follow the column, the tables scroll in their own box, the page itself never
    scrolls sideways."""
    edition = services.build_from_database(YEAR, OBSERVED, with_pdf=False)
    page, errors = sign_in(browser, live_server.url, "viewer")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/barometer/{edition.pk}/")
    page.wait_for_function("document.querySelectorAll('.chart[data-spec]').length > 0 && "
                           "document.querySelectorAll('.chart[data-spec]').length == "
                           "document.querySelectorAll('.chart[data-rendered]').length", timeout=30_000)  # fmt: skip
    for details in page.locator("details.see-data").all():
        details.locator("summary").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    widths = page.evaluate(
        "[...document.querySelectorAll('.chart svg.marks')].map(s => s.getBoundingClientRect().right)"
    )
    assert widths and max(widths) <= 390, widths
    assert axe_violations(page) == []
    assert errors == []
