"""Reference numbers: KEL-<year>-<6 digits>, unique and gap-free per year (the
complaint's local year), taken under a row lock in the complaint's own
transaction, so a save that rolls back gives its number back. The concurrent
test needs several connections and runs on PostgreSQL only."""

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction

from messages_app.models import Complaint, ReferenceCounter
from messages_app.services.complaints import complaint_create, take_reference
from switchboard.roles import OPERATOR
from tests.factories import UserFactory
from tests.messages_app.complaint_world import *  # noqa: F403  (the fixtures)
from tests.messages_app.complaint_world import TUESDAY, at


class Undo(Exception):
    pass


@pytest.mark.django_db
def test_references_count_up_per_year_and_restart_in_a_new_one(record):
    first = record(now=at(2026, 3, 2))
    second = record(now=at(2026, 12, 31, 23, 0))
    next_year = record(now=at(2027, 1, 2))

    assert [first.reference, second.reference, next_year.reference] == [
        "KEL-2026-000001",
        "KEL-2026-000002",
        "KEL-2027-000001",
    ]
    assert (first.year, first.number) == (2026, 1)
    assert dict(ReferenceCounter.objects.values_list("year", "last")) == {2026: 2, 2027: 1}


@pytest.mark.django_db
def test_the_year_is_the_companys_local_year(record, settings):
    # 17:30 UTC on New Year's Eve is already 00:30 on 1 January in Jakarta.
    complaint = record(now=datetime(2026, 12, 31, 17, 30, tzinfo=UTC))

    assert complaint.reference == "KEL-2027-000001"


@pytest.mark.django_db
def test_a_save_that_rolls_back_gives_its_number_back(record):
    record()
    with pytest.raises(Undo), transaction.atomic():
        assert record().reference == "KEL-2026-000002"
        raise Undo

    assert record().reference == "KEL-2026-000002"
    assert Complaint.objects.count() == 2


@pytest.mark.django_db
def test_an_invalid_complaint_takes_no_number(record):
    with pytest.raises(Exception):  # noqa: B017  (ValidationError: no way to reach the customer)
        record(customer_number="", customer_email="")

    assert record().reference == "KEL-2026-000001"


@pytest.mark.django_db(transaction=True)
def test_a_number_is_taken_only_inside_a_transaction():
    with pytest.raises(RuntimeError):
        take_reference(year=2026)


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_get_unique_gap_free_numbers():
    """Eight operators save at the same moment (the year's counter does not
    exist yet, so its creation races too); two of the saves roll back. The six
    that commit hold 1..6, no gap, no duplicate."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (PostgreSQL)")
    operators = [UserFactory(username=f"op{n}", roles=[OPERATOR]) for n in range(8)]
    barrier = threading.Barrier(len(operators))
    errors, rolled_back = [], []

    def save(n, user):
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                complaint = complaint_create(
                    by=user,
                    customer_name=f"Pelanggan {n}",
                    customer_number=f"+6281234567{n:03d}",
                    description="Tagihan dobel",
                    now=TUESDAY,
                )
                if n in (2, 5):
                    rolled_back.append(complaint.number)
                    raise Undo
        except Undo:
            pass
        except Exception as exc:  # reported below: a thread's failure must fail the test
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(n, u)) for n, u in enumerate(operators)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert len(rolled_back) == 2
    numbers = sorted(Complaint.objects.values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4, 5, 6]
    references = set(Complaint.objects.values_list("reference", flat=True))
    assert references == {f"KEL-2026-{n:06d}" for n in range(1, 7)}
    assert ReferenceCounter.objects.get(year=2026).last == 6
