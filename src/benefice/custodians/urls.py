from django.urls import path

from benefice.custodians import views

app_name = "custodians"
urlpatterns = [
    path("", views.custodian_list, name="list"),
    path("projects/", views.project_list, name="projects"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/links/<int:link_id>/", views.link_decide, name="link_decide"),
    path("projects/<int:pk>/records/new/", views.record_edit, name="record_new"),
    path("projects/<int:pk>/records/<int:record_id>/edit/", views.record_edit, name="record_edit"),
    path("records/<int:record_id>/", views.record_detail, name="record"),
    path("import/", views.import_directory, name="import"),
    path("import/<str:job_id>/", views.import_job, name="import_job"),
    path("import/<str:job_id>/status/", views.import_job_status, name="import_job_status"),
    path("reminders/", views.reminders, name="reminders"),
    path("links.csv", views.links_csv, name="links_csv"),
    path("links/propose/", views.propose_links, name="propose_links"),
    path("<slug:slug>/report/", views.report, name="report"),
    path("<slug:slug>/report.pdf", views.report_pdf, name="report_pdf"),
]
urlpatterns += [
    path("questionnaires/", views.questionnaire_list, name="questionnaires"),
    path("questionnaires/<int:qid>/", views.questionnaire_detail, name="questionnaire"),
    path(
        "questionnaires/<int:qid>/export.<str:fmt>", views.questionnaire_export, name="questionnaire_export"
    ),
    path("q/<str:token>/", views.respond, name="respond"),
    path("q/<str:token>/answer/<int:question_id>/", views.respond_answer, name="respond_answer"),
]
