import pytest
from django.core import mail

from rehab.accounts.models import User

VALID = {
    "email": "new.runner@example.com",
    "password": "a-long-enough-password",
    "language": "nl",
    "timezone": "Europe/Brussels",
    "health_data_consent": True,
}


@pytest.mark.django_db
def test_register_creates_a_runner_with_consent_and_sends_a_welcome(
    api_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post("/api/v1/auth/register/", VALID, format="json")

    assert response.status_code == 202, response.json()
    assert set(response.json()) == {"detail"}
    user = User.objects.get(email=VALID["email"])
    assert (user.role, user.language, user.timezone) == ("runner", "nl", "Europe/Brussels")
    assert user.health_data_consent_at is not None
    assert mail.outbox[0].subject == "Welkom bij Hip Rehab"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"language": "fr"}, "language"),
        ({"health_data_consent": False}, "health_data_consent"),
        ({"email": "not-an-email"}, "email"),
        ({"password": "short"}, "password"),
    ],
)
def test_register_refuses_bad_input_with_field_messages(api_client, change, field):
    response = api_client.post("/api/v1/auth/register/", {**VALID, **change}, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"] or (
        field == "password" and "non_field_errors" in error["fields"]
    )
    assert not User.objects.filter(email=VALID["email"]).exists()


@pytest.mark.django_db
def test_register_answers_a_taken_email_as_a_new_one_and_tells_its_owner(
    api_client, runner, django_capture_on_commit_callbacks
):
    """No account enumeration: the same status and body as for a new address; the owner
    of the address gets an email instead ("someone tried to sign up with your address")."""
    runner.language = "nl"
    runner.save()
    password_before = runner.password
    with django_capture_on_commit_callbacks(execute=True):
        new = api_client.post("/api/v1/auth/register/", VALID, format="json")
        taken = api_client.post(
            "/api/v1/auth/register/",
            {**VALID, "email": runner.email.upper(), "password": "another-long-password"},
            format="json",
        )

    assert new.status_code == taken.status_code == 202
    assert new.json() == taken.json()
    assert User.objects.filter(email=runner.email).count() == 1
    runner.refresh_from_db()
    assert runner.password == password_before
    to_owner = [m for m in mail.outbox if m.to == [runner.email]]
    assert [m.subject for m in to_owner] == [
        "Iemand probeerde een account aan te maken met je e-mailadres"
    ]
    assert "/accounts/password/reset/" in to_owner[0].body


@pytest.mark.django_db
def test_repeated_attempts_on_a_taken_email_send_one_email_a_day(
    api_client, runner, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to("2026-12-08 09:00Z")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            body = {**VALID, "email": runner.email}
            assert api_client.post("/api/v1/auth/register/", body, format="json").status_code == 202
    time_machine.move_to("2026-12-09 09:00Z")
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post("/api/v1/auth/register/", {**VALID, "email": runner.email}, format="json")

    assert len([m for m in mail.outbox if m.to == [runner.email]]) == 2


@pytest.mark.django_db
def test_web_signup_prevents_enumeration_too(
    client, runner, settings, django_capture_on_commit_callbacks
):
    from allauth.account import app_settings

    assert settings.ACCOUNT_PREVENT_ENUMERATION is True
    assert app_settings.PREVENT_ENUMERATION is True
    form = {
        "password1": "a-long-enough-password",
        "password2": "a-long-enough-password",
        "language": "en",
        "timezone": "Europe/Amsterdam",
        "health_data_consent": "on",
    }

    with django_capture_on_commit_callbacks(execute=True):
        new = client.post("/accounts/signup/", {**form, "email": "fresh@example.com"})
        client.logout()
        taken = client.post("/accounts/signup/", {**form, "email": runner.email})

    assert new.status_code == taken.status_code == 302
    assert new["Location"] == taken["Location"]
    assert User.objects.filter(email=runner.email).count() == 1
    assert any(m.to == [runner.email] for m in mail.outbox)


@pytest.mark.django_db
def test_token_for_correct_credentials_only(api_client, runner):
    ok = api_client.post(
        "/api/v1/auth/token/", {"email": runner.email, "password": "correct-horse-battery"}
    )
    bad = api_client.post(
        "/api/v1/auth/token/", {"email": runner.email, "password": "wrong-password"}
    )

    assert ok.status_code == 200
    assert len(ok.json()["token"]) == 64  # 256 random bits, hex
    assert set(ok.json()) == {"token", "expiry", "device"}
    assert bad.status_code == 401
    assert bad.json()["error"]["code"] == "authentication_failed"

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {ok.json()['token']}")
    assert api_client.get("/api/v1/me/").json()["email"] == runner.email


@pytest.mark.django_db
def test_me_requires_authentication(api_client):
    response = api_client.get("/api/v1/me/")

    assert response.status_code in (401, 403)
    assert set(response.json()["error"]) == {"code", "message", "fields"}


@pytest.mark.django_db
def test_me_patch_validates_timezone_and_language(runner_client, runner):
    bad = runner_client.patch("/api/v1/me/", {"timezone": "Nowhere/Else"}, format="json")
    assert bad.status_code == 400
    assert "timezone" in bad.json()["error"]["fields"]

    good = runner_client.patch(
        "/api/v1/me/", {"timezone": "Asia/Kolkata", "language": "nl"}, format="json"
    )
    assert good.status_code == 200
    runner.refresh_from_db()
    assert (runner.timezone, runner.language) == ("Asia/Kolkata", "nl")


@pytest.mark.django_db
def test_error_messages_follow_the_callers_language(api_client):
    response = api_client.post(
        "/api/v1/auth/register/",
        {**VALID, "timezone": "X/Y"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="nl",
    )

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Sommige velden zijn niet geldig."
