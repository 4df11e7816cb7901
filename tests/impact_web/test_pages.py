"""Every impact page answers, in both languages, and the admin shows the rows read-only."""

from __future__ import annotations

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
        reverse("impact:cases"),
        reverse("impact:cases") + "?method=topsis&category=pharmacovigilance_drug_safety",
        reverse("impact:cases") + "?method=bogus&category=bogus",
        reverse("impact:indicators"),
        reverse("impact:indicators") + "?family=knowledge",
        reverse("impact:indicator", args=["X1"]),
        reverse("impact:indicator_edit", args=["X1"]),
        reverse("impact:indicator_history", args=["X1"]),
        reverse("impact:case", args=[CASE]),
        reverse("impact:case_edit", args=[CASE]),
        reverse("impact:case_history", args=[CASE]),
        reverse("impact:card", args=[CASE]),
    ] + [
        reverse("impact:child_add", args=[CASE, kind])
        for kind in ("figures", "decisions", "publications", "timeline")
    ]
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
    assert client.get(reverse("impact:child_add", args=[CASE, "nonsense"])).status_code == 404
    assert client.get(reverse("impact:case", args=["no_such_case"])).status_code == 404
    assert client.get(reverse("impact:indicator", args=["ZZ9"])).status_code == 404


def test_exports_are_yaml_files(loaded, people) -> None:
    client = client_for(people["viewer"])
    for name in ("cases_export", "indicators_export"):
        response = client.get(reverse(f"impact:{name}"))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/yaml")
        assert b"version: 1.0.0" in response.content or b"version: '1.0.0'" in response.content


def test_admin_lists_cases_read_only(loaded) -> None:
    ensure_user("root", PASSWORD, ADMIN, superuser=True)
    client = client_for(type("U", (), {"username": "root"}))
    assert client.get("/admin/impact/case/").status_code == 200
    page = client.get(f"/admin/impact/case/{CASE}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content  # edits go through the app, which validates and audits
    assert client.get("/admin/impact/indicator/").status_code == 200


def test_indicator_page_shows_values_linked_to_figures(loaded, people) -> None:
    from benefice.impact.models import Figure

    client = client_for(people["viewer"])
    response = client.get(reverse("impact:indicator", args=["A2"]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and not response.context["values_error"]
    rows = response.context["values"]
    assert rows
    linked = {pk for row in rows for _case, pk in row["links"]}
    figures = Figure.objects.filter(indicator_id="A2", verified=True)
    assert linked == {f.pk for f in figures if f.value is not None or f.low is not None}
    html = response.content.decode()
    fig = figures.first()
    assert f'href="/impact/cases/{fig.case_id}/#figure-{fig.pk}"' in html
