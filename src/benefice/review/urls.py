from django.urls import path

from benefice.review import views

app_name = "review"
urlpatterns = [
    path("", views.review_list, name="list"),
    path("from-search/", views.review_from_search, name="from_search"),
    path("<int:pk>/", views.review_detail, name="detail"),
    path("<int:pk>/edit/", views.review_edit, name="edit"),
    path("<int:pk>/members/", views.member_add, name="member_add"),
    path("<int:pk>/records/add/", views.records_add, name="records_add"),
    path("<int:pk>/records/add/<str:job_id>/", views.import_job, name="import_job"),
    path("<int:pk>/records/add/<str:job_id>/status/", views.import_job_status, name="import_job_status"),
    path("<int:pk>/records/", views.record_list, name="records"),
    path("<int:pk>/records/<int:record_id>/", views.record_detail, name="record"),
    path("<int:pk>/screen/<str:stage>/", views.screen, name="screen"),
    path("<int:pk>/screen/<str:stage>/aids/", views.screen_aids, name="screen_aids"),
    path("<int:pk>/conflicts/<str:stage>/", views.conflict_list, name="conflicts"),
    path("<int:pk>/agreement/", views.agreement_view, name="agreement"),
    path("<int:pk>/prisma/", views.prisma_view, name="prisma"),
    path("<int:pk>/prisma.<str:kind>", views.prisma_file, name="prisma_file"),
    path("<int:pk>/export.<str:kind>", views.export, name="export"),
]
