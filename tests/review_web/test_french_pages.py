"""Review pages in French (issue 19, item 5): no English sentence, codes shown by their labels, French
typography (a no-break space before ':' ';' and inside « »), singular for one, tables in scrolling
containers, and the records' own text marked with its language."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from benefice.corpus.models import Publication
from benefice.review import services

from .conftest import client_for

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# words of English sentences that French text does not contain (record titles are skipped: they carry lang)
ENGLISH = re.compile(
    r"\b(the|of|and|with|records?|screened|found|review|decision|include|exclude|maybe|pending|"
    r"conflict|awaiting|yet|which|this|from|into|Wrong)\b"
)


class Page(HTMLParser):
    """Visible French text of a page (and its alt, title, aria-label, placeholder attributes), leaving out
    elements marked in another language, code and scripts; and where each table stands."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.text: list[str] = []
        self.tables_outside_scroll = 0
        self.lang_elements: list[tuple[str, str]] = []

    def _skipping(self) -> bool:
        """Outside <main> (the site's header and footer are not the review's) or in a skipped element."""
        return not any(tag == "main" for tag, _s in self.stack) or any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        lang = attrs.get("lang")
        if lang:
            self.lang_elements.append((tag, lang))
        # textarea: the lead's own text, as stored; an element in another language: a record's title
        skip = tag in ("script", "style", "code", "svg", "textarea") or bool(lang and not lang.startswith("fr"))
        if tag == "table" and not any(t == "div.table-scroll" for t, _s in self.stack):
            self.tables_outside_scroll += 1
        if not (skip or self._skipping()):
            for name in ("alt", "title", "aria-label", "placeholder"):
                if attrs.get(name):
                    self.text.append(attrs[name])
        if tag in VOID:
            return
        name = "div.table-scroll" if tag == "div" and "table-scroll" in (attrs.get("class") or "") else tag
        self.stack.append((name, skip))

    def handle_endtag(self, tag) -> None:
        if tag in VOID:
            return
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0].split(".")[0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data) -> None:
        if not self._skipping():
            self.text.append(data)

    def words(self) -> str:
        return " ".join(" ".join(self.text).split(" ")).replace("\n", " ")


def _read(client, url: str) -> Page:
    response = client.get(url)
    assert response.status_code == 200, url
    page = Page()
    page.html = response.content.decode()
    page.feed(page.html)
    return page


@pytest.fixture
def french_review(review, people):
    """The fixture review with English records (their language known), one exclusion with its default
    reason (stored in English: the review was created in English), one include, one conflict."""
    Publication.objects.update(language="en")
    records = list(review.records.order_by("pk"))
    services.decide(records[0], people["alice"], "ta", "include")
    from django.utils import translation

    from benefice.review.models import DEFAULT_REASONS

    with translation.override("en"):  # as a review created by a command or in English stores them
        review.exclusion_reasons = [str(r) for r in DEFAULT_REASONS]
    review.save()
    reason = review.exclusion_reasons[0]
    assert reason == "Wrong population"
    services.decide(records[1], people["alice"], "ta", "exclude", reasons=[reason])
    review.reviewers_per_record = 2
    review.question = "Quelles études utilisent le SNDS\u00a0?"  # the lead's own words, in the page's language
    review.save()
    services.decide(records[2], people["alice"], "ta", "include")
    services.decide(records[2], people["bob"], "ta", "exclude")
    return review, records


def _pages(review, records) -> list[str]:
    pk = review.pk
    return [
        reverse("review:list"),
        reverse("review:detail", args=[pk]),
        reverse("review:edit", args=[pk]),
        reverse("review:records_add", args=[pk]),
        reverse("review:records", args=[pk]),
        reverse("review:record", args=[pk, records[1].pk]),
        reverse("review:record", args=[pk, records[2].pk]),
        reverse("review:screen", args=[pk, "ta"]),
        reverse("review:screen", args=[pk, "ft"]),
        reverse("review:conflicts", args=[pk, "ta"]),
        reverse("review:agreement", args=[pk]),
        reverse("review:prisma", args=[pk]),
        reverse("review:from_search") + "?q=SNDS",
    ]


def test_review_pages_in_french_have_no_english_and_french_typography(french_review, people) -> None:
    review, records = french_review
    lead = client_for(people["lead"], "fr")
    services.set_member(review, people["lead"], "lead", people["lead"])
    for url in _pages(review, records):
        page = _read(lead, url)
        text = page.words()
        content = text
        english = sorted(set(ENGLISH.findall(content)))
        assert not english, (url, english, content[:3000])
        assert not re.search(r"\S[:;!?](\s|$)", content.replace("\u00a0:", "").replace("\u00a0;", "")), (
            url,
            re.findall(r".{30}\S[:;!?]\s.{10}", content),
        )
        assert not re.search(r" [:;!?»]|« ", content), (url, re.findall(r".{30} [:;!?»].{10}", content))
        assert not re.search(r"\b1[\u00a0\u202f ](références|décisions|publications|doublons)\b", content), url
        assert page.tables_outside_scroll == 0, url
        labels = re.findall(r"<label[^>]*>([^<]*)</label>", page.html)
        assert all(label.count(":") <= 1 for label in labels), (url, [x for x in labels if x.count(":") > 1])


def test_codes_are_shown_by_their_labels(french_review, people) -> None:
    review, records = french_review
    lead = client_for(people["lead"], "fr")
    record_page = _read(lead, reverse("review:record", args=[review.pk, records[1].pk])).words()
    assert "Population hors sujet" in record_page and "Wrong population" not in record_page
    assert "exclure" in record_page.lower()
    conflicts = _read(lead, reverse("review:conflicts", args=[review.pk, "ta"])).words()
    assert "désaccord" in conflicts.lower()
    listing = _read(lead, reverse("review:records", args=[review.pk])).words()
    assert "en attente" in listing.lower() and "pending" not in listing


def test_records_carry_the_language_of_their_text(french_review, people) -> None:
    review, records = french_review
    alice = client_for(people["alice"], "fr")
    screen = _read(alice, reverse("review:screen", args=[review.pk, "ta"]))
    assert ("h2", "en") in screen.lang_elements and ("p", "en") in screen.lang_elements  # title, abstract
    listing = _read(alice, reverse("review:records", args=[review.pk]))
    assert listing.lang_elements.count(("a", "en")) == review.records.count()
    record = _read(alice, reverse("review:record", args=[review.pk, records[0].pk]))
    assert ("h1", "en") in record.lang_elements
    Publication.objects.update(language="")  # unknown: no lang attribute rather than a guess
    assert ("h2", "en") not in _read(alice, reverse("review:screen", args=[review.pk, "ta"])).lang_elements


def test_one_of_a_kind_is_singular(people) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    review = services.create_review("Singulier", people["lead"])
    lead = client_for(people["lead"], "fr")
    ris = "TY  - JOUR\nTI  - Une seule étude sur le SNDS\nPY  - 2021\nER  - \n"
    response = lead.post(
        reverse("review:records_add", args=[review.pk]),
        {"source": "file", "file-database": "PubMed", "file-file": SimpleUploadedFile("one.ris", ris.encode())},
        follow=True,
    )
    text = " ".join(response.content.decode().split())
    assert "1 référence identifiée, 1 ajoutée à la revue, 0 doublon ou déjà dans la revue." in text
