from django.urls import path

from benefice.uses import views

app_name = "uses"
urlpatterns = [
    path("publication/<int:pk>/", views.publication_uses, name="publication"),
    path("publication/<int:pk>/correct/", views.publication_correct, name="publication_correct"),
]
