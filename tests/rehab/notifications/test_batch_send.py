"""A sender's batch (#16): one query for its rows and users, one for the suppressed
addresses, one email connection, each kind of reminder rendered once per language and
day with each runner's own unsubscribe link put in, and one sent marker per message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail, signing
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rehab.core.db import commits_without_waiting
from rehab.notifications.models import ReminderDelivery, ReminderSchedule
from rehab.notifications.reminders import (
    UNSUBSCRIBE_SALT,
    reminder_schedule_set,
    reminders_dispatch_due,
    reminders_send_due,
)
from rehab.notifications.services import email_suppression_record, render_email
from tests.factories import UserFactory

OPENED: list[EmailBackend] = []


class CountingConnections(EmailBackend):
    """The test mail server, remembering each connection made to it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        OPENED.append(self)


class FailsForOne(EmailBackend):
    """Refuses the message to fails@example.com; takes the others."""

    def send_messages(self, messages):
        if any("fails@example.com" in m.to for m in messages):
            raise ConnectionError("the mail server dropped the connection")
        return super().send_messages(messages)


def _runners_due(*languages: str, emails: list[str] | None = None) -> list:
    now = timezone.now()
    users = []
    for index, language in enumerate(languages):
        user = UserFactory(
            health_data_consent_at=now,
            timezone="Europe/Amsterdam",
            language=language,
            **({"email": emails[index]} if emails else {}),
        )
        reminder_schedule_set(
            user=user, kind="checkin", local_time=dt.time(7, 0), now=now - dt.timedelta(days=1)
        )
        users.append(user)
    ReminderSchedule.objects.update(next_fire_at=now - dt.timedelta(seconds=1))
    reminders_dispatch_due(now=now)
    return users


@pytest.mark.django_db
def test_a_batch_renders_each_message_as_if_alone_with_its_own_unsubscribe_link(settings):
    users = _runners_due("en", "nl", "en", "nl")

    assert reminders_send_due() == {"sent": 4}

    by_address = {m.to[0]: m for m in mail.outbox}
    links = set()
    for user in users:
        message = by_address[user.email]
        link = message.extra_headers["List-Unsubscribe"].strip("<>")
        token = link.rstrip("/").rpartition("/")[2]
        schedule_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        assert ReminderSchedule.objects.get(pk=schedule_id).user == user
        delivery = ReminderDelivery.objects.get(schedule_id=schedule_id)
        subject, text, html = render_email(
            template="reminder_checkin",
            context={"unsubscribe_url": link, "local_date": delivery.local_date},
            language=user.language,
        )
        assert (message.subject, message.body) == (subject, text)
        assert message.alternatives[0].content == html
        links.add(link)
    assert len(links) == 4
    assert {m.subject for m in mail.outbox} == {
        "Your morning check-in is ready",
        "Je ochtendcheck-in staat klaar",
    }


@pytest.mark.django_db
def test_a_batch_sends_through_one_connection_and_marks_each_row(settings):
    settings.EMAIL_BACKEND = f"{__name__}.CountingConnections"
    OPENED.clear()
    _runners_due("en", "nl", "en")

    assert reminders_send_due(batch=10) == {"sent": 3}

    assert len(OPENED) == 1
    rows = ReminderDelivery.objects.all()
    assert {r.status for r in rows} == {"sent"}
    assert all(r.sent_at is not None and r.lease_until is None for r in rows)


@pytest.mark.django_db
def test_a_batch_costs_one_query_per_message_beyond_its_own():
    _runners_due("en", "nl")
    with CaptureQueriesContext(connection) as two:
        assert reminders_send_due(batch=25) == {"sent": 2}
    _runners_due("en", "nl", "en", "nl", "en", "nl")
    with CaptureQueriesContext(connection) as six:
        assert reminders_send_due(batch=25) == {"sent": 6}

    # Per batch: the claim, the rows with their users, the suppressed addresses and the
    # last empty claim; per message: its sent marker, nothing else (no field of the row,
    # its schedule or its user read one by one). Without SKIP LOCKED (SQLite) each row
    # is also claimed on its own.
    per_message = 1 if connection.features.has_select_for_update_skip_locked else 2
    assert len(six.captured_queries) - len(two.captured_queries) == 4 * per_message


@pytest.mark.django_db
def test_a_suppressed_address_in_a_batch_is_skipped_and_the_others_sent():
    users = _runners_due("en", "en", emails=["Bounced@Example.com", "fine@example.com"])
    email_suppression_record(
        email="bounced@example.com", reason="bounced", provider="test", event_id="e-1"
    )

    assert reminders_send_due() == {"sent": 1, "suppressed": 1}

    assert [m.to for m in mail.outbox] == [["fine@example.com"]]
    status = {r.schedule.user_id: r.status for r in ReminderDelivery.objects.all()}
    assert status == {users[0].pk: "suppressed", users[1].pk: "sent"}


@pytest.mark.django_db
def test_a_failed_send_in_a_batch_backs_that_row_off_and_sends_the_rest(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailsForOne"
    users = _runners_due(
        "en", "en", "en", emails=["a@example.com", "fails@example.com", "c@example.com"]
    )

    assert reminders_send_due() == {"sent": 2, "retry": 1}

    failed = ReminderDelivery.objects.get(schedule__user=users[1])
    assert failed.status == "pending"
    assert failed.next_attempt_at > timezone.now()
    assert "ConnectionError" in failed.detail
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.com", "c@example.com"]


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_commits_without_waiting_holds_for_the_block_only():
    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    assert _synchronous_commit() == "on"
    with commits_without_waiting():
        assert _synchronous_commit() == "off"
    assert _synchronous_commit() == "on"
    # Inside a transaction already open, the block changes nothing.
    with transaction.atomic(), commits_without_waiting():
        assert _synchronous_commit() == "on"


@pytest.mark.django_db(transaction=True)
def test_commits_without_waiting_resets_after_an_error_in_the_block():
    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    with pytest.raises(ZeroDivisionError), commits_without_waiting():
        1 / 0  # noqa: B018 - the block fails
    assert _synchronous_commit() == "on"
