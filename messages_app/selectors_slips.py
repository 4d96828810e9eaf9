"""Reads of message slips: a person's inbox, the unread badge, the desk's board,
a caller's slips and one slip's page. Each is a fixed number of queries,
whatever the number of slips (tests assert it)."""

from datetime import timedelta

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from messages_app.models import (
    OPEN_SLIP_STATUSES,
    UNACKNOWLEDGED_SLIP_STATUSES,
    MessageSlip,
    SlipEvent,
    SlipRecipient,
    SlipStatus,
)
from switchboard.links import pk_link

INBOX_OPEN_LIMIT = 100
INBOX_RECENT_LIMIT = 20
INBOX_RECENT_DAYS = 14
BOARD_LIMIT = 100
CALLER_PANEL_COMPACT = 3
CALLER_PAGE_LIMIT = 100

ROW_RELATED = ("for_staff", "for_department")
# What a row links to: its page and its actions (slip.links.<key>).
ROW_LINKS = {
    "detail": "messages_app:slip-detail",
    "acknowledge": "messages_app:slip-acknowledge",
    "done": "messages_app:slip-done",
    "resend": "messages_app:slip-resend",
    "reroute": "messages_app:slip-reroute",
}


# What a list row shows (views/slip_rows.py): these columns of the slip, whom
# it is for by name, and the numbers as text.
ROW_FIELDS = (
    "pk",
    "version",
    "status",
    "urgency",
    "created_at",
    "due_at",
    "caller_name",
    "caller_company",
    "callback_time",
    "message",
    "for_staff_id",
    "for_department_id",
)


def _rows(queryset):
    """A list's slips as light rows: only ROW_FIELDS, with `whom_name` (the
    person's or department's name) instead of the related rows, and the
    numbers as text (caller_number_text, callback_number_text) instead of
    PhoneNumbers. Building the related objects and parsing every row's two
    numbers cost more than the rest of a row; views/slip_rows.py formats the
    numbers it shows."""
    return queryset.only(*ROW_FIELDS).annotate(
        whom_name=Coalesce(F("for_staff__full_name"), F("for_department__name")),
        caller_number_text=ExpressionWrapper(F("caller_number"), output_field=CharField()),
        callback_number_text=ExpressionWrapper(F("callback_number"), output_field=CharField()),
    )


def with_links(slips: list) -> list:
    """Each slip's page and action URLs as slip.links, one reverse() per kind
    of link rather than per row."""
    links = {key: pk_link(name) for key, name in ROW_LINKS.items()}
    for slip in slips:
        slip.links = {key: link(slip.pk) for key, link in links.items()}
    return slips


def _mine(staff, *, copied_since) -> Q:
    """A staff member's slips: for them, for their department, or sent to them
    (as cover, head, escalation). Of their copies only those made since
    `copied_since` are looked at (a copy is never older than its slip), on
    the index sliprecipient_staff_added (migration 0002): a busy person has
    thousands of copies over a year, and hashing them all for every page was
    most of its time."""
    copies = SlipRecipient.objects.filter(staff=staff, added_at__gte=copied_since)
    return (
        Q(for_staff=staff)
        | Q(for_department_id=staff.department_id)
        | Q(pk__in=copies.values("slip_id"))
    )


def _oldest_open():
    """When the oldest open slip was taken (a subquery on slip_status_created)."""
    return Subquery(
        MessageSlip.objects.filter(status__in=OPEN_SLIP_STATUSES)
        .order_by("created_at")
        .values("created_at")[:1]
    )


def _with_unread(queryset, staff):
    unread = SlipRecipient.objects.filter(slip=OuterRef("pk"), staff=staff, read_at__isnull=True)
    return queryset.annotate(unread=Exists(unread))


def slip_list_inbox(*, staff, now=None) -> dict:
    """A staff member's open slips (unread first, then newest) and those done
    in the last INBOX_RECENT_DAYS days (taken since then: the index
    slip_status_created, migration 0002): two queries."""
    now = now or timezone.now()
    slips = _rows(MessageSlip.objects.all())
    open_slips = list(
        _with_unread(
            slips.filter(_mine(staff, copied_since=_oldest_open()), status__in=OPEN_SLIP_STATUSES),
            staff,
        ).order_by("-unread", "-created_at", "-pk")[:INBOX_OPEN_LIMIT]
    )
    since = now - timedelta(days=INBOX_RECENT_DAYS)
    recent = list(
        _with_unread(
            slips.filter(
                _mine(staff, copied_since=since), status=SlipStatus.DONE, created_at__gte=since
            ),
            staff,
        ).order_by("-created_at", "-pk")[:INBOX_RECENT_LIMIT]
    )
    return {"open": with_links(open_slips), "recent": with_links(recent)}


def slip_list_taken_by(*, user, now=None) -> dict:
    """The desk's own "My messages" (an operator with no Staff record): the
    slips they took, open first, then the recent ones: two queries."""
    now = now or timezone.now()
    taken = _rows(MessageSlip.objects.filter(taken_by=user))
    open_slips = list(
        taken.filter(status__in=OPEN_SLIP_STATUSES)
        .annotate(unread=Value(False))
        .order_by("-created_at", "-pk")[:INBOX_OPEN_LIMIT]
    )
    since = now - timedelta(days=INBOX_RECENT_DAYS)
    recent = list(
        taken.filter(status=SlipStatus.DONE, created_at__gte=since)
        .annotate(unread=Value(False))
        .order_by("-created_at", "-pk")[:INBOX_RECENT_LIMIT]
    )
    return {"open": with_links(open_slips), "recent": with_links(recent)}


BADGE_MAX = 99  # the badge says "99+" beyond


def slip_unread_count(user, *, staff=None) -> int:
    """How many open slips sent to the user's own Staff record (`staff` when
    the caller has it already) they have not opened, up to BADGE_MAX + 1: one
    query, the badge in the navigation (a bounded read of ids rather than a
    COUNT of them all)."""
    if staff is not None:
        mine = {"staff": staff}
    elif user is not None and user.is_authenticated:
        mine = {"staff__user_id": user.pk, "staff__active": True}
    else:
        return 0
    unread = SlipRecipient.objects.filter(
        **mine, read_at__isnull=True, slip__status__in=OPEN_SLIP_STATUSES
    )
    return len(unread.order_by().values_list("pk", flat=True)[: BADGE_MAX + 1])


def slip_list_board(*, now=None, limit: int | None = None) -> tuple[list, int]:
    """The desk's board: open slips, those past their acknowledge-by time
    first, then the unacknowledged by due time, then the acknowledged ones
    waiting to be done; and how many open slips there are in all. One query
    (the count is a window over the same rows)."""
    now = now or timezone.now()
    limit = limit or BOARD_LIMIT
    rows = list(
        _rows(MessageSlip.objects.filter(status__in=OPEN_SLIP_STATUSES))
        .annotate(
            bucket=Case(
                When(status__in=UNACKNOWLEDGED_SLIP_STATUSES, due_at__lt=now, then=Value(0)),
                When(status__in=UNACKNOWLEDGED_SLIP_STATUSES, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            total=Window(expression=Count("pk")),
        )
        .order_by("bucket", "due_at", "created_at", "pk")[:limit]
    )
    for slip in rows:
        slip.overdue = slip.bucket == 0
    return with_links(rows), (rows[0].total if rows else 0)


def slip_list_for_caller(*, caller, compact: bool) -> tuple[list, bool]:
    """A caller's slips, newest first (a few for the console's panel, the
    latest CALLER_PAGE_LIMIT on the caller page), and whether there are more:
    one query, one row more than shown rather than a count (the caller page
    counts nothing: tests/calls/test_log.py)."""
    limit = CALLER_PANEL_COMPACT if compact else CALLER_PAGE_LIMIT
    rows = list(
        MessageSlip.objects.filter(caller=caller)
        .select_related(*ROW_RELATED)
        .order_by("-created_at", "-pk")[: limit + 1]
    )
    return with_links(rows[:limit]), len(rows) > limit


def slip_detail_queryset():
    """What the slip page shows, for access.get_slip_for_user: the slip with
    its people, its recipients and its timeline (three queries)."""
    return MessageSlip.objects.select_related(
        "for_staff",
        "for_department",
        "caller",
        "call",
        "taken_by",
        "acknowledged_by",
        "done_by",
    ).prefetch_related(
        Prefetch(
            "slip_recipients",
            queryset=SlipRecipient.objects.select_related("staff").order_by("pk"),
        ),
        Prefetch("events", queryset=SlipEvent.objects.select_related("by").order_by("at", "pk")),
    )


# The slip list (views/slip_list.py) ---------------------------------------------


def slip_late_by_q(end) -> Q:
    """Not acknowledged by its due time as of `end`: due before it and not
    acknowledged, or acknowledged after its due time (the daily recap's
    "overdue" messages, as of the day's end: a slip acknowledged late
    still counts, so the figure of a past day stays what it was)."""
    return Q(due_at__lt=end) & (
        Q(acknowledged_at__isnull=True) | Q(acknowledged_at__gt=F("due_at"))
    )


def slip_recipient_department_q(department_ids) -> Q:
    """Slips for one of these departments, or for a person in one of them."""
    return Q(for_department_id__in=department_ids) | Q(for_staff__department_id__in=department_ids)


# What a row of the slip list shows (tables_slips.SlipTable).
LIST_FIELDS = (
    "pk",
    "status",
    "urgency",
    "created_at",
    "due_at",
    "delivered_at",
    "acknowledged_at",
    "done_at",
    "escalation_level",
    "caller_name",
    "caller_company",
)


def slip_list_rows(queryset):
    """The slip list's page rows: LIST_FIELDS, whom the slip is for by name
    and the caller's number as text, in the one query of the page."""
    return queryset.only(*LIST_FIELDS).annotate(
        whom_name=Coalesce(F("for_staff__full_name"), F("for_department__name")),
        caller_number_text=ExpressionWrapper(F("caller_number"), output_field=CharField()),
    )
