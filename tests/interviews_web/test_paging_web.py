"""A transcript up to the 8 MB limit is shown a page at a time (issue 17: a 51 MB review page took 50 s).

Positions stay absolute: a coding made on page 3 stores offsets in the whole text, and a coding that
crosses a page cut is sent with both pages.
"""

from __future__ import annotations

import json
import re

from django.urls import reverse

from benefice.interviews import paging, services
from benefice.interviews.models import Selection, Transcript

from .conftest import client_for

PARAGRAPH = (
    "[00:01:{n:02d}] P{n:02d} : Nous avons utilisé les données pour comparer les séjours hospitaliers "
    "entre départements, puis la décision est venue de l'agence régionale, avec un comité de suivi.\n\n"
)


def long_transcript(project, size: int = 2_000_000) -> Transcript:
    paragraphs, length, n = [], 0, 0
    while length < size:
        paragraphs.append(PARAGRAPH.format(n=n % 60))
        length += len(paragraphs[-1])
        n += 1
    return Transcript.objects.create(
        project=project, title="Long", text="".join(paragraphs), status=Transcript.PSEUDONYMISED
    )


def codings_on(html: str) -> list[dict]:
    found = re.search(r'<script id="codings-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def box_of(html: str) -> tuple[int, str]:
    found = re.search(r'<div id="transcript-text"[^>]*data-offset="(\d+)"[^>]*>(.*?)</div>', html, re.S)
    return int(found.group(1)), found.group(2)


def test_a_two_megabyte_transcript_is_paged(project, people) -> None:
    transcript = long_transcript(project)
    assert len(transcript.text) >= 2_000_000
    bounds = paging.page_bounds(transcript.text)
    assert len(bounds) >= 40
    code = services.create_code(project, "Décision", people["lead"])
    cut = bounds[0][1]
    across = services.add_coding(transcript, cut - 40, cut + 40, code, people["coder1"])
    coder = client_for(people["coder1"])
    url = reverse("interviews:transcript", args=[project.pk, transcript.pk])
    first = coder.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert first.status_code == 200
    assert len(first.content) < 200_000  # one page, not 2 MB (about 60 kB of text with its markup)
    html = first.content.decode()
    assert f"Page 1 of {len(bounds)} (characters 0–{cut})" in html
    assert 'href="?page=2" rel="next"' in html and 'rel="prev"' not in html
    offset, shown = box_of(html)
    assert offset == 0 and len(shown) < paging.PAGE_CHARACTERS + 5_000  # HTML escapes add a little
    assert [c["id"] for c in codings_on(html)] == [across.pk]  # the coding crossing the cut, on page 1
    second = coder.get(url + "?page=2", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f"Page 2 sur {len(bounds)}" in second and "Page précédente" in second
    assert box_of(second)[0] == cut
    coded = codings_on(second)
    assert [(c["id"], c["start"], c["end"]) for c in coded] == [(across.pk, cut - 40, cut + 40)]  # and page 2


def test_a_coding_on_a_later_page_stores_absolute_offsets(project, people) -> None:
    transcript = long_transcript(project)
    bounds = paging.page_bounds(transcript.text)
    coder = client_for(people["coder1"])
    url = reverse("interviews:transcript", args=[project.pk, transcript.pk])
    offset, _ = box_of(coder.get(url + "?page=3").content.decode())
    assert offset == bounds[2][0]
    page_text = transcript.text[bounds[2][0] : bounds[2][1]]
    local = page_text.index("comité", 1000)  # what the screen finds in its page
    start, end = offset + local, offset + local + len("comité")  # what it sends: page offset + place
    response = coder.post(
        reverse("interviews:coding_create", args=[project.pk, transcript.pk]),
        {"start": start, "end": end, "new_code": "Gouvernance", "page": "3"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201
    selection = Selection.objects.get(transcript=transcript)
    assert (selection.start, selection.end) == (start, end) and selection.quote == "comité"
    assert [c["start"] for c in response.json()["codings"]] == [start]  # the page's codings only
    response = coder.post(
        reverse("interviews:coding_create", args=[project.pk, transcript.pk]),
        {"start": bounds[5][0] + 10, "end": bounds[5][0] + 20, "new_code": "Données"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?page=6")  # back to its page
    assert len(services.codings_json(transcript, *bounds[5])) == 1


def test_the_review_page_shows_a_page_of_the_original(project, people) -> None:
    text = "".join(PARAGRAPH.format(n=n % 60) for n in range(4000))  # about 780,000 characters
    transcript = Transcript.objects.create(
        project=project,
        title="Long à relire",
        original_text=text,
        review=[
            {
                "type": "PERSON",
                "key": "p01",
                "text": "P01",
                "replacement": "[PERSONNE_1]",
                "default": "accept",
                "source": "list",
                "start": 14,
                "end": 17,
            }
        ],  # fmt: skip
    )
    lead = client_for(people["lead"])
    url = reverse("interviews:review", args=[project.pk, transcript.pk])
    response = lead.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and len(response.content) < 200_000
    pages = len(paging.page_bounds(text))
    assert f"Page 1 of {pages}" in response.content.decode()
    last = lead.get(url + f"?page={pages}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Page {pages} of {pages}" in last and 'rel="next"' not in last
