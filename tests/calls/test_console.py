"""The operator console: logging every kind of call through the test client."""

import json
import re
from datetime import timedelta
from html import unescape
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from calls.models import Call, CallCategory, Caller, CallerKind, Direction, Outcome
from directory.models import Disclosure, Presence
from directory.views.cards import ANSWER_PREVIEW
from tests.calls.factories_log import recent_today
from tests.factories import (
    CallCategoryFactory,
    CallerFactory,
    CallFactory,
    DepartmentFactory,
    ExtensionFactory,
    InfoEntryFactory,
    StaffFactory,
    UserFactory,
)

# Every test touches the database (some only through persona fixtures asked for
# by name), which also keeps them ordered before the browser tests.
pytestmark = pytest.mark.django_db

CONSOLE = reverse("calls:console")
LOOKUP = reverse("calls:caller-lookup")
HTMX = {"HTTP_HX_REQUEST": "true"}
MOBILE = "+6281234567890"
LANDLINE = "+62215551234"


@pytest.fixture
def finance(db):
    return DepartmentFactory(name="Keuangan", code="FIN")


@pytest.fixture
def budi(finance):
    person = StaffFactory(full_name="Budi Santoso", department=finance)
    ExtensionFactory(number="2104", staff=person)
    return person


def started(seconds_ago=90):
    return (timezone.now() - timedelta(seconds=seconds_ago)).isoformat()


def post(client, htmx=True, **data):
    data.setdefault("direction", Direction.INCOMING)
    data.setdefault("caller_kind", CallerKind.UNKNOWN)
    data.setdefault("started_at", started())
    return client.post(CONSOLE, data, **(HTMX if htmx else {}))


def errors_for(response, field):
    """The error text shown next to a field."""
    return response.context["form"].errors.get(field, [])


# Every outcome ------------------------------------------------------------------


def test_transferred_call_is_logged_with_extension_caller_and_duration(operator_client, budi):
    extension = budi.extensions.get()

    response = post(
        operator_client,
        number="0812-3456-7890",
        caller_name="Pak Joko",
        caller_company="PT Maju",
        caller_kind=CallerKind.CUSTOMER,
        asked_for_staff=budi.pk,
        transferred_to=extension.pk,
        outcome=Outcome.TRANSFERRED,
    )

    assert response.status_code == 200
    assert response["HX-Trigger"] == "callSaved"
    call = Call.objects.get()
    assert call.outcome == Outcome.TRANSFERRED
    assert call.transferred_to == extension
    assert call.asked_for_staff == budi
    assert call.asked_for_department == budi.department  # follows from the person
    assert call.caller.number.as_e164 == MOBILE
    assert call.caller_name == "Pak Joko"
    assert 85 <= call.duration_seconds <= 120
    assert call.operator.username == "op"
    caller = Caller.objects.get()
    assert (caller.name, caller.company, caller.kind, caller.call_count) == (
        "Pak Joko",
        "PT Maju",
        CallerKind.CUSTOMER,
        1,
    )


def test_answered_call_records_the_answer_used(operator_client):
    entry = InfoEntryFactory(title="Jam buka", answer="Senin-Jumat 08.00-17.00")

    response = post(
        operator_client, number="021 555 1234", info_entry=entry.pk, outcome=Outcome.ANSWERED
    )

    assert response.status_code == 200
    call = Call.objects.get()
    assert (call.outcome, call.info_entry, call.transferred_to) == (Outcome.ANSWERED, entry, None)
    assert call.caller.number.as_e164 == LANDLINE
    assert call.duration_seconds >= 85


@pytest.mark.parametrize("outcome", [Outcome.MESSAGE, Outcome.COMPLAINT])
def test_message_and_complaint_are_logged_with_their_text(operator_client, budi, outcome):
    response = post(
        operator_client,
        number="0812 3456 7890",
        caller_name="Bu Ani",  # a complaint is recorded under the customer's name
        asked_for_staff=budi.pk,
        transferred_to=budi.extensions.get().pk,  # chosen, but not used
        purpose="Tolong telepon balik soal faktur",
        outcome=outcome,
    )

    assert response.status_code == 200
    call = Call.objects.get()
    assert call.outcome == outcome
    assert call.purpose == "Tolong telepon balik soal faktur"
    assert call.transferred_to is None
    assert call.caller.number.as_e164 == MOBILE
    assert call.duration_seconds is not None


@pytest.mark.parametrize("outcome", [Outcome.MESSAGE, Outcome.COMPLAINT])
def test_message_without_text_is_refused(operator_client, outcome):
    response = post(operator_client, number="0812 3456 7890", outcome=outcome)

    assert response.status_code == 422
    assert errors_for(response, "purpose")
    assert not Call.objects.exists()
    assert not Caller.objects.exists()


@pytest.mark.parametrize(
    "outcome",
    [Outcome.NO_ANSWER, Outcome.WRONG_NUMBER, Outcome.NUISANCE, Outcome.CALL_BACK],
)
def test_simple_outcomes_are_logged(operator_client, outcome):
    response = post(operator_client, number="+62 812 3456 7890", outcome=outcome)

    assert response.status_code == 200
    call = Call.objects.get()
    assert call.outcome == outcome
    assert call.direction == Direction.INCOMING
    assert call.caller.number.as_e164 == MOBILE
    assert call.duration_seconds >= 85


def test_plain_form_post_redirects_back_to_the_console(operator_client):
    response = post(operator_client, htmx=False, outcome=Outcome.WRONG_NUMBER)

    assert response.status_code == 302
    assert response["Location"] == CONSOLE
    assert Call.objects.get().number_withheld


def test_success_answers_with_a_fresh_form_and_the_updated_day(operator_client):
    response = post(operator_client, caller_name="Bu Ani", outcome=Outcome.NUISANCE)

    html = response.content.decode()
    assert 'id="call-form"' in html
    assert 'value="Bu Ani"' not in html  # reset for the next call
    assert 'id="console-today" class="mt-3" hx-swap-oob="true"' in html
    assert "1 of 150" in html
    assert "Call saved" in html


def test_outgoing_call_for_a_staff_member(operator_client, budi):
    response = post(
        operator_client,
        direction=Direction.OUTGOING,
        number="(021) 555-1234",
        requested_by=budi.pk,
        purpose="Konfirmasi rapat",
        is_personal="on",
        outcome=Outcome.CONNECTED,
    )

    assert response.status_code == 200
    call = Call.objects.get()
    assert (call.direction, call.outcome, call.requested_by) == (
        Direction.OUTGOING,
        Outcome.CONNECTED,
        budi,
    )
    assert call.is_personal
    assert call.caller.number.as_e164 == LANDLINE


def test_outgoing_call_that_nobody_answered(operator_client, budi):
    post(
        operator_client,
        direction=Direction.OUTGOING,
        number="0812-3456-7890",
        requested_by=budi.pk,
        outcome=Outcome.NO_ANSWER,
    )

    call = Call.objects.get()
    assert (call.outcome, call.is_personal) == (Outcome.NO_ANSWER, False)


def test_outgoing_call_cannot_be_transferred(operator_client, budi):
    response = post(
        operator_client,
        direction=Direction.OUTGOING,
        requested_by=budi.pk,
        outcome=Outcome.TRANSFERRED,
        transferred_to=budi.extensions.get().pk,
    )

    assert response.status_code == 422
    assert errors_for(response, "outcome")
    assert not Call.objects.exists()


def test_outgoing_call_needs_who_asked_for_it(operator_client):
    response = post(operator_client, direction=Direction.OUTGOING, outcome=Outcome.CONNECTED)

    assert response.status_code == 422
    assert errors_for(response, "requested_by")


def test_internal_call(operator_client, budi):
    post(
        operator_client,
        direction=Direction.INTERNAL,
        caller_kind=CallerKind.EMPLOYEE,
        asked_for_staff=budi.pk,
        transferred_to=budi.extensions.get().pk,
        outcome=Outcome.TRANSFERRED,
    )

    call = Call.objects.get()
    assert (call.direction, call.caller_kind) == (Direction.INTERNAL, CallerKind.EMPLOYEE)


def test_category_default_department_fills_an_empty_department(operator_client, finance):
    category = CallCategoryFactory(name="Tagihan", default_department=finance)

    post(operator_client, category=category.pk, outcome=Outcome.CALL_BACK)

    call = Call.objects.get()
    assert (call.category, call.asked_for_department) == (category, finance)


def test_category_does_not_override_a_chosen_department(operator_client, finance):
    hr = DepartmentFactory(name="HRD", code="HR")
    category = CallCategoryFactory(name="Tagihan", default_department=finance)

    post(
        operator_client,
        category=category.pk,
        asked_for_department=hr.pk,
        outcome=Outcome.CALL_BACK,
    )

    assert Call.objects.get().asked_for_department == hr


def test_inactive_category_is_refused(operator_client):
    category = CallCategoryFactory(active=False)

    response = post(operator_client, category=category.pk, outcome=Outcome.CALL_BACK)

    assert response.status_code == 422
    assert errors_for(response, "category")


# Numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("0812-3456-7890", MOBILE),
        ("+62 812 3456 7890", MOBILE),
        ("6281234567890", MOBILE),
        ("62812 3456 7890", MOBILE),
        ("0812.3456.7890", MOBILE),
        ("0812/3456/7890", MOBILE),
        (" 0812 3456 7890 ", MOBILE),
        ("+62-812-3456-7890", MOBILE),
        ("(021) 555-1234", LANDLINE),
        ("021 555 1234", LANDLINE),
        ("021.555.1234", LANDLINE),
        ("021/5551234", LANDLINE),
        ("+62 21 555 1234", LANDLINE),
        ("62215551234", LANDLINE),
    ],
)
def test_every_way_of_writing_a_number_is_stored_as_e164(operator_client, written, e164):
    response = post(operator_client, number=written, outcome=Outcome.WRONG_NUMBER)

    assert response.status_code == 200
    assert Call.objects.get().caller.number.as_e164 == e164
    assert [n.as_e164 for n in Caller.objects.values_list("number", flat=True)] == [e164]


def test_the_same_caller_written_two_ways_is_one_caller(operator_client):
    post(operator_client, number="0812-3456-7890", caller_name="Joko", outcome=Outcome.CALL_BACK)
    post(operator_client, number="+62 812 3456 7890", outcome=Outcome.CALL_BACK)

    caller = Caller.objects.get()
    assert (caller.name, caller.call_count) == ("Joko", 2)


@pytest.mark.parametrize("data", [{"number": ""}, {"number": "0812-3456-7890", "withheld": "on"}])
def test_withheld_number_is_allowed_and_makes_no_caller(operator_client, data):
    response = post(operator_client, outcome=Outcome.NUISANCE, **data)

    assert response.status_code == 200
    call = Call.objects.get()
    assert call.number_withheld
    assert call.caller is None
    assert not Caller.objects.exists()


# Caller look-up ----------------------------------------------------------------


def test_known_number_fills_in_name_company_and_shows_history(operator_client, budi, operator):
    caller = CallerFactory(number=MOBILE, name="Pak Joko", company="PT Maju", kind="customer")
    for _ in range(12):
        CallFactory(operator=operator, caller=caller, asked_for_staff=budi, outcome="call_back")

    response = operator_client.get(LOOKUP, {"number": "0812 3456 7890"}, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-caller-state="known"' in html
    assert 'data-name="Pak Joko"' in html
    assert 'data-company="PT Maju"' in html
    assert 'data-kind="customer"' in html
    assert len(response.context["history"]) == 10
    assert html.count("Budi Santoso") == 10
    assert "Call back later" in html


def test_lookup_of_a_number_with_an_extension_finds_the_caller_and_shows_it(operator_client):
    CallerFactory(number="+62215551234", name="PT Maju")

    response = operator_client.get(LOOKUP, {"number": "021-5551234 ext 12"}, **HTMX)

    html = response.content.decode()
    assert 'data-caller-state="known"' in html and "PT Maju" in html
    assert "(021) 5551234 ext. 12" in html


def test_unknown_number_is_a_new_caller(operator_client):
    response = operator_client.get(LOOKUP, {"number": "(021) 555-1234"}, **HTMX)

    assert 'data-caller-state="new"' in response.content.decode()
    assert "New caller" in response.content.decode()


def test_malformed_number_lookup_says_so_without_error(operator_client):
    response = operator_client.get(LOOKUP, {"number": "12abc"}, **HTMX)

    assert response.status_code == 200
    assert 'data-caller-state="invalid"' in response.content.decode()


# Validation: a field error and nothing saved -------------------------------------


def assert_nothing_saved():
    assert not Call.objects.exists()
    assert not Caller.objects.exists()


def test_a_bad_number_and_a_broken_rule_are_reported_together(operator_client):
    response = post(operator_client, number="12", outcome=Outcome.MESSAGE)

    assert response.status_code == 422
    assert errors_for(response, "number")  # the form's own check
    assert errors_for(response, "purpose") == ["Write down the message or complaint."]
    assert_nothing_saved()


@pytest.mark.parametrize("number", ["12", "abc", "0812", "+62 812 3456 7890 1234 5678"])
def test_malformed_number_is_a_field_error(operator_client, number):
    response = post(operator_client, number=number, outcome=Outcome.WRONG_NUMBER)

    assert response.status_code == 422
    assert errors_for(response, "number")
    assert 'data-error-for="number"' in response.content.decode()
    assert_nothing_saved()


def test_future_start_is_a_field_error(operator_client):
    future = (timezone.now() + timedelta(hours=1)).isoformat()

    response = post(operator_client, number="0812-3456-7890", started_at=future, outcome="nuisance")

    assert response.status_code == 422
    messages = " ".join(errors_for(response, "started_at"))
    assert "future" in messages
    assert "before its start" in messages  # ended now, before the crafted start
    assert_nothing_saved()


def test_timer_left_running_for_a_day_is_a_field_error(operator_client):
    response = post(operator_client, started_at=started(60 * 60 * 24), outcome="nuisance")

    assert response.status_code == 422
    assert errors_for(response, "started_at")


def test_garbage_start_is_a_field_error(operator_client):
    response = post(operator_client, started_at="yesterday-ish", outcome="nuisance")

    assert response.status_code == 422
    assert errors_for(response, "started_at")


@pytest.mark.parametrize("bad_id", ["999999", "abc", "-1", "1.5", "9" * 40])
def test_unknown_extension_id_is_a_field_error(operator_client, budi, bad_id):
    response = post(
        operator_client,
        number="0812-3456-7890",
        asked_for_staff=budi.pk,
        transferred_to=bad_id,
        outcome=Outcome.TRANSFERRED,
    )

    assert response.status_code == 422
    assert errors_for(response, "transferred_to")
    assert_nothing_saved()


@pytest.mark.parametrize(
    "field", ["asked_for_staff", "asked_for_department", "info_entry", "requested_by"]
)
def test_unknown_ids_are_field_errors(operator_client, field):
    response = post(operator_client, outcome=Outcome.CALL_BACK, **{field: "424242"})

    assert response.status_code == 422
    assert errors_for(response, field)
    assert_nothing_saved()


@pytest.mark.parametrize("bad_id", ["424242", "abc", "9" * 40])
def test_bad_ids_get_each_fields_own_error(operator_client, bad_id):
    response = post(
        operator_client, category=bad_id, asked_for_staff=bad_id, outcome=Outcome.CALL_BACK
    )

    assert response.status_code == 422
    assert errors_for(response, "asked_for_staff") == [
        "This choice no longer exists; search again."
    ]
    assert errors_for(response, "category") == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert_nothing_saved()


def test_transferred_without_extension_is_a_field_error(operator_client, budi):
    response = post(
        operator_client,
        number="0812-3456-7890",
        asked_for_staff=budi.pk,
        outcome=Outcome.TRANSFERRED,
    )

    assert response.status_code == 422
    assert errors_for(response, "transferred_to") == ["Choose the extension the call went to."]
    assert 'data-error-for="transferred_to"' in response.content.decode()
    assert_nothing_saved()


@pytest.mark.parametrize(
    ("field", "size"),
    [("caller_name", 151), ("caller_company", 151), ("purpose", 301), ("notes", 2001)],
)
def test_oversized_text_is_a_field_error(operator_client, field, size):
    response = post(
        operator_client, number="0812-3456-7890", outcome=Outcome.CALL_BACK, **{field: "x" * size}
    )

    assert response.status_code == 422
    assert errors_for(response, field)
    assert_nothing_saved()


def test_missing_outcome_is_a_field_error(operator_client):
    response = post(operator_client, number="0812-3456-7890")

    assert response.status_code == 422
    assert errors_for(response, "outcome")
    assert_nothing_saved()


def test_error_form_keeps_what_was_typed_and_the_timer_start(operator_client):
    start = started()

    response = post(
        operator_client, started_at=start, caller_name="Bu Ani", number="12", outcome="nuisance"
    )

    html = response.content.decode()
    assert 'value="Bu Ani"' in html
    assert f'name="started_at" value="{start}"' in html


def test_plain_form_error_renders_the_whole_page(operator_client):
    response = post(operator_client, htmx=False, number="12", outcome=Outcome.WRONG_NUMBER)

    assert response.status_code == 422
    assert "My calls today" in response.content.decode()
    assert_nothing_saved()


# Who may use it -----------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(CONSOLE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_caller_lookup_is_sent_to_log_in(client):
    assert client.get(LOOKUP, {"number": MOBILE}).status_code == 302


@pytest.mark.parametrize("persona", ["outsider_client", "staff_client", "supervisor_client"])
def test_users_without_add_call_get_403(request, persona):
    client = request.getfixturevalue(persona)

    assert client.get(CONSOLE).status_code == 403
    assert client.get(LOOKUP, {"number": MOBILE}).status_code == 403
    assert client.post(CONSOLE, {"outcome": "nuisance"}).status_code == 403
    assert not Call.objects.exists()


def test_console_page_shows_search_form_and_shortcuts(operator_client):
    response = operator_client.get(CONSOLE)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="console-q"' in html
    assert 'id="call-form"' in html
    assert "F2" in html and "Alt+N" in html
    for key in range(1, 10):
        assert f"Alt+{key}" in html


# Search in the console -------------------------------------------------------------


class _Cards(HTMLParser):
    """The console's result cards as dicts of their attributes, with the text of
    each card and of its hidden full answer."""

    def __init__(self):
        super().__init__()
        self.cards, self._depth, self._answer = [], 0, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "li" and "console-result" in (attrs.get("class") or "").split():
            self.cards.append({**attrs, "text": "", "answer_text": ""})
            self._depth = 1
        elif self.cards and self._depth:
            self._depth += 1
            if "console-answer-text" in (attrs.get("class") or "").split():
                self._answer = True

    def handle_endtag(self, tag):
        if self._depth:
            self._depth -= 1
            self._answer = False

    def handle_data(self, data):
        if self._depth:
            key = "answer_text" if self._answer else "text"
            self.cards[-1][key] += data


def console_cards(response) -> list[dict]:
    assert response.status_code == 200
    parser = _Cards()
    parser.feed(response.content.decode())
    return parser.cards


def test_search_fills_transfer_extension_for_a_person_in(operator_client, budi):
    response = operator_client.get(CONSOLE, {"q": "bud"}, **HTMX)

    [card] = console_cards(response)
    assert (card["data-kind"], card["data-id"]) == ("staff", str(budi.pk))
    assert card["data-name"] == "Budi Santoso"
    assert card["data-department"] == "Keuangan"
    assert card["data-transfer-number"] == "2104"
    assert card["data-transfer-id"] == str(budi.extensions.get().pk)
    assert card["data-available"] == "yes"
    assert "data-via-cover" not in card
    assert card["id"] == "console-result-1" and "active" in card["class"]
    assert 'data-results-for="bud"' in response.content.decode()


def test_search_transfers_to_the_cover_when_the_person_is_away(operator_client, finance):
    cover = StaffFactory(full_name="Sari Wulandari", department=finance)
    cover_ext = ExtensionFactory(number="2105", staff=cover)
    away = StaffFactory(
        full_name="Budi Santoso", department=finance, presence=Presence.OUT, cover=cover
    )
    ExtensionFactory(number="2104", staff=away)

    response = operator_client.get(CONSOLE, {"q": "budi"}, **HTMX)

    card = console_cards(response)[0]
    assert card["data-name"] == "Budi Santoso"
    assert (card["data-transfer-number"], card["data-transfer-id"]) == ("2105", str(cover_ext.pk))
    assert (card["data-via-cover"], card["data-cover-name"]) == ("yes", "Sari Wulandari")
    assert card["data-available"] == "no"


def test_search_counts_a_person_working_remotely_as_available(operator_client, finance):
    cover = StaffFactory(full_name="Sari Wulandari", department=finance)
    ExtensionFactory(number="2105", staff=cover)
    remote = StaffFactory(
        full_name="Budi Santoso", department=finance, presence=Presence.REMOTE, cover=cover
    )
    ExtensionFactory(number="2104", staff=remote)

    response = operator_client.get(CONSOLE, {"q": "budi"}, **HTMX)

    card = console_cards(response)[0]
    assert card["data-available"] == "yes" and "data-via-cover" not in card
    assert card["data-transfer-number"] == "2104"


def test_search_shows_an_internal_answer_with_a_warning(operator_client):
    entry = InfoEntryFactory(title="Gaji direksi", answer="Rahasia", disclosure=Disclosure.INTERNAL)

    response = operator_client.get(CONSOLE, {"q": "gaji"}, **HTMX)

    [card] = console_cards(response)
    assert (card["data-kind"], card["data-id"]) == ("info", str(entry.pk))
    assert card["data-disclosure"] == "internal"
    assert card["data-disclosure-label"] == "Internal — do not disclose"
    assert "do not disclose to callers" in card["text"]
    assert "Rahasia" not in card["text"]  # not on the card, only in the answer panel
    assert card["answer_text"] == "Rahasia"


def test_console_and_directory_search_render_the_same_cards(operator_client, budi):
    """One renderer: the same preview length and words on both pages."""
    long_answer = "Kantor buka pukul 08.00 sampai 17.00. " * 10
    InfoEntryFactory(title="Jam buka kantor", answer=long_answer, disclosure=Disclosure.PUBLIC)

    console = console_cards(operator_client.get(CONSOLE, {"q": "jam buka"}, **HTMX))
    directory = operator_client.get(
        reverse("directory:search"), {"q": "jam buka"}, **HTMX
    ).content.decode()

    [card] = console
    preview = Truncator(long_answer).chars(ANSWER_PREVIEW)
    assert preview in card["text"] and preview in directory
    assert card["answer_text"] == long_answer  # the whole answer for the answer panel
    assert "/directory/info/" not in card["text"]
    # The directory's card opens the answer's page; the console's takes it into the call.
    assert 'class="sb-result-link' in directory
    assert (
        "sb-result-link"
        not in operator_client.get(CONSOLE, {"q": "jam buka"}, **HTMX).content.decode()
    )


def test_console_cards_escape_what_staff_and_admins_typed(operator_client, finance):
    cover = StaffFactory(full_name='Teguh "<b>Wibowo</b>"', department=finance)
    ExtensionFactory(number="2105", staff=cover)
    StaffFactory(
        full_name="Budi <script>x</script>",
        job_title="Kepala & Wakil",
        department=finance,
        presence=Presence.OUT,
        presence_note="<i>rapat</i>",
        cover=cover,
    )
    InfoEntryFactory(
        title="Budi <img src=x onerror=alert(1)>",
        answer='<script>alert("answer")</script>',
        disclosure=Disclosure.PUBLIC,
    )

    response = operator_client.get(CONSOLE, {"q": "budi"}, **HTMX)

    body = response.content.decode()
    for markup in ("<script>", "<b>", "<i>", "<img"):
        assert markup not in body
    assert 'data-name="Budi &lt;script&gt;x&lt;/script&gt;"' in body
    assert 'data-cover-name="Teguh &quot;&lt;b&gt;Wibowo&lt;/b&gt;&quot;"' in body
    assert "Kepala &amp; Wakil" in body
    assert "&lt;script&gt;alert(&quot;answer&quot;)&lt;/script&gt;" in body
    cards = console_cards(response)
    assert {c["data-name"] for c in cards} == {
        "Budi <script>x</script>",
        "Budi <img src=x onerror=alert(1)>",
    }


def test_console_search_query_is_escaped_in_the_nothing_found_line(operator_client):
    body = operator_client.get(CONSOLE, {"q": '<b>"zz"</b>'}, **HTMX).content.decode()

    assert "<b>" not in body
    assert 'data-results-for="&lt;b&gt;&quot;zz&quot;&lt;/b&gt;"' in body
    assert "Nothing found for “&lt;b&gt;&quot;zz&quot;&lt;/b&gt;”" in body


def test_console_search_runs_a_constant_number_of_queries(operator_client, finance):
    cover = StaffFactory(full_name="Citra Pengganti", department=finance)
    ExtensionFactory(number="2999", staff=cover)
    first = StaffFactory(
        full_name="Budi Awal", department=finance, presence=Presence.OUT, cover=cover
    )
    ExtensionFactory(staff=first)
    operator_client.get(CONSOLE, {"q": "budi"}, **HTMX)  # warm up (session, permissions)
    with CaptureQueriesContext(connection) as one:
        response = operator_client.get(CONSOLE, {"q": "budi"}, **HTMX)
    assert len(console_cards(response)) == 1
    for i in range(30):
        person = StaffFactory(
            full_name=f"Budi {i:02d}", department=finance, presence=Presence.OUT, cover=cover
        )
        ExtensionFactory(staff=person)
    with CaptureQueriesContext(connection) as many:
        response = operator_client.get(CONSOLE, {"q": "budi"}, **HTMX)
    cards = console_cards(response)
    assert len(cards) == 20
    assert {c["data-transfer-number"] for c in cards} == {"2999"}  # all go to the cover
    # Session, user, permissions, the search's two, the transfer extensions' ids.
    assert len(one) == len(many) == 6, [q["sql"] for q in many.captured_queries]


def test_empty_search_shows_nothing(operator_client):
    response = operator_client.get(CONSOLE, {"q": ""}, **HTMX)

    assert response.status_code == 200
    assert "console-result" not in response.content.decode()


# The day ---------------------------------------------------------------------------


def test_today_list_shows_only_my_calls_of_today_and_the_count(operator_client, operator):
    CallFactory.create_batch(3, operator=operator, caller_name="Hari Ini")
    CallFactory(operator=operator, started_at=timezone.now() - timedelta(days=1))
    CallFactory(operator=UserFactory(), caller_name="Orang Lain")

    response = operator_client.get(CONSOLE)

    assert response.context["today_count"] == 3
    html = response.content.decode()
    assert "3 of 150" in html
    assert "Orang Lain" not in html


def test_daily_target_comes_from_settings(operator_client, settings):
    settings.CALLS_DAILY_TARGET = 80

    assert "0 of 80" in operator_client.get(CONSOLE).content.decode()


@pytest.fixture
def add_calls(operator, budi):
    """Adds n transferred calls of today's to the operator's day."""
    category = CallCategoryFactory(default_department=budi.department)
    caller = CallerFactory()
    extension = budi.extensions.get()

    def add(n):
        for _ in range(n):
            CallFactory(
                operator=operator,
                caller=caller,
                category=category,
                asked_for_staff=budi,
                asked_for_department=budi.department,
                transferred_to=extension,
                outcome="transferred",
            )

    return add


def test_console_query_count_does_not_grow_with_the_day(operator_client, add_calls):

    add_calls(1)
    operator_client.get(CONSOLE)  # warm up (session, content types)
    with CaptureQueriesContext(connection) as one:
        assert operator_client.get(CONSOLE).status_code == 200
    add_calls(49)
    with CaptureQueriesContext(connection) as fifty:
        response = operator_client.get(CONSOLE)
    assert response.context["today_count"] == 50
    assert len(one) == len(fifty), [q["sql"] for q in fifty.captured_queries]


def test_console_post_query_count_does_not_grow_with_the_day(
    operator_client, operator, budi, add_calls
):
    category = CallCategory.objects.get()  # the fixture's
    extension = budi.extensions.get()

    def save_one():
        return post(
            operator_client,
            number="0812-3456-7890",
            caller_name="Bu Ani",
            category=category.pk,
            asked_for_staff=budi.pk,
            transferred_to=extension.pk,
            outcome=Outcome.TRANSFERRED,
            started_at=recent_today().isoformat(),  # today's, even just after midnight
        )

    add_calls(1)
    save_one()  # warm up (session, content types, the caller)
    with CaptureQueriesContext(connection) as few:
        assert save_one().status_code == 200
    add_calls(48)
    with CaptureQueriesContext(connection) as many:
        response = save_one()
    assert response.status_code == 200
    assert response.context["today_count"] == 52
    assert len(response.context["today_calls"]) == 20
    assert "52 of 150" in response.content.decode()
    assert len(few) == len(many), [q["sql"] for q in many.captured_queries]


def test_day_list_shows_the_latest_calls_and_counts_the_whole_day(operator_client, operator):
    # 25 calls a second apart, all of today's even just after midnight.
    latest = recent_today() + timedelta(seconds=24)
    for seconds in range(25):
        CallFactory(
            operator=operator,
            caller_name=f"Penelepon {seconds:02}",
            started_at=latest - timedelta(seconds=seconds),
        )

    response = operator_client.get(CONSOLE)

    html = response.content.decode()
    assert response.context["today_count"] == 25
    assert "25 of 150" in html
    assert "Penelepon 00" in html and "Penelepon 19" in html
    assert "Penelepon 20" not in html
    assert "and 5 earlier calls" in html


def test_day_list_names_the_caller_as_the_caller_page_does(operator_client, operator, budi):
    named = CallerFactory(number=MOBILE, name="Bu Ani", company="PT Maju")
    unnamed = CallerFactory(number=LANDLINE, name="", company="")
    CallFactory(operator=operator, caller=named, asked_for_staff=budi, outcome="transferred")
    CallFactory(operator=operator, caller=unnamed, direction=Direction.OUTGOING)
    CallFactory(operator=operator, number_withheld=True)

    html = operator_client.get(CONSOLE).content.decode()

    assert str(named) in html and "Bu Ani (PT Maju)" in html
    assert str(unnamed) == "(021) 5551234" and str(unnamed) in html
    assert "Budi Santoso" in html


# What the console page tells its script --------------------------------------------


def test_caller_lookup_while_typing_waits_for_a_whole_number(operator_client):
    typing = operator_client.get(LOOKUP, {"number": "0812-34", "typing": "1"})
    left = operator_client.get(LOOKUP, {"number": "0812-34"})
    whole = operator_client.get(LOOKUP, {"number": "0812-3456-7890", "typing": "1"})

    assert "data-caller-state" not in typing.content.decode()  # no warning mid-number
    assert 'data-caller-state="invalid"' in left.content.decode()
    assert 'data-caller-state="new"' in whole.content.decode()


def test_caller_lookup_while_typing_recognises_a_known_caller(operator_client):
    CallerFactory(number=MOBILE, name="Bu Ani", company="PT Maju")

    body = operator_client.get(LOOKUP, {"number": "0812 3456 7890", "typing": "1"}).content
    assert b'data-caller-state="known"' in body and b'data-name="Bu Ani"' in body


def test_day_list_entries_open_their_call(operator_client, operator):
    older = CallFactory(operator=operator, started_at=recent_today())
    newer = CallFactory(operator=operator, started_at=recent_today() + timedelta(seconds=5))

    html = operator_client.get(CONSOLE).content.decode()

    for call in (older, newer):
        assert f'href="{reverse("calls:call-detail", args=[call.pk])}"' in html


def test_alt_e_link_corrects_the_latest_call(operator_client, operator):
    CallFactory(operator=operator, started_at=recent_today())
    latest = CallFactory(operator=operator, started_at=recent_today() + timedelta(seconds=5))

    html = operator_client.get(CONSOLE).content.decode()

    edit = reverse("calls:call-edit", args=[latest.pk])
    assert f'id="console-edit-last" href="{edit}"' in html
    assert 'aria-keyshortcuts="Alt+E"' in html
    assert "<kbd>Alt+E</kbd>" in html  # in the keyboard help
    assert operator_client.get(edit).status_code == 200  # and the operator may open it


def test_no_correction_link_without_a_call_of_mine_today(operator_client, operator):
    CallFactory(operator=operator, started_at=timezone.now() - timedelta(days=1))
    CallFactory(operator=UserFactory(), started_at=recent_today())

    html = operator_client.get(CONSOLE).content.decode()

    assert 'id="console-edit-last"' not in html
    assert "data-msg-no-correction" in html  # what Alt+E says instead


def test_saving_a_call_moves_the_correction_link_to_it(operator_client, operator):
    CallFactory(operator=operator, started_at=recent_today())

    response = post(operator_client, outcome=Outcome.NUISANCE, started_at=started(5))

    call = Call.objects.order_by("-pk").first()
    edit = reverse("calls:call-edit", args=[call.pk])
    assert f'id="console-edit-last" href="{edit}"' in response.content.decode()


def _button(html, key):
    match = re.search(rf'<button[^>]*data-outcome-key="{key}"[^>]*>', html)
    assert match, key
    return match.group(0)


def test_an_outcome_key_that_does_not_apply_says_why(operator_client):
    html = operator_client.get(CONSOLE).content.decode()

    transferred = _button(html, "1")
    assert (
        'data-refused-out="Transferred is not an outcome of an outgoing call; '
        'use Alt+5 No answer / voicemail or Alt+9 Connected."'
    ) in transferred
    assert "data-refused-in=" not in transferred
    connected = _button(html, "9")
    assert (
        'data-refused-in="Connected is not an outcome of an incoming call; '
        'use one of Alt+1 to Alt+8."'
    ) in connected
    assert "data-refused-internal=" in connected and "data-refused-out=" not in connected
    assert "data-refused" not in _button(html, "5")  # no answer fits every direction


def test_outcome_refusals_speak_the_users_language(operator_client):
    operator_client.post(reverse("set_language"), {"language": "id"})

    html = operator_client.get(CONSOLE).content.decode()

    # Built per request in the user's language (the sentence itself is translated
    # once the catalogue is regenerated): the outcome names already are.
    refusal = re.search(r'data-refused-out="([^"]*)"', _button(html, "1")).group(1)
    assert "Tersambung" in refusal and " atau " in refusal and "Connected" not in refusal


def test_a_new_call_starts_from_the_forms_initial_values(operator_client, budi):
    """After a refused save the form holds the old call's values; what New call
    puts back (data-blank) is the form's initial state, never those."""
    response = post(
        operator_client,
        direction=Direction.OUTGOING,
        caller_kind=CallerKind.VENDOR,
        number="12",
        caller_name="Pak Lama",
        outcome=Outcome.CONNECTED,
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert 'value="Pak Lama"' in html
    blank = re.search(r'data-blank="([^"]*)"', html).group(1)
    # The call's own fields; an outcome's section (calls.extensions) adds its
    # fields' initial values under its prefix ("complaint-severity").
    call_fields = {k: v for k, v in json.loads(unescape(blank)).items() if "-" not in k}
    assert call_fields == {"direction": "in", "caller_kind": "unknown"}


def test_console_has_no_inline_styles(operator_client, operator):
    CallFactory(operator=operator, started_at=recent_today())

    page = operator_client.get(CONSOLE).content.decode()
    saved = post(operator_client, outcome=Outcome.NUISANCE).content.decode()
    refused = post(operator_client, number="12", outcome=Outcome.NUISANCE).content.decode()

    for html in (page, saved, refused):
        assert "style=" not in html
    assert '<progress class="sb-today-progress' in page
    assert 'max="150" value="1"' in page


def test_empty_console_says_why_nothing_is_saved(operator_client):
    html = operator_client.get(CONSOLE).content.decode()

    assert "data-msg-empty=" in html and "F2" in html


@pytest.mark.parametrize("field", ["purpose", "info_entry"])
def test_a_rule_of_the_call_comes_back_on_its_field(operator_client, monkeypatch, field):
    """The call's rules live in the model and service (an answered call needs
    the answer given or a purpose); whatever field they name, the console shows
    the message there, and console.js puts the cursor on it (the search box for
    a choice made in the search)."""
    from django.core.exceptions import ValidationError

    def refuse(**kwargs):
        raise ValidationError({field: "Say which answer was given, or write the purpose."})

    monkeypatch.setattr("calls.views.console.call_log", refuse)

    response = post(operator_client, outcome=Outcome.ANSWERED)

    assert response.status_code == 422
    html = response.content.decode()
    error = re.search(rf'<div[^>]*data-error-for="{field}"[^>]*>([^<]*)</div>', html)
    assert error and "Say which answer was given" in error.group(1)
    assert not Call.objects.exists()


def test_outcome_buttons_of_the_other_direction_come_hidden(operator_client, budi):
    page = operator_client.get(CONSOLE).content.decode()
    refused = post(
        operator_client, direction=Direction.OUTGOING, outcome=Outcome.CONNECTED
    ).content.decode()  # nobody asked for the call: refused, still outgoing

    assert " hidden disabled" in _button(page, "9")
    assert " hidden" not in _button(page, "1")
    assert " hidden disabled" in _button(refused, "1")
    assert " hidden" not in _button(refused, "9") and " hidden" not in _button(refused, "5")
