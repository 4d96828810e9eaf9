"""Links to many objects of one kind without a reverse() per object.

A list of twenty results would otherwise resolve the same URL pattern twenty
times; this resolves it once and fills in each primary key.
"""

from collections.abc import Callable

from django.urls import reverse


def pk_link(viewname: str) -> Callable[[int], str]:
    """A function pk -> URL for a view whose only argument is an integer pk."""
    prefix, suffix = reverse(viewname, args=[0]).rsplit("0", 1)

    def link(pk: int) -> str:
        return f"{prefix}{pk}{suffix}"

    return link
