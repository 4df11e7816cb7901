"""Links in benefit records and survey answers (issue 17): a reference or a source is a citation, a DOI or an
http(s) link; any other link is refused at the model (full_clean), in the service and the form, and emptied
by the data migration for rows stored before, with the value kept in the audit log."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from benefice.core.models import AuditEntry
from benefice.custodians import services
from benefice.custodians.models import BenefitFigure, BenefitRecord, Project
from benefice.custodians.survey import FIGURE, AnswerError, QuestionSpec, clean_answer
from benefice.errors import BeneficeError
from benefice.paths import package_data

from .conftest import client_for

REFUSED = ["javascript:alert(1)", "data:text/html,<b>x</b>", "vbscript:msgbox(1)", " JaVaScRiPt:alert(1)",
           "ftp://example.org/f", "https://"]  # fmt: skip
ACCEPTED = [
    "https://doi.org/10.1038/s41467-022-31401-5",
    "http://example.org/r.pdf",
    "10.1000/xyz",
    "Rapport final, p. 4",
    "/relative/path",
]  # fmt: skip  (a relative path is text, never a link)


@pytest.fixture
def project(db) -> Project:
    services.import_projects(package_data("demo", "hdh_projects.csv"))
    return Project.objects.get(reference="DEMO-01")


def _figure(source: str) -> services.FigureInput:
    return services.FigureInput(label="patients", value=12, unit="persons", indicator="X1", source=source)


@pytest.mark.parametrize("value", REFUSED)
def test_model_and_service_refuse(project, value: str) -> None:
    record = BenefitRecord(project=project, year=2022, outputs=[{"type": "publications", "reference": value}])
    with pytest.raises(ValidationError) as err:
        record.full_clean()
    assert "outputs" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        BenefitFigure(record=record, label="x", value=1, source=value).full_clean(exclude=["record"])
    assert "source" in err.value.message_dict
    output = {"type": "publications", "description": "article", "reference": value}
    with pytest.raises(BeneficeError) as exc:
        services.save_benefit_record(project, kind="closure", year=2022, outputs=[output])
    assert exc.value.field == "outputs" and "http(s)" in str(exc.value)
    with pytest.raises(BeneficeError) as exc:
        services.save_benefit_record(project, kind="closure", year=2022, outputs=[], figures=[_figure(value)])
    assert exc.value.field == "source"
    assert not BenefitRecord.objects.exists()
    with pytest.raises(AnswerError):
        clean_answer(QuestionSpec(FIGURE), "12", value)


@pytest.mark.parametrize("value", ACCEPTED)
def test_citations_dois_and_http_links_accepted(project, value: str) -> None:
    output = {"type": "publications", "description": "article", "reference": value}
    record = services.save_benefit_record(
        project, kind="closure", year=2022, outputs=[output], figures=[_figure(value)]
    )
    record.full_clean()
    record.figures.get().full_clean()
    assert clean_answer(QuestionSpec(FIGURE), "12", value).source == value.strip()


def test_record_form_says_why(db, people, project) -> None:
    editor = client_for(people["editor"])
    data = {
        "kind": "closure", "year": "2019", "output_rows": "1", "figure_rows": "1",
        "output_type_0": "influence_on_policy", "output_description_0": "Avis",
        "output_reference_0": "javascript:alert(1)",
    }  # fmt: skip
    response = editor.post(
        reverse("custodians:record_new", args=[project.pk]), data, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 400
    assert "production 1" in response.content.decode() and "javascript:" in response.content.decode()
    assert not BenefitRecord.objects.exists()


def test_migration_empties_stored_links_and_audits_them(project) -> None:
    record = services.save_benefit_record(
        project, kind="closure", year=2022, figures=[_figure("Rapport, p. 2")],
        outputs=[{"type": "publications", "description": "a", "reference": "Rapport"}],
    )  # fmt: skip
    BenefitRecord.objects.filter(pk=record.pk).update(
        outputs=[{"type": "publications", "description": "a", "reference": "javascript:alert(1)"}]
    )
    BenefitFigure.objects.filter(record=record).update(source="ftp://example.org/f")
    migration = importlib.import_module("benefice.custodians.migrations.0003_refuse_unsafe_urls")
    migration.clear_refused_links(apps, None)
    record.refresh_from_db()
    assert record.outputs[0]["reference"] == "" and record.outputs[0]["description"] == "a"
    assert record.figures.get().source == ""
    entries = AuditEntry.objects.filter(object_type="custodians.BenefitRecord", comment__contains="0003")
    assert {v for e in entries for v in e.before.values()} == {"javascript:alert(1)", "ftp://example.org/f"}
