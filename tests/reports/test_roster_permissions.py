"""Every roster and attendance URL answers each persona as
tests/reports/permissions_roster.py says (the project-wide walk's rules)."""

import pytest
from django.test import Client

from tests.reports.permissions_roster import ROSTER_EXPECTED, ROSTER_POST_EXPECTED
from tests.switchboard.test_permissions import PERSONAS, answers, concrete, walk, world  # noqa: F401

pytestmark = pytest.mark.django_db


def _problems(the_world, expected_by_name, method):
    routes = dict(walk())
    problems = []
    for name, expected in expected_by_name.items():
        url = concrete(routes[name], name, the_world)
        for persona in PERSONAS:
            client = Client()
            if persona != "anonymous":
                client.force_login(the_world["users"][persona])
            response = getattr(client, method)(url)
            if not answers(response, expected[persona]):
                problems.append(
                    f"{method.upper()} {name} as {persona}: got {response.status_code}, "
                    f"want {expected[persona]}"
                )
    return problems


def test_every_roster_url_is_covered():
    names = {name for name, _route in walk() if name and name.startswith("reports:")}
    roster = {n for n in names if n in ROSTER_EXPECTED}
    assert roster == set(ROSTER_EXPECTED)


def test_each_persona_gets_what_the_rules_say(world):  # noqa: F811
    assert _problems(world, ROSTER_EXPECTED, "get") == []


def test_each_persona_posting_gets_what_the_rules_say(world):  # noqa: F811
    assert _problems(world, ROSTER_POST_EXPECTED, "post") == []
