"""The call log: filters, sorting, lazy pagination, detail with history,
corrections, supervisor deletions, the caller page and who may see what."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from calls.models import Call, Direction, Outcome
from calls.tables import PER_PAGE
from switchboard.roles import OPERATOR
from tests.calls.factories_log import (
    LogCallerFactory,
    LogCallFactory,
    recent_today,
)
from tests.factories import (
    CallCategoryFactory,
    DepartmentFactory,
    ExtensionFactory,
    InfoEntryFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("calls:call-list")


def listed_ids(response) -> list[int]:
    return [row.record.pk for row in response.context["table"].paginated_rows]


# Filters ----------------------------------------------------------------------


def test_list_defaults_to_todays_calls(supervisor_client, operator):
    today = LogCallFactory(operator=operator)
    LogCallFactory(operator=operator, started_at=timezone.now() - timezone.timedelta(days=2))
    assert listed_ids(supervisor_client.get(LIST)) == [today.pk]


def test_date_range_filter_narrows(supervisor_client, operator):
    old = LogCallFactory(operator=operator, started_at=timezone.now() - timezone.timedelta(days=3))
    LogCallFactory(operator=operator)
    day = timezone.localtime(old.started_at).date().isoformat()
    response = supervisor_client.get(LIST, {"date_from": day, "date_to": day})
    assert listed_ids(response) == [old.pk]


def test_time_range_filter_narrows(supervisor_client, operator):
    day = timezone.localdate() - timezone.timedelta(days=1)
    tz = timezone.get_current_timezone()
    morning = LogCallFactory(
        operator=operator,
        started_at=timezone.datetime(day.year, day.month, day.day, 9, 30, tzinfo=tz),
    )
    LogCallFactory(
        operator=operator,
        started_at=timezone.datetime(day.year, day.month, day.day, 15, 0, tzinfo=tz),
    )
    response = supervisor_client.get(
        LIST,
        {
            "date_from": day.isoformat(),
            "time_from": "09:00",
            "date_to": day.isoformat(),
            "time_to": "10:00",
        },
    )
    assert listed_ids(response) == [morning.pk]


def test_operator_filter_lists_only_operators_and_narrows(supervisor_client, supervisor):
    first = UserFactory(username="op-a", roles=[OPERATOR])
    second = UserFactory(username="op-b", roles=[OPERATOR])
    mine = LogCallFactory(operator=first)
    LogCallFactory(operator=second)
    response = supervisor_client.get(LIST, {"operator": first.pk})
    assert listed_ids(response) == [mine.pk]
    choices = [
        value for value, _label in response.context["filter"].form.fields["operator"].choices
    ]
    assert str(first.pk) in choices and str(second.pk) in choices
    assert str(supervisor.pk) not in choices


@pytest.mark.parametrize(
    ("name", "value", "other"),
    [
        ("direction", Direction.OUTGOING, Direction.INCOMING),
        ("outcome", Outcome.MESSAGE, Outcome.ANSWERED),
    ],
)
def test_choice_filters_narrow(supervisor_client, operator, name, value, other):
    wanted = LogCallFactory(operator=operator, **{name: value})
    LogCallFactory(operator=operator, **{name: other})
    assert listed_ids(supervisor_client.get(LIST, {name: value})) == [wanted.pk]


def test_category_filter_narrows(supervisor_client, operator):
    billing = CallCategoryFactory(name="Tagihan")
    jobs = CallCategoryFactory(name="Lowongan")
    wanted = LogCallFactory(operator=operator, category=billing)
    LogCallFactory(operator=operator, category=jobs)
    assert listed_ids(supervisor_client.get(LIST, {"category": billing.pk})) == [wanted.pk]


def test_department_filter_narrows(supervisor_client, operator):
    finance = DepartmentFactory(name="Keuangan")
    wanted = LogCallFactory(operator=operator, asked_for_department=finance)
    LogCallFactory(operator=operator, asked_for_department=DepartmentFactory(name="Gudang"))
    assert listed_ids(supervisor_client.get(LIST, {"department": finance.pk})) == [wanted.pk]


def test_staff_filter_by_id_or_name_narrows_and_is_a_text_input(supervisor_client, operator):
    budi = StaffFactory(full_name="Budi Santoso")
    wanted = LogCallFactory(operator=operator, asked_for_staff=budi)
    LogCallFactory(operator=operator, asked_for_staff=StaffFactory(full_name="Wati Lestari"))
    assert listed_ids(supervisor_client.get(LIST, {"staff": budi.pk})) == [wanted.pk]
    response = supervisor_client.get(LIST, {"staff": "santoso"})
    assert listed_ids(response) == [wanted.pk]
    assert 'name="staff"' in response.content.decode()
    assert '<select name="staff"' not in response.content.decode()


def test_caller_filter_by_number_in_any_format_or_by_name(supervisor_client, operator):
    caller = LogCallerFactory(number="+6281234567890")
    by_number = LogCallFactory(operator=operator, caller=caller, caller_name="Pak Joko")
    by_name = LogCallFactory(operator=operator, caller_name="Ibu Ratna Dewi")
    for typed in ("081234567890", "+62 812-3456-7890"):
        assert listed_ids(supervisor_client.get(LIST, {"caller": typed})) == [by_number.pk]
    assert listed_ids(supervisor_client.get(LIST, {"caller": "ratna"})) == [by_name.pk]


def test_caller_filter_reads_a_number_as_the_console_stores_it(supervisor_client, operator):
    # Digits starting with the country code, without the "+": the console stores
    # +62 21 555 1234, so the filter looks for that caller, not +62 62 21...
    caller = LogCallerFactory(number="+62215551234")
    wanted = LogCallFactory(operator=operator, caller=caller)
    LogCallFactory(operator=operator, caller=LogCallerFactory(number="+6281234567890"))
    assert listed_ids(supervisor_client.get(LIST, {"caller": "62215551234"})) == [wanted.pk]


# Sorting and pagination -------------------------------------------------------


def test_newest_first_by_default_and_sortable_by_time(supervisor_client, operator):
    now = recent_today()
    older = LogCallFactory(operator=operator, started_at=now - timezone.timedelta(seconds=30))
    newer = LogCallFactory(operator=operator, started_at=now)
    assert listed_ids(supervisor_client.get(LIST)) == [newer.pk, older.pk]
    assert listed_ids(supervisor_client.get(LIST, {"sort": "started_at"})) == [older.pk, newer.pk]


def test_sortable_by_outcome(supervisor_client, operator):
    message = LogCallFactory(operator=operator, outcome=Outcome.MESSAGE)
    answered = LogCallFactory(operator=operator, outcome=Outcome.ANSWERED)
    assert listed_ids(supervisor_client.get(LIST, {"sort": "outcome"})) == [
        answered.pk,
        message.pk,
    ]


def test_lazy_pagination_shows_next_without_counting(supervisor_client, operator):
    LogCallFactory.create_batch(PER_PAGE + 1, operator=operator)
    with CaptureQueriesContext(connection) as ctx:
        response = supervisor_client.get(LIST)
    assert not [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    body = response.content.decode()
    assert len(listed_ids(response)) == PER_PAGE
    assert "Next" in body and "Previous" not in body
    page_two = supervisor_client.get(LIST, {"page": 2})
    assert len(listed_ids(page_two)) == 1
    assert "Previous" in page_two.content.decode() and "Next" not in page_two.content.decode()


def test_list_query_count_is_constant(supervisor_client, operator):
    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            response = supervisor_client.get(LIST)
        assert response.status_code == 200
        return len(ctx.captured_queries), len(listed_ids(response))

    category = CallCategoryFactory()
    staff = StaffFactory()
    caller = LogCallerFactory()
    kwargs = {
        "operator": operator,
        "category": category,
        "asked_for_staff": staff,
        "asked_for_department": staff.department,
        "caller": caller,
    }
    LogCallFactory(**kwargs)
    one, rows = count_queries()
    assert rows == 1
    LogCallFactory.create_batch(49, **kwargs)
    fifty, rows = count_queries()
    assert rows == 50
    assert one == fifty
    assert fifty <= 8


def test_deep_page_lists_the_right_rows(supervisor_client, operator):
    now = recent_today()
    calls = [
        LogCallFactory(operator=operator, started_at=now - timezone.timedelta(seconds=s))
        for s in range(2 * PER_PAGE + 3)
    ]
    page_three = supervisor_client.get(LIST, {"page": 3})
    assert listed_ids(page_three) == [c.pk for c in calls[2 * PER_PAGE :]]
    body = page_three.content.decode()
    assert "Previous" in body and "Next" not in body


def test_rows_escape_typed_text_and_link_the_caller(supervisor_client, operator):
    caller = LogCallerFactory(number="+6281234567890")
    LogCallFactory(operator=operator, caller=caller, caller_name="<b>Joko</b>")
    LogCallFactory(operator=operator, caller_name="<i>x</i>", number_withheld=True)
    body = supervisor_client.get(LIST).content.decode()
    assert "<b>Joko</b>" not in body and "&lt;b&gt;Joko&lt;/b&gt;" in body
    assert "&lt;i&gt;x&lt;/i&gt; <span class='text-muted'>(withheld)</span>" in body
    assert f'<a href="{caller.get_absolute_url()}">0812-3456-7890</a>' in body


def test_the_callers_extension_follows_the_number_in_the_log(supervisor_client, operator):
    caller = LogCallerFactory(number="+62215551234")
    LogCallFactory(operator=operator, caller=caller, caller_extension="12", caller_name="Rudi")

    body = supervisor_client.get(LIST).content.decode()

    assert f'<a href="{caller.get_absolute_url()}">(021) 5551234</a> ext. 12 · Rudi' in body


def test_filter_selects_keep_the_chosen_option_and_one_empty_choice(supervisor_client, operator):
    category = CallCategoryFactory(name="Tagihan & <Lain>")
    body = supervisor_client.get(LIST, {"category": category.pk}).content.decode()
    assert f'<option value="{category.pk}" selected>Tagihan &amp; &lt;Lain&gt;</option>' in body
    # The other single selects (the outcome is a list box of several, with no empty choice).
    assert body.count('<option value="" selected>') == 3
    assert body.count('<option value="">') == 1  # the category's empty choice


def test_htmx_request_gets_the_results_partial(supervisor_client, operator):
    LogCallFactory(operator=operator)
    response = supervisor_client.get(LIST, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'id="sb-call-log-results"' in body
    assert '<nav class="navbar' not in body


# Detail and history -----------------------------------------------------------


def test_detail_shows_history_after_an_edit(operator_client, operator):
    call = LogCallFactory(operator=operator, caller_name="Pak Lama", purpose="Alamat kantor")
    response = operator_client.post(
        reverse("calls:call-edit", args=[call.pk]), _form_data(call, caller_name="Pak Baru")
    )
    assert response.status_code == 302
    detail = operator_client.get(reverse("calls:call-detail", args=[call.pk]))
    body = detail.content.decode()
    assert "History of changes" in body
    assert "Caller name" in body and "Pak Lama" in body and "Pak Baru" in body


@pytest.mark.parametrize("page", ["calls:call-detail", "calls:call-edit"])
def test_call_pages_load_every_relation_they_name_with_the_call(supervisor_client, operator, page):
    def count_queries(call):
        url = reverse(page, args=[call.pk])
        supervisor_client.get(url)  # warm up (session, permissions)
        with CaptureQueriesContext(connection) as ctx:
            assert supervisor_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    staff = StaffFactory()
    full = LogCallFactory(
        operator=operator,
        caller=LogCallerFactory(),
        category=CallCategoryFactory(),
        asked_for_staff=staff,
        asked_for_department=staff.department,
        transferred_to=ExtensionFactory(staff=staff),
        info_entry=InfoEntryFactory(),
        requested_by=StaffFactory(),
    )
    bare = LogCallFactory(operator=operator)
    assert count_queries(full) == count_queries(bare)


# Edit -------------------------------------------------------------------------


def _form_data(call, **changes):
    fmt = "%Y-%m-%dT%H:%M:%S"
    data = {
        "direction": call.direction,
        "started_at": timezone.localtime(call.started_at).strftime(fmt),
        "ended_at": timezone.localtime(call.ended_at).strftime(fmt) if call.ended_at else "",
        "caller_name": call.caller_name,
        "caller_company": call.caller_company,
        "caller_kind": call.caller_kind,
        "asked_for_staff": call.asked_for_staff_id or "",
        "asked_for_department": call.asked_for_department_id or "",
        "transferred_to": call.transferred_to.number if call.transferred_to_id else "",
        "category": call.category_id or "",
        "purpose": call.purpose,
        "outcome": call.outcome,
        "info_entry": call.info_entry_id or "",
        "requested_by": call.requested_by_id or "",
        "notes": call.notes,
    }
    data.update(changes)
    return data


def test_operator_corrects_own_call_today(operator_client, operator):
    call = LogCallFactory(operator=operator)
    url = reverse("calls:call-edit", args=[call.pk])
    assert operator_client.get(url).status_code == 200
    response = operator_client.post(url, _form_data(call, purpose="Tanya tagihan"))
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.purpose == "Tanya tagihan"


def test_edit_form_never_renders_a_staff_select_but_pickers(operator_client, operator):
    call = LogCallFactory(operator=operator)
    body = operator_client.get(reverse("calls:call-edit", args=[call.pk])).content.decode()
    for name in ("asked_for_staff", "transferred_to", "requested_by", "info_entry"):
        assert f'<select name="{name}"' not in body
        assert f'type="hidden" name="{name}" value=""' in body
        assert f'name="{name}_text" value=""' in body
    assert body.count('role="combobox"') == 4


def test_operator_cannot_correct_yesterdays_call(operator_client, operator):
    call = LogCallFactory(operator=operator, started_at=timezone.now() - timezone.timedelta(days=1))
    url = reverse("calls:call-edit", args=[call.pk])
    assert operator_client.get(url).status_code == 403
    assert operator_client.post(url, _form_data(call, purpose="x")).status_code == 403
    call.refresh_from_db()
    assert call.purpose == ""


def test_operator_cannot_correct_another_operators_call(operator_client):
    call = LogCallFactory(operator=UserFactory(username="op-other", roles=[OPERATOR]))
    url = reverse("calls:call-edit", args=[call.pk])
    assert operator_client.get(url).status_code == 403
    assert operator_client.post(url, _form_data(call, purpose="x")).status_code == 403


def test_supervisor_corrects_any_call(supervisor_client, operator):
    call = LogCallFactory(operator=operator, started_at=timezone.now() - timezone.timedelta(days=5))
    response = supervisor_client.post(
        reverse("calls:call-edit", args=[call.pk]),
        _form_data(call, outcome=Outcome.MESSAGE, purpose="Mohon telepon balik"),
    )
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.outcome == Outcome.MESSAGE


def test_invalid_edit_shows_field_error_and_saves_nothing(operator_client, operator):
    call = LogCallFactory(operator=operator)
    before = timezone.localtime(call.started_at - timezone.timedelta(minutes=1))
    response = operator_client.post(
        reverse("calls:call-edit", args=[call.pk]),
        _form_data(call, ended_at=before.strftime("%Y-%m-%dT%H:%M:%S"), purpose="changed"),
    )
    assert response.status_code == 400
    assert "ended_at" in response.context["form"].errors
    assert "cannot be before its start" in response.content.decode()
    call.refresh_from_db()
    assert call.purpose == ""
    assert call.history.count() == 1


# Delete -----------------------------------------------------------------------


def test_operator_cannot_delete(operator_client, operator):
    call = LogCallFactory(operator=operator)
    response = operator_client.post(
        reverse("calls:call-delete", args=[call.pk]), {"reason": "salah input"}
    )
    assert response.status_code == 403
    call.refresh_from_db()
    assert not call.is_deleted


def test_delete_is_post_only(supervisor_client, operator):
    call = LogCallFactory(operator=operator)
    assert supervisor_client.get(reverse("calls:call-delete", args=[call.pk])).status_code == 405


def test_supervisor_deletes_with_reason_and_the_trace_stays(
    supervisor_client, supervisor, operator
):
    call = LogCallFactory(operator=operator)
    response = supervisor_client.post(
        reverse("calls:call-delete", args=[call.pk]), {"reason": "Panggilan uji coba"}
    )
    assert response.status_code == 302
    assert call.pk not in listed_ids(supervisor_client.get(LIST))
    body = supervisor_client.get(reverse("calls:call-detail", args=[call.pk])).content.decode()
    assert "This call was deleted from the log" in body
    assert "Panggilan uji coba" in body
    assert f"Deleted by {escape(supervisor.get_full_name())} on " in body


def test_deleted_call_detail_is_hidden_from_operators(operator_client, supervisor, operator):
    call = LogCallFactory(operator=operator)
    Call.objects.filter(pk=call.pk).update(
        deleted_at=timezone.now(), deleted_by=supervisor, delete_reason="x"
    )
    assert operator_client.get(reverse("calls:call-detail", args=[call.pk])).status_code == 404


def test_a_deleted_call_cannot_be_corrected_even_by_a_supervisor(supervisor_client, supervisor):
    call = LogCallFactory()
    Call.objects.filter(pk=call.pk).update(
        deleted_at=timezone.now(), deleted_by=supervisor, delete_reason="x"
    )
    url = reverse("calls:call-edit", args=[call.pk])
    assert supervisor_client.get(url).status_code == 404
    assert supervisor_client.post(url, _form_data(call, purpose="x")).status_code == 404
    call.refresh_from_db()
    assert call.purpose == ""


def test_delete_without_reason_shows_error_and_deletes_nothing(supervisor_client, operator):
    call = LogCallFactory(operator=operator)
    response = supervisor_client.post(reverse("calls:call-delete", args=[call.pk]), {"reason": " "})
    assert response.status_code == 400
    assert response.context["form"].errors["reason"]
    call.refresh_from_db()
    assert not call.is_deleted


# Caller page ------------------------------------------------------------------


def test_caller_page_shows_the_numbers_calls(operator_client, operator):
    caller = LogCallerFactory(number="+62215551234", name="Pak Joko", company="PT Maju")
    theirs = LogCallFactory.create_batch(2, operator=operator, caller=caller)
    other = LogCallFactory(operator=operator, caller=LogCallerFactory())
    response = operator_client.get(reverse("calls:caller-detail", args=[caller.pk]))
    assert response.status_code == 200
    ids = listed_ids(response)
    assert sorted(ids) == sorted(c.pk for c in theirs)
    assert other.pk not in ids
    body = response.content.decode()
    assert "Pak Joko" in body and "PT Maju" in body and "(021) 5551234" in body


def test_caller_page_paginates_lazily(operator_client, operator):
    caller = LogCallerFactory()
    LogCallFactory.create_batch(PER_PAGE + 1, operator=operator, caller=caller)
    with CaptureQueriesContext(connection) as ctx:
        response = operator_client.get(reverse("calls:caller-detail", args=[caller.pk]))
    assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert "Next" in response.content.decode()


# Who may see what ---------------------------------------------------------------


def _all_pages(call):
    caller_pk = call.caller_id
    return [
        ("get", LIST),
        ("get", reverse("calls:call-export", args=["csv"])),
        ("get", reverse("calls:call-export", args=["xlsx"])),
        ("get", reverse("calls:call-detail", args=[call.pk])),
        ("get", reverse("calls:call-edit", args=[call.pk])),
        ("post", reverse("calls:call-delete", args=[call.pk])),
        ("get", reverse("calls:caller-detail", args=[caller_pk])),
    ]


def test_anonymous_is_sent_to_login(client, operator):
    call = LogCallFactory(operator=operator, caller=LogCallerFactory())
    for method, url in _all_pages(call):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert reverse("login") in response["Location"]


@pytest.mark.parametrize("persona", ["outsider_client", "staff_client"])
def test_users_without_a_calls_role_get_403_everywhere(request, persona, operator):
    client = request.getfixturevalue(persona)
    call = LogCallFactory(operator=operator, caller=LogCallerFactory())
    for method, url in _all_pages(call):
        assert getattr(client, method)(url, {"reason": "x"}).status_code == 403, url
    call.refresh_from_db()
    assert not call.is_deleted
