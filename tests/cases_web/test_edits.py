"""Editing cases and indicators: validation on the right field, conflicts, history, nothing half-written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from benefice.cases import services as case_services
from benefice.cases.models import Case, Figure
from benefice.core.curated_sync import EditConflict
from benefice.core.models import AuditEntry
from benefice.errors import BeneficeError
from benefice.indicators.models import Indicator

from .conftest import client_for

CASE = "mediator_benfluorex"  # pharmacovigilance; R1, R2, A1, A2 figures


def figure_post(case: Case, **changes) -> dict:
    data = {
        "version": case.version,
        "indicator": "A2",
        "label_fr": "Décès imputables, estimation de test",
        "label_en": "Deaths attributable, test estimate",
        "value": "500",
        "low": "400",
        "high": "600",
        "unit": "deaths",
        "population_fr": "Utilisateurs de benfluorex",
        "population_en": "Users of benfluorex",
        "period_fr": "1976-2009",
        "source_doi": "10.1002/pds.2044",
        "source_url": "",
        "source_location_fr": "Tableau 2",
        "source_location_en": "Table 2",
        "source_quote": "",
        "source_provenance": "",
        "verified": "on",
        "evidence_grade": "estimated",
        "attribution_grade": "reason",
        "comment": "test",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def add_url() -> str:
    return reverse("cases:child_add", args=[CASE, "figures"])


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"low": "700"}, "low", "greater than high"),
        ({"value": "300"}, "value", "below low"),
        ({"value": "650"}, "value", "above high"),
        ({"value": "", "low": "", "high": ""}, "value", "value, or both"),
        ({"source_doi": "", "source_url": ""}, "source_doi", "source is required"),
        ({"source_location_fr": "", "source_location_en": "", "source_quote": ""}, "source_location_fr", "where in the source"),
        ({"label_fr": ""}, "label_fr", ""),  # French first: a figure without its French label is refused
        ({"population_fr": ""}, "population_fr", "French"),
        ({"source_location_en": ""}, "source_location_en", "English"),
        ({"source_doi": "not-a-doi"}, "source_doi", "Not a DOI"),
        ({"unit": "eur"}, "unit", "is not a unit of indicator A2"),
        ({"indicator": "H1"}, "indicator", ""),  # crisis indicator: not for a pharmacovigilance case
        ({"source_provenance": "M"}, "verified", "tagged M"),
    ],
)
def test_figure_form_refuses_with_a_message_on_the_field(loaded, people, changes, field, message) -> None:
    case = Case.objects.get(pk=CASE)
    before = Figure.objects.filter(case=case).count()
    client = client_for(people["alice"])
    response = client.post(add_url(), figure_post(case, **changes), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert message in " ".join(form.errors[field])
    assert b"Nothing was saved" in response.content
    assert Figure.objects.filter(case=case).count() == before
    case.refresh_from_db()
    assert case.version == 1


def test_figure_saved_with_who_and_when_and_history(loaded, people) -> None:
    case = Case.objects.get(pk=CASE)
    client = client_for(people["alice"])
    response = client.post(add_url(), figure_post(case), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    fig = Figure.objects.filter(case=case).order_by("-pk").first()
    assert (fig.value, fig.low, fig.high, fig.unit) == (500, 400, 600, "deaths")
    assert fig.entered_by == "alice" and fig.entered_at == case_services.today()
    case.refresh_from_db()
    assert case.version == 2 and case.edited
    entry = AuditEntry.objects.filter(object_type=case_services.OBJ_CASE, object_id=CASE).first()
    assert entry.action == "create" and entry.user == people["alice"]
    assert entry.after[f"figures[{fig.pk}]"]["label_en"] == "Deaths attributable, test estimate"
    assert entry.after[f"figures[{fig.pk}]"]["label_fr"] == "Décès imputables, estimation de test"
    assert (fig.period_fr, fig.period_en) == ("1976-2009", "1976-2009")  # a period in one field reads the same
    page = client.get(reverse("cases:case_history", args=[CASE]))
    assert b"Deaths attributable, test estimate" in page.content
    # the case page links the new figure to its source in one click, in the reader's language
    detail = client.get(reverse("cases:case", args=[CASE]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'href="https://doi.org/10.1002/pds.2044"' in detail and "Table 2" in detail
    french = client.get(reverse("cases:case", args=[CASE]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Tableau 2" in french and "Décès imputables, estimation de test" in french
    # and the export writes both languages back, in the file's form
    export = client.get(reverse("cases:cases_export")).content.decode()
    assert "fr: Décès imputables, estimation de test" in export and "en: Deaths attributable, test estimate" in export


def test_second_editor_gets_a_conflict_and_keeps_their_text(loaded, people) -> None:
    case = Case.objects.get(pk=CASE)
    url = reverse("cases:case_edit", args=[CASE])
    alice, bruno = client_for(people["alice"]), client_for(people["bruno"])
    form_a = alice.get(url).context["form"]
    form_b = bruno.get(url).context["form"]
    assert form_a.initial["version"] == form_b.initial["version"] == 1

    def post(client, summary: str):
        return client.post(
            url,
            {
                "version": 1,
                "title_fr": case.title_fr,
                "title_en": case.title_en,
                "summary_fr": case.summary_fr,
                "summary_en": summary,
                "categories": case.categories,
                "data_sources": case.data_sources,
                "attribution_grade": case.attribution_grade,
                "notes_fr": case.notes_fr,
                "notes_en": case.notes_en,
                "comment": "",
            },
            HTTP_ACCEPT_LANGUAGE="en",
        )

    assert post(alice, "Alice's summary.").status_code == 302
    response = post(bruno, "Bruno's careful summary.")
    assert response.status_code == 409
    html = response.content.decode()
    assert "was changed by alice since you opened it" in html
    assert "Bruno&#x27;s careful summary." in html  # his text is still in the form
    assert "Alice&#x27;s summary." in html  # and he sees what was saved meanwhile
    assert Case.objects.get(pk=CASE).summary_en == "Alice's summary."
    # saving again from the conflict page is a conscious overwrite, based on the current version
    assert response.context["form"].data["version"] == "2"
    again = bruno.post(url, {**response.context["form"].data.dict(), "categories": case.categories})
    assert again.status_code == 302
    assert Case.objects.get(pk=CASE).summary_en == "Bruno's careful summary."


def test_service_conflict_and_rollback(loaded, people) -> None:
    case = Case.objects.get(pk=CASE)
    first = {"notes_fr": "premier", "notes_en": "first"}
    case_services.update_case(CASE, first, expected_version=1, user=people["alice"])
    with pytest.raises(EditConflict):
        case_services.update_case(CASE, {"notes_en": "second"}, expected_version=1, user=people["bruno"])
    # an edit the file loader refuses leaves nothing behind (not the row, not the version, not the audit)
    entries = AuditEntry.objects.count()
    with pytest.raises(BeneficeError):
        case_services.update_case(CASE, {"attribution_grade": "bogus"}, expected_version=2)
    case.refresh_from_db()
    assert (case.notes_en, case.attribution_grade, case.version) == ("first", "reason", 2)
    assert AuditEntry.objects.count() == entries
    # a note in English only cannot be stored: the file loader wants its French too
    with pytest.raises(BeneficeError) as info:
        case_services.update_case(CASE, {"notes_fr": ""}, expected_version=2)
    assert info.value.field == "notes.fr"


def test_case_categories_must_keep_figures_valid(loaded, people) -> None:
    case = Case.objects.get(pk=CASE)
    client = client_for(people["alice"])
    response = client.post(
        reverse("cases:case_edit", args=[CASE]),
        {
            "version": 1,
            "title_fr": case.title_fr,
            "title_en": case.title_en,
            "summary_fr": case.summary_fr,
            "summary_en": case.summary_en,
            "categories": ["crisis_surveillance"],
            "attribution_grade": "reason",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "applies to none of these categories" in " ".join(response.context["form"].errors["categories"])


def test_decision_and_timeline_dates(loaded, people) -> None:
    client = client_for(people["alice"])
    url = reverse("cases:child_add", args=[CASE, "decisions"])
    base = {
        "version": 1,
        "agency_fr": "ANSM",
        "type": "communication",
        "scope": "national",
        "description_fr": "Courrier.",
        "description_en": "Letter.",
    }
    for bad in ("2010-13", "2010-02-30", "june 2010", ""):
        response = client.post(url, {**base, "date": bad}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400 and "date" in response.context["form"].errors, bad
    no_french = client.post(url, {**base, "date": "2010-02", "description_fr": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert no_french.status_code == 400 and "description_fr" in no_french.context["form"].errors
    ok = client.post(url, {**base, "date": "2010-02", "source_url": "https://ansm.sante.fr/x"})
    assert ok.status_code == 302
    decision = Case.objects.get(pk=CASE).decisions.get(date="2010-02")
    assert (decision.agency_fr, decision.agency_en) == ("ANSM", "ANSM")  # a name the same in both languages
    timeline = reverse("cases:child_add", args=[CASE, "timeline"])
    event = {"version": 2, "kind": "study", "event_fr": "Jour bissextile.", "event_en": "Leap day."}
    assert client.post(timeline, {**event, "date": "2011-02-29"}).status_code == 400
    assert client.post(timeline, {**event, "kind": "guess", "date": "2012-02-29"}).status_code == 400
    assert client.post(timeline, {**event, "date": "2012-02-29"}).status_code == 302
    assert Case.objects.get(pk=CASE).timeline.get(date="2012-02-29").kind == "study"


def test_publication_outside_the_corpus_needs_confirmation(loaded, people) -> None:
    from benefice.corpus.models import Publication

    client = client_for(people["alice"])
    url = reverse("cases:child_add", args=[CASE, "publications"])
    post = {
        "version": 1,
        "citation": "Someone 2020",
        "doi": "https://doi.org/10.9999/Unknown.1",
        "verified": "on",
    }
    refused = client.post(url, post, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert "corpus holds no publication" in " ".join(refused.context["form"].errors["doi"])
    kept = client.post(url, {**post, "outside_corpus": "on"})
    assert kept.status_code == 302
    Publication.objects.create(doi="10.9999/known.2", title="Known")
    linked = client.post(url, {**post, "version": 2, "doi": "10.9999/KNOWN.2"})
    assert linked.status_code == 302
    case = Case.objects.get(pk=CASE)
    assert case.publications.get(doi="10.9999/known.2").publication.title == "Known"
    assert case.publications.get(doi="10.9999/unknown.1").publication is None


def test_remove_a_figure_keeps_it_in_history(loaded, people) -> None:
    fig = Figure.objects.filter(case_id=CASE).first()
    client = client_for(people["alice"])
    response = client.post(reverse("cases:child_delete", args=[CASE, "figures", fig.pk]), {"version": 1})
    assert response.status_code == 302
    assert not Figure.objects.filter(pk=fig.pk).exists()
    entry = AuditEntry.objects.filter(object_type=case_services.OBJ_CASE, object_id=CASE).first()
    assert entry.action == "delete" and entry.before[f"figures[{fig.pk}]"]["label_en"] == fig.label_en
    # a stale version cannot delete
    other = Figure.objects.filter(case_id=CASE).first()
    client.post(reverse("cases:child_delete", args=[CASE, "figures", other.pk]), {"version": 1})
    assert Figure.objects.filter(pk=other.pk).exists()


def test_indicator_edit_validates_and_protects_figures(loaded, people) -> None:
    client = client_for(people["alice"])
    url = reverse("indicators:indicator_edit", args=["A2"])
    initial = client.get(url).context["form"].initial
    post = {k: v for k, v in initial.items() if v not in (None, False)}
    post["definition_fr"] = "Décès attribuables au médicament (modifié)."
    assert client.post(url, post).status_code == 302
    ind = Indicator.objects.get(pk="A2")
    assert ind.data["definition"]["fr"] == "Décès attribuables au médicament (modifié)." and ind.version == 2
    assert ind.definition("fr") == ind.definition_fr == "Décès attribuables au médicament (modifié)."
    # removing a unit that case figures use is refused and names the field
    post = {**post, "version": 2, "units": [u for u in ind.units if u != "deaths"]}
    response = client.post(url, post, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "field 'units'" in response.context["error"]
    assert Indicator.objects.get(pk="A2").units == ind.units
    # no category at all
    response = client.post(url, {**post, "units": ind.units, "categories": [], "all_categories": ""})
    assert response.status_code == 400 and "categories" in response.context["form"].errors
    history = client.get(reverse("indicators:indicator_history", args=["A2"]))
    assert "(modifié)" in history.content.decode()


def test_viewers_read_but_do_not_edit(loaded, people) -> None:
    client = client_for(people["viewer"])
    assert client.get(reverse("cases:case", args=[CASE])).status_code == 200
    assert client.get(reverse("cases:case_edit", args=[CASE])).status_code == 403
    assert client.post(add_url(), figure_post(Case.objects.get(pk=CASE))).status_code == 403
    assert client.get(reverse("indicators:indicator_edit", args=["A2"])).status_code == 403
    anonymous = client.__class__()
    assert anonymous.get(reverse("cases:cases")).status_code == 302


def test_indicator_conflict_keeps_the_second_text(loaded, people) -> None:
    url = reverse("indicators:indicator_edit", args=["R1"])
    alice, bruno = client_for(people["alice"]), client_for(people["bruno"])
    initial = alice.get(url).context["form"].initial
    post = {k: v for k, v in initial.items() if v not in (None, False)}
    assert alice.post(url, {**post, "how_to_measure_en": "Alice's way."}).status_code == 302
    response = bruno.post(url, {**post, "how_to_measure_en": "Bruno's way."}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert "indicator R1 was changed by alice" in response.context["error"]
    assert response.context["form"].data["how_to_measure_en"] == "Bruno's way."
    assert response.context["current"]["how_to_measure_en"] == "Alice's way."
    assert Indicator.objects.get(pk="R1").data["how_to_measure"]["en"] == "Alice's way."


def test_figure_edit_conflict(loaded, people) -> None:
    fig = Figure.objects.filter(case_id=CASE, indicator_id="R2").get()
    url = reverse("cases:child_edit", args=[CASE, "figures", fig.pk])
    alice, bruno = client_for(people["alice"]), client_for(people["bruno"])
    initial = alice.get(url).context["form"].initial
    assert initial["indicator"] == "R2" and initial["value"] == 3.1 and initial["version"] == 1
    post = {k: v for k, v in initial.items() if v not in (None, False)}
    assert alice.post(url, {**post, "value": "3.2"}).status_code == 302
    response = bruno.post(url, {**post, "value": "3.0"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert response.context["current"]["value"] == 3.2
    assert response.context["form"].data["value"] == "3.0"
    fig.refresh_from_db()
    assert fig.value == 3.2 and fig.entered_by == "alice"
