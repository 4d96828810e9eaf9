"""Message slip pages: a slip on its own, "My messages", the slip page, the
actions from a list (HTMX) or a page, who sees what, and the unread badge in
the navigation."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from messages_app.models import MessageSlip, RecipientRole, SlipRecipient, SlipStatus
from messages_app.services.slips import SendTo, slip_acknowledge, slip_create
from switchboard.roles import DIRECTORY_ADMIN, SUPERVISOR
from tests.factories import StaffFactory, UserFactory
from tests.messages_app.slip_helpers import make_desk

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
NEW = reverse("messages_app:slip-new")
MINE = reverse("messages_app:slip-mine")


@pytest.fixture
def desk(db):
    return make_desk()


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def op(desk):
    return client_for(desk.operator)


@pytest.fixture
def budi(desk):
    return client_for(desk.budi.user)


def take(desk, **kwargs):
    fields = {
        "taken_by": desk.operator,
        "message": "Tolong telepon balik",
        "for_staff": desk.budi,
        "caller_name": "Pak Joko",
        "caller_number": "0812-3456-7890",
    }
    return slip_create(**{**fields, **kwargs})


# A slip on its own ----------------------------------------------------------------


def test_the_desk_takes_a_message_on_its_own(desk, op):
    page = op.get(NEW)
    assert page.status_code == 200
    html = page.content.decode()
    assert "data-picker" in html and 'name="for_staff_text"' in html
    assert "js/picker.js" in html

    response = op.post(
        NEW,
        {
            "for_staff": desk.budi.pk,
            "for_staff_text": "Budi Santoso · Keuangan",
            "send_to": "both",
            "caller_name": "Ibu Tamu",
            "caller_company": "CV Sejahtera",
            "caller_number": "0812 9999 0000",
            "message": "Menitipkan dokumen di resepsionis",
            "urgency": "high",
            "mood": "calm",
            "callback_time": "",
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == NEW
    assert "Message for Budi Santoso saved (sent to Budi Santoso, Sari Wulandari)." in (
        response.content.decode()
    )
    slip = MessageSlip.objects.get()
    assert (slip.taken_by, slip.call, slip.urgency) == (desk.operator, None, "high")
    assert slip.caller_number.as_e164 == "+6281299990000"
    assert slip.slip_recipients.count() == 2


def test_a_slip_for_a_department_from_the_page(desk, op):
    op.post(
        NEW,
        {
            "for_department": desk.finance.pk,
            "send_to": "person",
            "message": "Kurir menunggu",
            "urgency": "normal",
            "mood": "calm",
        },
    )

    assert MessageSlip.objects.get().for_department == desk.finance


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"message": "Halo"}, "for_staff", "Say whom the message is for"),
        ({"for_staff": "1", "for_staff_text": "Budi", "message": ""}, "message", "Write down"),
        ({"for_staff_text": "Budi", "message": "Halo"}, "for_staff", "Choose from the list"),
        (
            {"for_staff": "1", "for_staff_text": "Budi", "message": "Hi", "caller_number": "12"},
            "caller_number",
            "valid phone number",
        ),
    ],
)
def test_a_bad_slip_comes_back_with_the_error_next_to_the_field(desk, op, data, field, text):
    data = {"send_to": "person", "urgency": "normal", "mood": "calm", **data}
    if data.get("for_staff") == "1":
        data["for_staff"] = str(desk.budi.pk)

    response = op.post(NEW, data)

    assert response.status_code == 422
    form = response.context["form"]
    assert text in " ".join(form.errors[field])
    assert text in response.content.decode()
    assert not MessageSlip.objects.exists()


@pytest.mark.parametrize("who", ["staff", "outsider", "admin"])
def test_only_the_desk_takes_messages_on_their_own(desk, who):
    user = {
        "staff": lambda: desk.budi.user,
        "outsider": lambda: UserFactory(username="nobody"),
        "admin": lambda: UserFactory(username="da", roles=[DIRECTORY_ADMIN]),
    }[who]()

    client = client_for(user)

    assert client.get(NEW).status_code == 403
    assert client.post(NEW, {"message": "x"}).status_code == 403


# My messages ------------------------------------------------------------------


def test_staff_see_their_own_copied_and_departments_messages_new_first(desk, budi):
    old = take(desk, message="Pesan lama yang sudah dibaca")
    SlipRecipient.objects.filter(slip=old).update(read_at=old.created_at)
    mine = take(desk, message="Pesan untuk Budi")
    department = take(desk, for_staff=None, for_department=desk.finance, message="Untuk Keuangan")
    other = StaffFactory(full_name="Orang Lain", department=desk.marketing)
    copied = take(desk, for_staff=other, message="Tembusan untuk Budi")
    SlipRecipient.objects.create(slip=copied, staff=desk.budi, role=RecipientRole.ESCALATION)
    elsewhere = take(desk, for_staff=other, message="Bukan untuk Budi")

    response = budi.get(MINE)

    assert response.status_code == 200
    shown = [s.pk for s in response.context["open"]]
    assert set(shown) == {old.pk, mine.pk, department.pk, copied.pk}
    assert elsewhere.pk not in shown
    # Unread first (Budi's copies), then the rest, newest first.
    assert shown[-1] in (old.pk, department.pk) and shown.index(copied.pk) < shown.index(old.pk)
    html = response.content.decode()
    assert "Bukan untuk Budi" not in html and "Tembusan untuk Budi" in html


def test_done_messages_show_under_recently_done(desk, budi):
    slip = take(desk)
    slip_acknowledge(slip=slip, by=desk.budi.user)
    from messages_app.services.slips import slip_done

    slip_done(slip=MessageSlip.objects.get(), by=desk.budi.user, note="Sudah ditelepon")

    response = budi.get(MINE)

    assert [s.pk for s in response.context["recent"]] == [slip.pk]
    assert response.context["open"] == []


def test_the_desk_without_a_staff_record_sees_what_it_took(desk, op):
    taken = take(desk)
    take(desk, taken_by=UserFactory(username="op2"))

    response = op.get(MINE)

    assert [s.pk for s in response.context["open"]] == [taken.pk]


def test_an_outsider_has_no_messages_page(desk):
    assert client_for(UserFactory(username="nobody")).get(MINE).status_code == 403


@pytest.mark.parametrize("count", [1, 50])
def test_my_messages_take_a_constant_number_of_queries(
    desk, budi, count, django_assert_num_queries
):
    for i in range(count):
        take(desk, message=f"Pesan {i}", send_to=SendTo.BOTH if i % 2 else SendTo.PERSON)

    # Session, user, Budi's Staff record, permissions (none), open, recent, the badge.
    with django_assert_num_queries(7):
        response = budi.get(MINE)
    assert len(response.context["open"]) == count


# The slip page ----------------------------------------------------------------


def test_the_recipient_opens_it_and_it_is_read(desk, budi):
    slip = take(desk)

    response = budi.get(slip.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "Tolong telepon balik" in html and 'href="tel:+6281234567890"' in html
    assert slip.slip_recipients.get(staff=desk.budi).read_at is not None
    assert [e.kind for e in response.context["events"]] == ["created", "read"]
    assert "Read" in html
    # The delivery log: the e-mail to Budi (eager tasks: sent already).
    assert [(n.channel, n.address) for n in response.context["notifications"]] == [
        ("email", desk.budi.email)
    ]


def test_who_may_see_a_slip_page(desk):
    slip = take(desk, send_to=SendTo.BOTH)
    supervisor = UserFactory(username="sup", roles=[SUPERVISOR])

    assert client_for(desk.operator).get(slip.get_absolute_url()).status_code == 200
    assert client_for(supervisor).get(slip.get_absolute_url()).status_code == 200
    assert client_for(desk.sari.user).get(slip.get_absolute_url()).status_code == 200  # cover
    # A colleague in the same department (a slip for Budi is not the department's).
    assert client_for(desk.head.user).get(slip.get_absolute_url()).status_code == 404
    assert client_for(desk.rina.user).get(slip.get_absolute_url()).status_code == 404
    assert client_for(UserFactory(username="x")).get(slip.get_absolute_url()).status_code == 403
    missing = reverse("messages_app:slip-detail", args=[slip.pk + 100])
    assert client_for(desk.operator).get(missing).status_code == 404


def test_the_desk_reading_a_slip_does_not_mark_it_read(desk, op):
    slip = take(desk)

    op.get(slip.get_absolute_url())

    assert slip.slip_recipients.get().read_at is None


# Actions ----------------------------------------------------------------------


def _ack(client, slip, **data):
    url = reverse("messages_app:slip-acknowledge", args=[slip.pk])
    return client.post(url, {"version": slip.version, "row": "mine", **data}, **HTMX)


def test_acknowledging_from_my_messages_answers_with_the_row_and_the_badge(desk, budi):
    slip = take(desk)
    take(desk, message="another one")

    response = _ack(budi, slip)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-slip-id="{slip.pk}"' in html and "Acknowledged" in html
    assert 'id="slip-unread-badge"' in html and 'hx-swap-oob="true"' in html
    assert re.search(r'id="slip-unread-badge"[^>]*>1<', html)  # the other one
    slip.refresh_from_db()
    assert slip.status == SlipStatus.ACKNOWLEDGED and slip.acknowledged_by == desk.budi.user


def test_a_stale_row_is_a_conflict_that_shows_the_slip_as_it_stands(desk, budi, op):
    slip = take(desk)
    slip_acknowledge(slip=MessageSlip.objects.get(), by=desk.operator)

    response = _ack(budi, slip)  # version 1, seen before the operator acted

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this message" in html and "Acknowledged" in html
    assert MessageSlip.objects.get().events.filter(kind="acknowledged").count() == 1


def test_a_refused_step_answers_422_with_the_reason(desk, budi):
    slip = take(desk)
    slip_acknowledge(slip=slip, by=desk.budi.user)
    slip.refresh_from_db()

    response = _ack(budi, slip)

    assert response.status_code == 422
    assert "already acknowledged" in response.content.decode()


def test_done_with_a_note_from_a_page_redirects_back_with_a_message(desk, budi):
    slip = take(desk)
    url = reverse("messages_app:slip-done", args=[slip.pk])

    response = budi.post(url, {"version": 1, "note": "Sudah ditelepon balik"}, follow=True)

    assert response.redirect_chain[-1][0] == slip.get_absolute_url()
    assert "Message for Budi Santoso done." in response.content.decode()
    slip.refresh_from_db()
    assert (slip.status, slip.done_note) == (SlipStatus.DONE, "Sudah ditelepon balik")


def test_actions_refuse_those_who_may_not(desk):
    slip = take(desk)
    rina, outsider = client_for(desk.rina.user), client_for(UserFactory(username="x"))

    for name in ("slip-acknowledge", "slip-done", "slip-resend", "slip-reroute"):
        url = reverse(f"messages_app:{name}", args=[slip.pk])
        assert rina.post(url, {"version": 1}).status_code == 404
        assert outsider.post(url, {"version": 1}).status_code == 403
    slip.refresh_from_db()
    assert slip.status == SlipStatus.NEW and slip.version == 1


def test_actions_are_post_only(desk, op):
    slip = take(desk)

    for name in ("slip-acknowledge", "slip-done", "slip-resend"):
        assert op.get(reverse(f"messages_app:{name}", args=[slip.pk])).status_code == 405


@pytest.mark.parametrize("version", ["abc", "99999999999999999999999", ""])
def test_odd_versions_never_cause_a_500(desk, budi, version):
    slip = take(desk)

    response = budi.post(
        reverse("messages_app:slip-acknowledge", args=[slip.pk]),
        {"version": version, "row": "mine"},
        **HTMX,
    )

    assert response.status_code in (200, 409)


def test_only_a_safe_next_is_followed(desk, budi):
    slip = take(desk)
    url = reverse("messages_app:slip-acknowledge", args=[slip.pk])

    response = budi.post(url, {"version": 1, "next": "https://evil.example.com/"})

    assert response["Location"] == slip.get_absolute_url()


def test_the_reroute_page(desk, op):
    slip = take(desk)
    url = reverse("messages_app:slip-reroute", args=[slip.pk])

    page = op.get(url)
    assert page.status_code == 200 and "data-picker" in page.content.decode()
    refused = op.post(url, {"for_staff": desk.rina.pk, "for_staff_text": "Rina", "version": 1})
    assert refused.status_code == 422 and "Say why" in refused.content.decode()

    response = op.post(
        url,
        {"for_staff": desk.rina.pk, "for_staff_text": "Rina", "reason": "her client", "version": 1},
    )

    assert response.status_code == 302
    slip.refresh_from_db()
    assert slip.for_staff == desk.rina


# The unread badge ---------------------------------------------------------------


def _badge(html):
    match = re.search(r'<span id="slip-unread-badge"[^>]*?( hidden)?>(\d+)<', html)
    return (match.group(1) is None, int(match.group(2))) if match else None


def test_the_navigation_shows_how_many_messages_are_unread(desk, budi):
    assert _badge(budi.get(reverse("directory:board")).content.decode()) == (False, 0)
    slips = [take(desk, message=f"Pesan {i}") for i in range(3)]
    slip_acknowledge(slip=slips[0], by=desk.budi.user)  # read by acting on it

    html = budi.get(reverse("directory:board")).content.decode()

    assert _badge(html) == (True, 2)
    assert "My messages" in html


def test_the_badge_counts_only_open_messages_sent_to_you(desk, budi):
    take(desk, for_staff=None, for_department=desk.finance)  # to the head, not Budi
    take(desk, for_staff=desk.rina)
    from messages_app.services.slips import slip_done

    slip_done(slip=take(desk), by=desk.operator)

    assert _badge(budi.get(MINE).content.decode()) == (False, 0)


def test_the_badge_alone(desk, budi):
    take(desk)

    response = budi.get(reverse("messages_app:slip-unread"))

    assert _badge(response.content.decode()) == (True, 1)


@pytest.mark.parametrize("unread", [1, 30])
def test_the_badge_costs_one_query_on_every_page(desk, budi, unread, django_assert_num_queries):
    for i in range(unread):
        take(desk, message=f"Pesan {i}")

    # The in/out board for a staff member (tests/directory/test_presence.py,
    # BOARD_QUERIES + 1), the badge's one COUNT among them, whatever the count.
    with django_assert_num_queries(10):
        html = budi.get(reverse("directory:board")).content.decode()
    assert _badge(html) == (True, unread)


def test_partials_without_the_navigation_do_not_count(desk, op, django_assert_num_queries):
    take(desk)

    # The console's type-ahead: session, user, permissions, the search's own.
    with django_assert_num_queries(3):
        op.get(reverse("calls:console"), {"q": ""}, **HTMX)


def test_the_desk_sees_the_board_entry_and_staff_do_not(desk, op, budi):
    board = reverse("messages_app:slip-board")

    assert board in op.get(MINE).content.decode()
    assert board not in budi.get(MINE).content.decode()


# Admin ----------------------------------------------------------------------------


@pytest.fixture
def superuser_client(desk):
    return client_for(UserFactory(username="root", is_staff=True, is_superuser=True))


def test_the_admin_lists_searches_and_shows_slips_read_only(desk, superuser_client):
    slip = take(desk, send_to=SendTo.BOTH)
    take(desk, caller_number="0813 1111 2222", message="Dari nomor lain")
    changelist = reverse("admin:messages_app_messageslip_changelist")

    listed = superuser_client.get(changelist)
    found = superuser_client.get(changelist, {"q": "0812-3456-7890"})
    page = superuser_client.get(reverse("admin:messages_app_messageslip_change", args=[slip.pk]))

    assert listed.status_code == 200 and "Budi Santoso" in listed.content.decode()
    assert list(found.context["cl"].result_list) == [slip]
    assert page.status_code == 200
    html = page.content.decode()
    assert "Sari Wulandari" in html and "created" in html  # recipients and timeline
    assert 'name="_save"' not in html
    assert superuser_client.get(reverse("admin:messages_app_messageslip_add")).status_code == 403
    edit = superuser_client.post(
        reverse("admin:messages_app_messageslip_change", args=[slip.pk]), {"status": "done"}
    )
    assert edit.status_code == 403
    slip.refresh_from_db()
    assert slip.status == SlipStatus.NEW


def test_directory_admins_keep_the_urgency_limits(desk):
    from messages_app.models import UrgencyLimit

    admin = client_for(UserFactory(username="da", roles=[DIRECTORY_ADMIN], is_staff=True))
    add = reverse("admin:messages_app_urgencylimit_add")
    UrgencyLimit.objects.filter(urgency="high").delete()  # the migration's default

    refused = admin.post(add, {"urgency": "high", "minutes": "", "business_time": "on"})
    saved = admin.post(add, {"urgency": "high", "minutes": "45", "business_time": "on"})

    assert refused.status_code == 200  # the form again, with the error
    assert "Give the minutes, or tick the next working day." in refused.content.decode()
    assert saved.status_code == 302
    limit = UrgencyLimit.objects.get(urgency="high")
    assert (limit.minutes, limit.business_time) == (45, True)
    assert limit.history.count() == 1
    # They do not see the slips themselves.
    changelist = reverse("admin:messages_app_messageslip_changelist")
    assert admin.get(changelist).status_code == 403


def test_a_full_badge_says_99_plus(desk, budi):
    slips = MessageSlip.objects.bulk_create(
        MessageSlip(for_staff=desk.budi, message=f"Pesan {i}", taken_by=desk.operator)
        for i in range(100)
    )
    SlipRecipient.objects.bulk_create(SlipRecipient(slip=s, staff=desk.budi) for s in slips)

    html = budi.get(reverse("messages_app:slip-unread")).content.decode()

    assert re.search(r'id="slip-unread-badge"[^>]*>99\+<', html)
