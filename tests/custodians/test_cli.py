"""``benefice projects import|link`` through the real command group (exit status 2 and one line on bad input)."""

from __future__ import annotations

import csv

from click.testing import CliRunner

from benefice.cli import main
from benefice.custodians.models import Project, ProjectLink
from benefice.paths import package_data

DEMO = package_data("demo", "hdh_projects.csv")


def test_import_prints_counts_and_rejections_and_reimport_is_unchanged(db, tmp_path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["projects", "import", str(DEMO)])
    assert result.exit_code == 0, result.output
    assert f"{DEMO}: rows read: 12; new: 12; updated: 0; unchanged: 0; rejected: 0" in result.output
    assert "to review: DEMO-90: data-source label not recognised" in result.output
    result = runner.invoke(main, ["projects", "import", str(DEMO)])
    assert "new: 0; updated: 0; unchanged: 12; rejected: 0" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("Référence;title;Date de début\nX;Titre;31/13/2020\nY;Titre Y;2021\n", encoding="utf-8")
    result = runner.invoke(main, ["projects", "import", str(bad), "--custodian", "Registre"])
    assert result.exit_code == 0
    assert "rows read: 2; new: 1; updated: 0; unchanged: 0; rejected: 1" in result.output
    assert f"rejected: {bad}, line 2, field 'Date de début': not a date" in result.output
    assert Project.objects.get(reference="Y").custodian.name == "Registre"


def test_import_refuses_a_file_without_required_columns(db, tmp_path) -> None:
    bad = tmp_path / "columns.csv"
    bad.write_text("description;date\nx;2020\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["projects", "import", str(bad)])
    assert result.exit_code == 2
    assert f"error: {bad}: required columns 'Référence', 'title' not found" in result.output
    assert not Project.objects.exists()
    missing = CliRunner().invoke(main, ["projects", "import", str(tmp_path / "absent.csv")])
    assert missing.exit_code == 2 and "file not found" in missing.output


def test_link_writes_the_csv_with_decisions(db, tmp_path) -> None:
    from benefice.corpus.services import import_file
    from benefice.sources.services import scan_database, sync_registry

    import_file(package_data("demo", "corpus.ris"), kind="demo")
    sync_registry()
    scan_database()
    runner = CliRunner()
    assert runner.invoke(main, ["projects", "import", str(DEMO)]).exit_code == 0
    out = tmp_path / "links.csv"
    result = runner.invoke(main, ["projects", "link", "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows and set(rows[0]) == {"project_reference", "publication_id", "score", "status"}
    best = {}
    for row in rows:
        best.setdefault(row["project_reference"], row)  # sorted by reference then score, best first
    link = ProjectLink.objects.get(
        project__reference="DEMO-01", publication_id=int(best["DEMO-01"]["publication_id"])
    )
    assert link.publication.doi == "10.1038/s41467-022-31401-5"
    link.status = ProjectLink.REJECTED
    link.save()
    runner.invoke(main, ["projects", "link", "--output", str(out)])
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {"project_reference": "DEMO-01", "publication_id": str(link.publication_id)}.items() <= next(
        r for r in rows if r["project_reference"] == "DEMO-01" and r["status"] == "rejected"
    ).items()
    assert (
        runner.invoke(main, ["projects", "link", "--output", str(tmp_path / "no" / "x.csv")]).exit_code == 2
    )
