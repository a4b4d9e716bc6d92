"""Physio alerts (#13): warning signs and flare-ups are emailed at once, the rest goes in
one daily digest at the physio's local time (one per local day, whatever the beat does),
each physio chooses what they get, and no email says anything about health."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client

from programs.logbook.alerts import alert_digest_send, alert_digests_send, digest_kinds
from programs.plans.models import Decision
from rehab.accounts.alerts import alert_preferences_for, alert_preferences_set
from rehab.accounts.models import AlertDigest, AlertKind, Role
from rehab.accounts.services import physios_alert
from tests.factories import UserFactory
from tests.programs.physio.test_caseload_flags import NOW, TODAY, linked_runner
from tests.rehab.notifications.test_email_privacy import leaks

pytestmark = pytest.mark.django_db


@pytest.fixture
def physio_user(content):
    return UserFactory(
        role=Role.PHYSIO, email="alerts.physio@clinic.test", timezone="Europe/Amsterdam"
    )


@pytest.fixture
def waiting(physio_user, time_machine):
    """A linked runner with a change waiting for the physio's approval."""
    time_machine.move_to(NOW, tick=False)
    runner = linked_runner(
        physio_user,
        "rosa@r.test",
        first="Rosa",
        last="Runner",
        started=TODAY - dt.timedelta(days=3),
    )
    Decision.objects.create(
        plan=runner.plans.get(),
        fingerprint="x",
        kind="progress",
        rule="test",
        window_ends_on=TODAY,
        effective_from=TODAY,
        status=Decision.Status.PENDING,
    )
    return runner


def test_warning_signs_and_flare_ups_go_at_once_the_rest_waits(
    physio_user, waiting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for n, template in enumerate(
            ["flare_up", "plan_referred", "screening_referral", "referral_cleared"]
        ):
            physios_alert(runner=waiting, template=template, dedupe_key=f"now-{n}")
        for n, template in enumerate(["plan_alert", "plan_review"]):
            physios_alert(runner=waiting, template=template, dedupe_key=f"later-{n}")
    assert len(mail.outbox) == 4
    assert all(m.to == [physio_user.email] for m in mail.outbox)


def test_a_physio_can_turn_off_immediate_alerts(
    physio_user, waiting, django_capture_on_commit_callbacks
):
    alert_preferences_set(physio=physio_user, kinds=[AlertKind.RED_FLAG], digest_time=dt.time(7, 0))
    with django_capture_on_commit_callbacks(execute=True):
        physios_alert(runner=waiting, template="flare_up", dedupe_key="flare-1")
        physios_alert(runner=waiting, template="plan_referred", dedupe_key="ref-1")
    assert len(mail.outbox) == 1  # the warning sign only


def test_one_digest_at_the_physios_local_time_even_if_the_task_runs_twice(
    physio_user, waiting, django_capture_on_commit_callbacks
):
    # 07:00 in Amsterdam is 06:00 UTC in December
    far = UserFactory(role=Role.PHYSIO, email="far@clinic.test", timezone="America/New_York")
    linked_runner(far, "far.runner@r.test", started=TODAY - dt.timedelta(days=20))
    with django_capture_on_commit_callbacks(execute=True):
        assert alert_digests_send(now=dt.datetime(2026, 12, 10, 5, 59, tzinfo=dt.UTC)) == 0
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert alert_digests_send(now=dt.datetime(2026, 12, 10, 6, 5, tzinfo=dt.UTC)) == 1
        assert alert_digests_send(now=dt.datetime(2026, 12, 10, 6, 20, tzinfo=dt.UTC)) == 0
        assert alert_digests_send(now=dt.datetime(2026, 12, 10, 9, 0, tzinfo=dt.UTC)) == 0
    assert [m.to for m in mail.outbox] == [[physio_user.email]]
    digest = AlertDigest.objects.get(physio=physio_user)
    assert (digest.local_date, digest.kinds) == (TODAY, [AlertKind.PENDING_APPROVAL])
    assert not AlertDigest.objects.filter(physio=far).exists()  # 01:05 in New York
    message = mail.outbox[0]
    html = message.alternatives[0][0]
    for text in (message.subject, message.body, html):
        assert leaks(text) == []
        assert "Rosa" not in text
        assert waiting.email not in text
    assert "/physio/" in message.body
    # the next local day, the next digest
    with django_capture_on_commit_callbacks(execute=True):
        assert alert_digests_send(now=dt.datetime(2026, 12, 11, 6, 5, tzinfo=dt.UTC)) == 1
    assert AlertDigest.objects.filter(physio=physio_user).count() == 2


def test_a_second_claim_of_the_same_day_sends_nothing(physio_user, waiting):
    AlertDigest.objects.create(physio=physio_user, local_date=TODAY)
    assert alert_digest_send(physio=physio_user, local_date=TODAY) is None
    assert mail.outbox == []
    with pytest.raises(IntegrityError), transaction.atomic():
        AlertDigest.objects.create(physio=physio_user, local_date=TODAY)


def test_no_email_when_nothing_is_wanted_or_nothing_to_report(
    physio_user, waiting, django_capture_on_commit_callbacks
):
    alert_preferences_set(
        physio=physio_user, kinds=[AlertKind.SILENCE, AlertKind.RED_FLAG], digest_time=dt.time(8)
    )
    assert AlertKind.PENDING_APPROVAL in digest_kinds(physio_user)
    with django_capture_on_commit_callbacks(execute=True):
        assert alert_digests_send(now=dt.datetime(2026, 12, 10, 6, 30, tzinfo=dt.UTC)) == 0  # 07:30
        assert alert_digests_send(now=dt.datetime(2026, 12, 10, 7, 30, tzinfo=dt.UTC)) == 0
    assert mail.outbox == []
    digest = AlertDigest.objects.get(physio=physio_user)
    assert (digest.kinds, digest.email) == ([], None)  # the day is done, without an email
    alert_preferences_set(physio=physio_user, kinds=[AlertKind.RED_FLAG], digest_time=dt.time(8))
    assert alert_digests_send(now=dt.datetime(2026, 12, 11, 7, 30, tzinfo=dt.UTC)) == 0
    assert AlertDigest.objects.filter(physio=physio_user).count() == 1  # no digest kind wanted


def test_the_settings_page_saves_the_physios_choices(physio_user, runner):
    client = Client()
    client.force_login(physio_user)
    page = client.get("/me/").content.decode()
    assert "Alerts about your runners" in page
    response = client.post(
        "/me/",
        {"action": "alerts", "kinds": ["red_flag", "silence"], "digest_time": "18:30"},
    )
    assert response.status_code == 302
    prefs = alert_preferences_for(physio_user)
    assert (prefs.kinds, prefs.digest_time) == (["red_flag", "silence"], dt.time(18, 30))
    bad = client.post("/me/", {"action": "alerts", "kinds": ["everything"], "digest_time": "25:00"})
    assert bad.status_code == 400
    assert alert_preferences_for(physio_user).digest_time == dt.time(18, 30)
    runner_page = Client()
    runner_page.force_login(runner)
    assert "Alerts about your runners" not in runner_page.get("/me/").content.decode()


def test_the_settings_page_speaks_dutch(physio_user):
    physio_user.language = "nl"
    physio_user.save()
    client = Client()
    client.force_login(physio_user)
    page = client.get("/me/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Meldingen over je hardlopers" in page
