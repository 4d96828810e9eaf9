"""KPI settings and sign-offs in Django admin."""

import pytest
from django.urls import reverse

from reports.models import DisciplineRule, KpiSettings
from reports.services.kpi import kpi_sign_off
from tests.factories import UserFactory
from tests.reports.kpi_world import MONTH, make_month

pytestmark = pytest.mark.django_db


def test_the_settings_are_one_row_edited_with_history(admin_client):
    KpiSettings.load()
    url = reverse("admin:reports_kpisettings_change", args=[1])
    response = admin_client.post(
        url,
        {
            "quality_target": "80",
            "productivity_target": "150",
            "discipline_rule": DisciplineRule.WORKED,
            "discipline_target": "90",
        },
    )
    assert response.status_code == 302
    settings = KpiSettings.load()
    assert (settings.quality_target, settings.discipline_rule) == (80, "worked")
    assert settings.history.count() == 2
    assert admin_client.get(reverse("admin:reports_kpisettings_add")).status_code == 403
    too_high = {
        "quality_target": "101",
        "productivity_target": "1",
        "discipline_rule": "on_time",
        "discipline_target": "95",
    }
    refused = admin_client.post(url, too_high)
    assert refused.status_code == 200 and KpiSettings.load().quality_target == 80


def test_sign_offs_are_listed_and_read_only(admin_client, supervisor):
    ani = make_month(UserFactory(username="ani", roles=["Operator"]))
    sign_off = kpi_sign_off(operator=ani, month=MONTH, by=supervisor, note="ok")
    listing = admin_client.get(reverse("admin:reports_kpisignoff_changelist"), {"q": "ani"})
    assert listing.status_code == 200 and "ani" in listing.content.decode()
    change = admin_client.get(reverse("admin:reports_kpisignoff_change", args=[sign_off.pk]))
    assert change.status_code == 200 and 'name="note"' not in change.content.decode()
    history = admin_client.get(reverse("admin:reports_kpisignoff_history", args=[sign_off.pk]))
    assert history.status_code == 200
    days = admin_client.get(reverse("admin:reports_operatorday_changelist"))
    assert days.status_code == 200
