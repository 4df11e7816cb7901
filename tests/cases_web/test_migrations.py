"""The database migrations of cases and indicators, run for real: from the former ``impact`` app's tables,
through the refused-URL clean-up (``impact`` 0002), to the hand-over to the ``cases`` and ``indicators``
apps and their renamed tables. A database made by an older version must arrive with every row, its audit
trail and its permissions still pointing at the right things."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_URLS = [("impact", "0001_initial")]
BEFORE_SPLIT = [("impact", "0002_refuse_unsafe_urls")]


def _migrate(targets):
    """Migrate to ``targets`` and give back the models as they were at that point of the history."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _old_case(apps) -> None:
    """One case with a figure and a decision, written the way the impact app of 0001 stored them."""
    Indicator = apps.get_model("impact", "Indicator")
    Case = apps.get_model("impact", "Case")
    Indicator.objects.create(code="R1", name_fr="Retrait", name_en="Withdrawal", data={"code": "R1"})
    case = Case.objects.create(
        id="c1", title_fr="Cas", title_en="Case", summary="s", attribution_grade="direct", version=3
    )
    apps.get_model("impact", "Figure").objects.create(
        case=case, indicator_id="R1", label="l", unit="u", evidence_grade="e", attribution_grade="direct",
        entered_by="x", entered_at="2020", source_url="ftp://example.org/f",
    )  # fmt: skip
    apps.get_model("impact", "Decision").objects.create(
        case=case, agency="ANSM", date="2009", type="withdrawal", description="d", source_url="https://ansm.fr/"
    )


def test_an_old_database_arrives_whole() -> None:
    latest = _latest()
    try:
        _old_case(_migrate(BEFORE_URLS))

        apps = _migrate(BEFORE_SPLIT)  # issue 17: refused URLs emptied, the change kept in the history
        figure = apps.get_model("impact", "Figure").objects.get()
        case = apps.get_model("impact", "Case").objects.get()
        assert figure.source_url == "" and case.version == 4 and case.edited
        audit = apps.get_model("core", "AuditEntry").objects.get(object_id="c1")
        assert audit.object_type == "impact.Case" and "ftp://example.org/f" in audit.before.values()

        apps = _migrate(latest)  # the hand-over: same rows, new apps, tables named after them
        Case = apps.get_model("cases", "Case")
        case = Case.objects.get()
        assert (case.id, case.version) == ("c1", 4)
        decision = apps.get_model("cases", "PolicyDecision").objects.get()
        assert decision.case_id == "c1" and decision.source_url == "https://ansm.fr/"
        assert apps.get_model("cases", "Figure").objects.get().indicator.name_en == "Withdrawal"
        assert apps.get_model("core", "AuditEntry").objects.get(object_id="c1").object_type == "cases.Case"
        tables = set(connection.introspection.table_names())
        assert {"cases_case", "cases_policydecision", "indicators_indicator"} <= tables
        assert not {t for t in tables if t.startswith("impact_")}
        ContentType = apps.get_model("contenttypes", "ContentType")
        assert not ContentType.objects.filter(app_label="impact").exists()
    finally:
        _migrate(latest)


def test_the_hand_over_can_be_rolled_back() -> None:
    latest = _latest()
    try:
        _old_case(_migrate(BEFORE_URLS))
        _migrate(latest)
        apps = _migrate(BEFORE_SPLIT)
        assert apps.get_model("impact", "Case").objects.get().id == "c1"
        assert apps.get_model("core", "AuditEntry").objects.get(object_id="c1").object_type == "impact.Case"
        assert "impact_case" in connection.introspection.table_names()
    finally:
        _migrate(latest)
