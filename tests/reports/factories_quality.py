"""Factories and a hand-worked scorecard for the call quality tests."""

from dataclasses import dataclass

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from reports.models import Scorecard, ScorecardItem, ScorecardSection
from switchboard.roles import OPERATOR, SUPERVISOR
from tests.factories import CallFactory, UserFactory


class ScorecardFactory(DjangoModelFactory):
    class Meta:
        model = Scorecard
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Scorecard {n}")


class SectionFactory(DjangoModelFactory):
    class Meta:
        model = ScorecardSection

    scorecard = factory.SubFactory(ScorecardFactory)
    name = factory.Sequence(lambda n: f"Section {n}")
    weight = 1
    order = factory.Sequence(lambda n: n)


class ItemFactory(DjangoModelFactory):
    class Meta:
        model = ScorecardItem

    section = factory.SubFactory(SectionFactory)
    text = factory.Sequence(lambda n: f"Item {n}?")
    weight = 1
    order = factory.Sequence(lambda n: n)


@dataclass
class Card:
    """The test scorecard, by item name:

    Opening (section weight 2): greeting (1), own_name (1, always applies)
    Handling (weight 3): need (2), transfer (2), dead_air (1)
    Closing (weight 1): thanked (1), offered_help (1)
    Auto-fail (weight 0): rude (1, fails the whole review, always applies)
    """

    scorecard: Scorecard
    items: dict

    def answers(self, **by_name) -> dict[int, str]:
        return {self.items[name].pk: answer for name, answer in by_name.items()}

    def all(self, answer="pass", **overrides) -> dict[int, str]:
        answers = {name: answer for name in self.items}
        answers.update(overrides)
        return self.answers(**answers)

    def post(self, **by_name) -> dict[str, str]:
        return {f"item_{self.items[name].pk}": answer for name, answer in by_name.items()}

    def post_all(self, answer="pass", **overrides) -> dict[str, str]:
        answers = {name: answer for name in self.items}
        answers.update(overrides)
        return self.post(**answers)


def make_card(name="Front desk") -> Card:
    scorecard = ScorecardFactory(name=name)
    opening = SectionFactory(scorecard=scorecard, name="Opening", weight=2, order=1)
    handling = SectionFactory(scorecard=scorecard, name="Handling", weight=3, order=2)
    closing = SectionFactory(scorecard=scorecard, name="Closing", weight=1, order=3)
    autofail = SectionFactory(scorecard=scorecard, name="Auto-fail", weight=0, order=4)
    items = {
        "greeting": ItemFactory(section=opening, text="Greeting with company name", order=1),
        "own_name": ItemFactory(section=opening, text="Own name", allows_na=False, order=2),
        "need": ItemFactory(section=handling, text="Identified the need", weight=2, order=1),
        "transfer": ItemFactory(section=handling, text="Correct transfer", weight=2, order=2),
        "dead_air": ItemFactory(section=handling, text="No dead air", order=3),
        "thanked": ItemFactory(section=closing, text="Thanked the caller", order=1),
        "offered_help": ItemFactory(section=closing, text="Offered further help", order=2),
        "rude": ItemFactory(
            section=autofail,
            text="Not rude to the caller",
            fails_review=True,
            allows_na=False,
            order=1,
        ),
    }
    return Card(scorecard=scorecard, items=items)


def operator_user(username="siti", **kwargs):
    return UserFactory(username=username, roles=[OPERATOR], **kwargs)


def supervisor_user(username="lilis", **kwargs):
    return UserFactory(username=username, roles=[SUPERVISOR], **kwargs)


def call_for(operator, *, started_at=None, **kwargs):
    started_at = started_at or timezone.now() - timezone.timedelta(hours=1)
    return CallFactory(operator=operator, started_at=started_at, **kwargs)
