from django.urls import path

from benefice.indicators import views

app_name = "indicators"
urlpatterns = [
    path("indicators/", views.indicator_list, name="indicators"),
    path("indicators.yaml", views.indicators_export, name="indicators_export"),
    path("indicators/<str:code>/", views.indicator_detail, name="indicator"),
    path("indicators/<str:code>/edit/", views.indicator_edit, name="indicator_edit"),
    path("indicators/<str:code>/history/", views.indicator_history, name="indicator_history"),
]
