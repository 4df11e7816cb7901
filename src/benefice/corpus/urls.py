from django.urls import path

from benefice.corpus import views

app_name = "corpus"
urlpatterns = [
    path("", views.publication_list, name="list"),
    path("<int:pk>/", views.publication_detail, name="detail"),
    path("merges/<int:event_id>/undo/", views.undo_merge, name="undo_merge"),
    path("export/<str:fmt>/", views.export, name="export"),
    path("import/", views.import_page, name="import"),
    path("import/<str:job_id>/", views.import_job, name="import_job"),
    path("import/<str:job_id>/status/", views.import_job_status, name="import_job_status"),
    path("batches/", views.batch_list, name="batches"),
]
