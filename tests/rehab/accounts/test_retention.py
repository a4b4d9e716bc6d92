"""Data retention: unused accounts are warned, then erased after a grace period.

Time moves with time-machine; emails go through the real outbox (eager Celery).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from rehab.accounts.models import AccessLog, CareLink, RetentionNotice, Role, User
from rehab.accounts.retention import retention_run
from rehab.accounts.services import access_log_record, api_token_create
from rehab.notifications.models import OutboundEmail
from tests.conftest import leaks
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.UTC)
LONG_AGO = START - dt.timedelta(days=25 * 31)  # more than 24 months before START


@pytest.fixture
def at(time_machine):
    def move(moment: dt.datetime) -> None:
        time_machine.move_to(moment, tick=False)

    move(START)
    return move


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """One run of the beat task, with the emails it queues delivered."""

    def run() -> dict[str, int]:
        with django_capture_on_commit_callbacks(execute=True):
            return retention_run()

    return run


def unused(user, since=LONG_AGO):
    User.objects.filter(pk=user.pk).update(last_seen_at=since)
    user.refresh_from_db()
    return user


def emails_to(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email]]


def test_an_unused_runner_is_warned_once_then_erased_after_the_grace_period(
    at, sweep, runner, physio
):
    access_log_record(actor=physio, runner=runner, object_type="plan", object_id="1")
    unused(runner)
    active = UserFactory(email="active@example.com")

    assert sweep() == {"cancelled": 0, "erased": 0, "warned": 1}
    assert sweep()["warned"] == 0  # the same period of inactivity: no second warning
    (warning,) = emails_to(runner)
    assert warning.subject == "Your Hip Rehab account will be deleted"
    assert "Feb. 3, 2027" in warning.body  # START + 30 days, in the runner's own format
    assert leaks(warning.subject + warning.body + warning.alternatives[0][0]) == []
    assert emails_to(active) == []

    at(START + dt.timedelta(days=29))
    assert sweep()["erased"] == 0
    assert User.objects.filter(pk=runner.pk).exists()

    at(START + dt.timedelta(days=30, minutes=1))
    assert sweep()["erased"] == 1
    assert not User.objects.filter(email="runner@example.com").exists()
    assert AccessLog.objects.get().runner_id is None  # the audit trail stays, pseudonymous
    assert User.objects.filter(pk__in=[physio.pk, active.pk]).count() == 2
    assert sweep() == {"cancelled": 0, "erased": 0, "warned": 0}


def test_activity_after_the_warning_cancels_it_and_a_new_period_warns_again(at, sweep, runner):
    unused(runner)
    sweep()
    at(START + dt.timedelta(days=10))
    client = Client()
    client.force_login(runner)
    assert client.get("/me/").status_code == 200  # the runner comes back once

    at(START + dt.timedelta(days=40))
    assert sweep() == {"cancelled": 1, "erased": 0, "warned": 0}
    assert User.objects.filter(pk=runner.pk).exists()
    assert RetentionNotice.objects.get().status == RetentionNotice.Status.CANCELLED

    at(START + dt.timedelta(days=10) + dt.timedelta(days=25 * 31))
    assert sweep()["warned"] == 1  # a new period of inactivity, a new warning
    assert len(emails_to(runner)) == 2


def test_an_api_call_with_a_token_counts_as_activity(at, runner):
    unused(runner)
    _token, key = api_token_create(user=runner, device="test")

    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200

    runner.refresh_from_db()
    assert runner.last_seen_at == START


def test_last_seen_is_written_at_most_once_a_day(at, runner):
    client = Client()
    client.force_login(runner)
    unused(runner, since=START - dt.timedelta(days=2))
    client.get("/me/")
    runner.refresh_from_db()
    assert runner.last_seen_at == START

    at(START + dt.timedelta(hours=5))
    client.get("/me/")
    runner.refresh_from_db()
    assert runner.last_seen_at == START


def test_nothing_is_erased_without_a_sent_warning(at, sweep, runner, monkeypatch):
    unused(runner)
    failing = "tests.rehab.notifications.failing_backend.FailingBackend"
    monkeypatch.setattr(settings, "EMAIL_BACKEND", failing)
    assert sweep()["warned"] == 1
    assert OutboundEmail.objects.get(to=runner.email).status != OutboundEmail.Status.SENT

    at(START + dt.timedelta(days=90))
    monkeypatch.setattr(settings, "EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    assert sweep()["erased"] == 0
    assert User.objects.filter(pk=runner.pk).exists()


def test_the_grace_period_runs_from_when_the_warning_was_actually_sent(at, sweep, runner):
    unused(runner)
    sweep()
    late = START + dt.timedelta(days=20)  # the mail server was down for 20 days
    OutboundEmail.objects.filter(to=runner.email).update(sent_at=late)

    at(START + dt.timedelta(days=31))
    assert sweep()["erased"] == 0
    at(late + dt.timedelta(days=30, minutes=1))
    assert sweep()["erased"] == 1


def test_a_physio_with_linked_runners_is_reminded_never_erased(at, sweep, runner, physio):
    unused(physio)

    assert sweep()["warned"] == 1
    (reminder,) = emails_to(physio)
    assert reminder.subject == "Your Hip Rehab account has not been used for a long time"
    assert "not deleted automatically" in reminder.body
    at(START + dt.timedelta(days=365))
    assert sweep() == {"cancelled": 0, "erased": 0, "warned": 0}
    assert User.objects.filter(pk=physio.pk).exists()

    # The runner ends the link; the physio is still unused: now an erasure warning.
    CareLink.objects.filter(physio=physio).update(status=CareLink.Status.ENDED)
    assert sweep()["warned"] == 1
    assert emails_to(physio)[-1].subject == "Your Hip Rehab account will be deleted"
    at(START + dt.timedelta(days=365 + 31))
    assert sweep()["erased"] == 1
    assert not User.objects.filter(role=Role.PHYSIO).exists()
    assert User.objects.filter(pk=runner.pk).exists()


def test_a_link_made_during_the_grace_period_stops_the_erasure(at, sweep, runner, other_physio):
    unused(other_physio)
    sweep()
    CareLink.objects.create(
        physio=other_physio,
        runner=runner,
        status=CareLink.Status.ACTIVE,
        consent_given_at=START,
    )

    at(START + dt.timedelta(days=31))
    assert sweep()["erased"] == 0
    assert User.objects.filter(pk=other_physio.pk).exists()


def test_staff_are_never_warned_or_erased(at, sweep, admin_user):
    unused(admin_user)

    at(START + dt.timedelta(days=400))
    assert sweep() == {"cancelled": 0, "erased": 0, "warned": 0}
    assert emails_to(admin_user) == []


def test_the_warning_is_in_the_users_language(at, sweep, runner):
    runner.language = "nl"
    runner.save()
    unused(runner)

    sweep()

    (warning,) = emails_to(runner)
    assert warning.subject == "Je Hip Rehab-account wordt verwijderd"
    assert "3 februari 2027" in warning.body


def test_retention_can_be_switched_off(at, sweep, runner, settings):
    settings.RETENTION_INACTIVE_MONTHS = 0
    unused(runner)

    assert sweep() == {"cancelled": 0, "erased": 0, "warned": 0}


def test_the_sweep_runs_from_beat_on_a_fixed_interval():
    entry = settings.CELERY_BEAT_SCHEDULE["accounts-retention"]

    assert entry["task"] == "rehab.accounts.tasks.retention_sweep"
    assert isinstance(entry["schedule"], float)
    from rehab.accounts.tasks import retention_sweep

    assert retention_sweep.name == entry["task"]
