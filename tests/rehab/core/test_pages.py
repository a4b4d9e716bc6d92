import pytest
from django.core import mail

from rehab.accounts.models import User


@pytest.mark.django_db
def test_landing_page_says_what_the_product_is(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    content = response.content.decode()
    assert "Strength plans for runners with lateral hip pain" in content
    assert "For physiotherapists" in content
    assert '<html lang="en">' in content


@pytest.mark.django_db
def test_landing_page_in_dutch(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="nl")

    content = response.content.decode()
    assert '<html lang="nl">' in content
    assert "Krachtplannen voor hardlopers met pijn aan de buitenkant van de heup" in content


@pytest.mark.django_db
def test_language_switcher_keeps_a_signed_in_users_choice(client, runner):
    client.force_login(runner)

    response = client.post("/i18n/setlang/", {"language": "nl", "next": "/"})

    assert response.status_code == 302
    runner.refresh_from_db()
    assert runner.language == "nl"
    assert '<html lang="nl">' in client.get("/", follow=True).content.decode()


@pytest.mark.django_db
def test_login_page_renders_in_both_languages(client):
    english = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    dutch = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="nl")

    assert english.status_code == dutch.status_code == 200
    assert "Sign in" in english.content.decode()
    assert "Inloggen" in dutch.content.decode()


@pytest.mark.django_db
def test_signup_requires_consent_and_a_known_timezone(client):
    data = {
        "email": "web.runner@example.com",
        "password1": "a-long-enough-password",
        "password2": "a-long-enough-password",
        "language": "en",
        "timezone": "Atlantis/Lost",
    }

    response = client.post("/accounts/signup/", data)

    assert response.status_code == 200
    form = response.context["form"]
    assert "timezone" in form.errors
    assert "health_data_consent" in form.errors
    assert not User.objects.filter(email=data["email"]).exists()


@pytest.mark.django_db
def test_signup_records_consent_and_asks_to_verify_the_email(
    client, settings, django_capture_on_commit_callbacks
):
    data = {
        "email": "web.runner@example.com",
        "password1": "a-long-enough-password",
        "password2": "a-long-enough-password",
        "language": "nl",
        "timezone": "Europe/Amsterdam",
        "health_data_consent": "on",
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", data)

    assert response.status_code == 302
    user = User.objects.get(email=data["email"])
    assert user.language == "nl"
    assert user.health_data_consent_at is not None
    assert user.privacy_notice_version == settings.PRIVACY_NOTICE_VERSION
    assert any(
        "confirm" in m.subject.lower() or "bevestig" in m.subject.lower() for m in mail.outbox
    )


@pytest.mark.django_db
def test_password_reset_page_renders(client):
    assert client.get("/accounts/password/reset/").status_code == 200


@pytest.mark.django_db
def test_signed_in_runners_land_on_their_week_and_physios_on_their_caseload(client, runner, physio):
    client.force_login(runner)
    assert client.get("/")["Location"] == "/week/"

    client.force_login(physio)
    assert client.get("/")["Location"] == "/physio/"
