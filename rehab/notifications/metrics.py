"""Reminder and outbox gauges for /metrics and /healthz (registered in rehab.core.metrics
from NotificationsConfig.ready): counts and ages only, never who or what."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Min

from rehab.core.metrics import register_gauge
from rehab.notifications.models import OutboundEmail, ReminderDelivery, ReminderSchedule

OPEN = ("pending", "sending")


def reminders_due(now: dt.datetime) -> float:
    """Enabled schedules whose next time has come and that the dispatcher has not taken."""
    return ReminderSchedule.objects.filter(enabled=True, next_fire_at__lte=now).count()


def reminders_overdue(now: dt.datetime) -> float:
    """Due ones the dispatcher (every minute) should long have taken."""
    late = now - dt.timedelta(seconds=settings.REMINDER_OVERDUE_AFTER)
    return ReminderSchedule.objects.filter(enabled=True, next_fire_at__lte=late).count()


def _age(now: dt.datetime, oldest: dt.datetime | None) -> float:
    return 0.0 if oldest is None else max(0.0, (now - oldest).total_seconds())


def reminder_delivery_lag(now: dt.datetime) -> float:
    """Age of the oldest reminder not yet sent (0 when none waits)."""
    oldest = ReminderDelivery.objects.filter(status__in=OPEN).aggregate(t=Min("scheduled_for"))
    return _age(now, oldest["t"])


def email_delivery_lag(now: dt.datetime) -> float:
    """Age of the oldest outbound email not yet sent (0 when none waits)."""
    oldest = OutboundEmail.objects.filter(status__in=OPEN).aggregate(t=Min("created_at"))
    return _age(now, oldest["t"])


def register() -> None:
    register_gauge(
        "rehab_reminders_due", "Reminder schedules due and not yet dispatched.", reminders_due
    )
    register_gauge(
        "rehab_reminders_overdue",
        "Reminder schedules due for longer than REMINDER_OVERDUE_AFTER seconds.",
        reminders_overdue,
    )
    register_gauge(
        "rehab_reminder_delivery_lag_seconds",
        "Age of the oldest pending reminder delivery (0: none pending).",
        reminder_delivery_lag,
    )
    register_gauge(
        "rehab_email_delivery_lag_seconds",
        "Age of the oldest pending outbound email (0: none pending).",
        email_delivery_lag,
    )
