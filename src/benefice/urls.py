from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("benefice.core.urls")),
    path("corpus/", include("benefice.corpus.urls")),
    path("sources/", include("benefice.sources.urls")),
    path("interviews/", include("benefice.interviews.urls")),
]
