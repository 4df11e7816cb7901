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
        # issue 19 (cases 0003): the English text stored so far is in the _en twin, the _fr twin is empty
        # (the pages fall back to the English until the file's French is loaded), and nothing is lost
        assert (case.summary_en, case.summary_fr) == ("s", "")
        figure = apps.get_model("cases", "Figure").objects.get()
        assert (figure.label_en, figure.label_fr) == ("l", "")
        assert (decision.agency_en, decision.description_en, decision.description_fr) == ("ANSM", "d", "")
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


def test_bilingual_texts_migration_keeps_the_english_and_rolls_back() -> None:
    """cases 0003 alone: every prose column keeps its text (now in ``_en``) and a timeline entry gets the
    kind "other"; migrating back puts the text where it was."""
    latest = _latest()
    before = [("cases", "0002_tables_named_after_their_app")] + [n for n in latest if n[0] == "indicators"]
    try:
        apps = _migrate(before)
        apps.get_model("indicators", "Indicator").objects.create(code="R1", name_fr="R", name_en="R", data={})
        case = apps.get_model("cases", "Case").objects.create(
            id="c2", title_fr="Cas", title_en="Case", summary="Summary.", notes="Note.", attribution_grade="reason"
        )
        apps.get_model("cases", "Figure").objects.create(
            case=case, indicator_id="R1", label="Label", population="Cohort", period="2006", text="",
            unit="persons", evidence_grade="observed", attribution_grade="reason", entered_by="x",
            entered_at="2020", source_location="abstract",
        )  # fmt: skip
        apps.get_model("cases", "TimelineEvent").objects.create(case=case, date="2011-06-07", event="Report.")

        apps = _migrate(latest)
        case = apps.get_model("cases", "Case").objects.get(pk="c2")
        assert (case.summary_en, case.notes_en, case.summary_fr, case.notes_fr) == ("Summary.", "Note.", "", "")
        figure = apps.get_model("cases", "Figure").objects.get(case_id="c2")
        assert (figure.label_en, figure.population_en, figure.period_en, figure.source_location_en) == (
            "Label", "Cohort", "2006", "abstract",
        )  # fmt: skip
        event = apps.get_model("cases", "TimelineEvent").objects.get(case_id="c2")
        assert (event.event_en, event.event_fr, event.kind) == ("Report.", "", "other")

        apps = _migrate(before)
        assert apps.get_model("cases", "Case").objects.get(pk="c2").summary == "Summary."
        assert apps.get_model("cases", "TimelineEvent").objects.get(case_id="c2").event == "Report."
    finally:
        _migrate(latest)
