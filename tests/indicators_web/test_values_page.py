"""The values per category of use on an indicator page, with the shipped cases loaded, read in French: case
titles rather than their ids, a range only where it has width, the populations counted once in French."""

from __future__ import annotations

from html import unescape

from django.urls import reverse

from benefice.cases import services as case_services
from benefice.cases.models import Case
from indicators_web.french_html import french_problems


def test_values_table_reads_in_french(catalogue, viewer) -> None:
    case_services.sync_cases()
    html = viewer.get(reverse("indicators:indicator", args=["A2"]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    table = unescape(html[html.index('id="indicator-values"') : html.index("</table>", html.index('id="indicator-values"'))])
    assert "table-scroll" in html  # the table scrolls in its own box on a 390 px screen
    case = Case.objects.get(pk="mediator_benfluorex")
    assert f">{case.title_fr}</a>" in table and ">mediator_benfluorex<" not in table
    assert "[" not in table  # ranges read "3 100–4 200", never "[x–x]"
    assert "comptée une fois" in table
    assert french_problems(html) == []
