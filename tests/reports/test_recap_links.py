"""Every recap figure of the messages, the overdue complaints and the missed
calls links to a page that lists exactly the rows the figure counts: the
hand-made day of tests/reports/factories_recap.py, built into a recap, each
figure's link followed by a supervisor, its rows compared by id."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from messages_app.models import Complaint, MessageSlip
from reports.services.recap import recap_build
from tests.messages_app.factories import ComplaintFactory, SlipFactory
from tests.reports.factories_recap import D, at, recap_world, supervisor_user

pytestmark = pytest.mark.django_db


def links_of(response) -> dict[str, str]:
    """data-figure key -> href of the figures' links on the recap page."""
    html = response.content.decode()
    return {
        key: href.replace("&amp;", "&")
        for href, key in re.findall(r'<a href="([^"]+)" data-figure="([^"]+)">', html)
    }


def listed(response, attribute: str) -> set[int]:
    """The ids of the rows the page shows (data-<attribute>="<id>")."""
    return {int(pk) for pk in re.findall(rf'data-{attribute}="(\d+)"', response.content.decode())}


@pytest.fixture
def world():
    w = recap_world()
    # Late *now* (the build's "now" is the next day at noon) but not by the
    # day's end: neither counts among the day's overdue figures.
    w.late_later_slip = SlipFactory(created_at=at(D, 20), due_at=at(D + timedelta(days=1), 8))
    w.late_later_complaint = ComplaintFactory(
        status="new",
        created_at=at(D, 20),
        acknowledge_due_at=at(D + timedelta(days=1), 9),
        resolve_due_at=at(D + timedelta(days=3), 17),
    )
    return w


@pytest.fixture
def recap(world):
    return recap_build(day=D, now=world.now)


@pytest.fixture
def boss_client():
    client = Client()
    client.force_login(supervisor_user("boss"))
    return client


@pytest.fixture
def links(boss_client, recap):
    response = boss_client.get(reverse("reports:recap-detail", args=[D.isoformat()]))
    assert response.status_code == 200
    return links_of(response)


def test_every_message_figure_opens_exactly_its_slips(boss_client, links, recap, world):
    s = {
        s.created_at.astimezone(at(D, 0).tzinfo).hour: s.pk
        for s in MessageSlip.objects.filter(created_at__gte=at(D, 0), created_at__lt=at(D, 23, 59))
    }
    # Taken on D: 09:00 (delivered, acknowledged in time), 11:00 (escalated,
    # never acknowledged: late), 13:00 (acknowledged late, done), 20:00 (due
    # the next morning), 22:00 (delivered, due the next morning).
    expected = {
        "taken": {s[9], s[11], s[13], s[20], s[22]},
        "delivered": {s[9], s[22]},
        "acknowledged": {s[9], s[13]},
        "done": {s[13]},
        "overdue": {s[11], s[13]},
        "escalated": {s[11]},
    }
    figures = recap.figures["messages"]
    for key, ids in expected.items():
        url = links[f"messages.{key}"]
        assert url.startswith(reverse("messages_app:slip-list")), key
        response = boss_client.get(url)
        assert response.status_code == 200, key
        assert listed(response, "slip-id") == ids, key
        assert set(response.context["filter"].qs.values_list("pk", flat=True)) == ids, key
        assert figures[key] == len(ids), key


def test_overdue_complaints_open_exactly_those_late_by_the_days_end(
    boss_client, links, recap, world
):
    by_hour = {
        c.created_at.astimezone(at(D, 0).tzinfo).hour: c.pk
        for c in Complaint.objects.filter(created_at__gte=at(D, 0), created_at__lt=at(D, 23, 59))
    }
    # 09:00: never acknowledged, due 12:00; 10:00: resolved after its
    # deadline (resolved now, still late that day). Not 08:00 (in time) nor
    # 20:00 (late only since the next morning).
    expected = {by_hour[9], by_hour[10]}
    response = boss_client.get(links["complaints.overdue"])
    assert response.status_code == 200
    assert listed(response, "complaint-id") == expected
    assert recap.figures["complaints"]["overdue"] == len(expected)
    # The list's own "overdue" (late now) would differ: it has the 20:00 one
    # and not the resolved one.
    now_late = boss_client.get(
        reverse("messages_app:complaint-list"),
        {"date_from": D.isoformat(), "date_to": D.isoformat(), "overdue": "on"},
    )
    assert world.late_later_complaint.pk in listed(now_late, "complaint-id")


def test_escalated_complaints_open_exactly_the_escalated_ones(boss_client, links, recap):
    """The hand-made day has one complaint escalated (level 2) among several."""
    day = Complaint.objects.filter(created_at__gte=at(D, 0), created_at__lt=at(D, 23, 59))
    escalated = set(day.filter(escalation_level__gt=0).values_list("pk", flat=True))
    assert len(escalated) == 1 < day.count()
    response = boss_client.get(links["complaints.escalated"])
    assert response.status_code == 200
    assert listed(response, "complaint-id") == escalated
    assert recap.figures["complaints"]["escalated"] == len(escalated)


def test_missed_calls_in_total_open_exactly_the_missed_calls(boss_client, links, recap, world):
    c = world.calls
    expected = {c[n].pk for n in (1, 4, 5, 6)}  # no answer: 1, 5, 6; call back later: 4
    url = links["missed.total"]
    assert "outcome=no_answer" in url and "outcome=call_back" in url
    response = boss_client.get(url)
    assert response.status_code == 200
    assert set(response.context["filter"].qs.values_list("pk", flat=True)) == expected
    assert recap.figures["missed"]["total"] == len(expected)


def test_called_back_figures_have_no_link(links):
    # A call-back (a later outgoing call to the same number) is no call-log filter.
    assert "missed.called_back" not in links
    assert "missed.not_called_back" not in links
