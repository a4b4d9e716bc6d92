"""Reminders at each user's local time: schedule, dispatch, send, sweep.

Delivery is at-least-once with a database sent-marker (ReminderDelivery, unique per
schedule, local day and channel): a reminder is never lost, and a duplicate can only
reach the user if the process dies between the mail server accepting the message and
the row being marked sent. The rows are the queue: Celery messages only start senders
that claim due rows (`reminders_send_due`). Each channel (email, Web Push: rehab.notifications.push) has
its own schedule row and so its own delivery row and marker. Nothing is scheduled in
the broker; beat runs the dispatcher and the sweeper every minute or less.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.conf import settings
from django.core import signing
from django.core.mail import get_connection
from django.db import connection, transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.module_loading import import_string

from rehab.core.bulk import insert_rows, returns_inserted_rows, update_rows
from rehab.core.db import commits_without_waiting
from rehab.core.task_options import SEND_EXPIRES
from rehab.notifications.leasing import LEASE
from rehab.notifications.models import (
    ReminderChannel,
    ReminderDelivery,
    ReminderKind,
    ReminderSchedule,
)
from rehab.notifications.push import push_reminder_send
from rehab.notifications.schedule import local_date_of, next_fire_after
from rehab.notifications.services import (
    SUPPRESSED_DETAIL,
    email_address_key,
    email_addresses_suppressed,
    email_message_of,
    outbox_message_id,
    outbox_send,
    render_email,
)

logger = logging.getLogger(__name__)

STALE_AFTER = dt.timedelta(hours=3)  # a 07:00 nudge is not sent at 10:01

DISPATCH_BATCH = 500
UNSUBSCRIBE_SALT = "reminder-unsubscribe"

Status = ReminderDelivery.Status


DEFAULT_TIMES = {ReminderKind.SESSION: dt.time(7, 30), ReminderKind.CHECKIN: dt.time(8, 0)}
# The choices of how a kind of reminder comes (the settings page), as sets of channels.
CHANNEL_SETS: dict[str, frozenset[str]] = {
    "email": frozenset({ReminderChannel.EMAIL}),
    "push": frozenset({ReminderChannel.PUSH}),
    "both": frozenset({ReminderChannel.EMAIL, ReminderChannel.PUSH}),
    "none": frozenset(),
}


def _fire(schedule: ReminderSchedule, tz_name: str, now: dt.datetime) -> None:
    schedule.next_fire_at = (
        next_fire_after(schedule.local_time, tz_name, now) if schedule.enabled else None
    )


def reminder_schedule_set(
    *, user, kind: str, local_time: dt.time, enabled: bool = True, now: dt.datetime | None = None
) -> ReminderSchedule:
    """Set whether and when a kind of reminder comes, on each channel it uses (one schedule
    row per channel: the rows that exist are the channels chosen).

    Off turns every channel off. On, for a kind that was off, turns its channels on again
    (email when it has none); for a kind already on it only moves the time, so a channel
    unsubscribed on its own stays off. Takes effect from the next local occurrence.
    Returns the email schedule, or the first one.
    """
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(ReminderSchedule.objects.select_for_update().filter(user=user, kind=kind))
        if not rows:
            row, _created = ReminderSchedule.objects.get_or_create(
                user=user,
                kind=kind,
                channel=ReminderChannel.EMAIL,
                defaults={"local_time": local_time, "enabled": False},
            )
            rows = [row]
        was_on = any(row.enabled for row in rows)
        for row in rows:
            row.local_time = local_time
            if not enabled or not was_on:
                row.enabled = enabled
            _fire(row, user.timezone, now)
        ReminderSchedule.objects.bulk_update(rows, ["local_time", "enabled", "next_fire_at"])
    rows.sort(key=lambda row: row.channel != ReminderChannel.EMAIL)
    return rows[0]


def reminder_channels_set(
    *, user, kind: str, channels: frozenset[str], now: dt.datetime | None = None
) -> list[ReminderSchedule]:
    """Choose the channels of a kind of reminder (email, push, both, or none).

    A chosen channel is on, at the kind's time (or its default); a channel not chosen is
    removed, so turning the kind off and on again later keeps the choice. Choosing none
    turns the kind off and keeps its channels.
    """
    now = now or timezone.now()
    with transaction.atomic():
        rows = {
            row.channel: row
            for row in ReminderSchedule.objects.select_for_update().filter(user=user, kind=kind)
        }
        if not channels:
            for row in rows.values():
                row.enabled = False
                row.next_fire_at = None
            ReminderSchedule.objects.bulk_update(list(rows.values()), ["enabled", "next_fire_at"])
            return list(rows.values())
        local_time = next(
            (row.local_time for row in rows.values() if row.enabled),
            next((row.local_time for row in rows.values()), DEFAULT_TIMES[ReminderKind(kind)]),
        )
        ReminderSchedule.objects.filter(
            pk__in=[row.pk for channel, row in rows.items() if channel not in channels]
        ).delete()
        kept = []
        for channel in sorted(channels):
            row = rows.get(channel) or ReminderSchedule(
                user=user, kind=kind, channel=channel, local_time=local_time
            )
            row.local_time = local_time
            row.enabled = True
            _fire(row, user.timezone, now)
            row.save()
            kept.append(row)
        return kept


def reminder_channels_of(user) -> dict[str, str]:
    """Kind -> the channel choice in force ("email", "push", "both" or "none")."""
    on: dict[str, set[str]] = {kind: set() for kind in ReminderKind.values}
    for kind, channel in ReminderSchedule.objects.filter(user=user, enabled=True).values_list(
        "kind", "channel"
    ):
        on.setdefault(kind, set()).add(channel)
    by_set = {channels: name for name, channels in CHANNEL_SETS.items()}
    return {kind: by_set.get(frozenset(channels), "none") for kind, channels in on.items()}


def reminder_schedules_reschedule(*, user, now: dt.datetime | None = None) -> int:
    """Recompute every schedule of a user, e.g. after a time-zone change."""
    now = now or timezone.now()
    schedules = list(ReminderSchedule.objects.filter(user=user, enabled=True))
    for schedule in schedules:
        schedule.next_fire_at = next_fire_after(schedule.local_time, user.timezone, now)
    ReminderSchedule.objects.bulk_update(schedules, ["next_fire_at"])
    return len(schedules)


# Rows a sender claims at a time. A batch costs about 12 ms besides its messages (the
# claim, the load, the suppression lookup, the renders), so 25 rows paid 500 us each for
# it and 100 pay 120 us: one process, the two sizes taken in turn, sent 10,000 reminders
# in 10.4-13.0 s at 25 and 7.4-8.2 s at 100. A killed worker strands the rest of its
# batch for one lease (30 s), which stays well inside the 90 s p99 of the chaos run.
SEND_BATCH = 100
# How long one `send_due_reminders` task keeps claiming before it hands over to a fresh
# message (well inside its time limit, and inside any lease it holds).
SEND_BUDGET = dt.timedelta(seconds=20)
# Senders started for a backlog: enough to keep every worker process busy.
SENDERS = 4


def senders_for(due: int) -> int:
    """How many sender tasks a backlog of `due` rows deserves."""
    return min(SENDERS, -(-due // SEND_BATCH)) if due > 0 else 0


def reminders_senders_start(count: int) -> int:
    """Enqueue `count` sender tasks; a broker that is down is logged, the sweeper retries."""
    from rehab.notifications.tasks import send_due_reminders

    started = 0
    for _ in range(count):
        try:
            send_due_reminders.apply_async(expires=SEND_EXPIRES)
        except Exception:  # broker down: the sweeper starts senders again
            logger.warning("could not enqueue a reminder sender; the sweeper will retry")
            break
        started += 1
    return started


def _enqueue_after_commit(created: int) -> None:
    if not created:
        return
    count = senders_for(created)
    transaction.on_commit(lambda: reminders_senders_start(count), robust=True)


def _claim_due(now: dt.datetime, batch: int) -> list[tuple]:
    """(schedule id, channel, local time, next fire, user's time zone) of due schedules,
    locked for this dispatcher (SKIP LOCKED where the database has it)."""
    due = (
        ReminderSchedule.objects.filter(enabled=True, next_fire_at__lte=now)
        .order_by("next_fire_at", "pk")
        .values_list("pk", "channel", "local_time", "next_fire_at", "user__timezone")
    )
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True, of=("self",))
    return list(due[:batch])


def reminders_dispatch_due(*, now: dt.datetime | None = None, batch: int = DISPATCH_BATCH) -> int:
    """Turn every due schedule into one delivery row per local day, and move it on.
    Returns the number of pending rows created (where rehab.core.bulk cannot tell the
    rows a conflict skipped, SQLite, the number of due schedules).

    Safe to run concurrently: SKIP LOCKED (PostgreSQL) keeps dispatchers apart, and the
    unique constraint turns any overlap into a no-op. The rows and the moved schedules
    are written as one statement each (rehab.core.bulk), and committed without waiting
    for the disk (rehab.core.db.commits_without_waiting): a database crash can only
    undo both together, and the schedule then fires again.
    """
    now = now or timezone.now()
    created = 0
    with commits_without_waiting():
        while True:
            with transaction.atomic():
                due = _claim_due(now, batch)
                if not due:
                    return created
                rows, moved = [], []
                for schedule_id, channel, local_time, fire_at, tz_name in due:
                    stale = now - fire_at > STALE_AFTER
                    rows.append(
                        (
                            schedule_id,
                            channel,
                            local_date_of(fire_at, tz_name),
                            fire_at,
                            Status.STALE if stale else Status.PENDING,
                        )
                    )
                    moved.append(
                        (schedule_id, next_fire_after(local_time, tz_name, max(now, fire_at)))
                    )
                inserted = insert_rows(
                    ReminderDelivery,
                    ["schedule", "channel", "local_date", "scheduled_for", "status"],
                    rows,
                    ignore_conflicts=True,
                    returning=["status"],
                )
                update_rows(ReminderSchedule, ["next_fire_at"], moved)
                if returns_inserted_rows():
                    pending = sum(1 for (status,) in inserted if status == Status.PENDING)
                else:  # the fallback cannot tell skipped rows apart: count the due ones
                    pending = sum(1 for row in rows if row[4] == Status.PENDING)
                _enqueue_after_commit(pending)
                created += pending


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
    ReminderDelivery.objects.finish(delivery_id, status, **fields)


def reminder_send(*, delivery_id, now: dt.datetime | None = None) -> str:
    """Send one reminder if this caller wins the claim; returns the resulting status."""
    now = now or timezone.now()
    if not ReminderDelivery.objects.claim(delivery_id, now=now):
        return "skipped"
    delivery = ReminderDelivery.objects.select_related("schedule__user").get(id=delivery_id)
    suppressed = email_addresses_suppressed([delivery.schedule.user.email])
    return _deliver(delivery, suppressed=suppressed, mail=None)


# Where each message's own unsubscribe link goes in a reminder rendered once for many.
_LINK_SLOT = f"rehab-unsubscribe-link-{secrets.token_hex(8)}"


def _rendered(kind: str, language: str, local_date: dt.date, rendered: dict) -> tuple:
    """Subject, text and HTML of a kind of reminder in a language for a day, rendered once
    per batch (`rendered` keeps them) with _LINK_SLOT for the unsubscribe link: the
    messages of a batch differ in nothing else."""
    key = (kind, language, local_date)
    if key not in rendered:
        rendered[key] = render_email(
            template=f"reminder_{kind}",
            context={"unsubscribe_url": _LINK_SLOT, "local_date": local_date},
            language=language,
        )
    return rendered[key]


def _deliver(
    delivery: ReminderDelivery, *, suppressed: set[str], mail, rendered: dict | None = None
) -> str:
    """Send a reminder this caller holds the claim of, and mark it. `suppressed` holds the
    addresses not to write to (email_addresses_suppressed); `mail` is an open email
    connection to send through, or None for the default one; `rendered` keeps the
    reminders rendered for the caller's batch (_rendered)."""
    rendered = {} if rendered is None else rendered
    schedule, user = delivery.schedule, delivery.schedule.user
    if not (user.is_active and user.health_data_consent_at and schedule.enabled):
        _mark(delivery.id, Status.SUPPRESSED, detail="reminders off or no consent")
        return Status.SUPPRESSED
    if not _is_relevant(schedule.kind, user, delivery.local_date):
        _mark(delivery.id, Status.SUPPRESSED, detail="nothing planned that day")
        return Status.SUPPRESSED
    if delivery.channel == ReminderChannel.PUSH:
        return push_reminder_send(delivery)
    if email_address_key(user.email) in suppressed:
        _mark(delivery.id, Status.SUPPRESSED, detail=SUPPRESSED_DETAIL)
        return Status.SUPPRESSED
    token = unsubscribe_token(schedule)
    unsubscribe_url = f"{settings.SITE_URL}/reminders/unsubscribe/{token}/"
    subject, text, html = _rendered(schedule.kind, user.language, delivery.local_date, rendered)
    message = email_message_of(
        to=user.email,
        subject=subject,
        text=text.replace(_LINK_SLOT, unsubscribe_url),
        html=html.replace(_LINK_SLOT, escape(unsubscribe_url)),
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "X-Reminder-Id": str(delivery.id),
            "Message-ID": outbox_message_id(delivery),
        },
    )
    message.connection = mail
    return outbox_send(delivery, message)


# What sending a batch reads of the rows, their schedules and users (and no more: a user
# row's other columns would be parsed for nothing). A field missing here still works, at
# the cost of one query per row: test_batch_send counts them.
BATCH_FIELDS = (
    "id",
    "status",
    "attempts",
    "channel",
    "local_date",
    "scheduled_for",
    "pushed_to",
    "schedule__id",
    "schedule__kind",
    "schedule__enabled",
    "schedule__user__id",
    "schedule__user__email",
    "schedule__user__language",
    "schedule__user__timezone",
    "schedule__user__is_active",
    "schedule__user__health_data_consent_at",
)


def _send_batch(keys: list, *, renewed: dt.datetime) -> dict[str, int]:
    """Send the claimed rows `keys` through one email connection: the rows and their users
    in one query, the suppressed addresses in another, then one message and one sent
    marker per row. The lease of the rows still waiting is renewed as it goes."""
    objects = ReminderDelivery.objects
    counts: dict[str, int] = {}
    deliveries = list(
        objects.filter(pk__in=keys)
        .select_related("schedule__user")
        .only(*BATCH_FIELDS)
        .order_by("scheduled_for")
    )
    suppressed = email_addresses_suppressed([d.schedule.user.email for d in deliveries])
    mail = get_connection()
    rendered: dict = {}
    try:
        for index, delivery in enumerate(deliveries):
            if timezone.now() - renewed > LEASE / 3:  # well before the lease can lapse
                renewed = timezone.now()
                objects.renew([d.pk for d in deliveries[index:]], now=renewed)
            try:
                status = _deliver(delivery, suppressed=suppressed, mail=mail, rendered=rendered)
            except Exception as exc:  # the row is back to pending with a back-off
                logger.warning("reminder %s not sent: %s", delivery.pk, type(exc).__name__)
                status = "retry"
                _close_quietly(mail)  # the next message opens a fresh connection
            counts[status] = counts.get(status, 0) + 1
    finally:
        _close_quietly(mail)
    return counts


def _close_quietly(mail) -> None:
    try:
        mail.close()
    except Exception:  # a connection already broken: nothing left to close
        logger.info("email connection closed with an error")


def reminders_send_due(
    *, batch: int = SEND_BATCH, budget: dt.timedelta = SEND_BUDGET
) -> dict[str, int]:
    """Claim due reminder rows a batch at a time and send them, until none is left or the
    time budget is spent; returns the count per resulting status, and `more` (1 when the
    budget ran out with rows left, so the caller hands over to a fresh task).

    The database is the queue: the rows are claimed here (SKIP LOCKED on PostgreSQL), so
    any number of these run side by side, and a message lost with a killed worker or a
    restarted Redis costs nothing but the lease of the rows it held. Each row is marked
    sent as soon as the mail server accepted it, so the crash window is one message; the
    claims and markers are committed without waiting for the disk
    (commits_without_waiting), which a database crash can only turn into a resend.
    """
    objects = ReminderDelivery.objects
    started = timezone.now()
    counts: dict[str, int] = {}
    with commits_without_waiting():
        while True:
            now = timezone.now()
            if now - started > budget:
                counts["more"] = 1
                return counts
            keys = objects.claim_batch(now=now, limit=batch, order_by="scheduled_for")
            if not keys:
                return counts
            for status, n in _send_batch(keys, renewed=now).items():
                counts[status] = counts.get(status, 0) + n


def reminders_stuck_ids(*, now: dt.datetime, limit: int = 5000) -> list:
    return ReminderDelivery.objects.stuck_ids(now=now, order_by="scheduled_for", limit=limit)


def reminders_due_count(*, now: dt.datetime) -> int:
    """Reminder rows a sender could claim now (pending and due, or with a lapsed lease)."""
    return ReminderDelivery.objects.due_count(now=now)


def reminders_fail_exhausted(*, now: dt.datetime) -> int:
    return ReminderDelivery.objects.fail_exhausted(now=now)


def reminders_stale_overdue(*, now: dt.datetime) -> int:
    """Pending reminders that could not go out in time are not sent hours late."""
    return ReminderDelivery.objects.filter(
        status=Status.PENDING, scheduled_for__lt=now - STALE_AFTER
    ).update(status=Status.STALE)
