"""Email through a provider: the settings from the environment, the stable Message-ID, and
suppressions from the providers' signed bounce and complaint webhooks (recorded payloads in
Postmark's and Mailgun's formats, posted to the real /anymail/ URLs)."""

import base64
import copy
import datetime as dt
import hashlib
import hmac
import json

import pytest
from anymail.exceptions import AnymailRecipientsRefused
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.test import Client
from django.urls import reverse

from rehab.notifications.models import EmailSuppression, OutboundEmail, ReminderDelivery
from rehab.notifications.providers import PROVIDERS, EmailConfigError, email_config
from rehab.notifications.reminders import (
    reminder_schedule_set,
    reminder_send,
    reminders_dispatch_due,
)
from rehab.notifications.services import (
    email_deliver,
    email_enqueue,
    email_suppression_record,
    outbox_message_id,
)
from rehab.notifications.webhooks import TRACKING_VIEWS

NOW = dt.datetime(2026, 11, 25, 6, 0, tzinfo=dt.UTC)  # 07:00 in Amsterdam
SECRET = "hooks:correct-webhook-password"
SIGNING_KEY = "mailgun-signing-key-for-tests"
HEALTH = "PAIN_SENTINEL_7f3 pain 7/10 after the run"
POSTMARK_URL = "/anymail/postmark/tracking/"
MAILGUN_URL = "/anymail/mailgun/tracking/"


# --- settings from the environment ------------------------------------------------------


def config(debug=False, installed=lambda module: True, **env):
    return email_config(lambda name: env.get(name, ""), debug=debug, installed=installed)


def test_smtp_is_the_default_and_debug_keeps_the_console_and_file_backend():
    assert config().backend == "django.core.mail.backends.smtp.EmailBackend"
    assert config().provider == "smtp"
    assert config().webhook_providers == ()
    assert config(debug=True).backend == "rehab.notifications.backends.ConsoleAndFileBackend"
    assert config(debug=True, EMAIL_PROVIDER="smtp").backend.endswith("smtp.EmailBackend")
    assert (
        config(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend").backend
        == "django.core.mail.backends.locmem.EmailBackend"
    )


def test_a_provider_gets_anymails_backend_its_key_and_its_webhook():
    chosen = config(
        EMAIL_PROVIDER="Postmark", EMAIL_API_KEY="pm-token", EMAIL_WEBHOOK_SECRET=SECRET
    )

    assert chosen.backend == "anymail.backends.postmark.EmailBackend"
    assert chosen.anymail == {"POSTMARK_SERVER_TOKEN": "pm-token", "WEBHOOK_SECRET": [SECRET]}
    assert chosen.webhook_providers == ("postmark",)


def test_mailgun_takes_its_signing_key_domain_and_region():
    chosen = config(
        EMAIL_PROVIDER="mailgun",
        EMAIL_API_KEY="mg-key",
        EMAIL_SENDER_DOMAIN="mg.example.org",
        EMAIL_API_URL="https://api.eu.mailgun.net/v3",
        EMAIL_WEBHOOK_SIGNING_KEY=SIGNING_KEY,
    )

    assert chosen.anymail == {
        "MAILGUN_API_KEY": "mg-key",
        "MAILGUN_SENDER_DOMAIN": "mg.example.org",
        "MAILGUN_API_URL": "https://api.eu.mailgun.net/v3",
        "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY,
    }


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"EMAIL_PROVIDER": "pigeon"}, "EMAIL_PROVIDER"),
        ({"EMAIL_PROVIDER": "sendgrid", "EMAIL_WEBHOOK_SECRET": SECRET}, "EMAIL_API_KEY"),
        ({"EMAIL_PROVIDER": "sendgrid", "EMAIL_API_KEY": "k"}, "EMAIL_WEBHOOK_SECRET"),
        ({"EMAIL_PROVIDER": "mailgun", "EMAIL_API_KEY": "k"}, "EMAIL_WEBHOOK_SIGNING_KEY"),
        ({"EMAIL_WEBHOOK_PROVIDERS": "brevo"}, "EMAIL_WEBHOOK_SECRET"),
        ({"EMAIL_WEBHOOK_PROVIDERS": "pigeon"}, "EMAIL_WEBHOOK_PROVIDERS"),
        ({"EMAIL_WEBHOOK_PROVIDERS": "brevo", "EMAIL_WEBHOOK_SECRET": "nopass"}, "user:password"),
    ],
)
def test_a_missing_or_wrong_provider_setting_names_the_variable(env, names):
    with pytest.raises(EmailConfigError, match=names):
        config(**env)


def test_amazon_ses_needs_boto3_installed():
    with pytest.raises(EmailConfigError, match="boto3"):
        config(EMAIL_PROVIDER="amazon_ses", EMAIL_WEBHOOK_SECRET=SECRET, installed=lambda m: False)
    assert config(EMAIL_PROVIDER="amazon_ses", EMAIL_WEBHOOK_SECRET=SECRET).anymail == {
        "WEBHOOK_SECRET": [SECRET]
    }


def test_every_provider_has_its_tracking_webhook_mounted():
    assert set(TRACKING_VIEWS) == set(PROVIDERS)
    for name in PROVIDERS:
        assert reverse(f"anymail:{name}_tracking_webhook") == f"/anymail/{name}/tracking/"


# --- the Message-ID ---------------------------------------------------------------------


class FlakyBackend(LocmemBackend):
    """Refuses the first message, accepts the rest; notes every Message-ID it was handed."""

    seen: list[str] = []

    def send_messages(self, messages):
        FlakyBackend.seen += [m.message()["Message-ID"] for m in messages]
        if len(FlakyBackend.seen) == 1:
            raise ConnectionError("connection reset after DATA")
        return super().send_messages(messages)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.seen = []
    return FlakyBackend


@pytest.mark.django_db
def test_a_retry_of_the_same_outbox_row_sends_the_same_message_id(runner, flaky, settings):
    settings.DEFAULT_FROM_EMAIL = "Hip Rehab <noreply@rehab.example.org>"
    email = email_enqueue(to=runner.email, template="welcome", context={}, language="en")

    with pytest.raises(ConnectionError):
        email_deliver(email_id=email.id)
    assert email_deliver(email_id=email.id) == "sent"

    first, second = flaky.seen
    assert first == second == outbox_message_id(email)
    assert first.startswith(f"<outboundemail-{email.id}-")
    assert first.endswith("@rehab.example.org>")
    [sent] = mail.outbox
    assert sent.message().get_all("Message-ID") == [first]
    other = email_enqueue(to=runner.email, template="welcome", context={}, language="en")
    assert outbox_message_id(other) != first


@pytest.mark.django_db
def test_a_retried_reminder_keeps_its_message_id(runner, flaky):
    reminder_schedule_set(
        user=runner, kind="checkin", local_time=dt.time(7, 0), now=NOW - dt.timedelta(hours=1)
    )
    reminders_dispatch_due(now=NOW)
    delivery = ReminderDelivery.objects.get()

    with pytest.raises(ConnectionError):
        reminder_send(delivery_id=delivery.id, now=NOW)
    assert reminder_send(delivery_id=delivery.id, now=NOW) == "sent"

    assert flaky.seen[0] == flaky.seen[1] == outbox_message_id(delivery)
    assert flaky.seen[0].startswith(f"<reminderdelivery-{delivery.id}-")


# --- the outbox skips suppressed addresses ----------------------------------------------


@pytest.mark.django_db
def test_the_outbox_skips_a_suppressed_address_whatever_its_case(runner, other_runner):
    email_suppression_record(
        email=runner.email.upper(), reason="bounced", provider="postmark", event_id="1"
    )
    to_runner = email_enqueue(to=runner.email, template="welcome", context={}, language="en")
    to_other = email_enqueue(to=other_runner.email, template="welcome", context={}, language="en")

    assert email_deliver(email_id=to_runner.id) == "suppressed"
    assert email_deliver(email_id=to_other.id) == "sent"

    to_runner.refresh_from_db()
    assert to_runner.status == OutboundEmail.Status.SUPPRESSED
    assert "suppressed" in to_runner.detail
    assert [m.to for m in mail.outbox] == [[other_runner.email]]


class RefusingBackend(LocmemBackend):
    def send_messages(self, messages):
        raise AnymailRecipientsRefused()


@pytest.mark.django_db
def test_a_recipient_the_provider_refuses_at_send_is_suppressed_not_retried(runner, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    settings.EMAIL_PROVIDER = "postmark"
    email = email_enqueue(to=runner.email, template="welcome", context={}, language="en")

    assert email_deliver(email_id=email.id) == "suppressed"

    email.refresh_from_db()
    assert (email.status, email.attempts) == ("suppressed", 1)
    row = EmailSuppression.objects.get()
    assert (row.email, row.reason, row.provider) == (runner.email, "rejected", "postmark")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    again = email_enqueue(to=runner.email, template="welcome", context={}, language="en")
    assert email_deliver(email_id=again.id) == "suppressed"
    assert mail.outbox == []


# --- the webhooks -----------------------------------------------------------------------


@pytest.fixture
def hooks(settings):
    settings.EMAIL_WEBHOOK_PROVIDERS = ("postmark", "mailgun")
    settings.ANYMAIL = {"WEBHOOK_SECRET": [SECRET], "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}
    return settings


def basic_auth(secret=SECRET) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


# Postmark's bounce webhook body (developer docs, "Bounce webhook"), our values in it.
POSTMARK_BOUNCE = {
    "RecordType": "Bounce",
    "MessageStream": "outbound",
    "ID": 4323372036854775807,
    "Type": "HardBounce",
    "TypeCode": 1,
    "Name": "Hard bounce",
    "Tag": "reminder_checkin",
    "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
    "Metadata": {},
    "ServerID": 23,
    "Description": "The server was unable to deliver your message (ex: unknown user).",
    "Details": f"smtp;550 5.1.1 user unknown; {HEALTH}",
    "Email": "runner@example.com",
    "From": "noreply@rehab.example.org",
    "BouncedAt": "2026-11-25T05:33:54.9070259Z",
    "DumpAvailable": True,
    "Inactive": True,
    "CanActivate": True,
    "Subject": HEALTH,
    "Content": HEALTH,
}
POSTMARK_COMPLAINT = {
    **POSTMARK_BOUNCE,
    "RecordType": "SpamComplaint",
    "ID": 4323372036854775808,
    "Type": "SpamComplaint",
    "TypeCode": 512,
    "Name": "Spam complaint",
}


def postmark(client, payload, **extra):
    return client.post(POSTMARK_URL, json.dumps(payload), content_type="application/json", **extra)


# Mailgun's event webhook body (its "failed"/"complained" event-data), signed below.
MAILGUN_FAILED = {
    "signature": {
        "timestamp": "1764048834",
        "token": "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0",
        "signature": "",
    },
    "event-data": {
        "event": "failed",
        "severity": "permanent",
        "reason": "bounce",
        "id": "G9Bn5sl1TC6nu79C8C0bwg",
        "timestamp": 1764048834.329574,
        "log-level": "error",
        "recipient": "runner@example.com",
        "recipient-domain": "example.com",
        "delivery-status": {
            "code": 550,
            "message": f"5.1.1 The email account does not exist. {HEALTH}",
            "description": "",
            "attempt-no": 1,
        },
        "envelope": {"sender": "noreply@rehab.example.org", "transport": "smtp"},
        "message": {
            "headers": {
                "to": "runner@example.com",
                "message-id": "reminderdelivery-1-abc@rehab.example.org",
                "from": "Hip Rehab <noreply@rehab.example.org>",
                "subject": HEALTH,
            },
            "size": 111,
        },
        "tags": ["reminder"],
        "user-variables": {"note": HEALTH},
    },
}


def mailgun_signed(payload, *, token=None, key=SIGNING_KEY, event=None, **fields):
    payload = copy.deepcopy(payload)
    if event:
        payload["event-data"]["event"] = event
    payload["event-data"].update(fields)
    signature = payload["signature"]
    if token:
        signature["token"] = token
    signature["signature"] = hmac.new(
        key.encode(), f"{signature['timestamp']}{signature['token']}".encode(), hashlib.sha256
    ).hexdigest()
    return payload


def mailgun(client, payload, **extra):
    return client.post(
        MAILGUN_URL, json.dumps(payload), content_type="application/json", **basic_auth(), **extra
    )


def assert_nothing_of_the_message_is_kept():
    for row in EmailSuppression.objects.values():
        assert "PAIN_SENTINEL" not in json.dumps(row, default=str)
        assert "pain" not in json.dumps(row, default=str).lower()


def due_reminder(user):
    reminder_schedule_set(
        user=user, kind="checkin", local_time=dt.time(7, 0), now=NOW - dt.timedelta(hours=1)
    )
    reminders_dispatch_due(now=NOW)
    return ReminderDelivery.objects.get(schedule__user=user)


@pytest.mark.django_db
def test_a_signed_postmark_hard_bounce_suppresses_and_the_next_reminder_is_not_sent(
    hooks, runner, other_runner
):
    client = Client(enforce_csrf_checks=True)  # a provider sends no CSRF token
    response = postmark(client, {**POSTMARK_BOUNCE, "Email": runner.email.upper()}, **basic_auth())

    assert response.status_code == 200
    row = EmailSuppression.objects.get()
    assert (row.email, row.reason, row.provider) == (runner.email, "bounced", "postmark")
    assert (row.event_id, row.detail) == ("4323372036854775807", "bounced")
    assert row.occurred_at == dt.datetime(2026, 11, 25, 5, 33, 54, 907025, tzinfo=dt.UTC)
    assert_nothing_of_the_message_is_kept()

    delivery = due_reminder(runner)
    assert reminder_send(delivery_id=delivery.id, now=NOW) == "suppressed"
    delivery.refresh_from_db()
    assert delivery.status == ReminderDelivery.Status.SUPPRESSED
    assert mail.outbox == []
    # Someone else's reminder still goes.
    other = due_reminder(other_runner)
    assert reminder_send(delivery_id=other.id, now=NOW) == "sent"
    assert [m.to for m in mail.outbox] == [[other_runner.email]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "auth",
    [{}, basic_auth("hooks:wrong-password"), basic_auth("someone:correct-webhook-password")],
    ids=["none", "wrong password", "wrong user"],
)
def test_postmark_without_the_right_basic_auth_is_refused_and_records_nothing(
    client, hooks, runner, auth
):
    response = postmark(client, {**POSTMARK_BOUNCE, "Email": runner.email}, **auth)

    assert response.status_code == 400
    assert not EmailSuppression.objects.exists()


@pytest.mark.django_db
def test_a_postmark_complaint_suppresses_and_a_duplicate_is_stored_once(client, hooks, runner):
    payload = {**POSTMARK_COMPLAINT, "Email": runner.email}

    assert postmark(client, payload, **basic_auth()).status_code == 200
    assert postmark(client, payload, **basic_auth()).status_code == 200

    row = EmailSuppression.objects.get()
    assert (row.reason, row.detail, row.email) == ("complained", "spam", runner.email)
    email = email_enqueue(to=runner.email, template="welcome", context={}, language="en")
    assert email_deliver(email_id=email.id) == "suppressed"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        {"Type": "SoftBounce", "TypeCode": 4096},
        {"Type": "Transient", "TypeCode": 2},
        {"RecordType": "Delivery", "Type": None},
        {"RecordType": "Open", "Type": None, "Recipient": "runner@example.com"},
    ],
    ids=["soft bounce", "transient", "delivery", "open"],
)
def test_a_postmark_event_that_says_nothing_about_the_address_records_nothing(
    client, hooks, change
):
    response = postmark(client, {**POSTMARK_BOUNCE, **change}, **basic_auth())

    assert response.status_code == 200
    assert not EmailSuppression.objects.exists()


@pytest.mark.django_db
def test_a_signed_mailgun_permanent_failure_suppresses_and_the_reminder_is_not_sent(
    client, hooks, runner
):
    payload = mailgun_signed(MAILGUN_FAILED, recipient=runner.email)

    assert mailgun(client, payload).status_code == 200

    row = EmailSuppression.objects.get()
    assert (row.email, row.reason, row.provider) == (runner.email, "bounced", "mailgun")
    assert row.event_id == payload["signature"]["token"]
    assert_nothing_of_the_message_is_kept()
    delivery = due_reminder(runner)
    assert reminder_send(delivery_id=delivery.id, now=NOW) == "suppressed"
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "forge",
    [
        lambda p: mailgun_signed(p, key="not-the-signing-key"),
        lambda p: {**mailgun_signed(p), "signature": {**p["signature"], "signature": "0" * 64}},
        # A valid signature over another token: the signed block was reused.
        lambda p: {
            **p,
            "signature": {**mailgun_signed(p, token="another-token")["signature"], "token": "x"},
        },
        lambda p: {key: value for key, value in p.items() if key != "signature"},
    ],
    ids=["wrong key", "zeroed", "token swapped", "unsigned"],
)
def test_a_mailgun_event_with_a_bad_signature_is_refused_and_records_nothing(
    client, hooks, runner, forge
):
    payload = copy.deepcopy(MAILGUN_FAILED)
    payload["event-data"]["recipient"] = runner.email

    response = mailgun(client, forge(payload))

    assert response.status_code == 400
    assert not EmailSuppression.objects.exists()


@pytest.mark.django_db
def test_a_mailgun_event_needs_the_basic_auth_too_when_a_secret_is_set(client, hooks, runner):
    payload = mailgun_signed(MAILGUN_FAILED, recipient=runner.email)

    response = client.post(MAILGUN_URL, json.dumps(payload), content_type="application/json")

    assert response.status_code == 400
    assert not EmailSuppression.objects.exists()


@pytest.mark.django_db
def test_mailgun_complaint_suppresses_a_duplicate_is_once_and_a_temporary_failure_is_not(
    client, hooks, runner, other_runner
):
    complaint = mailgun_signed(
        MAILGUN_FAILED, event="complained", recipient=runner.email, token="complaint-token"
    )
    temporary = mailgun_signed(
        MAILGUN_FAILED, severity="temporary", recipient=other_runner.email, token="temp-token"
    )

    assert mailgun(client, complaint).status_code == 200
    assert mailgun(client, complaint).status_code == 200
    assert mailgun(client, temporary).status_code == 200

    row = EmailSuppression.objects.get()
    assert (row.email, row.reason, row.event_id) == (runner.email, "complained", "complaint-token")


@pytest.mark.django_db
def test_a_mailgun_rejection_suppresses(client, hooks, runner):
    payload = mailgun_signed(MAILGUN_FAILED, event="rejected", recipient=runner.email)

    assert mailgun(client, payload).status_code == 200

    assert EmailSuppression.objects.get().reason == "rejected"


@pytest.mark.django_db
def test_webhooks_answer_404_unless_their_provider_is_on_and_verifiable(client, settings, runner):
    settings.EMAIL_WEBHOOK_PROVIDERS = ("postmark",)
    settings.ANYMAIL = {"WEBHOOK_SECRET": [SECRET]}
    payload = {**POSTMARK_BOUNCE, "Email": runner.email}

    # Mailgun is not on; SendGrid is not on either.
    assert mailgun(client, mailgun_signed(MAILGUN_FAILED)).status_code == 404
    assert client.post("/anymail/sendgrid/tracking/", "[]", "application/json").status_code == 404
    # Postmark is on but without a secret anymail would take anyone's word: not served.
    settings.ANYMAIL = {}
    assert postmark(client, payload).status_code == 404
    settings.EMAIL_WEBHOOK_PROVIDERS = ()
    settings.ANYMAIL = {"WEBHOOK_SECRET": [SECRET]}
    assert postmark(client, payload, **basic_auth()).status_code == 404
    # Inbound mail is not taken at all.
    assert client.post("/anymail/postmark/inbound/", "{}", "application/json").status_code == 404
    assert not EmailSuppression.objects.exists()


# --- the admin --------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_lists_searches_and_lifts_suppressions_and_shows_them_on_the_user(
    client, admin_user, runner, other_runner
):
    email_suppression_record(email=runner.email, reason="bounced", provider="mailgun", event_id="a")
    email_suppression_record(
        email=runner.email, reason="complained", provider="mailgun", event_id="b"
    )
    email_suppression_record(
        email=other_runner.email, reason="bounced", provider="mailgun", event_id="c"
    )
    client.force_login(admin_user)
    url = "/admin/notifications/emailsuppression/"

    listing = client.get(url)
    assert listing.status_code == 200
    assert runner.email in listing.text
    assert other_runner.email in listing.text
    found = client.get(url, {"q": other_runner.email})
    assert [row.email for row in found.context["cl"].result_list] == [other_runner.email]
    user_page = client.get(f"/admin/accounts/user/{runner.pk}/change/")
    assert user_page.status_code == 200
    assert "Spam complaint" in user_page.text
    assert "Hard bounce" in user_page.text

    one = EmailSuppression.objects.get(event_id="a")
    lifted = client.post(url, {"action": "lift_suppression", "_selected_action": [one.pk]})

    assert lifted.status_code == 302
    assert list(EmailSuppression.objects.values_list("event_id", flat=True)) == ["c"]
    email = email_enqueue(to=runner.email, template="welcome", context={}, language="en")
    assert email_deliver(email_id=email.id) == "sent"


@pytest.mark.django_db
def test_the_users_suppressions_are_in_their_export_and_go_with_the_account(runner, other_runner):
    from rehab.accounts.privacy import user_data_export, user_erase

    email_suppression_record(
        email=runner.email, reason="bounced", provider="postmark", event_id="1"
    )
    email_suppression_record(
        email=other_runner.email, reason="bounced", provider="postmark", event_id="2"
    )

    [exported] = user_data_export(user=runner)["notifications.emailsuppression"]
    assert (exported["email"], exported["reason"]) == (runner.email, "bounced")

    assert user_erase(user=runner)["notifications.EmailSuppression"] == 1
    assert list(EmailSuppression.objects.values_list("email", flat=True)) == [other_runner.email]
