"""Factories for the KPI tests: attendance days and reviews written straight to
their tables (the roster and quality services are tested by their own area)."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from reports.models import (
    AttendanceDay,
    AttendanceStatus,
    Review,
    ReviewKind,
    ReviewStatus,
    Scorecard,
    ShiftType,
)
from tests.factories import CallFactory, UserFactory


class ShiftTypeFactory(DjangoModelFactory):
    class Meta:
        model = ShiftType
        django_get_or_create = ("code",)

    name = "Pagi"
    code = "P"
    starts_at = dt.time(7, 0)
    ends_at = dt.time(15, 0)


class AttendanceDayFactory(DjangoModelFactory):
    class Meta:
        model = AttendanceDay

    operator = factory.SubFactory(UserFactory)
    date = factory.LazyFunction(timezone.localdate)
    status = AttendanceStatus.PRESENT
    shift_type = factory.SubFactory(ShiftTypeFactory)


class ScorecardFactory(DjangoModelFactory):
    class Meta:
        model = Scorecard
        django_get_or_create = ("name",)

    name = "Standar layanan telepon"


def _call_for(review):
    moment = timezone.make_aware(dt.datetime.combine(review.call_date, dt.time(10, 0)))
    return CallFactory(operator=review.operator, started_at=moment)


class ReviewFactory(DjangoModelFactory):
    """A submitted regular review of a call of `operator` on `call_date`."""

    class Meta:
        model = Review

    operator = factory.SubFactory(UserFactory)
    call_date = factory.LazyFunction(timezone.localdate)
    call = factory.LazyAttribute(_call_for)
    reviewer = factory.SubFactory(UserFactory)
    scorecard = factory.SubFactory(ScorecardFactory)
    kind = ReviewKind.REGULAR
    status = ReviewStatus.SUBMITTED
    score = Decimal("90.00")
