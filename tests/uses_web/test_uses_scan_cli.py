"""With the real detector and classifier, through the commands: an import's automatic scan stores kinds of use,
the JSON lines export carries them (main first, with how they were set), `benefice scan --force` keeps a
person's choice, and `benefice scan` reports a category the typology no longer has."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from benefice.cli import main
from benefice.core.roles import EDITOR
from benefice.core.users import ensure_user
from benefice.corpus.models import Publication
from benefice.uses import services
from benefice.uses.models import PublicationUses

pytestmark = pytest.mark.django_db

# Written for these tests (titles of real studies; abstracts short and ours).
RIS = """TY  - JOUR
TI  - Cyproterone acetate and risk of meningioma: a nationwide cohort study
PY  - 2021
DO  - 10.1136/bmj.n37
AB  - We conducted a cohort study in the French National Health Data System (SNDS), linking outpatient drug dispensing with hospital stays in the PMSI. Adverse drug reactions were frequent.
ER  -

TY  - JOUR
TI  - A history of medical statistics
PY  - 2012
DO  - 10.1000/history.1
AB  - An essay on the history of statistics in medicine, unrelated to any database.
ER  -
"""
CYPRO, HISTORY = "10.1136/bmj.n37", "10.1000/history.1"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def export_rows(tmp_path) -> dict[str, dict]:
    out = tmp_path / "corpus.jsonl"
    result = run("export", "--format", "jsonl", "--output", out)
    assert result.exit_code == 0, result.output
    return {row["doi"]: row for row in map(json.loads, out.read_text(encoding="utf-8").splitlines())}


@pytest.fixture
def imported(tmp_path):
    path = tmp_path / "two.ris"
    path.write_text(RIS, encoding="utf-8")
    result = run("import", path)
    assert result.exit_code == 0, result.output
    assert "kinds of use: 2 publications classified" in result.output
    return {p.doi: p for p in Publication.objects.all()}


def test_import_scans_and_classifies_and_export_carries_kinds_of_use(imported, tmp_path):
    cypro = PublicationUses.objects.get(publication=imported[CYPRO])
    assert cypro.categories and cypro.labels[0]["main"] and cypro.labels[0]["method"] in ("rule", "model")
    assert cypro.classifier_version == services.current_classifier().version
    assert PublicationUses.objects.get(publication=imported[HISTORY]).categories == []  # uses no source
    rows = export_rows(tmp_path)
    assert rows[CYPRO]["use_categories"] == cypro.categories  # main first, as stored
    assert rows[CYPRO]["use_categories_method"] == cypro.labels[0]["method"]
    assert rows[HISTORY]["use_categories"] == []


def test_scan_force_keeps_a_correction_and_export_follows_it(imported, tmp_path):
    editor = ensure_user("edith", "pw", EDITOR)
    services.record_use_correction(imported[CYPRO], ["medical_devices", "effectiveness"], user=editor)
    result = run("scan", "--force")
    assert result.exit_code == 0, result.output
    assert "kinds of use: 2 publications classified" in " ".join(result.output.split())
    rows = export_rows(tmp_path)
    assert rows[CYPRO]["use_categories"] == ["medical_devices", "effectiveness"]
    assert rows[CYPRO]["use_categories_method"] == "person"


def test_scan_reports_a_category_removed_from_the_typology(imported, monkeypatch):
    editor = ensure_user("edith", "pw", EDITOR)
    services.record_use_correction(imported[CYPRO], ["medical_devices"], user=editor)
    known = services.typology_categories()
    monkeypatch.setattr(
        services, "typology_categories", lambda: {k: v for k, v in known.items() if k != "medical_devices"}
    )
    result = run("scan")
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())  # the console wraps long lines
    assert "category 'medical_devices' was removed from the typology but is still stored" in said
    assert PublicationUses.objects.get(publication=imported[CYPRO]).categories == ["medical_devices"]
