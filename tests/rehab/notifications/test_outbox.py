import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from rehab.notifications.leasing import MAX_ATTEMPTS
from rehab.notifications.models import OutboundEmail
from rehab.notifications.services import (
    email_deliver,
    email_enqueue,
    outbox_fail_exhausted,
    outbox_stuck_ids,
)


def enqueue_welcome(user, **extra):
    return email_enqueue(
        to=user.email,
        template="welcome",
        context={"first_name": "Rosa"},
        language=user.language,
        recipient=user,
        **extra,
    )


@pytest.mark.django_db
def test_enqueued_email_is_sent_after_commit(runner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        email = enqueue_welcome(runner)

    assert len(callbacks) == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 1
    assert [m.to for m in mail.outbox] == [[runner.email]]
    assert "Hello Rosa" in mail.outbox[0].body
    assert mail.outbox[0].alternatives[0][1] == "text/html"


@pytest.mark.django_db
def test_email_is_rendered_in_the_recipients_language(runner, django_capture_on_commit_callbacks):
    runner.language = "nl"
    runner.save()
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_welcome(runner)

    assert mail.outbox[0].subject == "Welkom bij Hip Rehab"
    assert "Hallo Rosa" in mail.outbox[0].body


@pytest.mark.django_db
def test_nothing_is_enqueued_when_the_transaction_rolls_back(
    runner, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                enqueue_welcome(runner)
                raise RuntimeError("roll back")
        except RuntimeError:
            pass

    assert callbacks == []
    assert OutboundEmail.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_dedupe_key_stores_and_sends_once(runner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = enqueue_welcome(runner, dedupe_key="welcome:x")
        second = enqueue_welcome(runner, dedupe_key="welcome:x")

    assert first.pk == second.pk
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_second_delivery_of_the_same_row_does_not_send_again(runner):
    email = enqueue_welcome(runner)

    assert email_deliver(email_id=email.id) == "sent"
    assert email_deliver(email_id=email.id) == "skipped"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_row_leased_by_a_live_worker_is_not_taken(runner):
    email = enqueue_welcome(runner)
    OutboundEmail.objects.filter(pk=email.pk).update(
        status="sending", lease_until=timezone.now() + dt.timedelta(minutes=3)
    )

    assert email_deliver(email_id=email.id) == "skipped"
    assert mail.outbox == []


@pytest.mark.django_db
def test_transport_failure_puts_the_row_back_with_a_backoff(runner, settings):
    settings.EMAIL_BACKEND = "tests.rehab.notifications.failing_backend.FailingBackend"
    email = enqueue_welcome(runner)

    with pytest.raises(ConnectionError):
        email_deliver(email_id=email.id)

    email.refresh_from_db()
    assert email.status == "pending"
    assert email.next_attempt_at > timezone.now()
    assert "ConnectionError" in email.detail


@pytest.mark.django_db
def test_inactive_recipient_is_suppressed(runner):
    email = enqueue_welcome(runner)
    runner.is_active = False
    runner.save()

    assert email_deliver(email_id=email.id) == "suppressed"
    assert mail.outbox == []


@pytest.mark.django_db
def test_sweeper_finds_lost_and_abandoned_rows_and_fails_exhausted_ones(runner, time_machine):
    now = timezone.now()
    lost = enqueue_welcome(runner, dedupe_key="lost")
    abandoned = enqueue_welcome(runner, dedupe_key="abandoned")
    fresh = enqueue_welcome(runner, dedupe_key="fresh")
    exhausted = enqueue_welcome(runner, dedupe_key="exhausted")
    OutboundEmail.objects.filter(pk__in=[lost.pk, abandoned.pk, exhausted.pk]).update(
        created_at=now - dt.timedelta(minutes=10)
    )
    OutboundEmail.objects.filter(pk=abandoned.pk).update(
        status="sending", lease_until=now - dt.timedelta(seconds=1)
    )
    OutboundEmail.objects.filter(pk=exhausted.pk).update(attempts=MAX_ATTEMPTS)

    stuck = outbox_stuck_ids(now=now)

    assert set(stuck) == {lost.pk, abandoned.pk}
    assert fresh.pk not in stuck
    assert outbox_fail_exhausted(now=now) == 1
    exhausted.refresh_from_db()
    assert exhausted.status == "failed"
