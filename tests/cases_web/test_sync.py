"""Loading the data files into the database: faithful, idempotent, respectful of web edits, exportable."""

from __future__ import annotations

import yaml

from benefice.cases import catalogue as case_catalogue
from benefice.cases import services as case_services
from benefice.cases.models import Case, CasePublication, Figure
from benefice.core.models import AuditEntry
from benefice.corpus.models import Publication
from benefice.indicators import catalogue as indicator_catalogue
from benefice.indicators import services as indicator_services
from benefice.indicators.models import Indicator
from benefice.paths import package_data


def test_rows_convert_back_to_the_file_dataclasses(loaded) -> None:
    book = case_catalogue.load_cases()
    assert Case.objects.count() == len(book.cases) == 18
    for row in Case.objects.all():
        # frozen dataclasses compare field by field: every figure, source, grade and flag survived the trip
        assert row.to_catalogue_case() == book.cases[row.id]
    assert Indicator.objects.count() == len(indicator_catalogue.load_indicators().indicators)


def test_unverified_items_stay_unverified(loaded) -> None:
    from benefice.cases.models import PolicyDecision, TimelineEvent

    book = case_catalogue.load_cases()
    for kind, model in (
        ("figures", Figure),
        ("decisions", PolicyDecision),
        ("publications", CasePublication),
        ("timeline", TimelineEvent),
    ):
        expected = sum(not item.verified for c in book.cases.values() for item in getattr(c, kind))
        assert model.objects.filter(verified=False).count() == expected, kind
    assert PolicyDecision.objects.filter(verified=False).exists()
    assert CasePublication.objects.filter(verified=False).exists()


def test_sync_is_idempotent(loaded) -> None:
    entries = AuditEntry.objects.count()
    ind, cases = indicator_services.sync_indicators(), case_services.sync_cases()
    assert (ind.created, ind.updated, ind.unchanged) == ([], [], 56)
    assert (cases.created, cases.updated, cases.unchanged) == ([], [], 18)
    assert AuditEntry.objects.count() == entries


def _bumped_indicators(tmp_path, version: str, new_definition: str) -> str:
    raw = yaml.safe_load(package_data("indicators.yaml").read_text(encoding="utf-8"))
    raw["version"] = version
    raw["changelog"].append({"version": version, "date": "2026-12-01", "author": "test", "change": "test"})
    for entry in raw["indicators"]:
        if entry["code"] == "A2":
            entry["definition"] = {"fr": new_definition, "en": new_definition}
    path = tmp_path / "indicators.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(path)


def test_web_edit_kept_until_the_file_version_changes(loaded, people, tmp_path) -> None:
    ind = Indicator.objects.get(pk="A2")
    data = {**ind.data, "definition": {"fr": "Modifié en ligne.", "en": "Edited on the web."}}
    indicator_services.update_indicator("A2", data, expected_version=ind.version, user=people["alice"])
    # the same file again: the edit is kept
    report = indicator_services.sync_indicators()
    assert report.kept_edited == ["A2"]
    assert Indicator.objects.get(pk="A2").data["definition"]["en"] == "Edited on the web."
    # same version but a different file text: still kept (the file's version is the contract)
    same_version = _bumped_indicators(tmp_path, "1.1.0", "File text, same version.")
    raw = yaml.safe_load(open(same_version, encoding="utf-8"))
    raw["changelog"].pop()
    open(same_version, "w", encoding="utf-8").write(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False))
    assert indicator_services.sync_indicators(same_version).kept_edited == ["A2"]
    # a new file version wins, and the overwritten edit is in the history
    new = _bumped_indicators(tmp_path, "1.2.0", "New definition from the file.")
    report = indicator_services.sync_indicators(new)
    assert report.overwritten == ["A2"] and "A2" in report.updated
    row = Indicator.objects.get(pk="A2")
    assert row.data["definition"]["en"] == "New definition from the file." and not row.edited
    last = AuditEntry.objects.filter(object_type=indicator_services.OBJ_INDICATOR, object_id="A2").first()
    assert last.action == "load" and last.before["definition"]["en"] == "Edited on the web."
    # other indicators only took the new version number
    assert Indicator.objects.get(pk="R1").file_version == "1.2.0"


def test_case_edit_kept_on_resync(loaded, people) -> None:
    case = Case.objects.get(pk="valproate_pregnancy")
    case_services.update_case(
        case.id,
        {"notes_fr": "Vérifié dans le rapport de l'ANSM.", "notes_en": "Checked against the ANSM report."},
        expected_version=case.version,
        user=people["alice"],
    )
    report = case_services.sync_cases()
    assert report.kept_edited == ["valproate_pregnancy"]
    assert Case.objects.get(pk=case.id).notes_en == "Checked against the ANSM report."


def test_export_round_trips(loaded, people) -> None:
    case = Case.objects.get(pk="mediator_benfluorex")
    case_services.update_case(case.id, {"title_en": "Mediator: edited title"}, expected_version=case.version)
    book = case_catalogue.parse_cases(yaml.safe_load(case_services.cases_yaml()), "export")
    assert book.cases["mediator_benfluorex"].title.en == "Mediator: edited title"
    # an export of edited data does not pass for the released file, and is the same on every call
    assert book.version.startswith(case_catalogue.load_cases().version + "+web.") and "mediator_benfluorex" in book.changelog[-1].change
    assert case_services.cases_yaml() == case_services.cases_yaml()
    assert indicator_catalogue.parse_indicators(yaml.safe_load(indicator_services.indicators_yaml()), "export").version == "1.1.0"
    assert book.cases["valproate_pregnancy"] == case_catalogue.load_cases().cases["valproate_pregnancy"]
    exported = indicator_catalogue.parse_indicators(yaml.safe_load(indicator_services.indicators_yaml()), "export")
    assert exported.indicators == indicator_catalogue.load_indicators().indicators


def test_publications_link_to_the_corpus_by_doi(loaded) -> None:
    cp = CasePublication.objects.filter(case_id="mediator_benfluorex", doi="10.1002/pds.2044").get()
    assert cp.publication is None
    pub = Publication.objects.create(doi="10.1002/pds.2044", title="Benfluorex and valvular diseases")
    assert case_services.link_publications() >= 1
    cp.refresh_from_db()
    assert cp.publication == pub
    # the demo entry point is idempotent and keeps the link
    from benefice.cases.demo import load_demo

    messages: list[str] = []
    load_demo(messages.append)
    load_demo(messages.append)
    assert "0 added" in messages[-1] and Case.objects.count() == 18
    cp.refresh_from_db()
    assert cp.publication == pub
