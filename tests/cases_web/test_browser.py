"""A real browser: the catalogue, the ranking and a case page with sources one click away, an axe scan on
each, two editors saving the same case (the second sees the conflict and keeps their text), and the form's
validation messages. Chromium driven by Playwright against the live server; skipped where it is absent.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from benefice.cases import services as case_services
from benefice.cases.models import Case
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
CASE = "mediator_benfluorex"


@pytest.fixture
def setup(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    indicator_services.sync_indicators()
    case_services.sync_cases()
    for name in ("alice", "bruno"):
        ensure_user(name, PASSWORD, EDITOR)


def sign_in(chromium, base_url: str, username: str, locale: str = "fr-FR"):
    return open_signed_in(chromium, base_url, username, PASSWORD, locale=locale)


def test_catalogue_ranking_case_page(browser, live_server, setup, tmp_path) -> None:  # noqa: F811
    base = live_server.url
    page, errors = sign_in(browser, base, "alice")

    # the catalogue, from the main menu
    page.get_by_role("link", name="Indicateurs", exact=True).click()
    expect(page.locator("h1")).to_have_text("Catalogue d'indicateurs")
    expect(page.locator("#indicator-table tbody tr")).to_have_count(56)
    assert_accessible(page, "indicator catalogue")
    page.get_by_role("link", name="A2", exact=True).click()
    expect(page.locator("h1")).to_contain_text("A2")
    assert_accessible(page, "indicator page")

    # the cases
    page.get_by_role("link", name="Cas", exact=True).click()
    expect(page.locator("#case-table tbody tr")).to_have_count(Case.objects.count())
    assert_accessible(page, "case list")

    # a case page: every figure's source one click away
    page.goto(f"{base}/impact/cases/{CASE}/")
    expect(page.locator("h1")).to_contain_text("Mediator")
    assert_accessible(page, "case page")
    source = (
        page.locator("#figures tbody tr")
        .filter(has_text="insuffisance valvulaire, exposés")
        .first.locator("td.source a")
    )
    expect(source).to_have_attribute("href", "https://doi.org/10.1002/pds.2044")
    row = page.locator("#figures tbody tr").filter(has_text="insuffisance valvulaire, exposés").first
    expect(row).to_contain_text("résumé, résultat principal")  # French first: the case's texts in French
    expect(page.locator(".summary")).to_contain_text("Après un signal clinique venu d'une équipe hospitalière")
    expect(page.locator("#publications cite").first).to_have_attribute("lang", "en")  # an English citation
    expect(page.locator("#timeline")).to_contain_text("décision")  # the kind in words, not the code
    # a range without width is one number; a range with width keeps its bounds
    expect(page.locator("#figures")).to_contain_text("1\u202f300–1\u202f800")
    # readable at 390 px: the page itself does not scroll sideways (the tables scroll in their box)
    # no English sentence and no raw code for a French reader (text in another language carries its lang)
    assert problems(page.evaluate(VISIBLE_TEXT_JS)) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page, "case page at 390 px")
    page.set_viewport_size({"width": 1280, "height": 900})
    # the card links work: HTML card in English, PDF served as a PDF
    page.goto(f"{base}/impact/cases/{CASE}/card/?lang=fr")
    assert problems(page.evaluate(VISIBLE_TEXT_JS)) == []
    page.goto(f"{base}/impact/cases/{CASE}/")
    page.get_by_role("link", name="HTML (anglais)").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("body")).to_contain_text("Key figures")
    assert_accessible(page, "impact card")
    response = page.request.get(f"{base}/impact/cases/{CASE}/card.pdf?lang=fr")
    assert response.headers["content-type"] == "application/pdf" and response.body().startswith(b"%PDF")
    page.screenshot(path=str(tmp_path / "card.png"))
    assert errors == []


def test_ranking_overall_and_per_category(browser, live_server, setup) -> None:  # noqa: F811
    base = live_server.url
    page, errors = sign_in(browser, base, "alice")
    page.goto(f"{base}/impact/")
    rows = page.locator("#case-table tbody tr")
    expect(rows).to_have_count(Case.objects.count())
    expect(page.locator("caption")).to_have_text("Classement général")
    expect(rows.first.locator("td").first).to_have_text("1")
    assert rows.first.locator(".rank-probs .bar").count() == Case.objects.count()
    assert_accessible(page, "overall ranking")
    page.locator("#method").select_option("topsis")
    page.locator("#category").select_option("pharmacovigilance_drug_safety")
    page.get_by_role("button", name="Afficher").click()
    expect(page).to_have_url(re.compile(r"method=topsis&category=pharmacovigilance_drug_safety"))
    expect(page.locator("caption")).to_have_text("Classement dans la catégorie choisie")
    assert_accessible(page, "ranking in a category")
    assert problems(page.evaluate(VISIBLE_TEXT_JS)) == []
    page.set_viewport_size({"width": 390, "height": 844})  # the ranking table scrolls in its box at 390 px
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []


def test_two_editors_and_validation(browser, live_server, setup) -> None:  # noqa: F811
    base = live_server.url
    alice, _ = sign_in(browser, base, "alice")
    bruno, _ = sign_in(browser, base, "bruno")
    url = f"{base}/impact/cases/{CASE}/edit/"
    alice.goto(url)
    bruno.goto(url)
    assert problems(alice.evaluate(VISIBLE_TEXT_JS)) == []  # the edit form: labels in French, no code
    alice.locator("#id_notes_fr").fill("Note d'Alice.")
    alice.locator("#id_notes_en").fill("Alice's note.")
    alice.get_by_role("button", name="Enregistrer").click()
    expect(alice.locator(".messages")).to_contain_text("Cas enregistré.")
    bruno.locator("#id_notes_fr").fill("Note de Bruno, à ne pas perdre.")
    bruno.locator("#id_notes_en").fill("Bruno's note, not to be lost.")
    bruno.get_by_role("button", name="Enregistrer").click()
    expect(bruno.locator("#save-error")).to_contain_text("alice")
    expect(bruno.locator("#id_notes_fr")).to_have_value("Note de Bruno, à ne pas perdre.")
    expect(bruno.locator(".conflict-current")).to_contain_text("Note d'Alice.")
    assert_accessible(bruno, "conflict page")
    assert Case.objects.get(pk=CASE).notes_fr == "Note d'Alice."

    # a figure with low above high and no source: messages name the fields, nothing is saved
    figures = Case.objects.get(pk=CASE).figures.count()
    alice.goto(f"{base}/impact/cases/{CASE}/figures/add/")
    alice.locator("#id_indicator").select_option("A2")
    # only the indicator's units are offered (the server refuses the others anyway)
    expect(alice.locator("#id_unit option[value=eur]")).to_be_disabled()
    expect(alice.locator("#id_unit option[value=deaths]")).to_be_enabled()
    alice.locator("#id_label_fr").fill("Décès évités")
    alice.locator("#id_value").fill("10")
    alice.locator("#id_low").fill("20")
    alice.locator("#id_high").fill("5")
    alice.locator("#id_unit").select_option("deaths")
    alice.get_by_role("button", name="Enregistrer").click()
    summary = alice.locator("#form-errors")
    expect(summary).to_contain_text("Rien n'a été enregistré")
    expect(summary).to_contain_text("La borne basse (20) dépasse la borne haute (5).")
    expect(summary).to_contain_text("Une source est obligatoire")
    assert_accessible(alice, "figure form with errors")
    assert Case.objects.get(pk=CASE).figures.count() == figures
