"""Roles are Django groups: admin (everything), editor (import, edit, merge), viewer (read)."""

from __future__ import annotations

ADMIN, EDITOR, VIEWER = "admin", "editor", "viewer"
ROLES = (ADMIN, EDITOR, VIEWER)


def ensure_groups() -> None:
    from django.contrib.auth.models import Group

    for name in ROLES:
        Group.objects.get_or_create(name=name)


def role_of(user) -> str | None:
    """The highest role a user holds; superusers are admins."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return ADMIN
    names = set(user.groups.values_list("name", flat=True))
    for role in ROLES:
        if role in names:
            return role
    return None


def can_edit(user) -> bool:
    return role_of(user) in (ADMIN, EDITOR)


def is_admin(user) -> bool:
    return role_of(user) == ADMIN
