"""Loading the data files into the database: faithful, idempotent, respectful of web edits, exportable."""

from __future__ import annotations

import yaml

from benefice.core.models import AuditEntry
from benefice.corpus.models import Publication
from benefice.impact import catalogue, services
from benefice.impact.models import Case, CasePublication, Figure, Indicator
from benefice.paths import package_data


def test_rows_convert_back_to_the_file_dataclasses(loaded) -> None:
    book = catalogue.load_cases()
    assert Case.objects.count() == len(book.cases) == 18
    for row in Case.objects.all():
        # frozen dataclasses compare field by field: every figure, source, grade and flag survived the trip
        assert row.to_catalogue_case() == book.cases[row.id]
    assert Indicator.objects.count() == len(catalogue.load_indicators().indicators)


def test_unverified_items_stay_unverified(loaded) -> None:
    from benefice.impact.models import Decision, TimelineEvent

    book = catalogue.load_cases()
    for kind, model in (
        ("figures", Figure),
        ("decisions", Decision),
        ("publications", CasePublication),
        ("timeline", TimelineEvent),
    ):
        expected = sum(not item.verified for c in book.cases.values() for item in getattr(c, kind))
        assert model.objects.filter(verified=False).count() == expected, kind
    assert Decision.objects.filter(verified=False).exists()
    assert CasePublication.objects.filter(verified=False).exists()


def test_sync_is_idempotent(loaded) -> None:
    entries = AuditEntry.objects.count()
    ind, cases = services.sync_indicators(), services.sync_cases()
    assert (ind.created, ind.updated, ind.unchanged) == ([], [], 56)
    assert (cases.created, cases.updated, cases.unchanged) == ([], [], 18)
    assert AuditEntry.objects.count() == entries


def _bumped_indicators(tmp_path, version: str, new_definition: str) -> str:
    raw = yaml.safe_load(package_data("indicators.yaml").read_text(encoding="utf-8"))
    raw["version"] = version
    raw["changelog"].append({"version": version, "date": "2026-12-01", "author": "test", "change": "test"})
    for entry in raw["indicators"]:
        if entry["code"] == "A2":
            entry["definition"] = new_definition
    path = tmp_path / "indicators.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(path)


def test_web_edit_kept_until_the_file_version_changes(loaded, people, tmp_path) -> None:
    ind = Indicator.objects.get(pk="A2")
    data = {**ind.data, "definition": "Edited on the web."}
    services.update_indicator("A2", data, expected_version=ind.version, user=people["alice"])
    # the same file again: the edit is kept
    report = services.sync_indicators()
    assert report.kept_edited == ["A2"]
    assert Indicator.objects.get(pk="A2").data["definition"] == "Edited on the web."
    # same version but a different file text: still kept (the file's version is the contract)
    same_version = _bumped_indicators(tmp_path, "1.0.0", "File text, same version.")
    raw = yaml.safe_load(open(same_version, encoding="utf-8"))
    raw["changelog"].pop()
    open(same_version, "w", encoding="utf-8").write(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False))
    assert services.sync_indicators(same_version).kept_edited == ["A2"]
    # a new file version wins, and the overwritten edit is in the history
    new = _bumped_indicators(tmp_path, "1.1.0", "New definition from the file.")
    report = services.sync_indicators(new)
    assert report.overwritten == ["A2"] and "A2" in report.updated
    row = Indicator.objects.get(pk="A2")
    assert row.data["definition"] == "New definition from the file." and not row.edited
    last = AuditEntry.objects.filter(object_type=services.OBJ_INDICATOR, object_id="A2").first()
    assert last.action == "load" and last.before["definition"] == "Edited on the web."
    # other indicators only took the new version number
    assert Indicator.objects.get(pk="R1").file_version == "1.1.0"


def test_case_edit_kept_on_resync(loaded, people) -> None:
    case = Case.objects.get(pk="valproate_pregnancy")
    services.update_case(
        case.id,
        {"notes": "Checked against the ANSM report."},
        expected_version=case.version,
        user=people["alice"],
    )
    report = services.sync_cases()
    assert report.kept_edited == ["valproate_pregnancy"]
    assert Case.objects.get(pk=case.id).notes == "Checked against the ANSM report."


def test_export_round_trips(loaded, people) -> None:
    case = Case.objects.get(pk="mediator_benfluorex")
    services.update_case(case.id, {"title_en": "Mediator: edited title"}, expected_version=case.version)
    book = catalogue.parse_cases(yaml.safe_load(services.cases_yaml()), "export")
    assert book.cases["mediator_benfluorex"].title.en == "Mediator: edited title"
    # an export of edited data does not pass for the released file, and is the same on every call
    assert book.version.startswith("1.0.0+web.") and "mediator_benfluorex" in book.changelog[-1].change
    assert services.cases_yaml() == services.cases_yaml()
    assert catalogue.parse_indicators(yaml.safe_load(services.indicators_yaml()), "export").version == "1.0.0"
    assert book.cases["valproate_pregnancy"] == catalogue.load_cases().cases["valproate_pregnancy"]
    exported = catalogue.parse_indicators(yaml.safe_load(services.indicators_yaml()), "export")
    assert exported.indicators == catalogue.load_indicators().indicators


def test_publications_link_to_the_corpus_by_doi(loaded) -> None:
    cp = CasePublication.objects.filter(case_id="mediator_benfluorex", doi="10.1002/pds.2044").get()
    assert cp.publication is None
    pub = Publication.objects.create(doi="10.1002/pds.2044", title="Benfluorex and valvular diseases")
    assert services.link_publications() >= 1
    cp.refresh_from_db()
    assert cp.publication == pub
    # the demo entry point is idempotent and keeps the link
    from benefice.impact.demo import load_demo

    messages: list[str] = []
    load_demo(messages.append)
    load_demo(messages.append)
    assert "0 added" in messages[-1] and Case.objects.count() == 18
    cp.refresh_from_db()
    assert cp.publication == pub
