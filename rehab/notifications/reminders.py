"""Reminders at each user's local time: schedule, dispatch, send, sweep.

Delivery is at-least-once with a database sent-marker (ReminderDelivery, unique per
schedule, local day and channel): a reminder is never lost, and a duplicate can only
reach the user if the process dies between the mail server accepting the message and
the row being marked sent. Nothing is scheduled in the broker; beat runs the
dispatcher every minute and the sweeper every five.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from rehab.notifications import leasing
from rehab.notifications.models import ReminderDelivery, ReminderSchedule
from rehab.notifications.schedule import local_date_of, next_fire_after
from rehab.notifications.services import render_email

logger = logging.getLogger(__name__)

STALE_AFTER = dt.timedelta(hours=3)  # a 07:00 nudge is not sent at 10:01
MAX_ATTEMPTS = leasing.MAX_ATTEMPTS
DISPATCH_BATCH = 500
UNSUBSCRIBE_SALT = "reminder-unsubscribe"

Status = ReminderDelivery.Status


def reminder_schedule_set(
    *, user, kind: str, local_time: dt.time, enabled: bool = True, now: dt.datetime | None = None
) -> ReminderSchedule:
    """Create or change a reminder; the change takes effect from the next local occurrence."""
    now = now or timezone.now()
    next_fire = next_fire_after(local_time, user.timezone, now) if enabled else None
    schedule, _created = ReminderSchedule.objects.update_or_create(
        user=user,
        kind=kind,
        channel="email",
        defaults={"local_time": local_time, "enabled": enabled, "next_fire_at": next_fire},
    )
    return schedule


def reminder_schedules_reschedule(*, user, now: dt.datetime | None = None) -> int:
    """Recompute every schedule of a user, e.g. after a time-zone change."""
    now = now or timezone.now()
    schedules = list(ReminderSchedule.objects.filter(user=user, enabled=True))
    for schedule in schedules:
        schedule.next_fire_at = next_fire_after(schedule.local_time, user.timezone, now)
    ReminderSchedule.objects.bulk_update(schedules, ["next_fire_at"])
    return len(schedules)


def _enqueue_after_commit(delivery_ids: list) -> None:
    if not delivery_ids:
        return
    from rehab.notifications.tasks import send_reminder

    def send() -> None:
        for delivery_id in delivery_ids:
            try:
                send_reminder.apply_async((str(delivery_id),), expires=600)
            except Exception:  # broker down: the sweeper recovers the rows
                logger.warning("could not enqueue reminder %s; the sweeper will retry", delivery_id)
                return

    transaction.on_commit(send, robust=True)


def _claim_due(now: dt.datetime, batch: int) -> list[ReminderSchedule]:
    due = (
        ReminderSchedule.objects.filter(enabled=True, next_fire_at__lte=now)
        .select_related("user")
        .order_by("next_fire_at", "pk")
    )
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True, of=("self",))
    return list(due[:batch])


def reminders_dispatch_due(*, now: dt.datetime | None = None, batch: int = DISPATCH_BATCH) -> int:
    """Turn every due schedule into one delivery row per local day, and move it on.

    Safe to run concurrently: SKIP LOCKED (PostgreSQL) keeps dispatchers apart, and the
    unique constraint turns any overlap into a no-op.
    """
    now = now or timezone.now()
    created = 0
    while True:
        with transaction.atomic():
            due = _claim_due(now, batch)
            if not due:
                return created
            rows = []
            for schedule in due:
                tz_name = schedule.user.timezone
                stale = now - schedule.next_fire_at > STALE_AFTER
                rows.append(
                    ReminderDelivery(
                        schedule=schedule,
                        channel=schedule.channel,
                        local_date=local_date_of(schedule.next_fire_at, tz_name),
                        scheduled_for=schedule.next_fire_at,
                        status=Status.STALE if stale else Status.PENDING,
                    )
                )
                schedule.next_fire_at = next_fire_after(
                    schedule.local_time, tz_name, max(now, schedule.next_fire_at)
                )
            ReminderDelivery.objects.bulk_create(rows, ignore_conflicts=True)
            ReminderSchedule.objects.bulk_update(due, ["next_fire_at"])
            keys = [(r.schedule_id, r.local_date, r.channel) for r in rows if r.status == "pending"]
            pending = _delivery_ids(keys)
            _enqueue_after_commit(pending)
            created += len(pending)


def _delivery_ids(keys: list[tuple]) -> list:
    if not keys:
        return []
    query = Q()
    for schedule_id, local_date, channel in keys:
        query |= Q(schedule_id=schedule_id, local_date=local_date, channel=channel)
    return list(
        ReminderDelivery.objects.filter(query, status=Status.PENDING).values_list("id", flat=True)
    )


def _is_relevant(kind: str, user, local_date: dt.date) -> bool:
    """Whether the reminder has something to say today (e.g. a session is planned)."""
    path = settings.REMINDER_RELEVANCE.get(kind)
    if not path:
        return True
    return bool(import_string(path)(user=user, local_date=local_date))


def unsubscribe_token(schedule: ReminderSchedule) -> str:
    return signing.dumps(schedule.pk, salt=UNSUBSCRIBE_SALT)


def reminder_unsubscribe(*, token: str) -> ReminderSchedule | None:
    """One-click unsubscribe (RFC 8058); an unknown or tampered token changes nothing."""
    try:
        schedule_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    schedule = ReminderSchedule.objects.filter(pk=schedule_id).first()
    if schedule is not None:
        schedule.enabled = False
        schedule.next_fire_at = None
        schedule.save(update_fields=["enabled", "next_fire_at", "updated_at"])
    return schedule


def _mark(delivery_id, status: str, **fields) -> None:
    leasing.finish(ReminderDelivery, delivery_id, status, **fields)


def reminder_send(*, delivery_id, now: dt.datetime | None = None) -> str:
    """Send one reminder if this caller wins the claim; returns the resulting status."""
    now = now or timezone.now()
    if not leasing.claim(ReminderDelivery, delivery_id, now=now):
        return "skipped"
    delivery = ReminderDelivery.objects.select_related("schedule__user").get(id=delivery_id)
    schedule, user = delivery.schedule, delivery.schedule.user
    if not (user.is_active and user.health_data_consent_at and schedule.enabled):
        _mark(delivery.id, Status.SUPPRESSED, detail="reminders off or no consent")
        return Status.SUPPRESSED
    if not _is_relevant(schedule.kind, user, delivery.local_date):
        _mark(delivery.id, Status.SUPPRESSED, detail="nothing planned that day")
        return Status.SUPPRESSED
    token = unsubscribe_token(schedule)
    unsubscribe_url = f"{settings.SITE_URL}/reminders/unsubscribe/{token}/"
    subject, text, html = render_email(
        template=f"reminder_{schedule.kind}",
        context={"unsubscribe_url": unsubscribe_url, "local_date": delivery.local_date},
        language=user.language,
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "X-Reminder-Id": str(delivery.id),
        },
    )
    message.attach_alternative(html, "text/html")
    try:
        message.send(fail_silently=False)
    except Exception as exc:
        leasing.retry_later(
            ReminderDelivery,
            delivery.id,
            attempts=delivery.attempts,
            error_field="detail",
            error=exc,
        )
        raise
    _mark(delivery.id, Status.SENT, sent_at=timezone.now(), detail="")
    return Status.SENT


def reminders_stuck_ids(*, now: dt.datetime, limit: int = 5000) -> list:
    return leasing.stuck_ids(ReminderDelivery, now=now, order_by="scheduled_for", limit=limit)


def reminders_fail_exhausted(*, now: dt.datetime) -> int:
    return leasing.fail_exhausted(ReminderDelivery, now=now)


def reminders_stale_overdue(*, now: dt.datetime) -> int:
    """Pending reminders that could not go out in time are not sent hours late."""
    return ReminderDelivery.objects.filter(
        status=Status.PENDING, scheduled_for__lt=now - STALE_AFTER
    ).update(status=Status.STALE)
