"""The database is the queue: senders claim due reminder rows in small batches with short,
renewed leases, so a lost Celery message or a killed worker costs a lease, not minutes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from rehab.celery import app
from rehab.notifications.leasing import LEASE
from rehab.notifications.models import ReminderDelivery, ReminderSchedule
from rehab.notifications.reminders import (
    SEND_BATCH,
    reminder_schedule_set,
    reminders_dispatch_due,
    reminders_send_due,
    senders_for,
)
from rehab.notifications.tasks import sweep_reminders
from tests.factories import UserFactory


def _due_rows(count: int) -> list[ReminderDelivery]:
    now = timezone.now()
    for _ in range(count):
        user = UserFactory(health_data_consent_at=now, timezone="UTC")
        reminder_schedule_set(
            user=user, kind="checkin", local_time=dt.time(7, 0), now=now - dt.timedelta(days=1)
        )
    ReminderSchedule.objects.update(next_fire_at=now - dt.timedelta(seconds=1))
    reminders_dispatch_due(now=now)
    return list(ReminderDelivery.objects.order_by("scheduled_for", "pk"))


@pytest.mark.django_db
def test_a_claim_takes_a_batch_once_and_skips_rows_with_a_live_lease():
    rows = _due_rows(3)
    now = timezone.now()
    held = rows[0]
    ReminderDelivery.objects.filter(pk=held.pk).update(
        status="sending", lease_until=now + dt.timedelta(seconds=10)
    )

    first = ReminderDelivery.objects.claim_batch(now=now, limit=1, order_by="scheduled_for")
    second = ReminderDelivery.objects.claim_batch(now=now, limit=5, order_by="scheduled_for")

    assert len(first) == 1
    assert len(second) == 1
    assert held.pk not in first + second
    assert set(first).isdisjoint(second)
    assert ReminderDelivery.objects.claim_batch(now=now, limit=5, order_by="scheduled_for") == []
    claimed = ReminderDelivery.objects.get(pk=first[0])
    assert claimed.status == "sending"
    assert claimed.attempts == 1
    assert claimed.lease_until == now + LEASE


@pytest.mark.django_db
def test_a_lapsed_lease_makes_the_row_claimable_again_after_seconds_not_minutes():
    [row] = _due_rows(1)
    now = timezone.now()
    assert ReminderDelivery.objects.claim_batch(now=now, limit=5, order_by="scheduled_for")

    later = now + LEASE + dt.timedelta(seconds=1)
    assert dt.timedelta(seconds=60) >= LEASE
    assert ReminderDelivery.objects.claim_batch(now=later, limit=5, order_by="scheduled_for") == [
        row.pk
    ]


@pytest.mark.django_db
def test_renewing_keeps_a_held_row_from_other_claimers():
    [row] = _due_rows(1)
    now = timezone.now()
    ReminderDelivery.objects.claim_batch(now=now, limit=5, order_by="scheduled_for")
    renewed_at = now + LEASE - dt.timedelta(seconds=1)

    assert ReminderDelivery.objects.renew([row.pk], now=renewed_at) == 1
    after_first_lease = now + LEASE + dt.timedelta(seconds=1)
    claimed = ReminderDelivery.objects.claim_batch(
        now=after_first_lease, limit=5, order_by="scheduled_for"
    )
    assert claimed == []


@pytest.mark.django_db
def test_a_sender_sends_every_due_row_once_and_a_second_sends_nothing():
    rows = _due_rows(SEND_BATCH + 3)

    counts = reminders_send_due()

    assert counts == {"sent": len(rows)}
    assert reminders_send_due() == {}
    assert len(mail.outbox) == len(rows)
    assert {m.extra_headers["X-Reminder-Id"] for m in mail.outbox} == {str(r.pk) for r in rows}
    assert set(ReminderDelivery.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_a_sender_hands_over_when_its_time_budget_is_spent():
    _due_rows(2)

    assert reminders_send_due(batch=1, budget=dt.timedelta(seconds=-1)) == {"more": 1}
    assert ReminderDelivery.objects.filter(status="pending").count() == 2


@pytest.mark.django_db
def test_the_sweeper_starts_senders_for_rows_a_killed_worker_left(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    rows = _due_rows(2)
    ReminderDelivery.objects.filter(pk=rows[0].pk).update(
        status="sending", attempts=1, lease_until=timezone.now() - dt.timedelta(seconds=1)
    )

    assert sweep_reminders.apply().get() == 2

    assert len(mail.outbox) == 2
    assert set(ReminderDelivery.objects.values_list("status", flat=True)) == {"sent"}


def test_senders_scale_with_the_backlog_up_to_a_limit():
    assert senders_for(0) == 0
    assert senders_for(1) == 1
    assert senders_for(SEND_BATCH * 100) == 4


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("rehab.notifications.tasks.send_due_reminders", "notify"),
        ("rehab.notifications.tasks.deliver_email", "notify"),
        ("rehab.notifications.tasks.dispatch_due_reminders", "dispatch"),
        ("rehab.notifications.tasks.sweep_reminders", "dispatch"),
        ("programs.logbook.tasks.dispatch_due_progressions", "progression"),
        ("programs.logbook.tasks.relayout_plan", "progression"),
        ("rehab.core.tasks.purge_request_keys", "default"),
    ],
)
def test_each_kind_of_work_has_its_own_queue(task, queue):
    route = app.amqp.router.route({}, task)
    assert route["queue"].name == queue
    assert route["queue"].routing_key == queue


def test_the_stack_worker_consumes_every_queue():
    """make run's one worker (deploy/Procfile.dev, run by honcho) takes every queue."""
    import shlex

    from rehab.stack import procfile_processes

    args = shlex.split(procfile_processes()["worker"])
    consumed = set(args[args.index("-Q") + 1].split(","))
    assert consumed == {q.name for q in settings.CELERY_TASK_QUEUES}
