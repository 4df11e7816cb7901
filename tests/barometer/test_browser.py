"""The built site, opened from disk in headless Chromium: charts render, no console error, axe-core passes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
AXE_CANDIDATES = [
    Path(__file__).resolve().parent.parent / "support" / "vendor" / "axe.min.js",
    Path(__file__).resolve().parent / "vendor" / "axe.min.js",
]
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--allow-file-access-from-files",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent (apt-get install chromium)"),
]


def _axe() -> Path:
    for path in AXE_CANDIDATES:
        if path.is_file():
            return path
    pytest.skip(
        "axe-core is not vendored (tests/support/vendor/axe.min.js or tests/barometer/vendor/axe.min.js)"
    )


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _open(browser, path: Path):
    """The page, and the errors it logs: console errors (a refused inline script or style is one), page
    errors, failed requests, and every Content-Security-Policy violation (issue 17), collected by a listener
    the driver installs before the page's own scripts."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sample))"
    )
    page.goto(path.resolve().as_uri())
    return page, errors


def _violations(page, axe: Path) -> list[dict]:
    page.evaluate(axe.read_text(encoding="utf-8"))  # by the driver: the page's CSP refuses inline <script>
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        {"id": v["id"], "impact": v["impact"], "targets": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize(
    "page_path",
    [
        "site/fr/index.html",
        "site/fr/charts.html",
        "site/en/charts.html",
        "site/en/methodology.html",
        "site/fr/cases.html",
        "site/en/sources.html",
        "site/fr/embed/publications_by_year.html",
        "site/fr/custodians/index.html",
    ],
)
def test_pages_render_without_errors_and_pass_axe(edition, browser, tmp_path, page_path):
    axe = _axe()
    page, errors = _open(browser, edition / page_path)
    containers = page.locator("[data-spec]")
    count = containers.count()
    for i in range(count):
        containers.nth(i).locator("svg").first.wait_for(state="attached", timeout=15000)
        assert containers.nth(i).get_attribute("data-error") is None
    if page_path.endswith("charts.html"):
        assert count >= 8, "every national chart is on the charts page"
    page.screenshot(path=str(tmp_path / (page_path.replace("/", "_") + ".png")), full_page=True)
    assert (tmp_path / (page_path.replace("/", "_") + ".png")).stat().st_size > 0
    assert errors == []
    assert _violations(page, axe) == []
    page.close()


def test_charts_work_under_the_sites_policy(edition, browser, tmp_path) -> None:
    """The policy is in force (an inline script is refused) and the charts' menu, PNG export and tooltips
    work under it: Vega runs its expression interpreter, no library injects a <style>."""
    page, errors = _open(browser, edition / "site" / "fr" / "embed" / "publications_by_year.html")
    page.locator("[data-rendered] svg.marks").first.wait_for(state="attached", timeout=15000)
    assert "default-src 'none'" in page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute(
        "content"
    )
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    page.locator(".vega-embed details summary").click()
    with page.expect_download(timeout=15000) as download:
        page.locator(".vega-actions a", has_text="PNG").click()
    assert download.value.suggested_filename.endswith(".png")
    box = page.locator("[data-rendered] svg.marks").first.bounding_box()
    for f in (0.3, 0.5, 0.7, 0.9):
        page.mouse.move(box["x"] + box["width"] * f, box["y"] + box["height"] * 0.8)
    assert page.locator("#vg-tooltip-element.visible").count() == 1
    assert (
        page.evaluate("getComputedStyle(document.getElementById('vg-tooltip-element')).position") == "fixed"
    )
    assert errors == []
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        " document.head.appendChild(s); }"
    )
    assert page.evaluate("window.ran === undefined")
    assert any("CSP violation: script-src" in e for e in errors)
    page.close()


def test_local_barometer_renders(edition, browser, tmp_path):
    axe = _axe()
    local = sorted((edition / "site" / "en" / "custodians").glob("*/index.html"))
    assert local, "one local barometer per custodian"
    cnam = next(p for p in local if "assurance-maladie-cnam" in p.parent.name)
    page, errors = _open(browser, cnam)
    containers = page.locator("[data-spec]")
    assert containers.count() == 2
    for i in range(containers.count()):
        containers.nth(i).locator("svg").first.wait_for(state="attached", timeout=15000)
    page.screenshot(path=str(tmp_path / "local.png"), full_page=True)
    assert errors == []
    assert _violations(page, axe) == []
    assert "DCIR" in page.content()
    page.close()
    shutil.copy(tmp_path / "local.png", tmp_path / "local-copy.png")
