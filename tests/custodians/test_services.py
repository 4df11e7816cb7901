"""Import into the database (upsert, counts, transactions), links and their decisions, benefit records."""

from __future__ import annotations

import datetime as dt

import pytest

from benefice.core.models import AuditEntry
from benefice.custodians import services
from benefice.custodians.models import BenefitRecord, Custodian, Project, ProjectImport, ProjectLink
from benefice.errors import BeneficeError
from benefice.paths import package_data

DEMO = package_data("demo", "hdh_projects.csv")
HEADER = (
    "Référence;title;Source de données utilisées;Description Entité mettant à disposition;Date de début\n"
)


@pytest.fixture
def corpus(db):
    from benefice.corpus.services import import_file
    from benefice.sources.services import scan_database, sync_registry

    import_file(package_data("demo", "corpus.ris"), kind="demo")
    sync_registry()
    scan_database()


def test_import_then_reimport_counts_new_updated_unchanged(db, tmp_path) -> None:
    first = services.import_projects(DEMO)
    assert (first.rows_read, len(first.new), len(first.updated), len(first.rejected)) == (12, 12, 0, 0)
    cnam = Custodian.objects.get(name="Caisse nationale de l'Assurance maladie (CNAM)")
    assert cnam.projects.count() == 9 and {"SNDS", "DCIR", "VAC_SI"} <= set(cnam.source_ids)
    again = services.import_projects(DEMO)
    assert (len(again.new), len(again.updated), len(again.unchanged)) == (0, 0, 12)
    changed = tmp_path / "v2.csv"
    text = DEMO.read_text(encoding="utf-8").replace("En cours;Gériatrie", "Terminé;Gériatrie")
    changed.write_text(
        text + "DEMO-92;Nouveau projet;SNDS;Caisse nationale de l'Assurance maladie (CNAM);2023\n"
    )
    third = services.import_projects(changed)
    assert (third.new, third.updated, len(third.unchanged)) == (["DEMO-92"], ["DEMO-91"], 11)
    assert Project.objects.get(reference="DEMO-91").status == "Terminé"
    entry = AuditEntry.objects.filter(object_type="custodians.Project", object_id="DEMO-91").get()
    assert entry.before == {"status": "En cours"} and entry.after == {"status": "Terminé"}
    assert ProjectImport.objects.count() == 3


def test_rejected_rows_are_reported_and_the_rest_imported(db, tmp_path) -> None:
    path = tmp_path / "list.csv"
    path.write_text(
        HEADER + "A;Titre A;SNDS;CNAM;2020\nB;;SNDS;CNAM;2020\nA;Titre A bis;SNDS;CNAM;2020\nC;T;;;demain\n"
    )
    report = services.import_projects(path)
    assert report.new == ["A"]
    assert [(r.line, r.field) for r in report.rejected] == [
        (3, "title"),
        (4, "Référence"),
        (5, "Date de début"),
    ]
    assert ProjectImport.objects.get().rejected[0]["line"] == 3


def test_an_error_mid_import_leaves_the_database_as_it_was(db, tmp_path, monkeypatch) -> None:
    services.import_projects(DEMO)
    before = list(Project.objects.values_list("reference", "title"))
    path = tmp_path / "v2.csv"
    path.write_text(HEADER + "DEMO-01;Titre changé;SNDS;CNAM;2020\nNEW;Nouveau;SNDS;CNAM;2020\n")
    real = services.custodian_named

    def failing(name):
        if Project.objects.filter(reference="DEMO-01", title="Titre changé").exists():
            raise RuntimeError("disk full")
        return real(name)

    monkeypatch.setattr(services.projects, "custodian_named", failing)  # where import_projects looks it up
    with pytest.raises(RuntimeError):
        services.import_projects(path)
    assert list(Project.objects.values_list("reference", "title")) == before
    assert ProjectImport.objects.count() == 1


def test_links_proposed_decided_and_kept_on_refresh(corpus, django_user_model) -> None:
    services.import_projects(DEMO)
    report = services.propose_links()
    assert report.candidates >= 10
    link = ProjectLink.objects.get(project__reference="DEMO-03", publication__doi="10.1136/bmj.n37")
    best = ProjectLink.objects.filter(project__reference="DEMO-03").order_by("-score").first()
    assert best == link and link.components["dates"] == "after start"
    user = django_user_model.objects.create(username="u")
    services.decide_link(link, ProjectLink.REJECTED, user)
    again = services.propose_links()
    link.refresh_from_db()
    assert link.status == ProjectLink.REJECTED and again.kept_decided == 1 and link.decided_by == user
    csv_text = services.links_csv(ProjectLink.objects.filter(pk=link.pk))
    assert csv_text.splitlines() == [
        "project_reference,publication_id,score,status",
        f"DEMO-03,{link.publication_id},{link.score:.4f},rejected",
    ]
    with pytest.raises(BeneficeError):
        services.decide_link(link, "maybe", user)


def test_benefit_record_refuses_a_figure_without_source(db) -> None:
    services.import_projects(DEMO)
    project = Project.objects.get(reference="DEMO-01")
    figure = services.FigureInput(label="patients", value=12, unit="persons", indicator="X1", source=" ")
    with pytest.raises(BeneficeError, match="without a source"):
        services.save_benefit_record(project, kind="closure", year=2022, outputs=[], figures=[figure])
    assert not BenefitRecord.objects.exists()
    figure.source, figure.indicator = "Rapport final, p. 4", "ZZ9"
    with pytest.raises(BeneficeError, match="unknown indicator"):
        services.save_benefit_record(project, kind="closure", year=2022, outputs=[], figures=[figure])
    with pytest.raises(BeneficeError, match="unknown outcome type"):
        services.save_benefit_record(
            project, kind="closure", year=2022, outputs=[{"type": "x", "description": "d"}]
        )
    figure.indicator = "X1"
    record = services.save_benefit_record(
        project, kind="closure", year=2022, figures=[figure],
        outputs=[{"type": "publications", "description": "article", "reference": "doi"}],
    )  # fmt: skip
    assert record.figures.get().source == "Rapport final, p. 4"
    with pytest.raises(BeneficeError, match="already exists"):
        services.save_benefit_record(project, kind="closure", year=2022, outputs=[])
    assert list(services.projects_without_record().values_list("reference", flat=True)).count("DEMO-01") == 0
    due = services.follow_up_due(today=dt.date(2024, 6, 1))
    assert [(p.reference, p.latest) for p in due] == [("DEMO-01", 2022)]
    assert not services.follow_up_due(today=dt.date(2023, 6, 1)).exists()


def test_custodian_report_figures_and_recommendations(corpus) -> None:
    from benefice.custodians import demo

    demo.load_demo(lambda _: None)
    demo.load_demo(lambda _: None)  # idempotent
    cnam = Custodian.objects.get(name__startswith="Caisse nationale")
    report = services.custodian_report(cnam, today=dt.date(2026, 11, 1))
    figures = report["figures"]
    no_pub = figures["projects_without_publication"]
    # started >= 3 years before: DEMO-01..07, DEMO-90, DEMO-91 (2022-01-15); confirmed links: 01, 02, 03, 06
    assert no_pub.denominator == 9 and set(no_pub.records) == {
        "DEMO-04",
        "DEMO-05",
        "DEMO-07",
        "DEMO-90",
        "DEMO-91",
    }
    assert figures["unrecognised_source_labels"].records == ("DEMO-90",)
    assert figures["projects_without_benefit_record"].numerator == 8
    assert report["publications"] and report["per_year"]
    assert sum(n for _, n in report["per_year"]) <= len(report["publications"])
    assert {c.id for c in report["cases"]} >= {"covid_mrna_myocarditis", "mediator_benfluorex"}
    fired = {r.rule.id for r in report["recommendations"]}
    assert "outcome_declarations" in fired and "benefit_records" in fired
    assert BenefitRecord.objects.filter(project__reference="DEMO-01", published=True).count() == 1
