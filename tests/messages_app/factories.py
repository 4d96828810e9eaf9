"""Factories of the desk's hand-offs: rows written straight to the tables (the
services are tested on their own, through their public functions)."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from messages_app.models import (
    Complaint,
    ComplaintCategory,
    MessageSlip,
    Notification,
    NotificationKind,
    Product,
    ResponseTarget,
    RoutingRule,
    SlipRecipient,
    UrgencyLimit,
)
from tests.factories import DepartmentFactory, StaffFactory, UserFactory


class SlipFactory(DjangoModelFactory):
    class Meta:
        model = MessageSlip

    for_staff = factory.SubFactory(StaffFactory)
    caller_name = factory.Faker("name")
    caller_number = factory.Sequence(lambda n: f"+62812{7000000 + n:07d}")
    message = factory.Faker("sentence")
    taken_by = factory.SubFactory(UserFactory)
    created_at = factory.LazyFunction(timezone.now)


class SlipRecipientFactory(DjangoModelFactory):
    class Meta:
        model = SlipRecipient

    slip = factory.SubFactory(SlipFactory)
    staff = factory.LazyAttribute(lambda r: r.slip.for_staff or StaffFactory())


class _SetDefaultFactory(DjangoModelFactory):
    """messages_app/0002 writes a default row per urgency and per severity (a
    test database may or may not still hold them: a transactional test's flush
    empties the tables): set the row a test asks for, whether it exists or not."""

    class Meta:
        abstract = True

    _lookup: tuple[str, ...] = ()

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        keys = {name: kwargs.pop(name, None) for name in cls._lookup}
        row, _ = model_class._default_manager.update_or_create(**keys, defaults=kwargs)
        return row


class UrgencyLimitFactory(_SetDefaultFactory):
    class Meta:
        model = UrgencyLimit

    _lookup = ("urgency",)
    urgency = "normal"
    minutes = 240


class ComplaintCategoryFactory(DjangoModelFactory):
    class Meta:
        model = ComplaintCategory
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Keluhan {n}")


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Produk {n}")


class RoutingRuleFactory(DjangoModelFactory):
    class Meta:
        model = RoutingRule

    name = factory.Sequence(lambda n: f"Aturan {n}")
    department = factory.SubFactory(DepartmentFactory)


class ResponseTargetFactory(_SetDefaultFactory):
    class Meta:
        model = ResponseTarget

    _lookup = ("rule", "severity")
    severity = "medium"
    acknowledge_minutes = 240
    resolve_minutes = 2400


class ComplaintFactory(DjangoModelFactory):
    class Meta:
        model = Complaint

    year = factory.LazyFunction(lambda: timezone.localdate().year)
    number = factory.Sequence(lambda n: n + 1)
    reference = factory.LazyAttribute(lambda c: f"KEL-{c.year}-{c.number:06d}")
    customer_name = factory.Faker("name")
    description = factory.Faker("paragraph")
    department = factory.SubFactory(DepartmentFactory)
    created_by = factory.SubFactory(UserFactory)
    created_at = factory.LazyFunction(timezone.now)


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    kind = NotificationKind.SLIP
    channel = "email"
    slip = factory.SubFactory(SlipFactory)
    address = factory.Sequence(lambda n: f"penerima{n}@example.co.id")
    language = "en"
