"""Thin Celery tasks: they take ids and call a service (options: rehab.core.task_options)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from rehab.core.task_options import EVERY_MINUTE, SEND, SEND_EXPIRES, SWEEP


@shared_task(**SEND)  # late ack is safe: the service claims the row before sending
def deliver_email(email_id: str) -> str:
    from rehab.notifications.services import email_deliver

    return email_deliver(email_id=email_id)


@shared_task(**SWEEP)
def sweep_outbox() -> int:
    from rehab.notifications.services import outbox_fail_exhausted, outbox_stuck_ids

    now = timezone.now()
    ids = outbox_stuck_ids(now=now)
    for email_id in ids:
        deliver_email.apply_async((str(email_id),), expires=SEND_EXPIRES)
    outbox_fail_exhausted(now=now)
    return len(ids)


@shared_task(**EVERY_MINUTE)
def dispatch_due_reminders() -> int:
    from rehab.notifications.reminders import reminders_dispatch_due

    return reminders_dispatch_due()


@shared_task(**SEND)  # late ack is safe: the service claims the row with a lease
def send_reminder(delivery_id: str) -> str:
    from rehab.notifications.reminders import reminder_send

    return reminder_send(delivery_id=delivery_id)


@shared_task(**SWEEP)  # early ack: a lost sender costs one sweep interval, its rows one lease
def send_due_reminders() -> dict:
    from rehab.notifications.reminders import reminders_send_due, reminders_senders_start

    counts = reminders_send_due()
    if counts.get("more"):
        reminders_senders_start(1)  # hand over to a fresh message
    return counts


@shared_task(**SWEEP)
def sweep_reminders() -> int:
    from rehab.notifications.reminders import (
        reminders_due_count,
        reminders_fail_exhausted,
        reminders_senders_start,
        reminders_stale_overdue,
        senders_for,
    )

    now = timezone.now()
    reminders_stale_overdue(now=now)
    reminders_fail_exhausted(now=now)
    due = reminders_due_count(now=now)
    reminders_senders_start(senders_for(due))
    return due
