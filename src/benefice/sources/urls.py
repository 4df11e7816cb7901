from django.urls import path

from benefice.sources import views

app_name = "sources"
urlpatterns = [
    path("", views.source_list, name="list"),
    path("export.json", views.registry_export, name="export"),
    path("mentions.csv", views.mentions_csv, name="mentions_csv"),
    # before "<source_id>/": these words are not source ids (registry ids are upper-case)
    path("review/", views.review_queue, name="review"),
    path("publication/<int:pk>/", views.publication_sources, name="publication"),
    path("publication/<int:pk>/correct/", views.publication_correct, name="publication_correct"),
    path("<str:source_id>/", views.source_detail, name="detail"),
    path("<str:source_id>/edit/", views.source_edit, name="edit"),
    path("<str:source_id>/history/", views.source_history, name="history"),
    path("<str:source_id>/mentions.csv", views.mentions_csv, name="source_mentions_csv"),
    path("<str:source_id>/citation.csv", views.statistics_csv, name="statistics_csv"),
]
