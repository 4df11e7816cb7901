"""A real browser: a custodian's report, a project's candidate links confirmed with htmx, a benefit record
entered (a figure without source refused) and its public page read without an account; axe-core on each.

Chromium driven by Playwright against the live server; skipped, with the reason, where /usr/bin/chromium is
absent.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from benefice.core.roles import EDITOR
from benefice.core.users import ensure_user
from benefice.custodians.models import BenefitRecord, Custodian, Project, ProjectLink
from support.browser import CHROMIUM, assert_accessible

from .conftest import PASSWORD, load_custodian_demo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent (apt-get install chromium)"),
]


@pytest.fixture
def setup(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_custodian_demo()
    ensure_user("eddie", PASSWORD, EDITOR)


def test_report_links_and_benefit_record(browser, live_server, setup) -> None:  # noqa: F811
    base = live_server.url
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill("eddie")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()

    # the menu leads to the custodians, then to the CNAM report
    page.get_by_role("link", name="Responsables de données").first.click()
    page.wait_for_url(re.compile(r"/custodians/$"))
    assert_accessible(page, "custodian list")
    cnam = Custodian.objects.get(name__startswith="Caisse nationale")
    page.goto(f"{base}/custodians/{cnam.slug}/report/")
    expect(page.get_by_role("heading", name="Analyse des écarts")).to_be_visible()
    expect(page.locator("#r-recs").locator("..")).to_contain_text("DEMO-90")
    assert_accessible(page, "custodian report (fr)")
    page.get_by_role("link", name="English version").click()
    expect(page.get_by_role("heading", name="Gap analysis")).to_be_visible()
    assert_accessible(page, "custodian report (en)")

    # a project: confirm its best candidate without reloading the page
    project = Project.objects.get(reference="DEMO-04")
    link = project.links.order_by("-score").first()
    page.goto(f"{base}/custodians/projects/{project.pk}/")
    assert_accessible(page, "project page")
    page.evaluate("window.__same_document = true")
    row = page.locator(f"#link-{link.pk}")
    row.get_by_role("button", name=re.compile("^Confirmer")).click()
    expect(page.locator(f"#link-{link.pk}")).to_contain_text("confirmé")
    assert page.evaluate("window.__same_document === true")
    link.refresh_from_db()
    assert link.status == ProjectLink.CONFIRMED

    # a benefit record: a figure without a source is refused, then saved and published
    page.get_by_role("link", name="Ajouter une fiche de bénéfices").click()
    page.get_by_label("Année").fill("2021")
    page.get_by_label("Production 1 : type").select_option("publications")
    page.get_by_label("Production 1 : description").fill("Article dans une revue à comité de lecture")
    page.get_by_label("Chiffre 1 : indicateur").select_option("X1")
    page.get_by_label("Chiffre 1 : ce qui est compté").fill("Grossesses exposées étudiées")
    page.get_by_label("Chiffre 1 : valeur").fill("12")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#record-error")).to_contain_text("source")
    assert_accessible(page, "record form with an error")
    page.get_by_label("Chiffre 1 : source (DOI, URL, document et page)").fill("Rapport final, p. 3")
    page.get_by_label("Publier cette fiche (lisible sans compte)").check()
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(re.compile(r"/custodians/records/\d+/$"))
    expect(page.get_by_role("table")).to_contain_text("Rapport final, p. 3")
    assert_accessible(page, "benefit record")
    record = BenefitRecord.objects.get(project=project)
    assert record.published and record.figures.get().source == "Rapport final, p. 3"

    # the other pages of the app, scanned as they are
    from benefice.custodians import services

    questionnaire = services.create_questionnaire("Enquête", None, source_id="SNDS")
    services.add_question(questionnaire, kind="choice", text="Oui ou non ?", choices=["oui", "non"])
    services.add_respondent(questionnaire, "Service des études")
    for path in (
        "/custodians/projects/",
        "/custodians/reminders/",
        "/custodians/import/",
        "/custodians/questionnaires/",
        f"/custodians/questionnaires/{questionnaire.pk}/",
    ):
        page.goto(f"{base}{path}")
        assert_accessible(page, path)

    # the published record is public
    anonymous = browser.new_context(locale="fr-FR").new_page()
    anonymous.goto(f"{base}/custodians/records/{record.pk}/")
    expect(anonymous.get_by_role("heading", level=1)).to_contain_text("Fiche de bénéfices")
    assert_accessible(anonymous, "public benefit record")
    assert not errors, errors
    context.close()


def test_questionnaire_answered_through_private_link_autosaves(
    browser,  # noqa: F811
    live_server,
    transactional_db,
) -> None:
    from benefice.custodians import services
    from benefice.custodians.models import Response

    q = services.create_questionnaire("Bénéfices du SNDS", None, source_id="SNDS")
    figure = services.add_question(
        q, kind="figure", text="Patients concernés par les décisions", unit="patients"
    )
    text = services.add_question(q, kind="text", text="Quelle décision ces données ont-elles éclairée ?")
    respondent = services.add_respondent(q, "Direction des études")
    page = browser.new_context(locale="fr-FR").new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/custodians/q/{respondent.token}/")  # no account
    assert_accessible(page, "questionnaire answer page")
    page.get_by_label("Valeur (patients)").fill("1 500")
    expect(page.locator(f"#status-{figure.pk}")).to_contain_text("source")
    page.get_by_label("Source de ce chiffre (document, page, lien)").fill("Rapport annuel, p. 7")
    expect(page.locator(f"#status-{figure.pk}")).to_contain_text("Enregistré")
    page.get_by_label("Votre réponse").fill("Une alerte sur un médicament.")
    expect(page.locator(f"#status-{text.pk}")).to_contain_text("Enregistré")
    assert_accessible(page, "questionnaire after autosave")
    answers = {r.question_id: r for r in Response.objects.filter(respondent=respondent)}
    assert answers[figure.pk].number == 1500.0 and answers[figure.pk].source == "Rapport annuel, p. 7"
    assert answers[text.pk].value == "Une alerte sur un médicament."
    assert not errors, errors


def test_custodian_pages_fit_a_phone(browser, live_server, setup) -> None:  # noqa: F811
    """Issue 19: at 390 px the tables scroll inside their own box; the page itself never scrolls sideways."""
    base = live_server.url
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill("eddie")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    cnam = Custodian.objects.get(name__startswith="Caisse nationale")
    project = Project.objects.get(reference="DEMO-01")
    for path in (
        "/custodians/",
        "/custodians/projects/",
        f"/custodians/projects/{project.pk}/",
        f"/custodians/{cnam.slug}/report/",
        "/custodians/questionnaires/",
        "/custodians/reminders/",
    ):
        page.goto(f"{base}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        wider = page.evaluate(
            """() => Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > 392
            && !(e.parentElement && e.parentElement.closest('.table-scroll'))).map(e => e.tagName + '.' + e.className)"""
        )
        assert width <= 390, (path, width, wider[:6])
    assert_accessible(page, "reminders at 390 px")
