from benefice.core.roles import can_edit, role_of


def roles(request):
    user = getattr(request, "user", None)
    return {"user_role": role_of(user), "user_can_edit": can_edit(user), "demo_account": _demo_account}


def _demo_account() -> bool:
    """Whether the demo account exists (read only by the base template's banner, lazily)."""
    from benefice.core.accounts import demo_account_exists

    return demo_account_exists()
