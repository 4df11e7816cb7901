"""Custodian pages: directory import, projects and their candidate links, benefit records, reports.

Thin: services do the work. Reading needs a role (viewer and up); changes need editor or admin. A benefit
record the custodian published is readable by anyone, without an account.

One module per page group; this package re-exports every view, so ``urls.py`` keeps
``from benefice.custodians import views`` then ``views.custodian_list``.
"""


from benefice.custodians.views.projects import (
    custodian_list,
    import_directory,
    import_job,
    import_job_status,
    link_decide,
    links_csv,
    project_detail,
    project_list,
    propose_links,
    reminders,
)
from benefice.custodians.views.questionnaires import (
    questionnaire_detail,
    questionnaire_export,
    questionnaire_list,
    respond,
    respond_answer,
)
from benefice.custodians.views.records import (
    record_detail,
    record_edit,
)
from benefice.custodians.views.reports import (
    FIGURE_LABELS,
    report,
    report_pdf,
)

__all__ = [
    "FIGURE_LABELS",
    "custodian_list",
    "import_directory",
    "import_job",
    "import_job_status",
    "link_decide",
    "links_csv",
    "project_detail",
    "project_list",
    "propose_links",
    "questionnaire_detail",
    "questionnaire_export",
    "questionnaire_list",
    "record_detail",
    "record_edit",
    "reminders",
    "report",
    "report_pdf",
    "respond",
    "respond_answer",
]
