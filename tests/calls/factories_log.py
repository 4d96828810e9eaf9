"""Factories for the call-log tests (tests/factories.py has no call factories yet)."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from calls.models import Call, CallCategory, Caller, Direction, Outcome
from switchboard.roles import OPERATOR
from tests.factories import UserFactory


def recent_today():
    """A few minutes ago, but never before today's local midnight."""
    now = timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(now - timezone.timedelta(minutes=5), midnight)


class LogCallerFactory(DjangoModelFactory):
    class Meta:
        model = Caller
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: f"+62215550{n:04d}")
    name = factory.Faker("name")
    company = factory.Faker("company")


class LogCallCategoryFactory(DjangoModelFactory):
    class Meta:
        model = CallCategory
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Kategori {n}")


class LogCallFactory(DjangoModelFactory):
    """A call written straight to the table (services are tested elsewhere)."""

    class Meta:
        model = Call

    direction = Direction.INCOMING
    started_at = factory.LazyFunction(recent_today)
    ended_at = factory.LazyAttribute(lambda c: c.started_at)
    duration_seconds = 0
    operator = factory.SubFactory(UserFactory, roles=[OPERATOR])
    caller_name = factory.Faker("name")
    outcome = Outcome.ANSWERED
