"""The console's "message taken": the call and its slip are saved together (or
neither), pre-filled from the call; and the caller's slips in the caller panel
and on the caller page."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from calls.extensions import outcome_extension
from calls.models import Call, Caller, Outcome
from messages_app.console_slip import MESSAGE_EXTENSION, SLIP_CALLER_PANEL
from messages_app.models import MessageSlip, Notification, RecipientRole, SlipStatus
from messages_app.services.slips import slip_create
from tests.factories import CallerFactory, ExtensionFactory, UserFactory
from tests.messages_app.slip_helpers import make_desk

pytestmark = pytest.mark.django_db

CONSOLE = reverse("calls:console")
LOOKUP = reverse("calls:caller-lookup")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def desk(db):
    desk = make_desk()
    ExtensionFactory(number="2104", staff=desk.budi)
    ExtensionFactory(number="2105", staff=desk.sari)
    return desk


@pytest.fixture
def op(desk):
    client = Client()
    client.force_login(desk.operator)
    return client


def post(client, **data):
    started = (timezone.now() - timedelta(seconds=40)).isoformat()
    fields = {
        "direction": "in",
        "caller_kind": "unknown",
        "started_at": started,
        "outcome": Outcome.MESSAGE,
        "message-urgency": "normal",
        "message-mood": "calm",
        "message-send_to": "person",
        **data,
    }
    return client.post(CONSOLE, fields, **HTMX)


def test_message_taken_is_the_slips_outcome():
    assert outcome_extension(Outcome.MESSAGE) is MESSAGE_EXTENSION
    assert MESSAGE_EXTENSION.script == "js/console_slip.js"


def test_the_console_renders_the_section_hidden_until_it_is_opened(op):
    html = op.get(CONSOLE).content.decode()

    assert 'data-extension-section="message"' in html
    section = html[html.index('data-extension-section="message"') :]
    assert section[: section.index(">")].rstrip().endswith("hidden")
    for name in ("urgency", "mood", "callback_number", "callback_time", "send_to"):
        assert f'name="message-{name}"' in html
    assert 'data-extension="message"' in html
    assert "js/console_slip.js" in html


def test_the_call_and_its_slip_are_saved_together_from_the_call(desk, op):
    response = post(
        op,
        number="0812 3456 7890",
        caller_name="Pak Joko",
        caller_company="PT Maju",
        asked_for_staff=desk.budi.pk,
        purpose="Tolong telepon balik soal faktur",
        **{
            "message-urgency": "urgent",
            "message-mood": "upset",
            "message-send_to": "both",
            "message-callback_time": "before 3 pm",
        },
    )

    assert response.status_code == 200
    call = Call.objects.get()
    slip = MessageSlip.objects.get()
    assert (slip.call, slip.caller, slip.for_staff, slip.taken_by) == (
        call,
        call.caller,
        desk.budi,
        desk.operator,
    )
    assert slip.message == "Tolong telepon balik soal faktur" == call.purpose
    assert (slip.caller_name, slip.caller_company) == ("Pak Joko", "PT Maju")
    assert slip.caller_number.as_e164 == slip.callback_number.as_e164 == "+6281234567890"
    assert (slip.urgency, slip.mood, slip.callback_time) == ("urgent", "upset", "before 3 pm")
    roles = set(slip.slip_recipients.values_list("staff__full_name", "role"))
    assert roles == {
        ("Budi Santoso", RecipientRole.ADDRESSEE),
        ("Sari Wulandari", RecipientRole.COVER),
    }
    assert Notification.objects.filter(slip=slip).count() == 2
    html = response.content.decode()
    assert (
        "Message for Budi Santoso saved (urgent; sent to Budi Santoso and Sari Wulandari)." in html
    )
    # A fresh form: the section is closed again.
    assert response.context["form"].data == {}


def test_a_typed_call_back_number_wins_over_the_callers(desk, op):
    post(
        op,
        number="0812 3456 7890",
        asked_for_staff=desk.budi.pk,
        purpose="Minta ditelepon ke kantor",
        **{"message-callback_number": "(021) 555-1234"},
    )

    assert MessageSlip.objects.get().callback_number.as_e164 == "+62215551234"


def test_a_message_for_a_department(desk, op):
    post(op, asked_for_department=desk.finance.pk, purpose="Untuk bagian keuangan")

    slip = MessageSlip.objects.get()
    assert (slip.for_staff, slip.for_department) == (None, desk.finance)


def test_the_person_wins_over_their_department(desk, op):
    post(
        op,
        asked_for_staff=desk.budi.pk,
        asked_for_department=desk.finance.pk,
        purpose="Untuk Budi",
    )

    slip = MessageSlip.objects.get()
    assert (slip.for_staff, slip.for_department) == (desk.budi, None)


def test_a_withheld_number_leaves_the_call_back_blank(desk, op):
    post(op, withheld="on", asked_for_staff=desk.budi.pk, purpose="Akan telepon lagi")

    slip = MessageSlip.objects.get()
    assert slip.caller is None and not slip.caller_number and not slip.callback_number


def _nothing_saved():
    return not (
        Call.objects.exists()
        or Caller.objects.exists()
        or MessageSlip.objects.exists()
        or Notification.objects.exists()
    )


def test_a_slip_without_a_recipient_saves_neither(desk, op):
    response = post(op, number="0812 3456 7890", purpose="Siapa saja")

    assert response.status_code == 422
    errors = response.context["form"].errors["asked_for_staff"]
    assert "Choose whom the message is for" in errors[0]
    assert 'data-error-for="asked_for_staff"' in response.content.decode()
    assert _nothing_saved()


def test_the_cover_refused_for_someone_without_one_saves_neither(desk, op):
    response = post(
        op,
        number="0812 3456 7890",
        asked_for_staff=desk.sari.pk,
        purpose="Untuk Sari",
        **{"message-send_to": "cover"},
    )

    assert response.status_code == 422
    section = next(
        item["form"]
        for item in response.context["outcome_extensions"]
        if item["extension"].outcome == "message"
    )
    assert "has no cover" in section.errors["send_to"][0]
    html = response.content.decode()
    assert 'data-error-for="message-send_to"' in html
    # The section comes back open, with the choice to correct.
    opening = html[html.index('data-extension-section="message"') :]
    assert not opening[: opening.index(">")].rstrip().endswith("hidden")
    assert _nothing_saved()


def test_a_bad_call_saves_no_slip(desk, op):
    response = post(op, number="12", asked_for_staff=desk.budi.pk, purpose="Halo")

    assert response.status_code == 422
    assert response.context["form"].errors["number"]
    assert _nothing_saved()


def test_a_message_needs_its_text(desk, op):
    response = post(op, number="0812 3456 7890", asked_for_staff=desk.budi.pk, purpose="")

    assert response.status_code == 422
    assert "Write down the message" in response.context["form"].errors["purpose"][0]
    assert _nothing_saved()


def test_a_refused_slip_for_someone_away_still_names_the_cover_and_offers_the_choice(desk, op):
    response = post(op, number="0812 3456 7890", asked_for_staff=desk.budi.pk, purpose="")

    assert response.status_code == 422
    html = response.content.decode()
    away = html[html.index("data-slip-away>") :]
    assert away[: away.index("</span>")] == "data-slip-away>(away; cover: Sari Wulandari)"
    send_to = html[html.index("data-slip-send-to") :]
    assert "hidden" not in send_to[: send_to.index(">")]


def test_a_refused_slip_for_someone_in_offers_no_cover_choice(desk, op):
    response = post(op, number="0812 3456 7890", asked_for_staff=desk.sari.pk, purpose="")

    assert response.status_code == 422
    html = response.content.decode()
    assert "data-slip-away></span>" in html
    send_to = html[html.index("data-slip-send-to") :]
    assert send_to[: send_to.index(">")].rstrip().endswith("hidden")


def test_an_odd_section_value_is_a_field_error(desk, op):
    response = post(
        op, asked_for_staff=desk.budi.pk, purpose="Halo", **{"message-urgency": "yesterday"}
    )

    assert response.status_code == 422
    assert _nothing_saved()


def test_the_e_mails_go_out_once_the_call_is_saved(
    desk, op, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        post(op, asked_for_staff=desk.budi.pk, purpose="Tolong telepon balik")

    assert [m.to for m in mailoutbox] == [["budi@example.co.id"]]
    assert MessageSlip.objects.get().status == SlipStatus.DELIVERED


# The caller's slips ----------------------------------------------------------------


@pytest.fixture
def joko(desk):
    return CallerFactory(number="+6281234567890", name="Pak Joko", company="PT Maju")


def _slips_for(desk, caller, count):
    for i in range(count):
        slip_create(
            taken_by=desk.operator,
            message=f"Pesan nomor {i}",
            for_staff=desk.budi,
            caller=caller,
            now=timezone.now() - timedelta(minutes=count - i),
        )


def test_the_console_panel_shows_the_numbers_latest_slips(desk, op, joko):
    _slips_for(desk, joko, 5)

    response = op.get(LOOKUP, {"number": "0812-3456-7890"})

    html = response.content.decode()
    assert "data-caller-slips" in html
    assert html.count("<tr data-slip-id=") == 3
    assert "Budi Santoso" in html and "New" in html
    assert joko.get_absolute_url() in html  # all of them on the caller page


def test_the_caller_page_shows_all_the_numbers_slips(desk, op, joko):
    _slips_for(desk, joko, 5)
    supervisor = Client()
    supervisor.force_login(UserFactory(username="sup", roles=["Supervisor"]))

    html = supervisor.get(joko.get_absolute_url()).content.decode()

    assert html.count("<tr data-slip-id=") == 5
    assert "Pesan nomor 4" in html


def test_without_the_permission_the_section_stays_empty(desk, joko):
    _slips_for(desk, joko, 1)

    context = SLIP_CALLER_PANEL.context(
        caller=joko, user=UserFactory(username="plain"), compact=True
    )

    assert context == {"visible": False, "slips": [], "more": False, "compact": True}


@pytest.mark.parametrize("count", [1, 20])
def test_the_caller_panel_is_a_constant_number_of_queries(
    desk, op, joko, count, django_assert_num_queries
):
    _slips_for(desk, joko, count)

    # Session, user, permissions; the caller; their last calls; their slips
    # (one more than shown, to know whether there are more); their complaints
    # (the complaints' own panel, one query too).
    with django_assert_num_queries(7):
        op.get(LOOKUP, {"number": "0812-3456-7890"})
