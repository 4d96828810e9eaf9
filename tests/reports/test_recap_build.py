"""The recap's build: one row per date, rebuild idempotence, signed-off
recaps, concurrency, the nightly and morning jobs, the e-mail, the command."""

import io
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection

from reports.models import DailyRecap, RecapStatus
from reports.services.recap import (
    RecapConflict,
    RecapSignedOff,
    nightly_day,
    recap_build,
    recap_comment,
    recap_mark_reviewed,
    recap_nightly,
    recap_notify,
    recap_sign_off,
)
from reports.tasks.recap import recap_build_task, recap_morning_task, recap_nightly_task
from switchboard.locale import preference_set_language
from tests.reports.factories_recap import D, at, call, recap_world, supervisor_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return recap_world()


# One recap per date ------------------------------------------------------------------


def test_a_rebuild_updates_the_one_row_with_the_same_figures(world):
    first = recap_build(day=D, now=world.now)
    again = recap_build(day=D, now=world.now + timedelta(hours=1))
    assert DailyRecap.objects.filter(date=D).count() == 1
    assert again.pk == first.pk
    assert again.figures == first.figures
    assert again.changed is False
    assert again.history.count() == 1  # nothing written the second time


def test_a_rebuild_takes_in_a_late_correction(world):
    recap = recap_build(day=D, now=world.now)
    world.calls[5].deleted_at = world.now
    world.calls[5].save()
    rebuilt = recap_build(day=D, now=world.now)
    assert rebuilt.changed
    assert rebuilt.figures["calls"]["total"] == 7
    assert rebuilt.builds == 2 and rebuilt.version == recap.version + 1
    assert rebuilt.history.count() == 2


def test_a_day_to_come_is_refused(world):
    with pytest.raises(ValidationError) as error:
        recap_build(day=D + timedelta(days=2), now=world.now)
    assert "day" in error.value.message_dict


def test_a_signed_off_recap_is_rebuilt_only_with_force_and_a_reason(world):
    supervisor = supervisor_user("sup1")
    recap = recap_build(day=D, now=world.now)
    recap_sign_off(recap=recap, by=supervisor, now=world.now)
    signed = DailyRecap.objects.get(pk=recap.pk).signed_figures
    call(world.op1, at(D, 18), caller=world.callers["A"])
    with pytest.raises(RecapSignedOff, match="signed off"):
        recap_build(day=D, now=world.now)
    with pytest.raises(ValidationError) as error:
        recap_build(day=D, now=world.now, force=True)
    assert "reason" in error.value.message_dict
    rebuilt = recap_build(day=D, now=world.now, force=True, reason="late call", by=supervisor)
    assert rebuilt.status == RecapStatus.REBUILT
    assert rebuilt.signed_figures == signed
    assert rebuilt.figures["calls"]["total"] == 9 != signed["calls"]["total"]
    history = list(rebuilt.history.order_by("history_id"))
    assert [h.status for h in history] == ["built", "signed_off", "rebuilt"]
    assert history[1].figures["calls"]["total"] == 8
    # Rebuilt after sign-off, it may be signed again.
    again = recap_sign_off(recap=DailyRecap.objects.get(pk=recap.pk), by=supervisor, now=world.now)
    assert again.status == RecapStatus.SIGNED_OFF
    assert again.signed_figures["calls"]["total"] == 9


def test_review_steps_follow_the_map_and_check_the_version(world):
    supervisor = supervisor_user("sup1")
    recap = recap_build(day=D, now=world.now)
    stale = DailyRecap.objects.get(pk=recap.pk)
    recap_comment(recap=recap, by=supervisor, comment="ok", version=1)
    with pytest.raises(RecapConflict):
        recap_mark_reviewed(recap=stale, by=supervisor, version=1)
    recap_mark_reviewed(recap=recap, by=supervisor, version=2)
    with pytest.raises(ValidationError, match="reviewed already"):
        recap_mark_reviewed(recap=recap, by=supervisor, version=3)
    today = recap_build(day=world.now.date(), now=world.now)
    with pytest.raises(ValidationError, match="not over yet"):
        recap_sign_off(recap=today, by=supervisor, now=world.now)


@pytest.mark.django_db(transaction=True)
def test_two_builds_at_once_leave_one_recap():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL")
    world = recap_world()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def build():
        try:
            barrier.wait()
            results.append(recap_build(day=D, now=world.now).pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=build) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert DailyRecap.objects.filter(date=D).count() == 1
    assert len(set(results)) == 1
    assert DailyRecap.objects.get(date=D).figures["calls"]["total"] == 8


# The schedule ------------------------------------------------------------------------


def test_the_nightly_job_builds_the_day_it_runs_on_or_before_noon_the_day_before():
    assert nightly_day(at(D, 23, 55)) == D
    assert nightly_day(at(D + timedelta(days=1), 0, 30)) == D


def test_the_nightly_job_builds_and_emails_once(world, mailoutbox):
    supervisor_user("sup1", email="sup1@example.co.id")
    result = recap_nightly(now=at(D, 23, 55))
    assert result == {"day": D.isoformat(), "built": True, "emailed": 1}
    # Run again (a retried or duplicated beat): rebuilt, no second e-mail.
    assert recap_nightly(now=at(D, 23, 58))["emailed"] == 0
    assert len(mailoutbox) == 1
    assert DailyRecap.objects.get(date=D).notified_at is not None


def test_the_tasks_take_iso_dates_and_are_idempotent(world, mailoutbox):
    recap_build_task.delay(D.isoformat())
    recap_build_task.delay(D.isoformat())
    assert DailyRecap.objects.filter(date=D).count() == 1
    assert mailoutbox == []  # an on-demand build e-mails nobody
    recap_nightly_task.delay()
    recap_morning_task.delay()


def test_the_morning_job_leaves_a_signed_off_day(world, monkeypatch):
    from reports.services import recap as service

    supervisor = supervisor_user("sup1")
    recap = recap_build(day=D, now=world.now)
    recap_sign_off(recap=recap, by=supervisor, now=world.now)
    call(world.op1, at(D, 18), caller=world.callers["A"])
    assert service.recap_morning(now=world.now) == {"day": D.isoformat(), "built": False}
    assert DailyRecap.objects.get(date=D).status == RecapStatus.SIGNED_OFF


def test_recap_build_time_setting(monkeypatch):
    from switchboard.settings import env_clock

    monkeypatch.setenv("RECAP_BUILD_TIME", "05:07")
    assert env_clock("RECAP_BUILD_TIME", "23:55") == (5, 7)
    monkeypatch.delenv("RECAP_BUILD_TIME")
    assert env_clock("RECAP_BUILD_TIME", "23:55") == (23, 55)
    for bad in ("24:00", "7", "12:5", "ab:cd", "١٢:٠٠", "12:60"):
        monkeypatch.setenv("RECAP_BUILD_TIME", bad)
        with pytest.raises(ImproperlyConfigured):
            env_clock("RECAP_BUILD_TIME", "23:55")


def test_beat_has_the_nightly_and_morning_entries(settings):
    beat = settings.CELERY_BEAT_SCHEDULE
    nightly = beat["reports-recap-nightly"]["schedule"]
    assert nightly.hour == {23} and nightly.minute == {55}
    assert beat["reports-recap-morning"]["task"] == "reports.tasks.recap.recap_morning_task"


# The e-mail ----------------------------------------------------------------------------


def test_the_email_goes_to_supervisors_in_their_language(world, mailoutbox, settings):
    settings.SITE_URL = "https://switchboard.example.co.id"
    english = supervisor_user("sup1", email="sup1@example.co.id", first_name="Ratna", last_name="")
    bahasa = supervisor_user("sup2", email="sup2@example.co.id", first_name="Dewi")
    supervisor_user("sup3", email="")  # no address: no e-mail
    preference_set_language(user=english, language="en")
    preference_set_language(user=bahasa, language="id")
    recap = recap_build(day=D, now=world.now)
    assert recap_notify(recap=recap, now=world.now) == 2
    assert recap_notify(recap=recap, now=world.now) == 0  # a retry sends nothing more
    assert len(mailoutbox) == 2
    by_address = {m.to[0]: m for m in mailoutbox}
    en, id_ = by_address["sup1@example.co.id"], by_address["sup2@example.co.id"]
    assert en.subject == "Daily recap of Monday 23 November 2026: 8 calls"
    assert "Hello Ratna," in en.body
    assert "Calls: 8 (usually 15.0)" in en.body
    assert "Missed calls: 4 (2 not called back)" in en.body
    link = "https://switchboard.example.co.id/reports/recaps/2026-11-23/"
    assert link in en.body
    html = en.alternatives[0][0]
    assert f'href="{link}"' in html
    assert id_.extra_headers["Content-Language"] == "id"
    assert "Senin" in id_.subject  # the weekday in Bahasa Indonesia


def test_a_failed_send_gives_the_claim_back_for_the_retry(world, mailoutbox, monkeypatch):
    supervisor_user("sup1", email="sup1@example.co.id")
    recap = recap_build(day=D, now=world.now)

    def broken(self, messages):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", broken)
    with pytest.raises(OSError):
        recap_notify(recap=recap, now=world.now)
    assert DailyRecap.objects.get(pk=recap.pk).notified_at is None
    monkeypatch.undo()
    assert recap_notify(recap=recap, now=world.now) == 1
    assert len(mailoutbox) == 1


# The command -----------------------------------------------------------------------------


def run(*args) -> str:
    out = io.StringIO()
    call_command("build_recap", *args, stdout=out)
    return out.getvalue()


def test_the_command_builds_a_range_oldest_first(world):
    out = run("--from", (D - timedelta(days=2)).isoformat(), "--to", D.isoformat())
    assert DailyRecap.objects.filter(date__range=(D - timedelta(days=2), D)).count() == 3
    assert f"{D}: built, 8 calls" in out
    assert "3 built, 0 unchanged" in out
    out = run("--day", D.isoformat())
    assert "0 built, 1 unchanged" in out


def test_the_command_skips_a_signed_off_day_unless_forced(world):
    supervisor = supervisor_user("sup1")
    recap = recap_build(day=D, now=world.now)
    recap_sign_off(recap=recap, by=supervisor, now=world.now)
    call(world.op1, at(D, 18), caller=world.callers["A"])
    assert "signed off, skipped" in run("--day", D.isoformat())
    out = run("--day", D.isoformat(), "--force", "--reason", "late call")
    assert "1 built" in out
    assert DailyRecap.objects.get(date=D).status == RecapStatus.REBUILT


def test_the_command_last_n_days_ends_yesterday(db):
    from reports.services.recap import local_today

    run("--last", "3")
    yesterday = local_today() - timedelta(days=1)
    assert list(DailyRecap.objects.order_by("date").values_list("date", flat=True)) == [
        yesterday - timedelta(days=2),
        yesterday - timedelta(days=1),
        yesterday,
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--day", "2026-02-30"), "Not a date"),
        (("--day", "tomorrow"), "Not a date"),
        (("--from", "2026-11-10", "--to", "2026-11-01"), "--to is before --from"),
        (("--to", "2026-11-01"), "--to needs --from"),
        ((), "Give exactly one"),
        (("--day", "2026-11-01", "--last", "3"), "Give exactly one"),
        (("--last", "0"), "--last must be between"),
        (("--day", "2999-01-01"), "has not come yet"),
        (("--day", "2026-11-01", "--force"), "--force needs a --reason"),
    ],
)
def test_the_command_explains_bad_input(db, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_the_command_shows_a_progress_bar_on_a_terminal(world):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    out = Terminal()
    call_command("build_recap", "--day", D.isoformat(), stdout=out)
    assert "[" + "#" * 30 + "] 1/1" in out.getvalue()
