"""The supervisor's sign-off of a KPI sheet: signing keeps the figures as
signed, a later change shows as "changed since", a withdrawal needs its
reason, each step is in the history, and the second of two supervisors is
told instead of overwriting."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from reports.models import KpiSignOff, SignOffStatus
from reports.selectors_kpi import month_start
from reports.services.kpi import KpiConflict, kpi_sign_off, kpi_sign_off_withdraw
from reports.services.operator_days import operator_days_fold_dirty
from tests.factories import UserFactory
from tests.reports.kpi_world import MONTH, at, call, make_month

pytestmark = pytest.mark.django_db
URL_MONTH = f"{MONTH:%Y-%m}"


@pytest.fixture
def ani(db):
    return make_month(UserFactory(username="ani", first_name="Ani", roles=["Operator"]))


def urls(operator, month=URL_MONTH):
    return (
        reverse("reports:kpi-sheet", args=[operator.pk, month]),
        reverse("reports:kpi-sign-off", args=[operator.pk, month]),
        reverse("reports:kpi-sign-off-withdraw", args=[operator.pk, month]),
    )


def test_a_supervisor_signs_off_and_the_figures_are_kept_as_signed(
    supervisor_client, supervisor, ani
):
    sheet, sign, _ = urls(ani)
    response = supervisor_client.post(sign, {"note": "Dibahas 2 April."}, follow=True)
    assert response.redirect_chain[-1][0] == sheet
    page = response.content.decode()
    assert "is signed off" in page and 'data-sign-off-state="signed"' in page
    assert "Dibahas 2 April." in page and "data-changed" not in page
    sign_off = KpiSignOff.objects.get(operator=ani, month=MONTH)
    assert sign_off.signed_by == supervisor and sign_off.status == SignOffStatus.SIGNED
    assert sign_off.figures["calls"] == 6 and sign_off.figures["discipline"] == 66.67
    assert sign_off.figures["quality"] == 67.5 and sign_off.figures["targets"]["quality"] == 85
    assert sign_off.history.count() == 1


def test_a_change_after_the_sign_off_is_shown_with_the_signed_figures(supervisor_client, ani):
    sheet, sign, _ = urls(ani)
    supervisor_client.post(sign, {"note": ""})
    call(ani, at(20, 10), 60)  # logged late, for a day of March
    operator_days_fold_dirty()
    page = supervisor_client.get(sheet).content.decode()
    assert "The figures changed since the sign-off." in page
    assert "6 calls, 10 shifts" in page  # the figures as signed
    table = supervisor_client.get(reverse("reports:kpi-month"), {"month": URL_MONTH})
    assert "data-changed" in table.content.decode()


def test_withdrawing_needs_a_reason_and_is_kept_in_the_history(supervisor_client, ani):
    sheet, sign, withdraw = urls(ani)
    supervisor_client.post(sign, {"note": ""})
    refused = supervisor_client.post(withdraw, {"reason": "  "})
    assert refused.status_code == 400
    assert "This field is required." in refused.content.decode()
    assert KpiSignOff.objects.get().status == SignOffStatus.SIGNED

    response = supervisor_client.post(withdraw, {"reason": "Absensi dikoreksi"}, follow=True)
    assert "The sign-off is withdrawn." in response.content.decode()
    sign_off = KpiSignOff.objects.get()
    assert sign_off.status == SignOffStatus.WITHDRAWN and sign_off.withdraw_reason
    assert [h.status for h in sign_off.history.order_by("history_date")] == [
        "signed", "withdrawn",
    ]  # fmt: skip
    # Signed again after the withdrawal: the same row, a third history entry.
    supervisor_client.post(sign, {"note": "Setelah koreksi"})
    sign_off.refresh_from_db()
    assert sign_off.status == SignOffStatus.SIGNED and sign_off.withdraw_reason == ""
    assert sign_off.history.count() == 3


def test_a_month_not_over_cannot_be_signed(supervisor_client, ani):
    this_month = month_start(timezone.localdate())
    _, sign, _ = urls(ani, f"{this_month:%Y-%m}")
    response = supervisor_client.post(sign, {"note": ""})
    assert response.status_code == 400
    assert "The month is not over yet" in response.content.decode()
    assert not KpiSignOff.objects.exists()


def test_a_too_long_note_is_refused_next_to_the_field(supervisor_client, ani):
    _, sign, _ = urls(ani)
    response = supervisor_client.post(sign, {"note": "x" * 1001})
    assert response.status_code == 400
    assert "is-invalid" in response.content.decode()
    assert not KpiSignOff.objects.exists()


def test_operators_cannot_sign_off(operator_client, operator, ani):
    for who in (ani, operator):
        _, sign, withdraw = urls(who)
        assert operator_client.post(sign, {"note": ""}).status_code == 403
        assert operator_client.post(withdraw, {"reason": "x"}).status_code == 403
    assert not KpiSignOff.objects.exists()


def test_the_second_supervisor_is_told_and_nothing_is_overwritten(supervisor, ani):
    other = UserFactory(username="sup2", roles=["Supervisor"])
    kpi_sign_off(operator=ani, month=MONTH, by=supervisor, note="first")
    # The other supervisor's page showed no sign-off yet.
    with pytest.raises(ValidationError):
        kpi_sign_off(operator=ani, month=MONTH, by=other, note="second", version=None)
    sign_off = KpiSignOff.objects.get()
    kpi_sign_off_withdraw(sign_off=sign_off, by=supervisor, reason="koreksi", version=1)
    with pytest.raises(KpiConflict):
        kpi_sign_off_withdraw(sign_off=sign_off, by=other, reason="juga", version=1)
    stale = KpiSignOff.objects.get()
    kpi_sign_off(operator=ani, month=MONTH, by=supervisor, version=2)
    with pytest.raises(KpiConflict):
        kpi_sign_off(operator=ani, month=MONTH, by=other, version=2)
    assert stale.pk == KpiSignOff.objects.get().pk
    assert KpiSignOff.objects.get().signed_by == supervisor
    assert KpiSignOff.history.count() == 3


def test_a_stale_page_gets_the_conflict_message(supervisor_client, supervisor, ani):
    sheet, sign, withdraw = urls(ani)
    kpi_sign_off(operator=ani, month=MONTH, by=supervisor, now=timezone.now())
    sign_off = KpiSignOff.objects.get()
    kpi_sign_off_withdraw(sign_off=sign_off, by=supervisor, reason="x")
    response = supervisor_client.post(withdraw, {"reason": "again", "version": "1"}, follow=True)
    assert "Someone else changed this sheet" in response.content.decode()
    assert KpiSignOff.objects.get().withdraw_reason == "x"


def test_the_sign_off_is_shown_on_the_operators_own_page(supervisor, ani):
    from django.test import Client

    kpi_sign_off(operator=ani, month=MONTH, by=supervisor, note="Bagus", now=timezone.now())
    client = Client()
    client.force_login(ani)
    page = client.get(reverse("reports:my-kpis"), {"month": URL_MONTH}).content.decode()
    assert 'data-sign-off-state="signed"' in page and "Bagus" in page
    assert "Withdraw the sign-off" not in page
    assert dt.date(2025, 3, 1) == MONTH
