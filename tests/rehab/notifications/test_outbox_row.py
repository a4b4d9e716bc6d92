"""The claim-and-lease life cycle is one abstract model: both outboxes behave alike."""

import datetime as dt

import pytest
from django.utils import timezone

from rehab.notifications.leasing import LEASE, MAX_ATTEMPTS, OutboxRow
from rehab.notifications.models import OutboundEmail, ReminderDelivery
from rehab.notifications.reminders import reminder_schedule_set


def _email(user):
    return OutboundEmail.objects.create(to=user.email, template="welcome", language="en")


def _reminder(user):
    schedule = reminder_schedule_set(user=user, kind="session", local_time=dt.time(7, 0))
    return ReminderDelivery.objects.create(
        schedule=schedule, local_date=dt.date(2026, 12, 1), channel="email",
        scheduled_for=timezone.now(),
    )  # fmt: skip


@pytest.mark.parametrize("make", [_email, _reminder], ids=["email", "reminder"])
@pytest.mark.django_db
def test_both_outboxes_claim_lease_retry_and_fail_the_same_way(make, runner):
    row = make(runner)
    model = type(row)
    assert issubclass(model, OutboxRow)
    now = timezone.now()
    assert model.objects.claim(row.pk, now=now)
    assert not model.objects.claim(row.pk, now=now)  # held by the first claim
    model.objects.retry_later(row.pk, attempts=1, error=ConnectionError("refused"))
    row.refresh_from_db()
    assert (row.status, row.attempts, row.lease_until) == ("pending", 1, None)
    assert row.detail == "ConnectionError: refused"
    assert row.next_attempt_at > now
    # A lease that runs out makes the row claimable again; exhausted rows fail.
    assert model.objects.claim(row.pk, now=now)
    assert model.objects.claim(row.pk, now=now + LEASE + dt.timedelta(seconds=1))
    model.objects.filter(pk=row.pk).update(attempts=MAX_ATTEMPTS)
    assert model.objects.fail_exhausted(now=now + 3 * LEASE) == 1
    row.refresh_from_db()
    assert row.status == model.Status.FAILED


def test_reminder_statuses_extend_the_outbox_statuses():
    assert {s.value for s in ReminderDelivery.Status} == {
        *(s.value for s in OutboundEmail.Status),
        "stale",
    }
    assert ReminderDelivery._meta.get_field("status").default == "pending"


def test_a_reminder_delivery_has_every_outbox_status_and_only_stale_besides():
    """ReminderDelivery spells its statuses out (TextChoices cannot be extended and the type
    checker must see the members); they must stay the outbox's, plus `stale`."""
    from rehab.notifications.leasing import OutboxStatus

    outbox = {(m.name, m.value, str(m.label)) for m in OutboxStatus}
    reminder = {(m.name, m.value, str(m.label)) for m in ReminderDelivery.Status}
    assert reminder - outbox == {("STALE", "stale", "Too late to send")}
    assert outbox <= reminder
