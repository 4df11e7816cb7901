"""Access control shared by every app's views, and the sign-in page.

Roles are Django groups (see ``benefice.core.roles``). Views say which roles may use them with
``role_required``: anonymous visitors are sent to the sign-in page (so a bookmarked URL works after
signing in), while a signed-in user without the role gets a 403 page that says which role is missing,
rather than a login loop (Django's default 403 view renders ``templates/403.html`` with the reason).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from benefice.core.roles import ADMIN, EDITOR, VIEWER, role_of

#: Roles allowed to read (browse, view, export) and to change (import, undo merges).
READERS = (ADMIN, EDITOR, VIEWER)
EDITORS = (ADMIN, EDITOR)

View = Callable[..., HttpResponse]


def role_required(*roles: str) -> Callable[[View], View]:
    """Let through only signed-in users whose highest role is one of ``roles``."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if role_of(request.user) not in roles:
                raise PermissionDenied(_("Your account does not have the role needed for this page."))
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = roles  # type: ignore[attr-defined]  # read by tests and templates
        return wrapper

    return decorator


reader_required = role_required(*READERS)
editor_required = role_required(*EDITORS)


class LoginView(auth_views.LoginView):
    """Django's sign-in page; a user who is already signed in goes straight to where they were headed."""

    redirect_authenticated_user = True
    template_name = "registration/login.html"


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx made the request (it then wants a fragment, not a whole page)."""
    return request.headers.get("HX-Request") == "true"


def after_correction(
    request: HttpRequest,
    publication: Any,
    notes: list[tuple[str, str]],
    *,
    panel: str,
    panel_context: Callable[[HttpRequest, Any, list[tuple[str, str]]], dict[str, Any]],
    own_page: str,
    anchor: str,
) -> HttpResponse:
    """The answer to a person's correction on a publication (its sources, its kinds of use), the same for
    every kind of correction: the refreshed panel for htmx; otherwise the notes as messages and a redirect
    to the app's own page of the publication (``next`` = the app's name), or to the publication's page at
    the panel's ``anchor``, or to the corpus list when the publication no longer exists."""
    from django.contrib import messages
    from django.shortcuts import redirect, render
    from django.urls import reverse

    if is_htmx(request):
        return render(request, panel, panel_context(request, publication, notes))
    for level, text in notes:
        getattr(messages, level)(request, text)
    if publication is None:
        return redirect("corpus:list")
    if request.POST.get("next") == own_page.split(":", 1)[0]:
        return redirect(own_page, pk=publication.pk)
    return redirect(f"{reverse('corpus:detail', args=[publication.pk])}#{anchor}")
