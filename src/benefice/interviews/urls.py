from django.urls import path

app_name = "interviews"
urlpatterns: list = []
