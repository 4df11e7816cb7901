"""Impact URLs accept http(s) only (issue 17), at the model (full_clean), in the forms, and in the data
migration that empties the rows stored before the check."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from benefice.cases.models import Case, CasePublication, Figure, PolicyDecision

from .conftest import client_for
from .test_edits import CASE, add_url, figure_post

REFUSED = ["javascript:alert(1)", "data:text/html,<b>x</b>", "vbscript:msgbox(1)", " JaVaScRiPt:alert(1)",
           "ftp://example.org/f", "/relative/path"]  # fmt: skip


@pytest.mark.parametrize("value", REFUSED)
def test_full_clean_refuses(loaded, value: str) -> None:
    for row, field in (
        (Figure.objects.filter(case_id=CASE).first(), "source_url"),
        (PolicyDecision.objects.filter(case_id=CASE).first(), "source_url"),
        (CasePublication.objects.filter(case_id=CASE).first(), "url"),
    ):
        setattr(row, field, value)
        with pytest.raises(ValidationError) as err:
            row.full_clean()
        assert field in err.value.message_dict, err.value.message_dict


def test_full_clean_accepts_http_https_and_empty(loaded) -> None:
    figure = Figure.objects.filter(case_id=CASE).first()
    for value in ("https://ansm.sante.fr/x", "http://example.org/y", ""):
        figure.source_url = value
        figure.full_clean()


@pytest.mark.parametrize("value", REFUSED)
def test_figure_form_refuses_on_the_field(loaded, people, value: str) -> None:
    case = Case.objects.get(pk=CASE)
    before = Figure.objects.filter(case=case).count()
    client = client_for(people["alice"])
    response = client.post(
        add_url(), figure_post(case, source_doi="", source_url=value), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "http(s)" in " ".join(response.context["form"].errors["source_url"])
    assert Figure.objects.filter(case=case).count() == before


def test_figure_form_accepts_https_and_publication_form_refuses_ftp(loaded, people) -> None:
    case = Case.objects.get(pk=CASE)
    client = client_for(people["alice"])
    ok = client.post(add_url(), figure_post(case, source_doi="", source_url="https://ansm.sante.fr/x"))
    assert ok.status_code == 302
    url = reverse("cases:child_add", args=[CASE, "publications"])
    post = {"version": 2, "citation": "Someone 2020", "url": "ftp://example.org/a.pdf", "verified": ""}
    refused = client.post(url, post, HTTP_ACCEPT_LANGUAGE="fr")
    assert refused.status_code == 400
    assert "Indiquez une adresse http(s)" in " ".join(refused.context["form"].errors["url"])
