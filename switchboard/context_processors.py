from django.utils.functional import SimpleLazyObject


def navigation(request):
    """Which navigation entries the signed-in user's roles allow.

    Lazy: an HTMX partial that shows no navigation runs none of its queries.
    Built from permissions only (cached on the user for the request), so a
    full page pays no extra query for its navigation.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}

    def build():
        return {
            "console": user.has_perm("calls.add_call"),
            "calls": user.has_perm("calls.view_call"),
            "search": user.has_perm("directory.view_staff"),
            "board": True,
            "phone_list": user.has_perm("directory.view_staff"),
            "import": user.has_perm("directory.import_directory"),
            "admin": user.is_staff,
        }

    return {"nav": SimpleLazyObject(build)}
