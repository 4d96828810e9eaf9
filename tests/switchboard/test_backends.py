"""The log-in backend's permission lookup: the same answers as Django's, in one query."""

import pytest
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.models import Permission
from django.urls import reverse

from switchboard.roles import OPERATOR, SUPERVISOR
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _fresh(user):
    """The user as the next request loads it, with no permissions cached."""
    return type(user).objects.get(pk=user.pk)


def test_permissions_come_from_every_group_and_the_user_alone():
    user = UserFactory(roles=[OPERATOR, SUPERVISOR])
    user.user_permissions.add(Permission.objects.get(codename="import_directory"))

    user = _fresh(user)

    assert user.has_perm("calls.add_call")  # Operator
    assert user.has_perm("calls.delete_call")  # Supervisor
    assert user.has_perm("directory.import_directory")  # given to the user alone
    assert not user.has_perm("auth.change_user")
    assert user.get_all_permissions() == DjangoModelBackend().get_all_permissions(_fresh(user))


def test_permissions_are_read_in_one_query(django_assert_num_queries):
    user = _fresh(UserFactory(roles=[OPERATOR]))

    with django_assert_num_queries(1):
        assert user.has_perm("calls.add_call")
        assert user.has_perm("directory.view_staff")
        assert not user.has_perm("calls.delete_call")


def test_inactive_users_have_no_permissions_and_superusers_all():
    inactive = _fresh(UserFactory(roles=[SUPERVISOR], is_active=False))
    superuser = _fresh(UserFactory(is_superuser=True))

    assert inactive.get_all_permissions() == set()
    assert superuser.has_perm("auth.change_user")
    assert superuser.get_all_permissions() == {
        f"{app}.{codename}"
        for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }


def test_a_role_taken_away_applies_on_the_next_request(operator, client, password):
    client.force_login(operator)
    assert client.get(reverse("calls:console")).status_code == 200

    operator.groups.clear()

    assert client.get(reverse("calls:console")).status_code == 403
