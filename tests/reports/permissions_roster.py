"""Who may reach the roster and attendance pages, in the shape of
tests/switchboard/test_permissions.py's EXPECTED and POST_EXPECTED, so the
project-wide walk can take them in (EXPECTED.update(ROSTER_EXPECTED),
POST_EXPECTED.update(ROSTER_POST_EXPECTED)); tests/reports/test_roster_permissions.py
checks them meanwhile. An <int:pk> in these routes is filled with an id that is
no swap or attendance day: 404 for those who may act on one."""

from tests.switchboard.test_permissions import FORBIDDEN, LOGIN, OK, REDIRECT, only_post

NOBODY_ELSE = {"directory_admin": FORBIDDEN, "staff": FORBIDDEN, "outsider": FORBIDDEN}
SUPERVISORS = {"anonymous": LOGIN, "operator": FORBIDDEN, "supervisor": OK, **NOBODY_ELSE}


def _answers(operator, supervisor):
    return {"anonymous": LOGIN, "operator": operator, "supervisor": supervisor, **NOBODY_ELSE}


ROSTER_EXPECTED = {
    "reports:roster-week": SUPERVISORS,
    "reports:roster-cell": only_post(),
    "reports:roster-copy": only_post(),
    "reports:swap-list": SUPERVISORS,
    "reports:swap-new": only_post(),
    "reports:swap-decide": only_post(),
    "reports:swap-answer": only_post(),
    "reports:swap-cancel": only_post(),
    # Supervisors have the operators' permissions too; their page is empty.
    "reports:my-schedule": _answers(OK, OK),
    "reports:clock-in": only_post(),
    "reports:clock-out": only_post(),
    "reports:attendance-day": SUPERVISORS,
    # No operator or day given: nothing to correct.
    "reports:attendance-correct": _answers(FORBIDDEN, 404),
    "reports:attendance-withdraw": only_post(),
}

ROSTER_POST_EXPECTED = {
    # Nothing sent: the cell's reason (422); the copy's message and back (302).
    "reports:roster-cell": _answers(FORBIDDEN, 422),
    "reports:roster-copy": _answers(FORBIDDEN, REDIRECT),
    # Nothing chosen: the operator's page again with the errors.
    "reports:swap-new": _answers(422, 422),
    "reports:swap-decide": _answers(FORBIDDEN, 404),
    "reports:swap-answer": _answers(404, 404),
    "reports:swap-cancel": _answers(404, 404),
    # The clock is the operators' (back to the page they were on).
    "reports:clock-in": _answers(REDIRECT, FORBIDDEN),
    "reports:clock-out": _answers(REDIRECT, FORBIDDEN),
    "reports:attendance-withdraw": _answers(FORBIDDEN, 404),
}
