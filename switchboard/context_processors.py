from switchboard.roles import DIRECTORY_ADMIN, OPERATOR, SUPERVISOR, user_roles


def navigation(request):
    """Which navigation entries the signed-in user's roles allow."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    roles = user_roles(user)
    staff_roles = roles & {OPERATOR, SUPERVISOR, DIRECTORY_ADMIN}
    return {
        "nav": {
            "search": user.has_perm("directory.view_staff"),
            "board": True,
            "phone_list": user.has_perm("directory.view_staff"),
            "import": user.has_perm("directory.import_directory"),
            "admin": user.is_staff,
            "roles": sorted(staff_roles),
        }
    }
