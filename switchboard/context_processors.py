from django.utils.functional import SimpleLazyObject

from directory.access import can_read_directory


def navigation(request):
    """Which navigation entries the signed-in user's roles allow.

    Lazy: an HTMX partial that shows no navigation runs none of its queries.
    Built from permissions (cached on the user for the request), so a user
    with a role pays no extra query for the navigation; a staff member without
    one pays one, for their Staff record, which the page's own access check
    shares (directory.access.linked_staff).
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}

    def build():
        # Staff members look colleagues up too (directory.access).
        reads_directory = can_read_directory(request)
        return {
            "console": user.has_perm("calls.add_call"),
            "calls": user.has_perm("calls.view_call"),
            "search": reads_directory,
            "board": True,
            "phone_list": reads_directory,
            "import": user.has_perm("directory.import_directory"),
            "admin": user.is_staff,
        }

    return {"nav": SimpleLazyObject(build)}
