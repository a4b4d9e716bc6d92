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

    assert response.status_code == 201, response.json()
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
def test_register_refuses_a_taken_email(api_client, runner):
    response = api_client.post(
        "/api/v1/auth/register/", {**VALID, "email": runner.email}, format="json"
    )

    assert response.status_code == 400
    assert "email" in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_token_for_correct_credentials_only(api_client, runner):
    ok = api_client.post(
        "/api/v1/auth/token/", {"email": runner.email, "password": "correct-horse-battery"}
    )
    bad = api_client.post(
        "/api/v1/auth/token/", {"email": runner.email, "password": "wrong-password"}
    )

    assert ok.status_code == 200
    assert len(ok.json()["token"]) == 40
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
