"""The interview workspace in French: no English sentence, no raw code, tables that scroll at 390 px, quotes
marked with their language when it is not the page's (issue 19, RGAA 8.7). Read from the served HTML."""

from __future__ import annotations

import re

from django.urls import reverse
from lxml import html as lxml_html
from tests.interviews_web.conftest import client_for
from tests.interviews_web.frcheck import text_runs

from benefice.core.roles import ADMIN
from benefice.core.users import ensure_user
from benefice.interviews import services
from benefice.interviews.demo import install_demo_project
from benefice.interviews.pseudonymise import PSEUDONYM_RE
from support.french import problems


def french_problems(page: str) -> list[str]:
    """What a French reader must not meet; the pseudonyms (``[PERSONNE_1]``) are the transcripts' own words."""
    runs = [{**run, "text": PSEUDONYM_RE.sub("", run["text"])} for run in text_runs(page)]
    return problems(runs)


def tables_outside_scrolling_boxes(page: str) -> int:
    root = lxml_html.fromstring(page)
    return sum(
        1
        for table in root.iter("table")
        if "table-scroll" not in (table.getparent().get("class") or "").split()
    )


def workspace_pages(project) -> list[str]:
    transcript = project.transcripts.order_by("pk").first()
    coders = "&".join(f"coders={c.pk}" for c in project.coders.all())
    transcripts = "&".join(f"transcripts={t.pk}" for t in project.transcripts.all())
    return [
        reverse("interviews:list"),
        reverse("interviews:project", args=[project.pk]),
        reverse("interviews:participants", args=[project.pk]),
        reverse("interviews:import", args=[project.pk]),
        reverse("interviews:transcript", args=[project.pk, transcript.pk]),
        reverse("interviews:codebook", args=[project.pk]),
        reverse("interviews:history", args=[project.pk]),
        reverse("interviews:agreement", args=[project.pk]) + f"?{coders}&{transcripts}",
        reverse("interviews:analysis", args=[project.pk]) + "?attribute=data_source",
        reverse("interviews:suggestions", args=[project.pk]),
        reverse("interviews:import_refi", args=[project.pk]),
    ]


def test_workspace_pages_read_in_french(db, fast_password_hashing) -> None:
    demo = ensure_user("demo", "correct horse battery staple", ADMIN, superuser=True)
    project = install_demo_project()
    waiting = project.transcripts.create(
        title="À relire", original_text="ENQ : Bonjour.\nP09 : Je travaille avec Sophie Marchal à l'ANSM.\n"
    )
    services.propose_entities(waiting, use_ner=False)
    client = client_for(demo)
    found = []
    for url in [*workspace_pages(project), reverse("interviews:review", args=[project.pk, waiting.pk])]:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 200, url
        page = response.content.decode()
        found += [f"{url}: {p}" for p in french_problems(page)]
        assert tables_outside_scrolling_boxes(page) == 0, url
    assert not found, "\n".join(found)


def test_an_error_reads_in_french_without_internal_field_names(db, fast_password_hashing) -> None:
    demo = ensure_user("demo", "correct horse battery staple", ADMIN, superuser=True)
    project = install_demo_project()
    client = client_for(demo)
    url = reverse("interviews:codebook", args=[project.pk])
    page = client.post(url, {"action": "create", "name": " "}, follow=True).content.decode()
    assert "un code doit avoir un nom" in page and "field" not in page.split("<main")[1]
    transcript = project.transcripts.first()
    response = client.post(
        reverse("interviews:coding_create", args=[project.pk, transcript.pk]),
        {"start": 0, "end": 10**6, "code": project.codes.exclude(is_theme=True).first().pk},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400 and "hors du texte" in response.json()["error"]


def test_quotes_carry_their_language_when_it_is_not_the_pages(db, fast_password_hashing) -> None:
    demo = ensure_user("demo", "correct horse battery staple", ADMIN, superuser=True)
    french = install_demo_project()
    english = services.create_project("English interviews", demo, language="en")
    client = client_for(demo)
    page = client.get(
        reverse("interviews:transcript", args=[french.pk, french.transcripts.first().pk])
    ).content
    assert re.search(rb'id="transcript-text"[^>]*>', page) and b' lang="' not in re.search(
        rb'id="transcript-text"[^>]*>', page
    ).group(0)
    # an English transcript on a French page says so, as do its quotes elsewhere
    transcript = english.transcripts.create(
        title="T1", text="We used the SNDS to answer quickly.", status="pseudonymised"
    )
    code = services.create_code(english, "Speed", demo)
    services.add_coding(transcript, 0, 11, code, demo)
    screen = client.get(reverse("interviews:transcript", args=[english.pk, transcript.pk])).content.decode()
    assert re.search(r'id="transcript-text"[^>]* lang="en"', screen)
    assert '<td lang="en">We used the</td>' in screen
    analysis = client.get(
        reverse("interviews:analysis", args=[english.pk]) + f"?codes={code.pk}"
    ).content.decode()
    assert '<td lang="en">We used the</td>' in analysis
    waiting = english.transcripts.create(title="T2", original_text="I met Dr Smith at the ANSM.")
    services.propose_entities(waiting, use_ner=False)
    review = client.get(reverse("interviews:review", args=[english.pk, waiting.pk])).content.decode()
    assert '<p class="iv-context" lang="en">' in review
