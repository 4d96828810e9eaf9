"""The correction page (/calls/<id>/edit/) through the test client: the pickers'
hidden values, bad or stale choices, the time bounds, and the call pages'
language, titles, history and export rights; the caller's extension."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from calls.models import Call, Caller, ChangeReason, Direction, Outcome
from calls.services import call_delete, call_update
from calls.views.log import history_reason
from tests.calls.factories_log import LogCallFactory, recent_today
from tests.factories import (
    DepartmentFactory,
    ExtensionFactory,
    InfoEntryFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

JAKARTA = ZoneInfo("Asia/Jakarta")
FMT = "%Y-%m-%dT%H:%M:%S"


def edit_url(call):
    return reverse("calls:call-edit", args=[call.pk])


def form_data(call, **changes):
    """What the correction form posts when nothing is touched: each picker's
    hidden value and its visible box."""
    local = timezone.localtime
    data = {
        "direction": call.direction,
        "started_at": local(call.started_at).strftime(FMT),
        "ended_at": local(call.ended_at).strftime(FMT) if call.ended_at else "",
        "caller_name": call.caller_name,
        "caller_company": call.caller_company,
        "caller_kind": call.caller_kind,
        "caller_extension": call.caller_extension,
        "asked_for_staff": call.asked_for_staff_id or "",
        "asked_for_staff_text": call.asked_for_staff.full_name if call.asked_for_staff else "",
        "asked_for_department": call.asked_for_department_id or "",
        "transferred_to": call.transferred_to.number if call.transferred_to else "",
        "transferred_to_text": call.transferred_to.number if call.transferred_to else "",
        "category": call.category_id or "",
        "purpose": call.purpose,
        "outcome": call.outcome,
        "info_entry": call.info_entry_id or "",
        "info_entry_text": call.info_entry.title if call.info_entry else "",
        "requested_by": call.requested_by_id or "",
        "requested_by_text": call.requested_by.full_name if call.requested_by else "",
        "notes": call.notes,
    }
    data.update(changes)
    return data


@pytest.fixture
def finance(db):
    return DepartmentFactory(name="Keuangan", code="FIN")


@pytest.fixture
def budi(finance):
    person = StaffFactory(full_name="Budi Santoso", department=finance)
    ExtensionFactory(number="1702", staff=person)
    return person


@pytest.fixture
def call(operator):
    return LogCallFactory(operator=operator, outcome=Outcome.MESSAGE, purpose="Titip pesan")


def errors(response, field):
    return response.context["form"].errors.get(field, [])


# The pickers ------------------------------------------------------------------


def test_the_boxes_show_names_and_numbers_never_ids(operator_client, operator, budi):
    rina = StaffFactory(full_name="Rina Wati", department=DepartmentFactory(name="Direksi"))
    entry = InfoEntryFactory(title="Jam kerja kantor")
    call = LogCallFactory(
        operator=operator,
        outcome=Outcome.TRANSFERRED,
        asked_for_staff=budi,
        asked_for_department=budi.department,
        transferred_to=budi.extensions.get(),
        info_entry=entry,
    )
    body = operator_client.get(edit_url(call)).content.decode()
    assert 'value="Budi Santoso · Keuangan · 1702"' in body
    assert 'value="1702 · Budi Santoso · Keuangan"' in body
    assert 'value="Jam kerja kantor"' in body
    assert f'type="hidden" name="asked_for_staff" value="{budi.pk}"' in body
    assert 'type="hidden" name="transferred_to" value="1702"' in body  # the number
    assert "(id " not in body and "Id number" not in body
    assert rina.full_name not in body


def test_each_picker_is_a_labelled_combobox_with_its_listbox(operator_client, call):
    body = operator_client.get(edit_url(call)).content.decode()
    for name in ("asked_for_staff", "transferred_to", "info_entry", "requested_by"):
        box = f"id_{name}"
        assert f'<label class="form-label" for="{box}">' in body
        assert f'id="{box}" name="{name}_text"' in body
        assert f'aria-controls="{box}_listbox" aria-describedby="{box}_helptext"' in body
        assert f'id="{box}_listbox" role="listbox"' in body
        assert f'id="{box}_helptext"' in body
    assert body.count('role="combobox" aria-autocomplete="list" aria-expanded="false"') == 4


def test_posting_the_pickers_hidden_values_saves(operator_client, call, budi):
    requester = StaffFactory(full_name="Sari Dewi", department=budi.department)
    entry = InfoEntryFactory(title="Alamat kantor")
    response = operator_client.post(
        edit_url(call),
        form_data(
            call,
            outcome=Outcome.TRANSFERRED,
            asked_for_staff=budi.pk,
            asked_for_staff_text="Budi Santoso · Keuangan · 1702",
            transferred_to="1702",
            transferred_to_text="1702 · Budi Santoso · Keuangan",
            info_entry=entry.pk,
            info_entry_text="Alamat kantor",
        ),
    )
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.asked_for_staff == budi
    assert call.transferred_to.number == "1702"
    assert call.info_entry == entry
    assert call.asked_for_department == budi.department

    outgoing = operator_client.post(
        edit_url(call),
        form_data(
            call,
            direction=Direction.OUTGOING,
            outcome=Outcome.CONNECTED,
            requested_by=requester.pk,
            requested_by_text="Sari Dewi",
        ),
    )
    assert outgoing.status_code == 302
    call.refresh_from_db()
    assert (call.direction, call.requested_by) == (Direction.OUTGOING, requester)


def test_a_script_may_post_the_hidden_values_alone(operator_client, call, budi):
    data = form_data(call, asked_for_staff=budi.pk)
    for name in list(data):
        if name.endswith("_text"):
            del data[name]
    assert operator_client.post(edit_url(call), data).status_code == 302
    call.refresh_from_db()
    assert call.asked_for_staff == budi


def test_an_extension_number_typed_into_the_box_is_the_extension(operator_client, call, budi):
    # Typing 17 once saved the extension whose id was 17; numbers are numbers now.
    ExtensionFactory(number="4100")
    data = form_data(
        call, outcome=Outcome.TRANSFERRED, transferred_to="", transferred_to_text="1702"
    )
    assert operator_client.post(edit_url(call), data).status_code == 302
    call.refresh_from_db()
    assert call.transferred_to.number == "1702"


@pytest.mark.parametrize(
    ("hidden", "text", "message"),
    [
        ("9999", "9999", "There is no extension 9999."),
        ("", "17", "There is no extension 17."),
        ("", "Budi", "Type an extension number (2 to 8 digits) or choose one from the list."),
        ("²³", "²³", "Type an extension number (2 to 8 digits) or choose one from the list."),
        (
            "9" * 40,
            "9" * 40,
            "Type an extension number (2 to 8 digits) or choose one from the list.",
        ),
    ],
)
def test_an_unknown_extension_is_a_field_error(operator_client, call, budi, hidden, text, message):
    data = form_data(
        call, outcome=Outcome.TRANSFERRED, transferred_to=hidden, transferred_to_text=text
    )
    response = operator_client.post(edit_url(call), data)
    assert response.status_code == 400
    assert errors(response, "transferred_to") == [message]
    call.refresh_from_db()
    assert (call.outcome, call.transferred_to) == (Outcome.MESSAGE, None)


@pytest.mark.parametrize("bad", ["999999", "abc", "²³", "1" * 30, "-1", "1.5"])
@pytest.mark.parametrize("field", ["asked_for_staff", "info_entry", "requested_by"])
def test_a_bad_id_is_a_field_error_never_a_500(operator_client, call, field, bad):
    response = operator_client.post(
        edit_url(call), form_data(call, **{field: bad, f"{field}_text": "something"})
    )
    assert response.status_code == 400
    assert errors(response, field) == ["This choice no longer exists; search again and choose."]
    assert Call.objects.get(pk=call.pk).history.count() == 1


def test_text_typed_but_nothing_chosen_says_to_choose(operator_client, call):
    response = operator_client.post(
        edit_url(call), form_data(call, asked_for_staff="", asked_for_staff_text="bud")
    )
    assert response.status_code == 400
    assert errors(response, "asked_for_staff") == [
        "Choose from the list: type a few letters, then ↓ and Enter."
    ]
    assert 'value="bud"' in response.content.decode()  # what was typed stays in the box


def test_a_stale_choice_is_a_field_error(operator_client, call):
    gone = StaffFactory(full_name="Sudah Keluar")
    gone_id = gone.pk
    gone.delete()
    response = operator_client.post(
        edit_url(call), form_data(call, asked_for_staff=gone_id, asked_for_staff_text="Sudah")
    )
    assert response.status_code == 400
    assert errors(response, "asked_for_staff")


def test_emptying_the_box_clears_the_choice(operator_client, operator, budi):
    call = LogCallFactory(
        operator=operator,
        outcome=Outcome.MESSAGE,
        purpose="Titip pesan",
        asked_for_staff=budi,
        asked_for_department=budi.department,
    )
    # The hidden input still holds the id (no script ran); the empty box decides.
    data = form_data(call, asked_for_staff=budi.pk, asked_for_staff_text="")
    assert operator_client.post(edit_url(call), data).status_code == 302
    call.refresh_from_db()
    assert call.asked_for_staff is None


def test_a_requester_who_has_left_stays_valid_until_changed(supervisor_client, operator, budi):
    call = LogCallFactory(
        operator=operator, direction=Direction.OUTGOING, outcome=Outcome.CONNECTED,
        requested_by=budi,
    )  # fmt: skip
    budi.active = False
    budi.save()
    response = supervisor_client.post(edit_url(call), form_data(call, notes="dicek"))
    assert response.status_code == 302
    call.refresh_from_db()
    assert (call.requested_by, call.notes) == (budi, "dicek")
    other = StaffFactory(full_name="Juga Keluar", active=False)
    refused = supervisor_client.post(edit_url(call), form_data(call, requested_by=other.pk))
    assert errors(refused, "requested_by")


def test_help_texts_never_hold_related_text(operator_client, operator, finance):
    markup = StaffFactory(full_name="<img src=x onerror=alert(1)>", department=finance)
    entry = InfoEntryFactory(title="<script>alert(2)</script>")
    call = LogCallFactory(
        operator=operator,
        outcome=Outcome.ANSWERED,
        asked_for_staff=markup,
        info_entry=entry,
    )
    response = operator_client.get(edit_url(call))
    body = response.content.decode()
    assert "<img src=x" not in body and "<script>alert(2)" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    form = response.context["form"]
    for name in ("asked_for_staff", "transferred_to", "info_entry", "requested_by"):
        assert "alert" not in str(form.fields[name].help_text)


def test_the_page_has_no_inline_style_or_script(operator_client, call):
    body = operator_client.get(edit_url(call)).content.decode()
    assert "style=" not in body
    assert "<script>" not in body and "onclick" not in body
    assert '<script src="/static/js/picker.js"></script>' in body


# Times through the correction page --------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"started_at": "0001-01-01T00:00:00"},
            "started_at",
            "A call cannot be before 2000-01-01.",
        ),
        (
            {"started_at": "1999-12-31T23:59:00"},
            "started_at",
            "A call cannot be before 2000-01-01.",
        ),
        (
            {"ended_at": (timezone.localtime() + timedelta(hours=2)).strftime(FMT)},
            "ended_at",
            "A call cannot end in the future.",
        ),
    ],
)
def test_a_time_out_of_bounds_is_a_field_error_and_saves_nothing(
    supervisor_client, call, changes, field, message
):
    response = supervisor_client.post(edit_url(call), form_data(call, **changes))
    assert response.status_code == 400
    assert errors(response, field) == [message]
    assert message in response.content.decode()
    fresh = Call.objects.get(pk=call.pk)
    assert fresh.started_at == call.started_at
    assert fresh.history.count() == 1


def test_a_call_longer_than_a_day_is_a_field_error(supervisor_client, operator):
    start = timezone.now() - timedelta(days=3)
    call = LogCallFactory(operator=operator, started_at=start, ended_at=start, purpose="x")
    end = timezone.localtime(start + timedelta(days=1, minutes=1)).strftime(FMT)
    response = supervisor_client.post(edit_url(call), form_data(call, ended_at=end))
    assert errors(response, "ended_at") == ["A call cannot last more than a day."]
    assert Call.objects.get(pk=call.pk).ended_at == start


def test_an_operator_cannot_move_their_call_to_another_day(operator_client, call):
    yesterday = timezone.localtime(call.started_at) - timedelta(days=1)
    response = operator_client.post(
        edit_url(call),
        form_data(
            call,
            started_at=yesterday.strftime(FMT),
            ended_at=(yesterday + timedelta(minutes=1)).strftime(FMT),
        ),
    )
    assert response.status_code == 400
    [message] = errors(response, "started_at")
    assert message.startswith("A call stays on its own day")
    assert Call.objects.get(pk=call.pk).started_at == call.started_at


def test_a_supervisor_moves_a_call_to_another_day(supervisor_client, call):
    earlier = datetime(2024, 3, 4, 10, 0, tzinfo=JAKARTA)
    response = supervisor_client.post(
        edit_url(call),
        form_data(
            call,
            started_at=earlier.strftime(FMT),
            ended_at=(earlier + timedelta(minutes=2)).strftime(FMT),
        ),
    )
    assert response.status_code == 302
    call.refresh_from_db()
    assert (call.started_at, call.duration_seconds) == (earlier, 120)


# Language, titles and history --------------------------------------------------


def test_history_names_people_and_rows_never_ids(supervisor_client, supervisor, operator, budi):
    call = LogCallFactory(operator=operator, outcome=Outcome.MESSAGE, purpose="Titip pesan")
    call_update(call=call, by=supervisor, asked_for_staff=budi)
    call_delete(call=Call.objects.get(pk=call.pk), by=supervisor, reason="Uji coba")
    body = supervisor_client.get(reverse("calls:call-detail", args=[call.pk])).content.decode()
    assert "Budi Santoso" in body
    assert supervisor.get_full_name() in body
    assert "(#" not in body


def test_history_reasons_are_codes_shown_in_the_readers_language():
    assert ChangeReason.CORRECTED == "corrected"
    with translation.override("id"):
        assert history_reason("deleted") == "dihapus"
        assert history_reason("deleted: Salah input") == "dihapus: Salah input"  # an old row
        assert history_reason("corrected") == str(ChangeReason.CORRECTED.label)
        assert history_reason("imported by hand") == "imported by hand"
    assert history_reason(None) == ""


def test_a_correction_and_a_deletion_store_reason_codes(supervisor, call):
    call_update(call=call, by=supervisor, notes="x")
    call_delete(call=Call.objects.get(pk=call.pk), by=supervisor, reason="Salah input")
    reasons = list(
        call.history.order_by("history_id").values_list("history_change_reason", flat=True)
    )
    assert reasons == [None, "corrected", "deleted"]


def test_indonesian_titles_do_not_double_the_word_call(operator_client, call, settings):
    settings.LANGUAGE_CODE = "id"  # the company default, which the operator keeps
    edit = operator_client.get(edit_url(call)).content.decode()
    detail = operator_client.get(reverse("calls:call-detail", args=[call.pk]))
    detail = detail.content.decode()
    assert "Koreksi: Panggilan masuk" in edit
    assert "Koreksi panggilan Panggilan" not in edit
    assert "Panggilan Panggilan" not in detail and "Panggilan masuk" in detail


# Export is a permission of its own --------------------------------------------------


def test_only_those_who_may_export_see_the_buttons(operator_client, supervisor_client, call):
    log = reverse("calls:call-list")
    assert "Export CSV" not in operator_client.get(log).content.decode()
    assert "Export CSV" in supervisor_client.get(log).content.decode()
    htmx = supervisor_client.get(log, HTTP_HX_REQUEST="true").content.decode()
    assert "Export XLSX" in htmx


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_operator_gets_403_on_export(operator_client, call, fmt):
    response = operator_client.get(reverse("calls:call-export", args=[fmt]))
    assert response.status_code == 403


def test_export_is_granted_by_its_own_permission(client, call):
    from django.contrib.auth.models import Permission

    user = UserFactory(username="auditor")
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="calls", codename="view_call")
    )
    client.force_login(user)
    assert client.get(reverse("calls:call-export", args=["csv"])).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="export_call"))
    assert client.get(reverse("calls:call-export", args=["csv"])).status_code == 200


# The caller's extension -----------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["021-5551234 ext 12", "021 555 1234 x12", "(021) 5551234 psw. 12", "0215551234 pes 12"],
)
def test_the_console_keeps_the_callers_extension(operator_client, written):
    response = operator_client.post(
        reverse("calls:console"),
        {
            "direction": "in",
            "caller_kind": "unknown",
            "started_at": (timezone.now() - timedelta(seconds=30)).isoformat(),
            "number": written,
            "outcome": Outcome.CALL_BACK,
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    call = Call.objects.get()
    assert call.caller.number.as_e164 == "+62215551234"  # the main number
    assert call.caller_extension == "12"


def test_the_callers_extension_shows_on_the_call_and_in_the_callers_history(
    operator_client, operator
):
    caller = Caller.objects.create(number="+62215551234", name="PT Maju")
    call = LogCallFactory(
        operator=operator, caller=caller, caller_extension="12", started_at=recent_today()
    )
    detail = operator_client.get(reverse("calls:call-detail", args=[call.pk])).content.decode()
    assert '(021) 5551234</a> <span class="sb-caller-extension">ext. 12</span>' in detail
    # The console's caller panel gets the calls with their extension.
    panel = operator_client.get(reverse("calls:caller-lookup"), {"number": "021-5551234 ext 12"})
    assert [c.caller_extension for c in panel.context["history"]] == ["12"]
