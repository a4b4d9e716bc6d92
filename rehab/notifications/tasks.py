"""Thin Celery tasks: they take ids and call a service."""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.utils import timezone

TRANSIENT_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError, OSError)


@shared_task(
    acks_late=True,  # safe: the service claims the row before sending
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=15,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=7,
    time_limit=60,
    soft_time_limit=45,
)
def deliver_email(email_id: str) -> str:
    from rehab.notifications.services import email_deliver

    return email_deliver(email_id=email_id)


@shared_task(time_limit=120, soft_time_limit=100)
def sweep_outbox() -> int:
    from rehab.notifications.services import outbox_fail_exhausted, outbox_stuck_ids

    now = timezone.now()
    ids = outbox_stuck_ids(now=now)
    for email_id in ids:
        deliver_email.apply_async((str(email_id),), expires=600)
    outbox_fail_exhausted(now=now)
    return len(ids)


@shared_task(acks_late=True, time_limit=55, soft_time_limit=50)
def dispatch_due_reminders() -> int:
    from rehab.notifications.reminders import reminders_dispatch_due

    return reminders_dispatch_due()


@shared_task(
    acks_late=True,  # safe: the service claims the row with a lease before sending
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=15,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=7,
    time_limit=60,
    soft_time_limit=45,
)
def send_reminder(delivery_id: str) -> str:
    from rehab.notifications.reminders import reminder_send

    return reminder_send(delivery_id=delivery_id)


@shared_task(time_limit=120, soft_time_limit=100)
def sweep_reminders() -> int:
    from rehab.notifications.reminders import (
        reminders_fail_exhausted,
        reminders_stale_overdue,
        reminders_stuck_ids,
    )

    now = timezone.now()
    reminders_stale_overdue(now=now)
    ids = reminders_stuck_ids(now=now)
    for delivery_id in ids:
        send_reminder.apply_async((str(delivery_id),), expires=600)
    reminders_fail_exhausted(now=now)
    return len(ids)
