"""Two-factor authentication for physiotherapists (PHYSIO_MFA_REQUIRED): without it, no
physio page and no API route with runner data; with it, the API token needs a code too."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
RIGHT = "correct-horse-battery"
SETUP = "/accounts/2fa/totp/activate/"


@pytest.fixture
def mfa_required(settings):
    settings.PHYSIO_MFA_REQUIRED = True


def enable_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("language", ["en", "nl"])
def test_a_physio_without_mfa_is_led_to_set_it_up_before_any_physio_page(
    mfa_required, physio, runner, language
):
    physio.language = language
    physio.save()
    client = web(physio)

    for path in ("/physio/", f"/physio/runners/{runner.pk}/", "/"):
        response = client.get(path, follow=True)
        # The setup page asks for the password first unless the sign-in was a moment ago.
        chain = [url for url, _status in response.redirect_chain]
        assert SETUP in chain, (path, chain)
        assert response.status_code == 200
    page = response.content.decode()
    explanation = {
        "en": "two-factor authentication before you can see your runners",
        "nl": "tweestapsverificatie aanzetten voordat je je hardlopers",
    }[language]
    assert explanation in page
    command = client.post(f"/physio/runners/{runner.pk}/status/", {"status": "paused"})
    assert command["Location"] == SETUP

    enable_totp(physio)
    assert client.get("/physio/").status_code == 200


def test_the_physio_api_routes_with_runner_data_answer_mfa_required(mfa_required, physio, runner):
    client = client_for(physio)
    for path in ("/api/v1/patients/", "/api/v1/plans/", "/api/v1/invitations/"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "mfa_required"
    # Their own profile and the way to sign in stay open.
    assert client.get("/api/v1/me/").status_code == 200
    assert client.get("/api/v1/auth/devices/").status_code == 200

    enable_totp(physio)
    assert client.get("/api/v1/patients/").status_code == 200


def test_runners_and_an_unset_requirement_are_unaffected(settings, physio, runner):
    settings.PHYSIO_MFA_REQUIRED = True
    assert client_for(runner).get("/api/v1/plans/").status_code == 200
    assert web(runner).get(reverse("runner:week"), follow=True).status_code == 200

    settings.PHYSIO_MFA_REQUIRED = False
    assert client_for(physio).get("/api/v1/patients/").status_code == 200
    assert web(physio).get("/physio/").status_code == 200


def test_a_physio_with_mfa_needs_a_code_for_an_api_token(settings, physio):
    secret = enable_totp(physio)
    client = APIClient()
    body = {"email": physio.email, "password": RIGHT}

    missing = client.post("/api/v1/auth/token/", body, format="json")
    wrong = client.post("/api/v1/auth/token/", {**body, "code": "000000"}, format="json")
    if current_code(secret) == "000000":  # pragma: no cover - one chance in a million
        pytest.skip("the wrong code happened to be right")
    right = client.post(
        "/api/v1/auth/token/", {**body, "code": current_code(secret)}, format="json"
    )

    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "mfa_code_required"
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "mfa_code_invalid"
    assert right.status_code == 200, right.json()
    assert Authenticator.objects.get(user=physio, type="totp").last_used_at is not None


def test_wrong_mfa_codes_count_towards_the_lockout(settings, physio):
    enable_totp(physio)
    client = APIClient()
    statuses = [
        client.post(
            "/api/v1/auth/token/",
            {"email": physio.email, "password": RIGHT, "code": f"{i:06d}"},
            format="json",
        ).status_code
        for i in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[-1] == 429


@pytest.mark.parametrize(("debug", "expected"), [("0", "True"), ("1", "False")])
def test_mfa_is_required_by_default_outside_debug(debug, expected):
    env = {k: v for k, v in os.environ.items() if k != "PHYSIO_MFA_REQUIRED"}
    env.update(DJANGO_SETTINGS_MODULE="rehab.settings", DJANGO_DEBUG=debug)
    env["DJANGO_SECRET_KEY"] = "x" * 50
    done = subprocess.run(
        [sys.executable, "-c", "from rehab import settings; print(settings.PHYSIO_MFA_REQUIRED)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == expected, done.stderr


def test_wrong_codes_at_the_web_sign_in_lock_the_account_for_that_address(settings, physio):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=physio, email=physio.email, verified=True, primary=True)
    secret = enable_totp(physio)
    client = Client()
    step_one = client.post("/accounts/login/", {"login": physio.email, "password": RIGHT})
    assert step_one["Location"] == "/accounts/2fa/authenticate/"

    wrong = [
        client.post("/accounts/2fa/authenticate/", {"code": f"{i:06d}"}).status_code
        for i in range(settings.AXES_FAILURE_LIMIT)
    ]
    right = client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})

    assert wrong[:-1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert wrong[-1] == right.status_code == 429
    assert "_auth_user_id" not in client.session
