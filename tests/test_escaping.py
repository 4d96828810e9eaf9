"""Markup stored in any text a user can edit comes out escaped on every page
that shows it, for every role that sees it.

A Directory admin can type anything into a staff record, a department, an
extension or an answer; an operator into a caller's name and a call's notes.
Each such field below holds a script, an event handler and quotes, tagged with
the field's name. Every page that shows them is rendered as the roles that see
it; the raw markup must never come back, and each field the page shows must
come back escaped. The checks are on the output, not on the templates, so they
keep holding whichever renderer (template, Python, django-tables2) a page uses.
"""

import json
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils.html import escape

from calls.models import Direction, Outcome
from directory.models import Disclosure, ExtensionKind, Presence
from switchboard.roles import OPERATOR, SUPERVISOR
from tests.calls.factories_log import recent_today
from tests.factories import (
    CallerFactory,
    CallFactory,
    DepartmentFactory,
    ExtensionFactory,
    InfoEntryFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Pieces that would run if they came back unescaped.
RAW = ("<script>alert(", "<img src=x onerror=", "onerror=alert(2)>")
SEARCH_WORD = "xylo"  # every record's text starts with it, so searches find them


def payload(tag: str) -> str:
    return f"Xylo {tag} <script>alert('{tag}')</script><img src=x onerror=alert(2)>\"'"


def escaped(tag: str) -> str:
    """The part of the payload that must come back, escaped, where the field shows."""
    return escape(f"<script>alert('{tag}')</script>")


FIELDS = {
    "staff": ("full_name", "job_title", "aliases", "topics", "operator_notes", "presence_note"),
    "away": ("full_name", "presence_note"),
    "department": ("name",),
    "extension": ("label", "location"),
    "line": ("label", "location"),
    "room": ("label", "location"),
    "info": ("title", "keywords", "answer"),
    "caller": ("name", "company"),
    "call": ("caller_name", "caller_company", "purpose", "notes"),
}


def marked(kind: str) -> dict[str, str]:
    return {field: payload(f"{kind}.{field}") for field in FIELDS[kind]}


@pytest.fixture
def world(db):
    operator = UserFactory(username="op-x", roles=[OPERATOR])
    supervisor = UserFactory(username="sup-x", roles=[SUPERVISOR])
    department = DepartmentFactory(code="XYL", **marked("department"))
    department.main_extension = ExtensionFactory(
        number="4100", kind=ExtensionKind.DEPARTMENT, department=department, **marked("line")
    )
    department.save()
    ExtensionFactory(number="4190", kind=ExtensionKind.MEETING_ROOM, **marked("room"))
    staff = StaffFactory(department=department, **marked("staff"))
    desk = ExtensionFactory(number="4101", staff=staff, **marked("extension"))
    away = StaffFactory(
        department=department,
        presence=Presence.OUT,
        cover=staff,
        **marked("away"),
    )
    ExtensionFactory(number="4102", staff=away)
    info = InfoEntryFactory(owner=department, disclosure=Disclosure.PUBLIC, **marked("info"))
    caller = CallerFactory(number="+622155501234", **marked("caller"))
    started = recent_today()
    common = {"operator": operator, "caller": caller, "started_at": started, "ended_at": started}
    transferred = CallFactory(
        direction=Direction.INCOMING,
        outcome=Outcome.TRANSFERRED,
        asked_for_staff=staff,
        asked_for_department=department,
        transferred_to=desk,
        **common,
        **marked("call"),
    )
    answered = CallFactory(
        direction=Direction.INCOMING,
        outcome=Outcome.ANSWERED,
        info_entry=info,
        **common,
        **marked("call"),
    )
    placed = CallFactory(
        direction=Direction.OUTGOING,
        outcome=Outcome.CONNECTED,
        requested_by=away,
        **common,
        **marked("call"),
    )
    return {
        "users": {"operator": operator, "supervisor": supervisor},
        "department": department,
        "staff": staff,
        "away": away,
        "info": info,
        "caller": caller,
        "calls": {"transferred": transferred, "answered": answered, "placed": placed},
    }


def client_for(world, role) -> Client:
    client = Client()
    if role == "staff member":
        user = UserFactory(username="pegawai-x")
        world["away"].user = user
        world["away"].save()
    else:
        user = world["users"][role]
    client.force_login(user)
    return client


def call_url(name):
    return lambda w: f"/calls/{w['calls'][name].pk}/"


# (page, roles, url, HTMX request, fields that must show escaped; a tuple: one of them)
PAGES = [
    (
        "directory search",
        ("operator", "supervisor"),
        lambda w: f"/directory/?q={SEARCH_WORD}",
        False,
        ["staff.full_name", "department.name", "info.title", "away.presence_note"],
    ),
    (
        "directory search results (htmx)",
        ("operator",),
        lambda w: f"/directory/?q={SEARCH_WORD}",
        True,
        ["staff.full_name", "department.name", "info.title", "info.answer"],
    ),
    (
        "staff detail",
        ("operator", "supervisor"),
        lambda w: f"/directory/staff/{w['staff'].pk}/",
        False,
        [
            "staff.full_name",
            "staff.job_title",
            "staff.aliases",
            "staff.topics",
            "staff.operator_notes",
            "department.name",
            "extension.location",
        ],
    ),
    (
        "absent staff detail",
        ("operator",),
        lambda w: f"/directory/staff/{w['away'].pk}/",
        False,
        ["away.full_name", "away.presence_note", "staff.full_name"],
    ),
    (
        "department detail",
        ("operator", "supervisor"),
        lambda w: f"/directory/departments/{w['department'].pk}/",
        False,
        ["department.name", "staff.full_name"],
    ),
    (
        "info detail",
        ("operator", "supervisor"),
        lambda w: f"/directory/info/{w['info'].pk}/",
        False,
        ["info.title", "info.answer"],
    ),
    (
        "in/out board",
        ("operator", "supervisor", "staff member"),
        lambda w: "/directory/board/",
        False,
        ["staff.full_name", "away.full_name", "away.presence_note"],
    ),
    (
        "presence form",
        ("operator",),
        lambda w: f"/directory/staff/{w['away'].pk}/presence/",
        False,
        ["away.full_name", "away.presence_note"],
    ),
    (
        "presence form in the board row (htmx)",
        ("operator",),
        lambda w: f"/directory/staff/{w['away'].pk}/presence/",
        True,
        ["away.presence_note"],
    ),
    (
        "phone list",
        ("operator", "supervisor"),
        lambda w: "/directory/phone-list/",
        False,
        ["department.name", "staff.full_name", "staff.job_title"],
    ),
    (
        "directory search by number",
        ("operator",),
        lambda w: "/directory/?q=4190",
        True,
        ["room.label", "room.location"],
    ),
    (
        "console",
        ("operator",),
        lambda w: "/calls/console/",
        False,
        [("caller.name", "call.caller_name")],
    ),
    (
        "console search results (htmx)",
        ("operator",),
        lambda w: f"/calls/console/?q={SEARCH_WORD}",
        True,
        ["staff.full_name", "department.name", "info.title"],
    ),
    (
        "console search by number (htmx)",
        ("operator",),
        lambda w: "/calls/console/?q=4190",
        True,
        ["room.label", "room.location"],
    ),
    (
        "console caller lookup (htmx)",
        ("operator",),
        lambda w: f"/calls/console/caller/?number={quote('021 5550 1234')}",
        True,
        ["caller.name", "caller.company"],
    ),
    (
        "call log",
        ("operator", "supervisor"),
        lambda w: "/calls/",
        False,
        [("call.caller_name", "caller.name"), "staff.full_name"],
    ),
    (
        "transferred call",
        ("operator", "supervisor"),
        call_url("transferred"),
        False,
        ["call.caller_name", "call.purpose", "call.notes", "staff.full_name"],
    ),
    (
        "answered call",
        ("operator", "supervisor"),
        call_url("answered"),
        False,
        ["call.caller_name", "info.title"],
    ),
    (
        "placed call",
        ("operator", "supervisor"),
        call_url("placed"),
        False,
        ["call.caller_name", "away.full_name"],
    ),
    (
        "correcting the transferred call",
        ("operator", "supervisor"),
        lambda w: f"/calls/{w['calls']['transferred'].pk}/edit/",
        False,
        ["call.caller_name", "call.notes", "staff.full_name", "department.name"],
    ),
    (
        "correcting the answered call",
        ("operator", "supervisor"),
        lambda w: f"/calls/{w['calls']['answered'].pk}/edit/",
        False,
        ["call.purpose", "info.title"],
    ),
    (
        "correcting the placed call",
        ("operator", "supervisor"),
        lambda w: f"/calls/{w['calls']['placed'].pk}/edit/",
        False,
        ["call.caller_name", "away.full_name"],
    ),
    (
        "caller page",
        ("operator", "supervisor"),
        lambda w: f"/calls/callers/{w['caller'].pk}/",
        False,
        ["caller.name", "caller.company"],
    ),
]

CASES = [
    pytest.param(url, role, htmx, shows, id=f"{page} as {role}")
    for page, roles, url, htmx, shows in PAGES
    for role in roles
]


@pytest.mark.parametrize(("url", "role", "htmx", "shows"), CASES)
def test_stored_markup_comes_out_escaped(world, url, role, htmx, shows):
    client = client_for(world, role)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}

    response = client.get(url(world), **headers)

    assert response.status_code == 200
    body = response.content.decode()
    for raw in RAW:
        assert raw not in body, f"unescaped {raw!r} in the page"
    missing = [
        tags
        for tags in shows
        if not any(escaped(tag) in body for tag in (tags if isinstance(tags, tuple) else [tags]))
    ]
    assert not missing, f"not shown escaped: {missing}"


def test_the_search_api_returns_the_markup_as_data_in_valid_json(world):
    client = client_for(world, "operator")

    response = client.get("/api/directory/search", {"q": SEARCH_WORD})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    data = json.loads(response.content)
    text = json.dumps(data)
    # The stored text comes back as it was stored, as JSON strings, for the
    # client to escape where it shows them; never as markup the browser would run.
    for value in (
        payload("staff.full_name"),
        payload("department.name"),
        payload("info.title"),
    ):
        assert json.dumps(value)[1:-1] in text
