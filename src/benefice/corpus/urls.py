from django.urls import path

from benefice.corpus import views

app_name = "corpus"
urlpatterns = [
    path("", views.publication_list, name="list"),
]
