"""Every section of the app, read in French on a phone (issue 19, "done means"): no English sentence, no raw
code, no page wider than the screen.

One browser test over the main pages of each app with the demo data, a French browser, a 390 px wide
viewport (a common phone). The text checks are tests/support/french.py's (their rules are stated and
tested there). Each page's problems are collected and reported together, so one run lists everything a
French reader would still meet. Skipped, with the reason, where /usr/bin/chromium is not installed.
"""

from __future__ import annotations

import pytest

from support.browser import CHROMIUM, PASSWORD, USER, open_signed_in
from support.french import VISIBLE_TEXT_JS, problems

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent (apt-get install chromium)"),
]

PHONE = {"width": 390, "height": 844}

#: the innermost elements that reach past the screen's right edge, to say what widens a page
WIDEST_JS = """
() => Array.from(document.querySelectorAll("body *"))
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1
     && !Array.from(el.children).some(c => c.getBoundingClientRect().right > window.innerWidth + 1)
     && !el.closest(".table-scroll"))
  .slice(0, 4)
  .map(el => el.tagName.toLowerCase() + (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : "")
       + " " + Math.round(el.getBoundingClientRect().right) + "px")
"""


def main_pages() -> list[str]:
    """The pages a newcomer opens first in each section, from what the demo holds."""
    from benefice.barometer.models import Edition
    from benefice.cases.models import Case
    from benefice.corpus.models import Publication
    from benefice.indicators.models import Indicator
    from benefice.interviews.models import InterviewProject
    from benefice.review.models import Review
    from benefice.sources.models import Source

    pages = ["/corpus/", "/corpus/import/", "/corpus/batches/", "/sources/", "/sources/review/", "/review/"]
    publication = (
        Publication.objects.filter(mentions__isnull=False).order_by("pk").first() or Publication.objects.first()
    )
    if publication:
        pages += [f"/corpus/{publication.pk}/", f"/sources/publication/{publication.pk}/", f"/uses/publication/{publication.pk}/"]
    source = Source.objects.filter(pk="SNDS").first() or Source.objects.order_by("pk").first()
    if source:
        pages.append(f"/sources/{source.pk}/")
    for review in Review.objects.order_by("pk")[:1]:
        pages += [f"/review/{review.pk}/", f"/review/{review.pk}/records/", f"/review/{review.pk}/screen/ta/",
                  f"/review/{review.pk}/prisma/"]
    pages.append("/impact/")
    for case in Case.objects.order_by("position")[:2]:
        pages.append(f"/impact/cases/{case.pk}/")
    pages.append("/impact/indicators/")
    for indicator in Indicator.objects.order_by("code")[:1]:
        pages.append(f"/impact/indicators/{indicator.code}/")
    pages.append("/interviews/")
    for project in InterviewProject.objects.order_by("pk")[:1]:
        pages += [f"/interviews/{project.pk}/", f"/interviews/{project.pk}/codebook/", f"/interviews/{project.pk}/analysis/"]
    pages.append("/barometer/")
    for edition in Edition.objects.order_by("-pk")[:1]:
        pages.append(f"/barometer/{edition.pk}/")
    pages += ["/custodians/", "/custodians/projects/"]
    return pages


def test_main_pages_in_french_on_a_phone(browser, live_server, demo_corpus):
    page, errors = open_signed_in(browser, live_server.url, USER, PASSWORD, locale="fr-FR")
    page.set_viewport_size(PHONE)
    report: dict[str, list[str]] = {}
    for path in main_pages():
        response = page.goto(f"{live_server.url}{path}")
        found = []
        if response is None or response.status >= 400:
            found.append(f"HTTP {response.status if response else 'no response'}")
        else:
            assert page.locator("html").get_attribute("lang") == "fr", path
            found += problems(page.evaluate(VISIBLE_TEXT_JS))
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"] + 1:
                found.append(f"page is {width} px wide on a {PHONE['width']} px screen: {page.evaluate(WIDEST_JS)}")
        if found:
            report[path] = found
    assert not errors, errors
    assert not report, "\n".join(f"{path}:\n  " + "\n  ".join(items[:25]) for path, items in report.items())
