"""Accounts with a role, created by the CLI (init --admin) and the demo."""

from __future__ import annotations


def ensure_user(
    username: str,
    password: str,
    role: str,
    *,
    superuser: bool = False,
    validate: bool = False,
    demo: bool = False,
):
    """Create or reset an account. ``validate``: apply Django's password validators (the CLI does);
    ``demo``: mark it as the demo account, flagged on every page (benefice demo only)."""
    from django.contrib.auth.models import Group, User

    from benefice.core.accounts import DEMO_GROUP, check_password_rules, forget_demo_account
    from benefice.core.roles import ensure_groups

    if validate:
        check_password_rules(password, username)
    ensure_groups()
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(password)
    user.is_staff = superuser
    user.is_superuser = superuser
    user.save()
    groups = [Group.objects.get(name=role)]
    if demo:
        groups.append(Group.objects.get_or_create(name=DEMO_GROUP)[0])
    user.groups.set(groups)
    forget_demo_account()
    return user
