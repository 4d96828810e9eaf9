import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from factory.django import DjangoModelFactory

from calls.models import Call, CallCategory, Caller, Outcome
from directory.models import Department, Extension, ExtensionKind, InfoEntry, Staff

PASSWORD = "correct-horse-battery"

factory.Faker._DEFAULT_LOCALE = "id_ID"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.co.id")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))
        if create:
            self.save()


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"Departemen {n}")
    code = factory.Sequence(lambda n: f"D{n:03d}")


class StaffFactory(DjangoModelFactory):
    class Meta:
        model = Staff

    full_name = factory.Faker("name")
    job_title = factory.Faker("job")
    department = factory.SubFactory(DepartmentFactory)
    email = factory.Sequence(lambda n: f"staff{n}@example.co.id")


class ExtensionFactory(DjangoModelFactory):
    class Meta:
        model = Extension

    number = factory.Sequence(lambda n: f"{3000 + n}")
    kind = ExtensionKind.DESK


class InfoEntryFactory(DjangoModelFactory):
    class Meta:
        model = InfoEntry

    title = factory.Sequence(lambda n: f"Informasi {n}")
    answer = factory.Faker("paragraph")


# Calls.
class CallCategoryFactory(DjangoModelFactory):
    class Meta:
        model = CallCategory
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Kategori {n}")


class CallerFactory(DjangoModelFactory):
    class Meta:
        model = Caller
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: f"+62812{5000000 + n:07d}")
    name = factory.Faker("name")
    company = factory.Faker("company")


class CallFactory(DjangoModelFactory):
    """A call written straight to the table (the services are tested on their own)."""

    class Meta:
        model = Call

    operator = factory.SubFactory(UserFactory)
    outcome = Outcome.WRONG_NUMBER
    started_at = factory.LazyFunction(timezone.now)
    ended_at = factory.LazyAttribute(lambda call: call.started_at)
    duration_seconds = 0
