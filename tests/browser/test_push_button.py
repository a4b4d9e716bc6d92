"""The settings page's push button: the service worker at /sw.js registers, the button shows
in the runner's language, and the page still fits a phone. Subscribing itself would ask the
browser's real push service (off this machine), so tests/rehab/notifications/test_push.py
covers the subscription's way through the API and a local push service instead."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress

from rehab.accounts.models import Role
from rehab.notifications.vapid import generate_keys
from tests.browser.test_csp import sign_in
from tests.factories import UserFactory


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("language", "button", "status"),
    [
        ("en", "Enable push on this device", "Push notifications are off for this device."),
        (
            "nl",
            "Pushmeldingen aanzetten op dit apparaat",
            "Pushmeldingen staan uit voor dit apparaat.",
        ),
    ],
)
def test_the_push_button_registers_the_service_worker(
    phone, live_server, settings, language, button, status
):
    keys = generate_keys()
    settings.VAPID_PRIVATE_KEY = keys["VAPID_PRIVATE_KEY"]
    settings.VAPID_PUBLIC_KEY = keys["VAPID_PUBLIC_KEY"]
    runner = UserFactory(role=Role.RUNNER, email=f"push.{language}@example.com", language=language)
    EmailAddress.objects.create(user=runner, email=runner.email, verified=True, primary=True)
    sign_in(phone, runner, live_server.url)

    phone.goto("/settings/")
    phone.get_by_role("button", name=button).wait_for()
    phone.locator("[data-push-status]").filter(has_text=status).wait_for()

    scope = phone.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)")
    assert scope == f"{live_server.url}/"
    assert phone.console_errors == []
    phone.shot("settings-push")
