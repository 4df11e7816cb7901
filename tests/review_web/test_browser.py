"""A real browser: create a review, add records, screen ten with the keyboard, resolve a conflict between two
reviewers, download the PRISMA diagram as SVG and PNG; axe-core finds no serious or critical violation.

Chromium driven by Playwright against the live server (retraining runs in the request's thread here, see
conftest). Skipped, with the reason, where /usr/bin/chromium is absent.
"""

from __future__ import annotations

import re

import pytest
from lxml import etree
from playwright.sync_api import expect

from benefice.review.models import Review, ScreeningDecision, Status
from support.browser import CHROMIUM, assert_accessible, open_signed_in

from .conftest import PASSWORD, make_publications

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent (apt-get install chromium)"),
]


@pytest.fixture
def setup(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from benefice.core.roles import EDITOR, VIEWER
    from benefice.core.users import ensure_user

    ensure_user("lead", PASSWORD, EDITOR)
    for name in ("alice", "bruno"):
        ensure_user(name, PASSWORD, VIEWER)
    make_publications()


def sign_in(chromium, base_url: str, username: str):
    return open_signed_in(chromium, base_url, username, PASSWORD)


def test_create_screen_resolve_prisma(browser, live_server, setup, tmp_path) -> None:  # noqa: F811
    base = live_server.url
    page, errors = sign_in(browser, base, "lead")
    page.goto(f"{base}/review/")
    assert_accessible(page, "review list")
    page.locator("#id_title").fill("Revue SNDS et sécurité des médicaments")
    page.locator("#id_question").fill("Quelles études utilisent le SNDS ?")
    page.locator("#id_keywords").fill("SNDS\ncohort")
    page.locator("#id_reviewers_per_record").fill("2")
    page.locator("#review-form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Revue SNDS et sécurité des médicaments")
    review = Review.objects.get()
    assert review.reviewers_per_record == 2 and review.blind
    for name in ("alice", "bruno"):
        page.locator("#id_username").fill(name)
        page.locator("form.inline-form button[type=submit]").click()
        expect(page.locator(".messages")).to_contain_text(name)
    assert_accessible(page, "review overview")
    page.goto(f"{base}/review/{review.pk}/records/add/")
    assert_accessible(page, "add records")
    page.locator("#id_corpus-database").fill("Corpus benefice")
    page.locator("#id_corpus-year_from").fill("2020")
    page.locator("#corpus-form button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("32")
    assert review.records.count() == 32

    # alice screens ten records with the keyboard only
    alice, alice_errors = sign_in(browser, base, "alice")
    alice.goto(f"{base}/review/{review.pk}/screen/ta/")
    assert_accessible(alice, "screening page")
    expect(alice.locator(".shortcuts")).to_contain_text("i")
    skipped = int(alice.locator("#screen-record").get_attribute("data-record"))
    alice.keyboard.press("n")  # next without deciding
    expect(alice.locator("#screen-record")).not_to_have_attribute("data-record", str(skipped))
    # the record is parsed before the deferred shortcuts script runs: wait for it before the next key
    alice.wait_for_load_state("domcontentloaded")
    assert not ScreeningDecision.objects.filter(record_id=skipped).exists()
    decided = []
    reasons_given = False
    # ten decisions, more if none was an inclusion yet: which records come first depends on whether the model
    # could rank them before the first inclusion (it needs both classes), not on what is tested here
    for _ in range(20):
        if len(decided) >= 10 and any(value == "include" for _, value in decided):
            break
        article = alice.locator("#screen-record")
        record_id = int(article.get_attribute("data-record"))
        title = alice.locator("#record-title").inner_text()
        key = "i" if title.startswith("Nationwide") else "e"
        if key == "e" and not reasons_given:  # tick the first exclusion reason with its digit
            alice.keyboard.press("1")
            expect(alice.locator('input[name="reasons"][data-key="1"]')).to_be_checked()
            reasons_given = record_id
        alice.keyboard.press(key)
        expect(alice.locator("#screen-record")).not_to_have_attribute("data-record", str(record_id))
        alice.wait_for_load_state("domcontentloaded")
        decided.append((record_id, "include" if key == "i" else "exclude"))
    mine = dict(ScreeningDecision.objects.filter(reviewer__username="alice").values_list("record_id", "value"))
    assert mine == dict(decided)
    assert reasons_given, "ten decisions over 8 relevant records include an exclusion"
    if reasons_given:
        assert ScreeningDecision.objects.get(record_id=reasons_given).reasons == [review.exclusion_reasons[0]]
    included = next(pk for pk, value in decided if value == "include")
    alice.goto(f"{base}/review/{review.pk}/records/{included}/")
    expect(alice.locator("mark", has_text="SNDS").first).to_be_visible()
    assert_accessible(alice, "record page")

    # bruno decides the opposite on alice's first record (he cannot see her decision: blind)
    first_id, first_value = decided[0]
    bruno, bruno_errors = sign_in(browser, base, "bruno")
    bruno.goto(f"{base}/review/{review.pk}/records/{first_id}/")
    expect(bruno.locator("body")).not_to_contain_text("alice")
    bruno.goto(f"{base}/review/{review.pk}/screen/ta/?record={first_id}")
    with bruno.expect_navigation():  # the decision is stored once the next page has come
        bruno.keyboard.press("e" if first_value == "include" else "i")
    assert review.records.get(pk=first_id).ta_status == Status.CONFLICT

    # the lead resolves it
    page.goto(f"{base}/review/{review.pk}/conflicts/ta/")
    conflict = page.locator(f"#conflict-{first_id}")
    expect(conflict).to_contain_text("alice")
    expect(conflict).to_contain_text("bruno")
    assert_accessible(page, "conflicts page")
    conflict.locator("input[value=include]").check()
    with page.expect_navigation(
        timeout=30_000
    ):  # a plain form post: wait for the new page, even on a busy CI
        conflict.locator("button[type=submit]").click()
    expect(page.locator(f"#conflict-{first_id}")).to_have_count(0, timeout=15_000)
    assert review.records.get(pk=first_id).ta_status == Status.INCLUDED

    # PRISMA diagram: page, SVG and PNG downloads
    page.goto(f"{base}/review/{review.pk}/prisma/")
    assert_accessible(page, "PRISMA page")
    with page.expect_download() as info:
        page.locator("#prisma-svg").click()
    svg_path = tmp_path / "prisma.svg"
    info.value.save_as(svg_path)
    root = etree.parse(str(svg_path)).getroot()
    text = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert re.search(r"\(n = 32\)", text) and "Corpus benefice" in text
    with page.expect_download() as info:
        page.locator("#prisma-png").click()
    png_path = tmp_path / "prisma.png"
    info.value.save_as(png_path)
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not errors and not alice_errors and not bruno_errors
