"""URL map. Each capability app that has a ``urls`` module is mounted under its own prefix.

Why discovery: capabilities land one by one (and a tree may ship without one); mounting whatever exists
keeps this file from being edited by every app, as Datasette's plugin hooks keep its core small.
"""


from django.contrib import admin
from django.urls import include, path

# (prefix, app module), in the order of the main menu; cases and indicators share the ``impact/`` prefix
# they had before the app was split, so that every address people saved still works
APPS = [
    ("corpus/", "benefice.corpus"),
    ("sources/", "benefice.sources"),
    ("uses/", "benefice.uses"),
    ("review/", "benefice.review"),
    ("impact/", "benefice.cases"),
    ("impact/", "benefice.indicators"),
    ("interviews/", "benefice.interviews"),
    ("barometer/", "benefice.barometer"),
    ("custodians/", "benefice.custodians"),
]

#: a 500 page showing the request id of the logged traceback, or "busy" for a locked database (issue 17)
handler500 = "benefice.core.reliability.server_error"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("benefice.core.urls")),
]
urlpatterns += [path(prefix, include(f"{module}.urls")) for prefix, module in APPS]
