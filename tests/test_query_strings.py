"""No query string makes a list, a search or an export answer 500.

Every list and export is asked for with generated query strings: its real
parameter names and junk ones, with values from any script (other scripts'
digits, superscripts), huge integers, extreme dates, NUL and very long text. A
bad value gets a message next to its filter or an empty result, never a 500.
The cases first found by hand are checked on their own, with what they must show.
"""

from datetime import date, timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calls.tables import MAX_PAGE
from directory.models import ImportBatch
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
from tests.messages_app.factories import (
    ComplaintCategoryFactory,
    ComplaintFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db

LOG_FILTER_KEYS = [
    "date_from",
    "time_from",
    "date_to",
    "time_to",
    "operator",
    "direction",
    "outcome",
    "category",
    "department",
    "staff",
    "caller",
]
TABLE_KEYS = ["page", "per_page", "sort"]
COMPLAINT_FILTER_KEYS = [
    "q",
    "date_from",
    "date_to",
    "overdue",
    "status",
    "severity",
    "department",
    "category",
    "product",
    "assigned_to",
]
# (name, URL, the view's own parameters, extra request headers)
ENDPOINTS = [
    ("call log", "calls:call-list", [*LOG_FILTER_KEYS, *TABLE_KEYS], {}),
    ("call log (htmx)", "calls:call-list", [*LOG_FILTER_KEYS, *TABLE_KEYS], {"HX-Request": "true"}),
    ("caller page", "calls:caller-detail", TABLE_KEYS, {}),
    ("call export csv", "calls:call-export:csv", LOG_FILTER_KEYS, {}),
    ("call export xlsx", "calls:call-export:xlsx", LOG_FILTER_KEYS, {}),
    ("board", "directory:board", ["q", "department", "presence", "page"], {}),
    ("phone list", "directory:phone-list", ["department"], {}),
    ("directory search", "directory:search", ["q"], {}),
    ("directory search (htmx)", "directory:search", ["q"], {"HX-Request": "true"}),
    ("search api", "directory-api:search", ["q"], {}),
    ("console search", "calls:console", ["q"], {"HX-Request": "true"}),
    ("caller lookup", "calls:caller-lookup", ["number"], {}),
    ("import preview", "directory:import-preview", ["page", "show"], {}),
    ("complaint list", "messages_app:complaint-list", [*COMPLAINT_FILTER_KEYS, *TABLE_KEYS], {}),
    (
        "complaint export csv",
        "messages_app:complaint-export:csv",
        [*COMPLAINT_FILTER_KEYS, "sort"],
        {},
    ),
    (
        "complaint export xlsx",
        "messages_app:complaint-export:xlsx",
        [*COMPLAINT_FILTER_KEYS, "sort"],
        {},
    ),
    ("complaint report", "messages_app:complaint-report", COMPLAINT_FILTER_KEYS, {}),
    ("saving a complaint filter", "messages_app:complaint-filter-new", COMPLAINT_FILTER_KEYS, {}),
]

# Text a browser can send: no lone surrogates (they cannot be encoded as UTF-8).
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
other_digits = st.text(
    st.characters(categories=("Nd", "No", "Nl")),
    min_size=1,
    max_size=25,
)
huge_integers = st.one_of(
    st.integers(min_value=10**17, max_value=10**30), st.integers(max_value=0)
).map(str)
extreme_dates = st.one_of(
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
    st.sampled_from(
        ["0001-01-01", "0001-01-02", "1999-12-31", "9998-12-31", "9999-12-31", "0000-00-00"]
    ),
)
times = st.sampled_from(["00:00", "23:59", "24:00", "12:30:59", "25:61", "-1:00"])
with_nul = any_text.map(lambda s: s[: len(s) // 2] + "\x00" + s[len(s) // 2 :])
very_long = st.integers(min_value=200, max_value=20_000).flatmap(
    lambda n: st.sampled_from(["x" * n, "9" * n, "²" * n, "%" * n, "a" + " " * n])
)
sensible = st.sampled_from(
    ["", "1", "0", "-1", "in", "out", "transferred", "-started_at", "duration_seconds", "+62"]
)
# Values that broke a page once (issue 7), so every run tries them too.
known_bad = st.sampled_from(
    ["²³", "٣٤", "9" * 21, "9" * 26, "0001-01-01", "9999-12-31", "\x00", "1e9", "-5"]
)
# Stand-ins for the ids of the rows the `everything` fixture makes.
real_ids = st.sampled_from(["{department}", "{staff}", "{category}", "{user}", "{caller}"])
values = st.one_of(
    known_bad,
    sensible,
    real_ids,
    any_text,
    other_digits,
    huge_integers,
    extreme_dates,
    times,
    with_nul,
    very_long,
)
# Parameters no view reads: they must change nothing.
junk_pairs = st.lists(
    st.tuples(st.one_of(any_text, st.sampled_from(["page[]", "%", "\x00"])), values),
    max_size=2,
)


@pytest.fixture
def everything(db):
    """A user who may open every page, and one of each row the filters name."""
    user = UserFactory(username="root", is_superuser=True, is_staff=True)
    department = DepartmentFactory(name="Keuangan", code="FIN")
    person = StaffFactory(full_name="Budi Santoso", department=department, user=user)
    ExtensionFactory(number="2101", staff=person)
    InfoEntryFactory(title="Jam buka")
    category = CallCategoryFactory(name="Tagihan")
    caller = CallerFactory(number="+6281234567890")
    CallFactory(operator=user, caller=caller, asked_for_staff=person, category=category)
    ComplaintFactory(
        department=department,
        assigned_to=person,
        category=ComplaintCategoryFactory(name="Tagihan"),
        product=ProductFactory(name="Kartu Kredit"),
        customer_number="+6281234567890",
        search_text=" tagihan bu ani +6281234567890 081234567890",
    )
    batch = ImportBatch.objects.create(
        kind="staff",
        created_by=user,
        rows=[
            {"row": n, "action": "create", "label": f"P{n}", "diff": [], "notes": [], "data": {}}
            for n in range(2, 250)
        ],
    )
    client = Client()
    client.force_login(user)
    ids = {
        "{department}": str(department.pk),
        "{staff}": str(person.pk),
        "{category}": str(category.pk),
        "{user}": str(user.pk),
        "{caller}": str(caller.pk),
    }
    return {"client": client, "caller": caller, "batch": batch, "ids": ids}


def url_of(name: str, everything) -> str:
    if name == "calls:caller-detail":
        return reverse(name, args=[everything["caller"].pk])
    if name == "directory:import-preview":
        return reverse(name, args=[everything["batch"].pk])
    if name.startswith(("calls:call-export:", "messages_app:complaint-export:")):
        return reverse(name.rsplit(":", 1)[0], args=[name.rsplit(":", 1)[1]])
    return reverse(name)


def fetch(client, url, query, headers):
    """GET the page, reading a streamed body to its end (a CSV export fails
    while it streams, not before)."""
    response = client.get(f"{url}?{query}" if query else url, headers=headers)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


# One test per view and parameter, so that every parameter gets its share of
# the examples; junk parameters ride along.
@pytest.mark.parametrize(
    ("name", "key", "headers"),
    [
        pytest.param(url, key, headers, id=f"{label}-{key}")
        for label, url, keys, headers in ENDPOINTS
        for key in keys
    ],
)
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(value=values, junk=junk_pairs)
def test_no_query_string_gives_a_500(everything, name, key, headers, value, junk):
    value = everything["ids"].get(value, value)
    query = urlencode([(key, value), *junk])
    url = url_of(name, everything)

    response = fetch(everything["client"], url, query, headers)

    assert response.status_code < 500, query


# The cases of issue 7, each with what the page shows instead of a 500.

CALL_LOG_CASES = [
    ("staff=²³", None),
    ("staff=٣٤", None),
    ("staff=99999999999999999999999999", "No one has this staff id."),
    ("page=999999999999999999999", None),
    (f"page={MAX_PAGE + 1}", None),
    ("page=-3&per_page=-5", None),
    ("per_page=0", None),
    ("per_page=99999999999999999999", None),
    ("date_to=9999-12-31", "Give a date between 2000-01-01 and 9998-12-31."),
    ("date_from=0001-01-01", "Give a date between 2000-01-01 and 9998-12-31."),
    ("date_from=2000-01-01&date_to=9998-12-31&time_to=23:59", None),
]


@pytest.mark.parametrize(("query", "message"), CALL_LOG_CASES)
@pytest.mark.parametrize("where", ["calls:call-list", "calls:caller-detail"])
def test_the_call_log_and_caller_page_answer_bad_filters_clearly(everything, where, query, message):
    client = everything["client"]
    url = url_of(where, everything)
    response = client.get(f"{url}?{query}")

    assert response.status_code == 200
    page = response.content.decode()
    if message and where == "calls:call-list":
        assert message in page  # next to the field, and no rows
        assert "No calls match." in page
    assert "sb-call-log" in page


def test_a_staff_id_in_other_digits_matches_nobody(everything):
    response = everything["client"].get(reverse("calls:call-list"), {"staff": "²³"})
    assert "No calls match." in response.content.decode()
    # ...while the id in ASCII digits still finds the call.
    person_pk = everything["ids"]["{staff}"]
    response = everything["client"].get(reverse("calls:call-list"), {"staff": person_pk})
    assert "No calls match." not in response.content.decode()


def test_a_huge_page_number_serves_the_first_page(everything):
    response = everything["client"].get(reverse("calls:call-list"), {"page": "9" * 21})
    assert response.status_code == 200
    assert response.context["table"].page.number == 1
    assert len(response.context["table"].page.object_list) == 1  # today's one call


def test_the_page_size_stays_within_bounds(everything):
    client = everything["client"]
    for asked, served in (("-5", 1), ("100000", 100), ("7", 7)):
        response = client.get(reverse("calls:call-list"), {"per_page": asked})
        assert response.context["table"].paginator.per_page == served, asked


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "query",
    [
        "staff=²³",
        "staff=99999999999999999999999999",
        "date_to=9999-12-31",
        "date_from=0001-01-01",
        "date_from=2020-01-01&time_from=23:59&date_to=9999-12-31&time_to=23:59",
    ],
)
def test_exports_answer_bad_filters_without_a_500(everything, fmt, query):
    client = everything["client"]
    response = fetch(client, reverse("calls:call-export", args=[fmt]), query, {})
    assert response.status_code in (200, 302)
    if response.status_code == 302:  # back to the log, which says what is wrong
        page = client.get(response.url).content.decode()
        assert "The filter is not valid" in page


def test_exports_keep_the_sane_date_range(everything):
    today = timezone.localdate()
    query = urlencode(
        {
            "date_from": (today - timedelta(days=1)).isoformat(),
            "date_to": (today + timedelta(days=1)).isoformat(),
        }
    )
    response = fetch(everything["client"], reverse("calls:call-export", args=["csv"]), query, {})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "department", ["²³", "٣", "99999999999999999999999", "-1", "1.0", "\x00", "x" * 5000]
)
def test_the_phone_list_ignores_a_department_it_cannot_read(everything, department):
    response = everything["client"].get(reverse("directory:phone-list"), {"department": department})
    assert response.status_code == 200


# The complaint list: a value it cannot take is said next to its filter, with no rows.

COMPLAINT_LIST_CASES = [
    ("status=²³", "status"),
    ("department=99999999999999999999999", "department"),
    ("category=-1", "category"),
    ("assigned_to=٣٤", "assigned_to"),
    ("date_from=0001-01-01", "date_from"),
    ("date_to=9999-12-31", "date_to"),
    ("q=%00", "q"),
    ("q=%25", "q"),
]


@pytest.mark.parametrize(("query", "field"), COMPLAINT_LIST_CASES)
def test_the_complaint_list_answers_bad_filters_next_to_them(everything, query, field):
    response = everything["client"].get(f"{reverse('messages_app:complaint-list')}?{query}")

    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-error-for="{field}"' in page
    assert "No complaints match." in page


@pytest.mark.parametrize("query", ["page=999999999999999999999", "page=-3&per_page=-5", "sort=,,-"])
def test_the_complaint_list_serves_a_page_whatever_the_table_parameters(everything, query):
    response = everything["client"].get(f"{reverse('messages_app:complaint-list')}?{query}")

    assert response.status_code == 200
    assert 'data-complaint-id="' in response.content.decode()
