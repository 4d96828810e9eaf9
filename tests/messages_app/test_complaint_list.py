"""The complaint list: filters with several values (and unrouted, unassigned,
the date range, overdue only), the keyword search, sorting and pages, who
sees what, bulk actions from the list end to end, and its constant number of
queries."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from messages_app import tables
from messages_app.models import Complaint, ComplaintStatus
from messages_app.selectors_complaints import deadline_flags
from messages_app.services.complaints import complaint_search_text
from switchboard.roles import DIRECTORY_ADMIN
from tests.factories import StaffFactory, UserFactory
from tests.messages_app.complaint_world import *  # noqa: F403  (the fixtures)
from tests.messages_app.complaint_world import at
from tests.messages_app.factories import (
    ComplaintCategoryFactory,
    ComplaintFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("messages_app:complaint-list")
ROW = re.compile(r'<tr data-complaint-id="(\d+)"')


def make(**values) -> Complaint:
    """A complaint written straight to the table, with its search text."""
    complaint = ComplaintFactory(**values)
    complaint.search_text = complaint_search_text(complaint)
    Complaint.objects.filter(pk=complaint.pk).update(search_text=complaint.search_text)
    return complaint


def shown(response) -> list[int]:
    """The complaints the page lists, in its order."""
    assert response.status_code == 200, response.status_code
    return [int(pk) for pk in ROW.findall(response.content.decode())]


def ids(*complaints) -> list[int]:
    return [c.pk for c in complaints]


def listed(client, **query) -> list[int]:
    return shown(client.get(LIST, query))


# Filters ------------------------------------------------------------------------------------


def test_status_takes_several_values(supervisor_client, finance):
    routed = make(department=finance, status=ComplaintStatus.ROUTED)
    resolved = make(department=finance, status=ComplaintStatus.RESOLVED)
    make(department=finance, status=ComplaintStatus.CLOSED)

    found = listed(supervisor_client, status=["routed", "resolved"])

    assert sorted(found) == sorted(ids(routed, resolved))


def test_any_open_stands_for_every_open_status(supervisor_client, finance):
    open_ones = [
        make(department=finance, status=status)
        for status in ("new", "routed", "acknowledged", "in_progress", "reopened")
    ]
    make(department=finance, status=ComplaintStatus.RESOLVED)
    closed = make(department=finance, status=ComplaintStatus.CLOSED)

    assert sorted(listed(supervisor_client, status="open")) == sorted(ids(*open_ones))
    both = listed(supervisor_client, status=["open", "closed"])
    assert sorted(both) == sorted(ids(*open_ones, closed))


def test_severity_takes_several_values(supervisor_client, finance):
    high = make(department=finance, severity="high")
    critical = make(department=finance, severity="critical")
    make(department=finance, severity="low")

    assert sorted(listed(supervisor_client, severity=["high", "critical"])) == ids(high, critical)


def test_departments_several_and_the_unrouted_ones(supervisor_client, finance, service):
    mine = make(department=finance)
    theirs = make(department=service)
    unrouted = make(department=None, status=ComplaintStatus.NEW)
    make(department=StaffFactory().department)

    both = listed(supervisor_client, department=[finance.pk, service.pk])
    assert sorted(both) == ids(mine, theirs)
    assert listed(supervisor_client, department="none") == ids(unrouted)
    with_unrouted = listed(supervisor_client, department=["none", finance.pk])
    assert sorted(with_unrouted) == ids(mine, unrouted)


def test_categories_and_products_several_at_once(supervisor_client, finance, billing, card):
    other_category, other_product = ComplaintCategoryFactory(), ProductFactory()
    billed = make(department=finance, category=billing)
    other = make(department=finance, category=other_category, product=card)
    make(department=finance, product=other_product)

    by_category = listed(supervisor_client, category=[billing.pk, other_category.pk])
    assert sorted(by_category) == ids(billed, other)
    assert listed(supervisor_client, product=card.pk) == ids(other)
    assert listed(supervisor_client, category=billing.pk, product=card.pk) == []


def test_assigned_to_several_people_and_the_unassigned(supervisor_client, finance, worker):
    colleague = StaffFactory(department=finance, full_name="Rudi Rekan")
    one = make(department=finance, assigned_to=worker)
    two = make(department=finance, assigned_to=colleague)
    nobody = make(department=finance)

    response = supervisor_client.get(LIST, {"department": finance.pk})
    html = response.content.decode()
    assert "Rudi Rekan" in html and "Sari Pegawai" in html  # offered: the department's people

    people = listed(supervisor_client, assigned_to=[worker.pk, colleague.pk])
    assert sorted(people) == ids(one, two)
    assert listed(supervisor_client, assigned_to="none") == ids(nobody)
    assert sorted(listed(supervisor_client, assigned_to=["none", worker.pk])) == ids(one, nobody)


def test_the_date_range_counts_whole_local_days(supervisor_client, finance):
    first_minute = make(department=finance, created_at=at(2026, 3, 2, 0, 0))
    last_minute = make(department=finance, created_at=at(2026, 3, 4, 23, 59))
    make(department=finance, created_at=at(2026, 3, 1, 23, 59))
    make(department=finance, created_at=at(2026, 3, 5, 0, 0))

    found = listed(supervisor_client, date_from="2026-03-02", date_to="2026-03-04")

    assert found == ids(last_minute, first_minute)  # newest first


def test_an_end_before_the_start_is_said_next_to_it_and_lists_nothing(supervisor_client, finance):
    make(department=finance)

    response = supervisor_client.get(LIST, {"date_from": "2026-03-04", "date_to": "2026-03-01"})

    html = response.content.decode()
    assert 'data-error-for="date_to">The end comes before the start.' in html
    assert shown(response) == [] and "No complaints match." in html


def test_overdue_only_lists_exactly_the_rows_marked_overdue(supervisor_client, finance):
    now = timezone.now()
    past, future = now - timedelta(hours=1), now + timedelta(days=3)
    late_ack = make(department=finance, status="routed", acknowledge_due_at=past)
    late_resolve = make(
        department=finance, status="in_progress", acknowledge_due_at=past, resolve_due_at=past
    )
    make(department=finance, status="acknowledged", acknowledge_due_at=past, resolve_due_at=future)
    make(department=finance, status="resolved", resolve_due_at=past)  # done: late no more
    make(department=finance, status="routed", acknowledge_due_at=future)

    response = supervisor_client.get(LIST, {"overdue": "on"})

    assert sorted(shown(response)) == ids(late_ack, late_resolve)
    # The same rows are marked on the unfiltered list, as the queue marks them.
    page = supervisor_client.get(LIST).content.decode()
    marked = re.findall(
        r'data-complaint-id="(\d+)" class="sb-complaint-overdue" data-overdue', page
    )
    assert sorted(int(pk) for pk in marked) == ids(late_ack, late_resolve)
    flagged = [c.pk for c in Complaint.objects.all() if deadline_flags(c, now)["any"]]
    assert sorted(flagged) == ids(late_ack, late_resolve)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"status": "sleeping"}, "status", "Select a valid choice."),
        ({"department": "999999"}, "department", "Select a valid choice."),
        ({"assigned_to": "²³"}, "assigned_to", "Select a valid choice."),
        ({"date_from": "0001-01-01"}, "date_from", "Give a date between"),
        ({"q": "x"}, "q", "Type at least 2 letters or digits."),
        ({"q": "a" * 201}, "q", "Ensure this value has at most 200 characters"),
        ({"q": "tagihan\x00"}, "q", "Null characters are not allowed."),
    ],
)
def test_a_value_the_list_cannot_take_is_said_next_to_its_field(
    supervisor_client, finance, query, field, message
):
    make(department=finance)

    response = supervisor_client.get(LIST, query)

    html = response.content.decode()
    assert re.search(rf'data-error-for="{field}">{re.escape(message)}', html), html[-3000:]
    assert shown(response) == []


# Keyword search ---------------------------------------------------------------------------------


@pytest.fixture
def customers(finance):
    return {
        "ani": make(
            department=finance,
            customer_name="Bu Ani Wijayanti",
            customer_number="+6281234567890",
            description="Tagihan kartu kredit saya dobel bulan ini",
        ),
        "jose": make(
            department=finance,
            customer_name="José Marpaung",
            customer_number="+62215551234",
            description="Kartu hilang, mohon diblokir",
        ),
        "tan": make(
            department=finance,
            customer_name="Mr. Tan",
            customer_number="",
            customer_email="tan@example.com",
            description="Pengiriman terlambat dua minggu",
        ),
    }


def test_a_reference_typed_in_full_finds_that_complaint(supervisor_client, customers):
    ani = customers["ani"]
    year, number = ani.reference.split("-")[1:]

    assert listed(supervisor_client, q=ani.reference) == [ani.pk]
    assert listed(supervisor_client, q=f" kel-{year}-{int(number)} ") == [ani.pk]
    assert listed(supervisor_client, q=number) == [ani.pk]  # part of it: the text search


def test_the_customers_name_is_found_whatever_its_case_and_accents(supervisor_client, customers):
    assert listed(supervisor_client, q="WIJAYANTI") == [customers["ani"].pk]
    assert listed(supervisor_client, q="jose marp") == [customers["jose"].pk]
    assert listed(supervisor_client, q="mr") == [customers["tan"].pk]  # a word's start


@pytest.mark.parametrize(
    "typed", ["0812-3456-7890", "0812 3456 7890", "+62 812 3456 7890", "6281234567890"]
)
def test_a_number_typed_in_local_form_matches_the_stored_one(supervisor_client, customers, typed):
    assert listed(supervisor_client, q=typed) == [customers["ani"].pk]


def test_part_of_a_number_and_a_landline_are_found(supervisor_client, customers):
    assert listed(supervisor_client, q="4567890") == [customers["ani"].pk]
    assert listed(supervisor_client, q="(021) 555-1234") == [customers["jose"].pk]


def test_every_word_of_the_description_must_be_there(supervisor_client, customers):
    assert sorted(listed(supervisor_client, q="kartu")) == ids(customers["ani"], customers["jose"])
    assert listed(supervisor_client, q="kartu dobel") == [customers["ani"].pk]
    assert listed(supervisor_client, q="kartu terlambat") == []


def test_the_search_keeps_the_other_filters(supervisor_client, customers, service):
    ani = customers["ani"]
    Complaint.objects.filter(pk=ani.pk).update(department=service)

    assert listed(supervisor_client, q="kartu", department=service.pk) == [ani.pk]


# Sorting and pages ------------------------------------------------------------------------------


def test_newest_first_unless_sorted_by_a_column(supervisor_client, finance):
    now = timezone.now()
    old = make(department=finance, created_at=at(2026, 1, 5), resolve_due_at=now + timedelta(1))
    new = make(department=finance, created_at=at(2026, 2, 5), resolve_due_at=now + timedelta(9))
    middle = make(department=finance, created_at=at(2026, 1, 20), resolve_due_at=now + timedelta(5))

    assert listed(supervisor_client) == ids(new, middle, old)
    assert listed(supervisor_client, sort="created_at") == ids(old, middle, new)
    by_reference = sorted([old, new, middle], key=lambda c: c.reference)
    assert listed(supervisor_client, sort="reference") == ids(*by_reference)
    assert listed(supervisor_client, sort="-reference") == ids(*reversed(by_reference))
    assert listed(supervisor_client, sort="resolve_due_at") == ids(old, middle, new)
    assert listed(supervisor_client, sort="-resolve_due_at") == ids(new, middle, old)
    # A column no index orders is not offered, and an unknown sort changes nothing.
    assert listed(supervisor_client, sort="customer") == ids(new, middle, old)
    assert listed(supervisor_client, sort="'; drop table") == ids(new, middle, old)


def test_pages_are_bounded_in_size_and_number(supervisor_client, finance):
    made = [
        make(department=finance, created_at=at(2026, 1, 1) + timedelta(hours=n)) for n in range(7)
    ]
    newest_first = list(reversed(ids(*made)))

    assert listed(supervisor_client, per_page="3") == newest_first[:3]
    assert listed(supervisor_client, per_page="3", page="3") == newest_first[6:]
    assert listed(supervisor_client, per_page="3", page="99") == newest_first[6:]  # the last
    assert listed(supervisor_client, per_page="-5") == newest_first[:1]
    assert listed(supervisor_client, per_page="0") == newest_first  # the usual size
    assert len(listed(supervisor_client, per_page="9" * 30)) == 7
    response = supervisor_client.get(LIST, {"per_page": "3", "page": "2"})
    assert "Page 2 of 3" in response.content.decode()


def test_the_count_stops_at_the_cap_and_pages_go_on_by_looking_ahead(
    supervisor_client, finance, monkeypatch
):
    monkeypatch.setattr(tables, "COUNT_CAP", 3)
    made = [
        make(department=finance, created_at=at(2026, 1, 1) + timedelta(hours=n)) for n in range(7)
    ]
    newest_first = list(reversed(ids(*made)))

    def page(number):
        response = supervisor_client.get(LIST, {"per_page": "2", "page": number})
        return shown(response), response.content.decode()

    rows, html = page(2)
    assert rows == newest_first[2:4]
    assert "More than 3 complaints" in html
    assert "Page 2<" in html and 'rel="next"' in html  # no "of …": the last page is unknown
    rows, html = page(4)
    assert rows == newest_first[6:] and 'rel="next"' not in html
    assert page(5)[0] == newest_first[:2]  # past the end: the first page
    monkeypatch.setattr(tables, "MAX_ROWS", 4)
    assert page(3)[0] == newest_first[:2]  # deeper than pages go: the first page
    exact = supervisor_client.get(LIST, {"per_page": "2", "status": "closed"})
    assert "More than" not in exact.content.decode()


# Who sees what --------------------------------------------------------------------------------


def test_a_departments_staff_see_only_their_departments_complaints(staff_client, finance, service):
    ours = make(department=finance)
    theirs = make(department=service)

    assert listed(staff_client) == [ours.pk]
    assert listed(staff_client, department=service.pk) == []
    assert listed(staff_client, q=theirs.reference) == []


def test_the_desk_sees_every_complaint_but_acts_on_none(operator_client, finance, service):
    both = [make(department=finance), make(department=service)]

    response = operator_client.get(LIST)

    assert sorted(shown(response)) == ids(*both)
    html = response.content.decode()
    assert 'id="complaint-bulk"' not in html and "data-tick" not in html
    assert "Export CSV" not in html  # exporting is the supervisors'


def test_supervisors_get_the_tick_boxes_and_the_bulk_form(supervisor_client, finance):
    complaint = make(department=finance)

    html = supervisor_client.get(LIST).content.decode()

    assert 'id="complaint-bulk"' in html
    assert f'name="ids" value="{complaint.pk}" form="complaint-bulk"' in html
    assert "data-select-all" in html and "Export CSV" in html


@pytest.mark.parametrize("persona", ["outsider", "directory_admin"])
def test_roles_without_complaints_get_403(client, persona, request):
    user = (
        UserFactory(username="dir", roles=[DIRECTORY_ADMIN])
        if persona == "directory_admin"
        else request.getfixturevalue("outsider")
    )
    client.force_login(user)

    for name in ("complaint-list", "complaint-report", "complaint-filter-new"):
        assert client.get(reverse(f"messages_app:{name}")).status_code == 403, name


# Bulk actions from the list ---------------------------------------------------------------------


def test_ticked_complaints_are_assigned_in_bulk_and_the_list_says_what_happened(
    supervisor_client, finance, worker
):
    first = make(department=finance, status="routed")
    second = make(department=finance, status="acknowledged")
    closed = make(department=finance, status="closed")
    back = f"{LIST}?department={finance.pk}&sort=reference"
    page = supervisor_client.get(back).content.decode()
    assert f'name="next" value="{back.replace("&", "&amp;")}"' in page
    assert f'<option value="{worker.pk}">Sari Pegawai</option>' in page

    response = supervisor_client.post(
        reverse("messages_app:complaint-bulk"),
        {
            "action": "assign",
            "staff": worker.pk,
            "ids": [first.pk, second.pk, closed.pk],
            "next": back,
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == back
    html = response.content.decode()
    assert "2 complaints changed." in html
    assert (
        f"{closed.reference}: {closed.reference} is Closed: only an open complaint is assigned."
        in html
    )
    assigned = Complaint.objects.filter(assigned_to=worker)
    assert sorted(assigned.values_list("pk", flat=True)) == ids(first, second)
    assert first.events.get(kind="assigned").text == "Sari Pegawai"


def test_closing_in_bulk_keeps_the_reason_on_the_timeline(supervisor_client, finance):
    done = make(
        department=finance,
        status="resolved",
        created_at=timezone.now() - timedelta(days=2),
        resolved_at=timezone.now(),
    )

    supervisor_client.post(
        reverse("messages_app:complaint-bulk"),
        {"action": "close", "ids": [done.pk], "reason": "Customer confirmed", "next": LIST},
    )

    done.refresh_from_db()
    assert done.status == ComplaintStatus.CLOSED
    assert done.events.get(kind="closed").text == "Customer confirmed"


def test_rerouting_in_bulk_from_the_list(supervisor_client, finance, service, defaults):
    one, two = make(department=finance, status="routed"), make(department=finance, status="routed")

    response = supervisor_client.post(
        reverse("messages_app:complaint-bulk"),
        {
            "action": "route",
            "department": service.pk,
            "reason": "Soal mesin",
            "ids": [one.pk, two.pk],
            "next": f"{LIST}?department={finance.pk}",
        },  # fmt: skip
        follow=True,
    )

    assert "2 complaints changed." in response.content.decode()
    assert Complaint.objects.filter(department=service).count() == 2
    assert shown(response) == []  # they left the filter's department


def test_a_departments_staff_assign_their_own_in_bulk(staff_client, finance, worker):
    ours = make(department=finance, status="routed")
    page = staff_client.get(LIST).content.decode()
    assert f'<option value="{worker.pk}">Sari Pegawai</option>' in page  # their department's

    staff_client.post(
        reverse("messages_app:complaint-bulk"),
        {"action": "assign", "staff": worker.pk, "ids": [ours.pk], "next": LIST},
    )

    assert Complaint.objects.get(pk=ours.pk).assigned_to == worker


# Queries ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("client_name", ["supervisor_client", "staff_client", "operator_client"])
def test_the_list_keeps_a_constant_number_of_queries(
    request, client_name, finance, worker, billing, card
):
    client = request.getfixturevalue(client_name)
    query = {"status": "open", "department": finance.pk, "q": "tagihan"}
    make(department=finance, status="routed", description="Tagihan dobel", category=billing)
    client.get(LIST, query)  # warm up

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            rows = listed(client, **query)
        return len(queries), len(rows)

    one, rows = count()
    assert rows == 1
    for n in range(49):
        make(
            department=finance,
            status="acknowledged",
            description=f"Tagihan ke-{n}",
            category=billing,
            product=card,
            assigned_to=worker,
        )
    fifty, rows = count()
    assert (fifty, rows) == (one, 50)


def test_what_people_typed_comes_out_escaped(supervisor_client, finance, worker):
    markup = "<script>alert('x')</script>"
    category = ComplaintCategoryFactory(name=f"Kat {markup}")
    Complaint.objects.filter(pk=make(department=finance, category=category).pk).update(
        customer_name=f"Bu {markup}"
    )
    StaffFactory(department=finance, full_name=f"Staf {markup}")

    pages = [
        supervisor_client.get(LIST, {"department": finance.pk}),
        supervisor_client.get(reverse("messages_app:complaint-report")),
    ]

    for response in pages:
        html = response.content.decode()
        assert markup not in html
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
