"""Every impact page answers, in both languages, and the admin shows the rows read-only."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from benefice.core.roles import ADMIN
from benefice.core.users import ensure_user

from .conftest import PASSWORD, client_for

CASE = "hpv_vaccine_autoimmune"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_pages_answer(loaded, people, language) -> None:
    client = client_for(people["alice"])
    urls = [
        reverse("cases:cases"),
        reverse("cases:cases") + "?method=topsis&category=pharmacovigilance_drug_safety",
        reverse("cases:cases") + "?method=bogus&category=bogus",
        reverse("indicators:indicators"),
        reverse("indicators:indicators") + "?family=knowledge",
        reverse("indicators:indicator", args=["X1"]),
        reverse("indicators:indicator_edit", args=["X1"]),
        reverse("indicators:indicator_history", args=["X1"]),
        reverse("cases:case", args=[CASE]),
        reverse("cases:case_edit", args=[CASE]),
        reverse("cases:case_history", args=[CASE]),
        reverse("cases:card", args=[CASE]),
    ] + [
        reverse("cases:child_add", args=[CASE, kind])
        for kind in ("figures", "decisions", "publications", "timeline")
    ]
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
    assert client.get(reverse("cases:child_add", args=[CASE, "nonsense"])).status_code == 404
    assert client.get(reverse("cases:case", args=["no_such_case"])).status_code == 404
    assert client.get(reverse("indicators:indicator", args=["ZZ9"])).status_code == 404


def test_exports_are_yaml_files(loaded, people) -> None:
    client = client_for(people["viewer"])
    for name in ("cases:cases_export", "indicators:indicators_export"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/yaml")
        assert re.search(rb"^version: '?1\.\d+\.\d+'?$", response.content, re.MULTILINE), response.content[:200]


def test_admin_lists_cases_read_only(loaded) -> None:
    ensure_user("root", PASSWORD, ADMIN, superuser=True)
    client = client_for(type("U", (), {"username": "root"}))
    assert client.get("/admin/cases/case/").status_code == 200
    page = client.get(f"/admin/cases/case/{CASE}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content  # edits go through the app, which validates and audits
    assert client.get("/admin/indicators/indicator/").status_code == 200


def test_indicator_page_shows_values_linked_to_figures(loaded, people) -> None:
    from benefice.cases.models import Figure

    client = client_for(people["viewer"])
    response = client.get(reverse("indicators:indicator", args=["A2"]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and not response.context["values_error"]
    rows = response.context["values"]
    assert rows
    linked = {link[-1] for row in rows for link in row["links"]}  # (case id, case title, figure pk)
    figures = Figure.objects.filter(indicator_id="A2", verified=True)
    assert linked == {f.pk for f in figures if f.value is not None or f.low is not None}
    html = response.content.decode()
    fig = figures.first()
    assert f'href="/impact/cases/{fig.case_id}/#figure-{fig.pk}"' in html
