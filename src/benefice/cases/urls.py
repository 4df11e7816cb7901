from django.urls import path

from benefice.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="cases"),
    path("cases.yaml", views.cases_export, name="cases_export"),
    path("cases/<slug:case_id>/", views.case_detail, name="case"),
    path("cases/<slug:case_id>/edit/", views.case_edit, name="case_edit"),
    path("cases/<slug:case_id>/history/", views.case_history, name="case_history"),
    path("cases/<slug:case_id>/card/", views.case_card, name="card"),
    path("cases/<slug:case_id>/card.pdf", views.case_card_pdf, name="card_pdf"),
    path("cases/<slug:case_id>/<str:kind>/add/", views.child_edit, name="child_add"),
    path("cases/<slug:case_id>/<str:kind>/<int:child_id>/edit/", views.child_edit, name="child_edit"),
    path("cases/<slug:case_id>/<str:kind>/<int:child_id>/delete/", views.child_delete, name="child_delete"),
]
