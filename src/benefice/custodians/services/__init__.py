"""Services of the custodians app: the CLI and the web call these, never the models directly.

Imports run in one transaction: a file either updates the registry completely or not at all. Link
proposals never touch a link a person already decided on. Every change a person makes is audited.

One module per part of that work: ``projects`` (directory import), ``links`` (project-publication
links), ``records`` (benefit records and their follow-up), ``report`` (the per-custodian report and its
gap analysis) and ``questionnaires``; the private helpers the links and the report share are in
``_shared``. Callers keep using this package: ``from benefice.custodians import services`` then
``services.import_projects(...)``. A test that replaces a function must patch the module that looks it up.
"""

from __future__ import annotations

from benefice.custodians.services.links import LinkReport, decide_link, links_csv, propose_links
from benefice.custodians.services.projects import (
    DIRECTORY_FIELDS,
    ImportReport,
    custodian_named,
    import_projects,
)
from benefice.custodians.services.questionnaires import (
    add_question,
    add_respondent,
    create_questionnaire,
    export_questionnaire,
    import_free_text,
    models_max,
    questionnaire_rows,
    save_answer,
)
from benefice.custodians.services.records import (
    OUTCOME_TYPES,
    FigureInput,
    follow_up_due,
    projects_without_record,
    save_benefit_record,
)
from benefice.custodians.services.report import (
    FIGURE_IDS,
    YEARS_BEFORE_EXPECTING_PUBLICATION,
    custodian_report,
    gap_figures,
)

__all__ = [
    "DIRECTORY_FIELDS",
    "FIGURE_IDS",
    "OUTCOME_TYPES",
    "YEARS_BEFORE_EXPECTING_PUBLICATION",
    "FigureInput",
    "ImportReport",
    "LinkReport",
    "add_question",
    "add_respondent",
    "create_questionnaire",
    "custodian_named",
    "custodian_report",
    "decide_link",
    "export_questionnaire",
    "follow_up_due",
    "gap_figures",
    "import_free_text",
    "import_projects",
    "links_csv",
    "models_max",
    "projects_without_record",
    "propose_links",
    "questionnaire_rows",
    "save_answer",
    "save_benefit_record",
]
