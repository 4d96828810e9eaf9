"""Whatever lands in the console POST, the answer is never a 500 and the log is
never half-written: either exactly one valid call (and its caller) or nothing."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from calls.models import Call, Caller, CallerKind, Direction, Outcome
from tests.factories import DepartmentFactory, ExtensionFactory, InfoEntryFactory, StaffFactory

CONSOLE = reverse("calls:console")

# Text a browser can send: no lone surrogates (they cannot be encoded as UTF-8).
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=400)
numbers = st.one_of(
    st.just(""),
    st.sampled_from(["0812-3456-7890", "+62 812 3456 7890", "(021) 555-1234", "62812.3456.7890"]),
    st.from_regex(r"\A[0-9+()./ -]{0,25}\Z"),
    text,
)
ids = st.one_of(
    st.just(""),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["{staff}", "{ext}", "{dept}", "{info}"]),
    text,
)
moments = st.one_of(
    st.just(""),
    st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
    ).map(lambda d: d.isoformat()),
    st.integers(min_value=-3600 * 30, max_value=3600 * 30).map(
        lambda s: (timezone.now() + timedelta(seconds=s)).isoformat()
    ),
    text,
)
choice = lambda values: st.one_of(st.sampled_from(values), text)  # noqa: E731

form_data = st.fixed_dictionaries(
    {},
    optional={
        "direction": choice([d.value for d in Direction]),
        "started_at": moments,
        "number": numbers,
        "withheld": st.sampled_from(["", "on", "off", "true"]),
        "caller_name": text,
        "caller_company": text,
        "caller_kind": choice([k.value for k in CallerKind]),
        "category": ids,
        "asked_for_staff": ids,
        "asked_for_department": ids,
        "transferred_to": ids,
        "info_entry": ids,
        "requested_by": ids,
        "purpose": text,
        "is_personal": st.sampled_from(["", "on"]),
        "notes": st.text(max_size=2100, alphabet=st.characters(exclude_categories=("Cs",))),
        "outcome": choice([o.value for o in Outcome]),
        "asked_for_label": text,
    },
)
# Mostly sensible posts, so that the saving path is exercised too.
plausible_data = st.fixed_dictionaries(
    {
        "direction": st.sampled_from([d.value for d in Direction]),
        "started_at": st.integers(min_value=0, max_value=3600).map(
            lambda s: (timezone.now() - timedelta(seconds=s)).isoformat()
        ),
        "number": st.sampled_from(["", "0812-3456-7890", "(021) 555-1234", "0812 9999 0000"]),
        "caller_name": st.text(st.characters(exclude_categories=("Cs",)), max_size=155),
        "outcome": st.sampled_from([o.value for o in Outcome]),
        "transferred_to": st.sampled_from(["", "{ext}"]),
        "requested_by": st.sampled_from(["", "{staff}"]),
        "purpose": st.text(st.characters(exclude_categories=("Cs",)), max_size=305),
    },
    optional={
        "asked_for_staff": st.sampled_from(["", "{staff}", "0"]),
        "asked_for_department": st.sampled_from(["", "{dept}"]),
        "info_entry": st.sampled_from(["", "{info}", "x"]),
        "withheld": st.sampled_from(["", "on"]),
        "caller_kind": st.sampled_from([k.value for k in CallerKind]),
    },
)


@pytest.fixture
def directory_rows(db):
    department = DepartmentFactory()
    staff = StaffFactory(department=department)
    return {
        "{staff}": str(staff.pk),
        "{ext}": str(ExtensionFactory(staff=staff).pk),
        "{dept}": str(department.pk),
        "{info}": str(InfoEntryFactory().pk),
    }


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.one_of(form_data, plausible_data), htmx=st.booleans())
def test_console_post_never_fails_and_never_half_saves(operator_client, directory_rows, data, htmx):
    data = {key: directory_rows.get(value, value) for key, value in data.items()}
    calls_before = Call.objects.count()
    callers_before = set(Caller.objects.values_list("pk", flat=True))
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}

    response = operator_client.post(CONSOLE, data, **headers)

    assert response.status_code != 500
    event(f"status {response.status_code}")
    added = Call.objects.count() - calls_before
    if response.status_code in (200, 302):
        assert added == 1
        call = Call.objects.order_by("-pk").first()
        call.full_clean(exclude=["caller", "operator"])  # what was saved is valid
        assert call.outcome == data["outcome"]
        assert call.number_withheld == (call.caller_id is None and call.direction == "in")
        if call.outcome == Outcome.TRANSFERRED:
            assert call.transferred_to_id is not None
    else:
        assert response.status_code == 422
        assert added == 0
        assert set(Caller.objects.values_list("pk", flat=True)) == callers_before
    # No caller exists without a call.
    assert not Caller.objects.filter(calls__isnull=True).exists()
