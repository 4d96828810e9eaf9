"""The call-log tests' defaults on top of the shared call factories: calls taken
by an operator a few minutes ago today, answered; callers on Jakarta landlines."""

import factory
from django.utils import timezone

from calls.models import Direction, Outcome
from switchboard.roles import OPERATOR
from tests.factories import CallerFactory, CallFactory, UserFactory


def recent_today():
    """A few minutes ago, but never before today's local midnight."""
    now = timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(now - timezone.timedelta(minutes=5), midnight)


class LogCallerFactory(CallerFactory):
    number = factory.Sequence(lambda n: f"+62215550{n:04d}")


class LogCallFactory(CallFactory):
    direction = Direction.INCOMING
    started_at = factory.LazyFunction(recent_today)
    operator = factory.SubFactory(UserFactory, roles=[OPERATOR])
    caller_name = factory.Faker("name")
    outcome = Outcome.ANSWERED
