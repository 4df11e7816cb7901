"""``indicators`` 0003, run for real: a database made when the catalogue was English-only keeps every text.

The English goes to ``en`` (and the ``_en`` columns), ``fr`` stays empty, so the page still shows the
English until the next load brings the French; rolled back, the texts are plain strings again."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from benefice.i18n import pick
from benefice.indicators.models import Indicator

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("indicators", "0002_tables_named_after_their_app")]
AFTER = [("indicators", "0003_bilingual_texts")]

OLD = {
    "code": "A2",
    "name": {"fr": "Fardeau attribuable", "en": "Attributable burden"},
    "definition": "Excess events attributable to a product.",
    "how_to_measure": "Attributable fraction times events.",
    "data_needed": ["DCIR", "CépiDc or INSEE deaths"],
    "pitfalls": {"attribution": "Caused by the product.", "counterfactual": "Model.", "double_counting": "No."},
    "units": ["deaths"],
}


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_english_only_texts_survive_and_still_show() -> None:
    latest = _latest()
    try:
        apps = _migrate(BEFORE)
        apps.get_model("indicators", "Indicator").objects.create(
            code="A2", name_fr="Fardeau attribuable", name_en="Attributable burden", data=OLD, edited=True, version=4
        )
        row = _migrate(AFTER).get_model("indicators", "Indicator").objects.get()
        assert row.data["definition"] == {"fr": "", "en": "Excess events attributable to a product."}
        assert row.data["data_needed"][1] == {"fr": "", "en": "CépiDc or INSEE deaths"}
        assert row.data["pitfalls"]["counterfactual"] == {"fr": "", "en": "Model."}
        assert row.data["name"] == OLD["name"] and row.data["units"] == ["deaths"]
        assert (row.definition_en, row.how_to_measure_en) == (OLD["definition"], OLD["how_to_measure"])
        assert row.definition_fr == "" and row.how_to_measure_fr == ""
        assert (row.version, row.edited) == (4, True)  # the migration is no edit
        # a French page shows the English while there is no French (never an empty definition)
        assert pick(row.definition_fr, row.definition_en, "fr") == OLD["definition"]

        row = _migrate(BEFORE).get_model("indicators", "Indicator").objects.get()
        assert row.data == OLD
    finally:
        _migrate(latest)


def test_the_model_reads_a_migrated_row_in_either_language() -> None:
    latest = _latest()
    try:
        apps = _migrate(BEFORE)
        apps.get_model("indicators", "Indicator").objects.create(code="A2", data=OLD)
        _migrate(latest)
        ind = Indicator.objects.get(pk="A2")
        assert ind.definition("fr") == ind.definition("en") == OLD["definition"]
        assert ind.data_needed("fr") == ["DCIR", "CépiDc or INSEE deaths"]
        assert dict(ind.pitfalls("fr"))["attribution"] == "Caused by the product."
    finally:
        _migrate(latest)
