"""A task enqueued after commit runs on a real worker through the real broker."""

import time

import pytest
from django.core import mail
from django.db import transaction

from rehab.notifications.models import OutboundEmail
from rehab.notifications.services import email_enqueue
from rehab.notifications.tasks import sweep_outbox


def wait_for_status(email_id, status, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = OutboundEmail.objects.get(pk=email_id).status
        if current == status:
            return current
        time.sleep(0.05)
    return OutboundEmail.objects.get(pk=email_id).status


@pytest.mark.celery_worker
def test_email_enqueued_on_commit_is_sent_by_a_real_worker(live_celery, runner):
    assert live_celery.conf.task_always_eager is False
    with transaction.atomic():
        email = email_enqueue(
            to=runner.email, template="welcome", context={}, language="en", recipient=runner
        )
        # Still inside the transaction: nothing may have been handed to the broker.
        assert OutboundEmail.objects.get(pk=email.pk).attempts == 0

    assert wait_for_status(email.pk, "sent") == "sent"
    assert [m.to for m in mail.outbox] == [[runner.email]]
    assert mail.outbox[0].extra_headers["X-Outbox-Id"] == str(email.pk)


@pytest.mark.celery_worker
def test_sweeper_task_recovers_a_row_whose_message_was_lost(live_celery, runner):
    # Stored without going through the enqueue path: as if Redis lost the message.
    email = OutboundEmail.objects.create(
        to=runner.email, template="welcome", context={}, language="en", recipient=runner
    )
    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=email.created_at)

    sweep_outbox.delay()

    assert wait_for_status(email.pk, "sent") == "sent"
    assert len(mail.outbox) == 1


@pytest.mark.celery_worker
def test_a_push_reminder_goes_from_dispatch_to_the_device_on_a_real_worker(
    live_celery, runner, settings
):
    import datetime as dt

    from django.utils import timezone

    from rehab.notifications.models import ReminderDelivery, ReminderSchedule
    from rehab.notifications.push import push_subscription_save
    from rehab.notifications.reminders import CHANNEL_SETS, reminder_channels_set
    from rehab.notifications.tasks import dispatch_due_reminders
    from rehab.notifications.vapid import generate_keys
    from tests.rehab.notifications.push_receiver import PushReceiver

    keys = generate_keys()
    settings.VAPID_PRIVATE_KEY = keys["VAPID_PRIVATE_KEY"]
    settings.VAPID_PUBLIC_KEY = keys["VAPID_PUBLIC_KEY"]
    settings.WEBPUSH_ALLOW_LOCAL_ENDPOINTS = True
    with PushReceiver() as push:
        device = push.device()
        push_subscription_save(
            user=runner, endpoint=device.endpoint, p256dh=device.p256dh, auth=device.auth
        )
        reminder_channels_set(user=runner, kind="checkin", channels=CHANNEL_SETS["push"])
        ReminderSchedule.objects.filter(user=runner).update(
            next_fire_at=timezone.now() - dt.timedelta(seconds=5)
        )

        dispatch_due_reminders.delay()  # the beat's task: dispatch, then send on the worker

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not push.received:
            time.sleep(0.05)
        assert push.refused == []
        assert [m["title"] for m in push.messages_for(device)] == ["Your morning check-in is ready"]
        delivery = ReminderDelivery.objects.get()
        while time.monotonic() < deadline and delivery.status != "sent":
            time.sleep(0.05)
            delivery.refresh_from_db()
        assert delivery.status == "sent"
