"""Accounts with a role, created by the CLI (init --admin) and the demo."""

from __future__ import annotations


def ensure_user(username: str, password: str, role: str, *, superuser: bool = False):
    from django.contrib.auth.models import Group, User

    from benefice.core.roles import ensure_groups

    ensure_groups()
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(password)
    user.is_staff = superuser
    user.is_superuser = superuser
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    return user
