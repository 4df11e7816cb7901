from django.urls import path

from benefice.barometer import views

app_name = "barometer"
urlpatterns = [
    path("", views.edition_list, name="list"),
    path("build/", views.build_start, name="build"),
    path("build/<str:job_id>/", views.build_job, name="build_job"),
    path("build/<str:job_id>/status/", views.build_job_status, name="build_job_status"),
    path("<int:pk>/", views.edition_detail, name="edition"),
    path("<int:pk>/publications/", views.publications, name="publications"),
    path("<int:pk>/cases/<slug:case_id>/", views.case, name="case"),
    path("<int:pk>/decisions/", views.decisions, name="decisions"),
    path("<int:pk>/ranges/<slug:measure>/<slug:unit>/", views.impact_range, name="range"),
    path("<int:pk>/data.zip", views.data_zip, name="data_zip"),
    path("<int:pk>/files/<path:path>", views.edition_file, name="file"),
]
