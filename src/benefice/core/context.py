from benefice.core.roles import can_edit, role_of


def roles(request):
    user = getattr(request, "user", None)
    return {"user_role": role_of(user), "user_can_edit": can_edit(user)}
