"""New codes get distinct colours; the coding screen's legend counts come back with every coding added or
removed, so the page redraws them without a reload (issue 19)."""

from __future__ import annotations

import re

from django.urls import reverse
from tests.interviews_web.conftest import client_for

from benefice.interviews import services
from benefice.interviews.colours import PALETTE
from benefice.interviews.models import Code


def test_new_codes_each_get_a_distinct_palette_colour(project, transcript, people) -> None:
    codes = [services.create_code(project, f"Code {n}", people["lead"]) for n in range(4)]
    assert [c.colour for c in codes] == list(PALETTE[:4])
    coder = client_for(people["coder1"])
    url = reverse("interviews:coding_create", args=[project.pk, transcript.pk])
    coder.post(url, {"start": 0, "end": 5, "new_code": "Nouveau"}, HTTP_ACCEPT="application/json")
    assert Code.objects.get(name="Nouveau").colour == PALETTE[4]
    # the codebook form proposes the next unused colour, and what the user picks is stored, editable
    lead = client_for(people["lead"])
    book = reverse("interviews:codebook", args=[project.pk])
    page = lead.get(book).content.decode()
    proposed = re.search(r'id="new-colour" name="colour" type="color" value="([^"]+)"', page).group(1)
    assert proposed == PALETTE[5]
    lead.post(book, {"action": "create", "name": "Par le formulaire", "colour": proposed})
    made = Code.objects.get(name="Par le formulaire")
    assert made.colour == PALETTE[5]
    lead.post(book, {"action": "edit", "code": made.pk, "name": made.name, "colour": "#aabbcc"})
    made.refresh_from_db()
    assert made.colour == "#aabbcc"
    assert len({c.colour for c in Code.objects.filter(project=project)}) == 6


def test_legend_counts_come_back_with_each_coding_added_or_removed(project, transcript, people) -> None:
    code = services.create_code(project, "Décision", people["lead"])
    coder = client_for(people["coder1"])
    page = coder.get(reverse("interviews:transcript", args=[project.pk, transcript.pk])).content.decode()
    assert f'<li data-code="{code.pk}"' in page and 'class="iv-count">(0)' in page
    url = reverse("interviews:coding_create", args=[project.pk, transcript.pk])
    added = coder.post(url, {"start": 0, "end": 9, "code": code.pk}, HTTP_ACCEPT="application/json").json()
    assert {c["id"]: c["count"] for c in added["codes"]}[code.pk] == 1
    coder.post(url, {"start": 20, "end": 29, "code": code.pk}, HTTP_ACCEPT="application/json")
    removed = coder.post(
        reverse("interviews:coding_delete", args=[project.pk, added["coding"]]),
        HTTP_ACCEPT="application/json",
    ).json()
    assert {c["id"]: c["count"] for c in removed["codes"]}[code.pk] == 1
    assert [c["start"] for c in removed["codings"]] == [20]
