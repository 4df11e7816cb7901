"""The impact card: one A4 page per case in French and English, every number with its source."""

from __future__ import annotations

import pytest
from django.urls import reverse

from benefice.cases import card
from benefice.cases.models import Case

from .conftest import client_for


def test_pdf_card_is_a_pdf(loaded, people) -> None:
    client = client_for(people["viewer"])
    response = client.get(reverse("cases:card_pdf", args=["mediator_benfluorex"]) + "?lang=en")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "impact-mediator_benfluorex-en.pdf" in response["Content-Disposition"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_card_fits_one_page(loaded, lang) -> None:
    from weasyprint import HTML

    for case in Case.objects.all():
        pages = HTML(string=card.render_card_html(case, lang)).render().pages
        assert len(pages) == 1, f"{case.id} ({lang}) takes {len(pages)} pages"


def test_card_in_both_languages_with_sources(loaded, people) -> None:
    client = client_for(people["viewer"])
    url = reverse("cases:card", args=["mediator_benfluorex"])
    fr = client.get(url + "?lang=fr").content.decode()
    en = client.get(url + "?lang=en").content.decode()
    assert '<html lang="fr">' in fr and '<html lang="en">' in en
    assert "Chiffres clés" in fr and "Key figures" in en
    assert "Mediator (benfluorex)\u00a0: une cohorte" in fr and "a health-insurance cohort confirms" in en
    # numbers keep range, unit and source
    assert "1\u202f300–1\u202f800" in fr and "1,300–1,800" in en
    assert "doi:10.1002/pds.2044" in en and "abstract, main result" in en


def test_unverified_items_marked_on_card(loaded) -> None:
    case = next(c for c in Case.objects.all() if c.decisions.filter(verified=False).exists())
    html = card.render_card_html(case, "en")
    assert "contains unverified items" in html and 'class="tag unverified"' in html
