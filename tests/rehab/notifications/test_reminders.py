import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from rehab.accounts.services import user_update_profile
from rehab.notifications.leasing import MAX_ATTEMPTS
from rehab.notifications.models import ReminderDelivery, ReminderSchedule
from rehab.notifications.reminders import (
    reminder_schedule_set,
    reminder_send,
    reminders_dispatch_due,
    reminders_fail_exhausted,
    reminders_stale_overdue,
    reminders_stuck_ids,
    unsubscribe_token,
)
from tests.factories import UserFactory

NOW = dt.datetime(2026, 11, 25, 6, 0, tzinfo=dt.UTC)  # 07:00 in Amsterdam


def due_schedule(user, kind="checkin", at=dt.time(7, 0)):
    schedule = reminder_schedule_set(
        user=user, kind=kind, local_time=at, now=NOW - dt.timedelta(hours=1)
    )
    assert schedule.next_fire_at == NOW
    return schedule


@pytest.mark.django_db
def test_dispatch_creates_one_delivery_per_local_day_and_moves_the_schedule_on(runner):
    schedule = due_schedule(runner)

    assert reminders_dispatch_due(now=NOW) == 1
    assert reminders_dispatch_due(now=NOW) == 0

    delivery = ReminderDelivery.objects.get()
    assert (delivery.local_date, delivery.scheduled_for) == (dt.date(2026, 11, 25), NOW)
    schedule.refresh_from_db()
    assert schedule.next_fire_at == NOW + dt.timedelta(days=1)


@pytest.mark.django_db
def test_a_replayed_schedule_state_cannot_create_a_second_reminder_for_the_day(runner):
    schedule = due_schedule(runner)
    reminders_dispatch_due(now=NOW)
    # A second dispatcher that read the row before the first one moved it on:
    ReminderSchedule.objects.filter(pk=schedule.pk).update(next_fire_at=NOW)

    reminders_dispatch_due(now=NOW + dt.timedelta(seconds=30))

    assert ReminderDelivery.objects.count() == 1


@pytest.mark.django_db
def test_sent_reminder_has_one_click_unsubscribe_and_no_health_data(runner):
    due_schedule(runner)
    reminders_dispatch_due(now=NOW)
    delivery = ReminderDelivery.objects.get()

    assert reminder_send(delivery_id=delivery.id, now=NOW) == "sent"
    assert reminder_send(delivery_id=delivery.id, now=NOW) == "skipped"

    [message] = mail.outbox
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/reminders/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["X-Reminder-Id"] == str(delivery.id)
    assert "/checkin/" in message.body
    delivery.refresh_from_db()
    assert delivery.status == "sent"


@pytest.mark.django_db
def test_reminder_in_the_users_language(runner):
    runner.language = "nl"
    runner.save()
    due_schedule(runner)
    reminders_dispatch_due(now=NOW)

    reminder_send(delivery_id=ReminderDelivery.objects.get().id, now=NOW)

    assert mail.outbox[0].subject == "Je ochtendcheck-in staat klaar"


@pytest.mark.django_db
def test_reminders_are_suppressed_without_consent_or_when_not_relevant(runner, settings):
    runner.health_data_consent_at = None
    runner.save()
    due_schedule(runner)
    reminders_dispatch_due(now=NOW)
    assert reminder_send(delivery_id=ReminderDelivery.objects.get().id, now=NOW) == "suppressed"

    other = UserFactory(email="planless@example.com")
    settings.REMINDER_RELEVANCE = {"session": "tests.rehab.notifications.test_reminders.never"}
    due_schedule(other, kind="session")
    reminders_dispatch_due(now=NOW)
    delivery = ReminderDelivery.objects.get(schedule__user=other)
    assert reminder_send(delivery_id=delivery.id, now=NOW) == "suppressed"
    assert mail.outbox == []


def never(*, user, local_date):
    return False


@pytest.mark.django_db
def test_a_reminder_hours_late_is_marked_stale_not_sent(runner):
    due_schedule(runner)

    reminders_dispatch_due(now=NOW + dt.timedelta(hours=4))

    assert ReminderDelivery.objects.get().status == "stale"


@pytest.mark.django_db
def test_sweeper_recovers_lost_and_abandoned_and_fails_exhausted(runner, other_runner):
    due_schedule(runner)
    due_schedule(other_runner)
    reminders_dispatch_due(now=NOW)
    lost, abandoned = ReminderDelivery.objects.order_by("schedule__user__email")
    ReminderDelivery.objects.filter(pk=lost.pk).update(created_at=NOW - dt.timedelta(minutes=5))
    ReminderDelivery.objects.filter(pk=abandoned.pk).update(
        status="sending", lease_until=NOW - dt.timedelta(seconds=1)
    )

    assert set(reminders_stuck_ids(now=NOW)) == {lost.pk, abandoned.pk}
    assert reminder_send(delivery_id=abandoned.pk, now=NOW) == "sent"

    ReminderDelivery.objects.filter(pk=lost.pk).update(attempts=MAX_ATTEMPTS)
    assert reminders_fail_exhausted(now=NOW) == 1
    assert reminders_stale_overdue(now=NOW + dt.timedelta(hours=5)) == 0


@pytest.mark.django_db
def test_timezone_change_moves_the_next_reminder(runner, time_machine):
    time_machine.move_to(NOW - dt.timedelta(hours=2), tick=False)
    schedule = reminder_schedule_set(user=runner, kind="checkin", local_time=dt.time(7, 0))
    assert schedule.next_fire_at == NOW

    user_update_profile(user=runner, timezone="America/New_York")

    schedule.refresh_from_db()
    assert schedule.next_fire_at == dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_one_click_unsubscribe_needs_a_post_and_a_valid_token(client, runner):
    schedule = due_schedule(runner)
    url = f"/reminders/unsubscribe/{unsubscribe_token(schedule)}/"

    assert client.get(url).status_code == 200
    schedule.refresh_from_db()
    assert schedule.enabled  # a link scanner's GET changes nothing

    assert client.post("/reminders/unsubscribe/forged/").status_code == 400
    assert client.post(url).status_code == 200
    schedule.refresh_from_db()
    assert not schedule.enabled
    assert schedule.next_fire_at is None


@pytest.mark.django_db
def test_settings_page_saves_reminder_times(client, runner):
    client.force_login(runner)

    bad = client.post(
        "/me/", {"action": "reminders", "session_time": "25:99", "checkin_time": "08:00"}
    )
    assert bad.status_code == 400

    client.post(
        "/me/",
        {
            "action": "reminders",
            "session_enabled": "on",
            "session_time": "06:45",
            "checkin_time": "08:15",
        },
    )
    schedules = {s.kind: s for s in ReminderSchedule.objects.filter(user=runner)}
    assert schedules["session"].enabled
    assert schedules["session"].local_time == dt.time(6, 45)
    assert not schedules["checkin"].enabled
    assert schedules["checkin"].next_fire_at is None


@pytest.mark.django_db(transaction=True)
def test_concurrent_dispatchers_never_duplicate():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only real on PostgreSQL (SQLite serialises whole tables)")
    users = [UserFactory(email=f"c{i}@example.com") for i in range(60)]
    for user in users:
        due_schedule(user)
    errors = []

    def dispatch():
        try:
            reminders_dispatch_due(now=NOW, batch=7)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatch) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert ReminderDelivery.objects.count() == len(users)
    assert ReminderSchedule.objects.filter(next_fire_at=NOW).count() == 0
    assert timezone.now()  # the database connection is still healthy
