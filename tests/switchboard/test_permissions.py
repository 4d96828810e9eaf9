"""Walks every URL the project resolves as each persona and checks the answer.

A URL that is not in EXPECTED (or, for the admin, not covered by the admin rule)
fails the test: a new page must say who may see it.
"""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from directory.models import ImportBatch, Presence
from tests.calls.factories_log import LogCallerFactory, LogCallFactory
from tests.factories import (
    DepartmentFactory,
    ExtensionFactory,
    InfoEntryFactory,
    StaffFactory,
    UserFactory,
)
from tests.messages_app.factories import ComplaintFactory, SlipFactory

PERSONAS = ("anonymous", "operator", "supervisor", "directory_admin", "staff", "outsider")
LOGIN = "login"  # a redirect to the log-in page
OK, REDIRECT, FORBIDDEN, UNAUTHORIZED, NOT_ALLOWED = 200, 302, 403, 401, 405

DIRECTORY_ROLES = {"operator": OK, "supervisor": OK, "directory_admin": OK}
DIRECTORY_ONLY = {"anonymous": LOGIN, **DIRECTORY_ROLES, "staff": FORBIDDEN, "outsider": FORBIDDEN}
# Staff members (a log-in linked to a Staff record) look colleagues up too;
# tests/directory/test_staff_access.py checks they never see internal answers.
DIRECTORY_READERS = {**DIRECTORY_ONLY, "staff": OK}
IMPORT_ONLY = {
    "anonymous": LOGIN,
    "operator": FORBIDDEN,
    "supervisor": FORBIDDEN,
    "directory_admin": OK,
    "staff": FORBIDDEN,
    "outsider": FORBIDDEN,
}
CONSOLE_ONLY = {**IMPORT_ONLY, "operator": OK, "directory_admin": FORBIDDEN}
CALL_LOG = {**CONSOLE_ONLY, "supervisor": OK}
ANY_USER = {"anonymous": LOGIN, **{p: OK for p in PERSONAS[1:]}}
EVERYONE = {p: OK for p in PERSONAS}


def only_post():
    """A POST-only action answers GET with 405 (after log-in); POST_EXPECTED
    says who may POST."""
    return {"anonymous": LOGIN, **{p: NOT_ALLOWED for p in PERSONAS[1:]}}


# Complaints: the desk records and reads them; supervisors work on any, a
# department's staff on their department's (the world's complaint is theirs).
COMPLAINT_READERS = {**CALL_LOG, "staff": OK}
COMPLAINT_WORK = {**COMPLAINT_READERS, "operator": FORBIDDEN, "supervisor": 422, "staff": 422}

# KPIs: supervisors see every operator's (reports.view_kpis); an operator their
# own (the URL names the operator persona) and nobody else's.
KPI_ALL = {**CONSOLE_ONLY, "operator": FORBIDDEN, "supervisor": OK}
KPI_OWN = {**KPI_ALL, "operator": OK}

# POST-only actions, posted to as each persona.
POST_EXPECTED = {
    # Nothing sent: the form comes back with its errors (422).
    "messages_app:complaint-status": COMPLAINT_WORK,
    "messages_app:complaint-assign": COMPLAINT_WORK,
    "messages_app:complaint-reroute": COMPLAINT_WORK,
    "messages_app:complaint-comment": COMPLAINT_WORK,
    # No complaints ticked: back to the list with the message.
    "messages_app:complaint-bulk": {**COMPLAINT_WORK, "supervisor": REDIRECT, "staff": REDIRECT},
    # Nothing named, nothing to save: the form again with its errors (422).
    "messages_app:complaint-filter-new": {
        **COMPLAINT_READERS,
        **{p: 422 for p in ("operator", "supervisor", "staff")},
    },
    # The id is a complaint's, no saved filter of theirs: 404 for those who see the list.
    "messages_app:complaint-filter-delete": {
        **COMPLAINT_READERS,
        **{p: 404 for p in ("operator", "supervisor", "staff")},
    },
    # No reason given: the supervisor gets the form back with the error (400).
    "calls:call-delete": {**CALL_LOG, "operator": FORBIDDEN, "supervisor": 400},
    # The admin's own batch: confirmed (or, once confirmed, refused) → back to a page.
    "directory:import-confirm": {**IMPORT_ONLY, "directory_admin": REDIRECT},
    "directory:import-cancel": {**IMPORT_ONLY, "directory_admin": REDIRECT},
    # A past month with no figures: signed off (back to the sheet); withdrawing
    # with no reason: the form again with its error (400).
    "reports:kpi-sign-off": {**KPI_ALL, "supervisor": REDIRECT},
    "reports:kpi-sign-off-withdraw": {**KPI_ALL, "supervisor": 400},
}

# Call quality (reports): supervisors review; operators (and supervisors, who
# clock in too) see their own reviews. No scorecard in this world: scoring a
# call answers 409 with the message; ids of no review or round: 404.
SUPERVISORS_ONLY = {**CALL_LOG, "operator": FORBIDDEN}
OWN_REVIEWS = {**CALL_LOG}
QUALITY_EXPECTED = {
    "reports:review-list": SUPERVISORS_ONLY,
    "reports:sample-propose": only_post(),
    # No call number given: back to the list with the message.
    "reports:review-find": {**SUPERVISORS_ONLY, "supervisor": REDIRECT},
    "reports:review-create": {**SUPERVISORS_ONLY, "supervisor": 409},
    "reports:review-detail": {**SUPERVISORS_ONLY, "supervisor": 404},
    "reports:review-edit": {**SUPERVISORS_ONLY, "supervisor": 404},
    "reports:review-decide": only_post(),
    "reports:my-reviews": OWN_REVIEWS,
    "reports:my-review-acknowledge": only_post(),
    "reports:my-review-dispute": only_post(),
    "reports:calibration-list": SUPERVISORS_ONLY,
    "reports:calibration-new": SUPERVISORS_ONLY,
    "reports:calibration-detail": {**SUPERVISORS_ONLY, "supervisor": 404},
    "reports:calibration-score": only_post(),
    "reports:calibration-close": only_post(),
}


# Roster, swaps, clock and attendance (reports): supervisors roster and
# correct; operators clock in and ask for swaps. An <int:pk> here is no swap
# or attendance day: 404 for those who may act on one.
ROSTER_NOBODY_ELSE = {"directory_admin": FORBIDDEN, "staff": FORBIDDEN, "outsider": FORBIDDEN}
ROSTER_SUPERVISORS = {
    "anonymous": LOGIN,
    "operator": FORBIDDEN,
    "supervisor": OK,
    **ROSTER_NOBODY_ELSE,
}


def _roster_answers(operator, supervisor):
    return {
        "anonymous": LOGIN,
        "operator": operator,
        "supervisor": supervisor,
        **ROSTER_NOBODY_ELSE,
    }


ROSTER_EXPECTED = {
    "reports:roster-week": ROSTER_SUPERVISORS,
    "reports:roster-cell": only_post(),
    "reports:roster-copy": only_post(),
    "reports:swap-list": ROSTER_SUPERVISORS,
    "reports:swap-new": only_post(),
    "reports:swap-decide": only_post(),
    "reports:swap-answer": only_post(),
    "reports:swap-cancel": only_post(),
    # Supervisors have the operators' permissions too; their page is empty.
    "reports:my-schedule": _roster_answers(OK, OK),
    "reports:clock-in": only_post(),
    "reports:clock-out": only_post(),
    "reports:attendance-day": ROSTER_SUPERVISORS,
    # No operator or day given: nothing to correct.
    "reports:attendance-correct": _roster_answers(FORBIDDEN, 404),
    "reports:attendance-withdraw": only_post(),
}

ROSTER_POST_EXPECTED = {
    # Nothing sent: the cell's reason (422); the copy's message and back (302).
    "reports:roster-cell": _roster_answers(FORBIDDEN, 422),
    "reports:roster-copy": _roster_answers(FORBIDDEN, REDIRECT),
    # Nothing chosen: the operator's page again with the errors.
    "reports:swap-new": _roster_answers(422, 422),
    "reports:swap-decide": _roster_answers(FORBIDDEN, 404),
    "reports:swap-answer": _roster_answers(404, 404),
    "reports:swap-cancel": _roster_answers(404, 404),
    # The clock is the operators' (back to the page they were on).
    "reports:clock-in": _roster_answers(REDIRECT, FORBIDDEN),
    "reports:clock-out": _roster_answers(REDIRECT, FORBIDDEN),
    "reports:attendance-withdraw": _roster_answers(FORBIDDEN, 404),
}

POST_EXPECTED.update(ROSTER_POST_EXPECTED)

# Issue 10: phone-line incidents (operators read them, supervisors log and
# close them), the shift handover (operators, and supervisors who have the
# operators' permissions; no such handover or incident in this world: 404),
# the supervisors' handover list and dashboard.
DESK_EXPECTED = {
    "calls:incident-list": {**SUPERVISORS_ONLY, "operator": OK},
    "calls:incident-new": SUPERVISORS_ONLY,
    "calls:incident-edit": {**SUPERVISORS_ONLY, "supervisor": 404},
    "calls:incident-close": {**SUPERVISORS_ONLY, "supervisor": 404},
    "reports:handover": _roster_answers(OK, OK),
    "reports:handover-list": ROSTER_SUPERVISORS,
    "reports:handover-detail": _roster_answers(404, 404),
    "reports:handover-acknowledge": only_post(),
    "reports:dashboard": ROSTER_SUPERVISORS,
    # The daily recaps: supervisors only; no recap on the world's day, so the
    # exports answer 404 (the page itself offers to build it).
    "reports:recap-list": KPI_ALL,
    "reports:recap-detail": KPI_ALL,
    "reports:recap-xlsx": {**KPI_ALL, "supervisor": 404},
    "reports:recap-csv": {**KPI_ALL, "supervisor": 404},
    "reports:recap-build": only_post(),
    "reports:recap-comment": only_post(),
    "reports:recap-review": only_post(),
    "reports:recap-sign-off": only_post(),
}
POST_EXPECTED["reports:handover-acknowledge"] = _roster_answers(404, 404)

EXPECTED = {
    **QUALITY_EXPECTED,
    **ROSTER_EXPECTED,
    **DESK_EXPECTED,
    "home": {"anonymous": LOGIN, **{p: REDIRECT for p in PERSONAS[1:]}},
    "healthz": EVERYONE,
    # The icon for pages that link none: a redirect to the static SVG, no log-in.
    "favicon": {p: REDIRECT for p in PERSONAS},
    "login": EVERYONE,
    "logout": {"anonymous": LOGIN, **{p: NOT_ALLOWED for p in PERSONAS[1:]}},
    "password_change": ANY_USER,
    "password_change_done": ANY_USER,
    "set_language": {p: REDIRECT for p in PERSONAS},
    "directory:search": DIRECTORY_READERS,
    "directory:staff-detail": DIRECTORY_READERS,
    "directory:department-detail": DIRECTORY_READERS,
    # A public answer; an internal one is 404 for a staff member.
    "directory:info-detail": DIRECTORY_READERS,
    "directory:board": DIRECTORY_READERS,
    # The object is somebody else: staff may change only their own presence.
    "directory:presence-edit": DIRECTORY_ONLY,
    "directory-api:search": {**DIRECTORY_READERS, "anonymous": UNAUTHORIZED},
    "directory:phone-list": DIRECTORY_READERS,
    "directory:import": IMPORT_ONLY,
    "directory:import-preview": IMPORT_ONLY,
    "directory:import-confirm": only_post(),
    "directory:import-cancel": only_post(),
    "directory:export": IMPORT_ONLY,
    "directory:import-template": IMPORT_ONLY,
    # Calls: the console is the operators'; the log is operators' and supervisors'.
    "calls:console": CONSOLE_ONLY,
    "calls:caller-lookup": CONSOLE_ONLY,
    "calls:call-list": CALL_LOG,
    "calls:call-export": {**CALL_LOG, "operator": FORBIDDEN},  # calls.export_call
    "calls:call-detail": CALL_LOG,
    "calls:caller-detail": CALL_LOG,
    # The call was taken by another operator: only a supervisor may correct it.
    "calls:call-edit": {**CALL_LOG, "operator": FORBIDDEN},
    "calls:call-delete": only_post(),
    "reports:kpi-month": KPI_ALL,
    "reports:my-kpis": KPI_OWN,
    "reports:kpi-sheet": KPI_OWN,
    "reports:kpi-sheet-xlsx": KPI_OWN,
    "reports:kpi-sign-off": only_post(),
    "reports:kpi-sign-off-withdraw": only_post(),
    # Supervisors only (messages_app.act_on_any_complaint).
    "messages_app:escalations": {**CALL_LOG, "operator": FORBIDDEN},
    "messages_app:complaint-create": CALL_LOG,
    "messages_app:complaint-route-preview": CALL_LOG,
    "messages_app:complaint-queue": COMPLAINT_READERS,
    # The list (a department's staff see their department's), its report and
    # saved filters; exporting is the supervisors' (messages_app.export_complaint).
    "messages_app:complaint-list": COMPLAINT_READERS,
    "messages_app:complaint-report": COMPLAINT_READERS,
    "messages_app:complaint-export": {**CALL_LOG, "operator": FORBIDDEN},
    "messages_app:complaint-filter-new": COMPLAINT_READERS,
    "messages_app:complaint-filter-delete": only_post(),
    "messages_app:complaint-detail": COMPLAINT_READERS,
    "messages_app:complaint-status": only_post(),
    "messages_app:complaint-assign": only_post(),
    "messages_app:complaint-reroute": only_post(),
    "messages_app:complaint-comment": only_post(),
    "messages_app:complaint-bulk": only_post(),
    # Message slips: the desk takes them and has the board; staff members their
    # own (the slip in `world` is for someone else: 404 for them); the unread
    # badge answers anyone; an acknowledge link needs no log-in (this one is
    # not valid: 400).
    "messages_app:slip-new": CALL_LOG,
    "messages_app:slip-board": CALL_LOG,
    "messages_app:slip-list": CALL_LOG,  # the desk and supervisors, as the board
    "messages_app:slip-mine": {**CALL_LOG, "staff": OK},
    "messages_app:slip-unread": ANY_USER,
    "messages_app:slip-detail": {**CALL_LOG, "staff": 404},
    "messages_app:slip-reroute": {**CALL_LOG, "staff": 404},
    "messages_app:slip-acknowledge": only_post(),
    "messages_app:slip-done": only_post(),
    "messages_app:slip-resend": only_post(),
    "messages_app:slip-ack": {p: 400 for p in PERSONAS},
}


def walk(resolver=None, prefix="", namespace=""):
    """Yield (url name, route pattern) for every URL the project resolves; an
    unnamed URL is named after its namespace ("admin:" for the admin's redirects)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name or ''}" if namespace else entry.name
            yield name, prefix + str(entry.pattern)


@pytest.fixture
def world(db, staff_member, operator, supervisor, directory_admin, outsider):
    department = DepartmentFactory(name="Pajak", code="TAX")
    person = StaffFactory(full_name="Budi Santoso", department=department, presence=Presence.OUT)
    ExtensionFactory(number="2104", staff=person)
    entry = InfoEntryFactory(title="Jam kerja")
    call = LogCallFactory(caller=LogCallerFactory())
    batch = ImportBatch.objects.create(kind="staff", created_by=directory_admin)
    complaint = ComplaintFactory(department=staff_member.staff_profile.department)
    slip = SlipFactory(for_staff=person, taken_by=operator)
    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    users = {
        "operator": operator,
        "supervisor": supervisor,
        "directory_admin": directory_admin,
        "staff": staff_member,
        "outsider": outsider,
    }
    return {
        "users": users,
        "superuser": admin_user,
        "objects": {
            "staff": person,
            "department": department,
            "info": entry,
            "call": call,
            "batch": batch,
            "complaint": complaint,
            "slip": slip,
        },
    }


def concrete(route: str, name: str, world) -> str:
    """Fill a route's converters with ids of real objects."""
    objects = world["objects"]
    call = objects["call"]
    pk = {
        "directory:department-detail": objects["department"].pk,
        "directory:info-detail": objects["info"].pk,
        "calls:call-detail": call.pk,
        "calls:call-edit": call.pk,
        "calls:call-delete": call.pk,
        "calls:caller-detail": call.caller_id,
        "directory:import-preview": objects["batch"].pk,
        "directory:import-confirm": objects["batch"].pk,
        "directory:import-cancel": objects["batch"].pk,
        "messages_app:slip-detail": objects["slip"].pk,
        "messages_app:slip-reroute": objects["slip"].pk,
    }.get(name, objects["staff"].pk)
    if name.startswith("messages_app:complaint-"):
        pk = objects["complaint"].pk
    path = route
    for token, value in (
        ("<int:pk>", str(pk)),
        ("<int:batch_id>", "1"),
        ("<int:call_id>", str(call.pk)),
        ("<path:object_id>", str(objects["staff"].pk)),
        ("<int:user_id>", "1"),
        ("<str:kind>", "staff"),
        ("<slug:kind>", "staff"),
        ("<str:fmt>", "csv"),
        ("<slug:fmt>", "csv"),
        ("<str:token>", "not-a-token"),
        ("<int:operator_id>", str(world["users"]["operator"].pk)),
        ("<str:month>", "2025-03"),
        ("<str:day>", "2025-03-03"),
    ):
        path = path.replace(token, value)
    if "<" in path or "(?P" in path or "^" in path:
        return ""  # a regex or unknown converter: handled by the caller
    return "/" + path


def test_every_url_answers_each_persona_as_expected(world):
    seen, problems, unknown = set(), [], []
    for name, route in walk():
        if name and name.startswith("admin:"):
            continue  # covered by the admin test below
        if name not in EXPECTED:
            unknown.append(f"{name} ({route})")
            continue
        seen.add(name)
        url = concrete(route, name, world)
        assert url, f"cannot build a URL for {name}: {route}"
        for persona in PERSONAS:
            client = Client()
            if persona != "anonymous":
                client.force_login(world["users"][persona])
            response = client.get(url)
            expected = EXPECTED[name][persona]
            if not answers(response, expected):
                problems.append(f"{name} as {persona}: got {response.status_code}, want {expected}")
    assert not unknown, f"URLs without an access rule in EXPECTED: {unknown}"
    assert not problems, "\n".join(problems)
    assert seen == set(EXPECTED), (
        f"EXPECTED names URLs that no longer exist: {set(EXPECTED) - seen}"
    )


def answers(response, expected) -> bool:
    if expected == LOGIN:
        return response.status_code == 302 and "/accounts/login/" in response["Location"]
    return response.status_code == expected


def test_post_only_actions_answer_each_persona_as_expected(world):
    routes = dict(walk())
    problems = []
    for name, expected in POST_EXPECTED.items():
        url = concrete(routes[name], name, world)
        for persona in PERSONAS:
            client = Client()
            if persona != "anonymous":
                client.force_login(world["users"][persona])
            response = client.post(url)
            if not answers(response, expected[persona]):
                problems.append(
                    f"POST {name} as {persona}: got {response.status_code}, "
                    f"want {expected[persona]}"
                )
    assert not problems, "\n".join(problems)


def test_admin_pages_require_a_staff_account(world):
    """Every admin URL sends non-admin personas to the admin log-in; the
    directory admin and a superuser reach the directory pages."""
    routes = [(n, r) for n, r in walk() if n and n.startswith("admin:")]
    assert routes
    problems = []
    for name, route in routes:
        url = concrete(route, name, world)
        if not url:
            continue
        for persona in ("anonymous", "operator", "supervisor", "staff", "outsider"):
            client = Client()
            if persona != "anonymous":
                client.force_login(world["users"][persona])
            if name in {"admin:login", "admin:logout"}:
                continue  # open to everyone
            response = client.get(url)
            # Anonymous users meet the site log-in first; signed-in non-admins the
            # admin's own log-in page.
            if not (response.status_code == 302 and "login/" in response["Location"]):
                problems.append(f"{name} as {persona}: {response.status_code}")
        client = Client()
        client.force_login(world["superuser"])
        response = client.get(url)
        if response.status_code >= 500:
            problems.append(f"{name} as superuser: {response.status_code}")
    assert not problems, "\n".join(problems)
    client = Client()
    client.force_login(world["users"]["directory_admin"])
    for model in ("department", "staff", "extension", "infoentry"):
        assert client.get(f"/admin/directory/{model}/").status_code == 200, model
    assert client.get("/admin/auth/user/").status_code == 403
