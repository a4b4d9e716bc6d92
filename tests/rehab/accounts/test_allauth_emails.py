"""allauth's account emails go through the outbox: our templates, text and HTML, in the
recipient's language, with links after SITE_URL (never the request's Host)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured

from rehab.accounts.emails import allauth_email_enqueue
from rehab.notifications.models import OutboundEmail
from tests.factories import UserFactory

SITE = "https://rehab.hospital.test"
SIGNUP = {
    "password1": "a-long-enough-password",
    "password2": "a-long-enough-password",
    "language": "nl",
    "timezone": "Europe/Amsterdam",
    "health_data_consent": "on",
}


@pytest.fixture
def site(settings):
    settings.SITE_URL = SITE


@pytest.mark.django_db
def test_a_password_reset_is_an_outbox_email_in_the_account_language(
    client, site, django_capture_on_commit_callbacks
):
    user = UserFactory(email="ana@hospital.test", language="nl")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/password/reset/",
            {"email": "ana@hospital.test"},
            HTTP_ACCEPT_LANGUAGE="en",
            HTTP_HOST="localhost",
        )

    row = OutboundEmail.objects.get(to=user.email)
    assert (row.template, row.language, row.recipient_id) == ("password_reset", "nl", user.pk)
    assert row.status == OutboundEmail.Status.SENT
    (message,) = mail.outbox
    assert message.subject == "Kies een nieuw wachtwoord"
    assert message.extra_headers["X-Outbox-Id"] == str(row.pk)
    html = message.alternatives[0][0]
    link = f"{SITE}{row.context['reset_path']}"
    assert row.context["reset_path"].startswith("/accounts/password/reset/key/")
    assert link in message.body
    assert f'href="{link}"' in html
    assert "localhost" not in message.body + html  # the Host header names no link

    # The link works: it leads to the form for a new password.
    response = client.get(row.context["reset_path"], follow=True)
    assert response.status_code == 200
    assert b"password1" in response.content


@pytest.mark.django_db
def test_an_address_without_an_account_is_told_in_the_request_language(
    client, site, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/password/reset/", {"email": "nobody@example.com"}, HTTP_ACCEPT_LANGUAGE="nl"
        )

    row = OutboundEmail.objects.get(to="nobody@example.com")
    assert (row.template, row.language, row.recipient_id) == ("unknown_account", "nl", None)
    (message,) = mail.outbox
    assert message.subject == "Geen Hip Rehab-account met dit adres"
    assert f"{SITE}/accounts/signup/" in message.body


@pytest.mark.django_db
def test_web_signup_confirmation_is_an_outbox_email_whose_link_confirms(
    client, site, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", {**SIGNUP, "email": "fresh@example.com"})

    row = OutboundEmail.objects.get(to="fresh@example.com", template="confirm_email")
    assert row.language == "nl"
    confirm = [m for m in mail.outbox if m.subject == "Bevestig je e-mailadres"]
    assert [m.to for m in confirm] == [["fresh@example.com"]]
    assert f"{SITE}{row.context['confirm_path']}" in confirm[0].body

    client.logout()
    client.post(row.context["confirm_path"])
    from allauth.account.models import EmailAddress

    assert EmailAddress.objects.get(email="fresh@example.com").verified


@pytest.mark.django_db
def test_a_web_signup_with_a_taken_address_sends_the_api_email_once_a_day(
    client, runner, site, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            client.post("/accounts/signup/", {**SIGNUP, "email": runner.email})
            client.logout()

    (row,) = OutboundEmail.objects.filter(to=runner.email)
    assert row.template == "signup_attempt"
    assert row.language == runner.language


@pytest.mark.django_db
def test_an_allauth_email_without_a_template_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured, match="account/email/login_code"):
        allauth_email_enqueue(
            template_prefix="account/email/login_code", email="a@example.com", context={}
        )
