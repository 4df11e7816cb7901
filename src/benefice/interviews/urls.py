from django.urls import path

from benefice.interviews import views

app_name = "interviews"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("grounding/<str:indicator_code>/", views.grounding, name="grounding"),
    path("<int:pk>/", views.project_detail, name="project"),
    path("<int:pk>/participants/", views.participants, name="participants"),
    path("<int:pk>/participants/<int:participant_id>/", views.participants, name="participant_edit"),
    path("<int:pk>/import/", views.transcript_import, name="import"),
    path("<int:pk>/imports/<str:job_id>/", views.import_job, name="import_job"),
    path("<int:pk>/imports/<str:job_id>/status/", views.import_job_status, name="import_job_status"),
    path("<int:pk>/transcripts/<int:transcript_id>/", views.transcript_view, name="transcript"),
    path("<int:pk>/transcripts/<int:transcript_id>/review/", views.transcript_review, name="review"),
    path("<int:pk>/transcripts/<int:transcript_id>/codings/", views.coding_create, name="coding_create"),
    path("<int:pk>/transcripts/<int:transcript_id>/codings.json", views.codings_data, name="codings_data"),
    path("<int:pk>/codings/<int:coding_id>/delete/", views.coding_delete, name="coding_delete"),
    path("<int:pk>/codebook/", views.codebook, name="codebook"),
    path("<int:pk>/codebook/history/", views.codebook_history, name="history"),
    path("<int:pk>/agreement/", views.agreement_view, name="agreement"),
    path("<int:pk>/analysis/", views.analysis, name="analysis"),
    path("<int:pk>/segments.<str:kind>", views.export_segments, name="export_segments"),
    path("<int:pk>/export.<str:kind>", views.export_refi, name="export_refi"),
    path("<int:pk>/qda-import/", views.import_refi, name="import_refi"),
    path("<int:pk>/suggestions/", views.suggestions, name="suggestions"),
]
