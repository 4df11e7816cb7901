"""The indicator pages in French and in English: the reader's language only, codes by their labels, French
typography, the edit form in both languages (French first) and the export that loads back."""

from __future__ import annotations

import re
from html import unescape

import pytest
import yaml
from django.urls import reverse
from django.utils import translation

from benefice.indicators import catalogue as indicator_catalogue
from benefice.indicators import services as indicator_services
from benefice.indicators.models import Indicator
from benefice.paths import package_data
from indicators_web.french_html import french_problems

SHIPPED = indicator_catalogue.load_indicators()
A2 = SHIPPED.indicators["A2"]


def page(client, code: str, lang: str) -> str:
    """The indicator page's HTML, entities decoded (an apostrophe is ``&#x27;`` in the markup)."""
    return unescape(client.get(reverse("indicators:indicator", args=[code]), HTTP_ACCEPT_LANGUAGE=lang).content.decode())


def test_the_french_page_shows_the_french_texts(catalogue, viewer) -> None:
    html = page(viewer, "A2", "fr")
    assert A2.definition.fr in html and A2.definition.en not in html
    assert A2.how_to_measure.fr in html and A2.pitfalls["attribution"].fr in html
    assert all(item.fr in html for item in A2.data_needed) and "CépiDc ou décès INSEE" in html
    assert A2.pitfalls["double_counting"].en not in html
    # codes by their labels: the type, the units' dimensions, the family and the level
    assert ">effectif<" in html and "décès par an <small class=\"muted\">(effectif par unité de temps)" in html
    assert "Piège\u00a0: attribution" in html and "Piège : " not in html
    assert french_problems(html) == []


def test_the_english_page_shows_the_english_texts(catalogue, viewer) -> None:
    html = page(viewer, "A2", "en")
    assert A2.definition.en in html and A2.definition.fr not in html
    assert "Pitfall: counterfactual" in html and A2.pitfalls["counterfactual"].en in html
    assert "deaths per year <small class=\"muted\">(count per unit of time)" in html


@pytest.mark.parametrize("code", ["R1", "B3", "K5", "X4"])
def test_no_english_and_no_raw_code_on_french_pages(catalogue, viewer, code) -> None:
    html = page(viewer, code, "fr")
    assert french_problems(html) == []
    listing = viewer.get(reverse("indicators:indicators"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert french_problems(listing) == [] and "56 indicateurs." in listing


def test_plurals_of_units_and_categories(catalogue, viewer) -> None:
    one_unit = page(viewer, "B1", "fr")
    assert "<dt>Unité</dt>" in one_unit and "<dt>Catégorie d'usage</dt>" in one_unit
    many = page(viewer, "A2", "fr")
    assert "<dt>Unités</dt>" in many and "<dt>Catégories d'usage</dt>" in many


def test_a_migrated_row_without_french_shows_its_english(catalogue, viewer) -> None:
    row = Indicator.objects.get(pk="A2")
    row.data = {**row.data, "definition": {"fr": "", "en": "Old English definition."}}
    row.definition_fr, row.definition_en = "", "Old English definition."
    row.save()
    html = page(viewer, "A2", "fr")
    assert "Old English definition." in html
    # the database catalogue still reads (figures compute); an export that lacks French is refused, naming it
    assert indicator_services.db_indicator_catalogue().indicators["A2"].definition.en == "Old English definition."
    response = viewer.get(reverse("indicators:indicators_export"))
    assert response.status_code == 409 and "definition.fr" in response.content.decode()
    # the next load of the file brings the French back
    row.file_version = "1.0.0"
    row.save()
    assert "A2" in indicator_services.sync_indicators().updated
    assert Indicator.objects.get(pk="A2").definition("fr") == A2.definition.fr


def test_the_edit_form_is_bilingual_french_first(catalogue, editor) -> None:
    url = reverse("indicators:indicator_edit", args=["A2"])
    page = editor.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    html = page.content.decode()
    assert french_problems(html) == []  # the English texts are in fields marked lang="en"
    assert re.search(r'<textarea name="definition_en"[^>]*lang="en"', html)
    names = re.findall(r'name="([a-z_]+)"', html)
    for key in ("name", "definition", "how_to_measure", "data_needed", "pitfall_attribution"):
        assert names.index(f"{key}_fr") < names.index(f"{key}_en"), key
    initial = page.context["form"].initial
    assert initial["definition_fr"] == A2.definition.fr and initial["data_needed_en"].splitlines()[0] == "DCIR"
    post = {k: v for k, v in initial.items() if v not in (None, False)}
    post["pitfall_attribution_fr"] = "Le fardeau est causé par le produit (modifié)."
    post["data_needed_fr"] += "\nregistre des malformations"
    post["data_needed_en"] += "\nmalformation register"
    assert editor.post(url, post).status_code == 302
    row = Indicator.objects.get(pk="A2")
    assert row.data["pitfalls"]["attribution"] == {
        "fr": "Le fardeau est causé par le produit (modifié).",
        "en": A2.pitfalls["attribution"].en,
    }
    assert row.data["data_needed"][-1] == {"fr": "registre des malformations", "en": "malformation register"}
    # the two lists must match line for line, and French is required
    uneven = {**post, "version": row.version, "data_needed_en": "DCIR"}
    response = editor.post(url, uneven, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400 and "data_needed_en" in response.context["form"].errors
    no_french = {**post, "version": row.version, "definition_fr": ""}
    response = editor.post(url, no_french, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400 and "definition_fr" in response.context["form"].errors
    # no raw code in the choices: types and units by their names
    choices = dict(page.context["form"].fields["type"].choices)
    assert choices["money"] == "montant" and dict(page.context["form"].fields["units"].choices)["deaths"] == "décès"


def test_the_export_round_trips_the_bilingual_catalogue(catalogue, editor) -> None:
    response = editor.get(reverse("indicators:indicators_export"))
    assert response.status_code == 200
    exported = yaml.safe_load(response.content.decode("utf-8"))
    entry = next(e for e in exported["indicators"] if e["code"] == "A2")
    assert entry["definition"] == {"fr": A2.definition.fr, "en": A2.definition.en}
    assert entry["data_needed"][0] == {"fr": "DCIR", "en": "DCIR"}
    again = indicator_catalogue.parse_indicators(exported, "export")
    assert again.indicators == SHIPPED.indicators and again.version == SHIPPED.version


def test_the_page_reader_finds_english_and_codes_outside_lang_en() -> None:
    html = (
        "<html><body><main><p>Définition du fardeau</p><p>The burden of the product</p>"
        '<p lang="en">The burden of the product</p><td>coc_3rd_4th_generation_vte</td></main>'
        "<footer><p>Outside the main content of the page</p></footer></body></html>"
    )
    found = french_problems(html)
    assert len(found) == 2 and found[0].startswith("English") and "coc_3rd_4th_generation_vte" in found[1]


def test_a_conflict_shows_the_saved_version_by_labels(catalogue, editor, bruno) -> None:
    url = reverse("indicators:indicator_edit", args=["B1"])
    initial = editor.get(url).context["form"].initial
    post = {k: v for k, v in initial.items() if v not in (None, False)}
    assert editor.post(url, {**post, "how_to_measure_fr": "La façon d'Alice."}).status_code == 302
    response = bruno.post(url, {**post, "how_to_measure_fr": "La façon de Bruno."}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 409
    html = unescape(response.content.decode())
    assert "<td>Comment mesurer (français)</td><td>La façon d'Alice.</td>" in html
    assert "<td>Type</td><td>taux ou rapport</td>" in html and "how_to_measure_fr</td>" not in html
    assert response.context["current"]["how_to_measure_fr"] == "La façon d'Alice."


def test_the_history_reads_in_the_readers_language(catalogue, editor) -> None:
    url = reverse("indicators:indicator_edit", args=["A2"])
    post = {k: v for k, v in editor.get(url).context["form"].initial.items() if v not in (None, False)}
    post.update(definition_fr="Décès en excès (modifié).", units=["deaths", "cases"])
    assert editor.post(url, post).status_code == 302
    history = reverse("indicators:indicator_history", args=["A2"])
    html = unescape(editor.get(history, HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    assert "<td>Définition</td>" in html and "Décès en excès (modifié)." in html
    assert A2.definition.fr in html and A2.definition.en not in html  # the text before, in French too
    assert "<td>Unités</td>" in html and "décès, cas" in html
    assert "{'fr'" not in html and "<td>definition</td>" not in html
    assert french_problems(html) == []
    english = unescape(editor.get(history, HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "<td>Definition</td>" in english and A2.definition.en in english


def test_an_indicator_named_in_a_choice_reads_in_the_active_language(catalogue) -> None:
    ind = Indicator.objects.get(pk="A2")
    with translation.override("fr"):
        assert str(ind) == "A2 Fardeau attribuable"
    with translation.override("en"):
        assert str(ind) == "A2 Attributable burden"


def test_every_code_of_the_file_has_a_label() -> None:
    """A type or a unit dimension added to indicators.yaml without its label would show raw."""
    from benefice.indicators.display import DIMENSION_LABELS, TYPE_LABELS

    raw = yaml.safe_load(package_data("indicators.yaml").read_text(encoding="utf-8"))
    assert set(raw["indicator_types"]) == set(TYPE_LABELS)
    assert {u["dimension"] for u in raw["units"].values()} == set(DIMENSION_LABELS)
    with translation.override("fr"):
        assert [str(TYPE_LABELS[t]) for t in ("count", "money")] == ["effectif", "montant"]
