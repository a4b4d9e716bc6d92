"""API tokens: stored as hashes, one per device, expiring unless used, revoked on a password
change and on "sign out everywhere"; the devices are listed and revocable in the settings page
and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.test import Client
from rest_framework.test import APIClient

from rehab.accounts.models import ApiToken
from rehab.accounts.services import api_token_create

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
RIGHT = "correct-horse-battery"
TTL = django_settings.REST_KNOX["TOKEN_TTL"]
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def sign_in(email, password=RIGHT, **extra):
    return APIClient().post(TOKEN, {"email": email, "password": password, **extra}, format="json")


def with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_tokens_are_stored_hashed_and_expire_unless_used(runner, time_machine):
    time_machine.move_to(NOW, tick=False)
    response = sign_in(runner.email, device="Pixel 9")

    assert response.status_code == 200, response.json()
    body = response.json()
    token = body["token"]
    stored = ApiToken.objects.get(user=runner)
    assert token not in {stored.digest, stored.token_key}
    assert len(stored.digest) == 128
    assert body["device"]["name"] == "Pixel 9"
    assert body["device"]["id"] == stored.pk
    assert dt.datetime.fromisoformat(body["expiry"]) == NOW + TTL

    # Used within the TTL, it renews (last use recorded) ...
    time_machine.move_to(NOW + TTL - dt.timedelta(hours=1), tick=False)
    assert with_token(token).get("/api/v1/me/").status_code == 200
    stored.refresh_from_db()
    assert stored.expiry == NOW + TTL - dt.timedelta(hours=1) + TTL
    assert stored.last_used_at == NOW + TTL - dt.timedelta(hours=1)
    # ... and left unused past its TTL, it is refused.
    time_machine.move_to(stored.expiry + dt.timedelta(seconds=1), tick=False)
    refused = with_token(token).get("/api/v1/me/")
    assert refused.status_code in (401, 403)
    assert not ApiToken.objects.filter(pk=stored.pk).exists()


def test_drf_plain_text_tokens_are_gone():
    assert "rest_framework.authtoken" not in django_settings.INSTALLED_APPS
    auth = django_settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]
    assert "rest_framework.authentication.TokenAuthentication" not in auth


def test_one_token_per_device_named_by_the_request_or_the_user_agent(runner):
    first = sign_in(runner.email, device="Pixel 9").json()["token"]
    second = sign_in(runner.email, device="Pixel 9").json()["token"]
    browser = APIClient().post(
        TOKEN,
        {"email": runner.email, "password": RIGHT},
        format="json",
        HTTP_USER_AGENT="HipRehab/2.1 (iPhone; iOS 19)",
    )

    assert with_token(first).get("/api/v1/me/").status_code in (401, 403)
    assert with_token(second).get("/api/v1/me/").status_code == 200
    assert browser.json()["device"]["name"] == "HipRehab/2.1 (iPhone; iOS 19)"
    assert sorted(ApiToken.objects.filter(user=runner).values_list("device", flat=True)) == [
        "HipRehab/2.1 (iPhone; iOS 19)",
        "Pixel 9",
    ]


def test_devices_are_listed_and_one_can_be_revoked(runner, other_runner):
    phone = sign_in(runner.email, device="phone").json()
    tablet = sign_in(runner.email, device="tablet").json()
    foreign = sign_in(other_runner.email, device="theirs").json()
    client = with_token(phone["token"])

    listed = client.get("/api/v1/auth/devices/").json()["results"]
    assert {(d["name"], d["current"]) for d in listed} == {("phone", True), ("tablet", False)}
    assert {"id", "name", "created", "last_used_at", "expiry", "current"} <= set(listed[0])

    assert client.delete(f"/api/v1/auth/devices/{foreign['device']['id']}/").status_code == 404
    assert client.delete(f"/api/v1/auth/devices/{tablet['device']['id']}/").status_code == 204
    assert with_token(tablet["token"]).get("/api/v1/me/").status_code in (401, 403)
    assert with_token(foreign["token"]).get("/api/v1/me/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200


def test_sign_out_everywhere_revokes_every_token_and_web_session(runner, other_runner):
    phone = sign_in(runner.email, device="phone").json()["token"]
    tablet = sign_in(runner.email, device="tablet").json()["token"]
    theirs = sign_in(other_runner.email).json()["token"]
    browser = Client()
    browser.force_login(runner)
    assert browser.get("/me/").status_code == 200

    response = with_token(phone).post("/api/v1/auth/sign-out-everywhere/")

    assert response.status_code == 204
    for token in (phone, tablet):
        assert with_token(token).get("/api/v1/me/").status_code in (401, 403)
    assert browser.get("/me/").status_code == 302  # the web session ended too
    assert with_token(theirs).get("/api/v1/me/").status_code == 200
    assert sign_in(runner.email).status_code == 200  # signing in again works


def test_a_password_change_through_the_api_revokes_every_token(runner):
    token = sign_in(runner.email, device="phone").json()["token"]
    other = sign_in(runner.email, device="tablet").json()["token"]
    client = with_token(token)

    wrong = client.post(
        "/api/v1/me/password/",
        {"current_password": "nope", "new_password": "another-long-passphrase"},
        format="json",
    )
    assert wrong.status_code == 400
    assert "current_password" in wrong.json()["error"]["fields"]
    weak = client.post(
        "/api/v1/me/password/",
        {"current_password": RIGHT, "new_password": "short"},
        format="json",
    )
    assert weak.status_code == 400
    assert "new_password" in weak.json()["error"]["fields"]
    assert client.get("/api/v1/me/").status_code == 200

    done = client.post(
        "/api/v1/me/password/",
        {"current_password": RIGHT, "new_password": "another-long-passphrase"},
        format="json",
    )

    assert done.status_code == 204
    assert ApiToken.objects.filter(user=runner).count() == 0
    for old in (token, other):
        assert with_token(old).get("/api/v1/me/").status_code in (401, 403)
    assert sign_in(runner.email, "another-long-passphrase").status_code == 200


def test_a_password_change_on_the_web_revokes_every_token(runner):
    token = sign_in(runner.email, device="phone").json()["token"]
    browser = Client()
    browser.force_login(runner)

    response = browser.post(
        "/accounts/password/change/",
        {
            "oldpassword": RIGHT,
            "password1": "another-long-passphrase",
            "password2": "another-long-passphrase",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert with_token(token).get("/api/v1/me/").status_code in (401, 403)
    assert browser.get("/me/").status_code == 200  # this browser stays signed in


def test_a_password_reset_revokes_every_token(runner):
    from allauth.account.adapter import get_adapter

    api_token_create(user=runner, device="phone")
    get_adapter().set_password(runner, "another-long-passphrase")

    assert ApiToken.objects.filter(user=runner).count() == 0
    runner.refresh_from_db()
    assert runner.check_password("another-long-passphrase")


def test_an_admin_password_change_revokes_every_token(admin_user, runner):
    api_token_create(user=runner, device="phone")
    browser = Client()
    browser.force_login(admin_user)

    response = browser.post(
        f"/admin/accounts/user/{runner.pk}/password/",
        {"password1": "another-long-passphrase", "password2": "another-long-passphrase"},
    )

    assert response.status_code == 302
    assert ApiToken.objects.filter(user=runner).count() == 0


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_settings_page_lists_devices_and_signs_them_out(runner, language):
    runner.language = language
    runner.save()
    phone, _ = api_token_create(user=runner, device="Pixel 9")
    tablet, tablet_key = api_token_create(user=runner, device="iPad")
    browser = Client()
    browser.force_login(runner)

    page = browser.get("/me/").content.decode()
    assert "Pixel 9" in page
    assert "iPad" in page
    heading = {"en": "Signed-in devices", "nl": "Ingelogde apparaten"}[language]
    button = {"en": "Sign out everywhere", "nl": "Overal uitloggen"}[language]
    assert heading in page
    assert button in page

    revoked = browser.post(f"/me/devices/{tablet.pk}/revoke/")
    assert revoked.status_code == 302
    assert list(ApiToken.objects.filter(user=runner)) == [phone]
    assert with_token(tablet_key).get("/api/v1/me/").status_code in (401, 403)

    everywhere = browser.post("/me/sign-out-everywhere/")
    assert everywhere.status_code == 302
    assert ApiToken.objects.filter(user=runner).count() == 0
    assert browser.get("/me/").status_code == 302  # signed out here as well


def test_revoking_someone_elses_device_on_the_web_is_not_found(runner, other_runner):
    theirs, _ = api_token_create(user=other_runner, device="theirs")
    browser = Client()
    browser.force_login(runner)

    assert browser.post(f"/me/devices/{theirs.pk}/revoke/").status_code == 404
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


def test_manage_changepassword_revokes_every_token(runner, monkeypatch):
    """The operator's command bypasses the services; the tokens still go."""
    from django.contrib.auth.management.commands import changepassword
    from django.core.management import call_command

    api_token_create(user=runner, device="phone")
    api_token_create(user=runner, device="laptop")
    monkeypatch.setattr(changepassword.getpass, "getpass", lambda prompt="": "another-passphrase-9")

    call_command("changepassword", runner.email)

    runner.refresh_from_db()
    assert runner.check_password("another-passphrase-9")
    assert ApiToken.objects.filter(user=runner).count() == 0


def test_saving_a_user_without_a_new_password_keeps_the_tokens(runner):
    api_token_create(user=runner, device="phone")

    runner.first_name = "Sam"
    runner.save()

    assert ApiToken.objects.filter(user=runner).count() == 1
