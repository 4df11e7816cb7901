"""Sources named as readers know them, on every app's pages (issue 19: ids such as ERA_REGISTRY or PMSI_MCO
read as codes left on the page)."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from benefice.sources import labels
from benefice.sources.models import Source

pytestmark = pytest.mark.django_db


def test_short_name_is_the_first_acronym_else_the_name_in_the_readers_language():
    assert labels.short_name("PMSI_MCO", {"acronyms": ["PMSI MCO", "MCO"], "names": {"fr": "PMSI"}}, "fr") == "PMSI MCO"
    entry = {"names": {"fr": "Registres danois", "en": "Danish registries"}}
    assert labels.short_name("DK_REGISTRIES", entry, "fr") == "Registres danois"
    assert labels.short_name("DK_REGISTRIES", entry, "en") == "Danish registries"
    assert labels.short_name("DK_REGISTRIES", {"names": {"en": "Danish registries"}}, "fr") == "Danish registries"
    assert labels.short_name("GONE_SOURCE", None, "fr") == "GONE_SOURCE"  # shown as written, not hidden


def test_the_tags_name_sources_and_read_the_registry_once_per_request(django_assert_num_queries):
    Source.objects.create(id="EDS_APHP", name_fr="Entrepôt de l'AP-HP", data={"acronyms": ["EDS AP-HP"]})
    Source.objects.create(id="DK_REG", name_fr="Registres danois", name_en="Danish registries", data={})
    request = RequestFactory().get("/")
    page = Template(
        "{% load source_names %}{% source_name 'EDS_APHP' %}|{% source_names ids %}|{% source_names joined %}"
    )
    with translation.override("fr"), django_assert_num_queries(1):
        text = page.render(Context({"request": request, "ids": ["DK_REG", "X_Y"], "joined": "EDS_APHP, DK_REG"}))
    assert text == "EDS AP-HP|Registres danois, X_Y|EDS AP-HP, Registres danois"
