import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from rehab.accounts.models import User
from rehab.accounts.services import user_create, user_update_profile
from rehab.core.errors import ApplicationError


@pytest.mark.django_db
def test_email_is_the_login_and_is_normalised():
    user = user_create(email="Runner@Example.COM", password="a-long-enough-password")

    assert user.email == "runner@example.com"
    assert User.USERNAME_FIELD == "email"
    assert user.check_password("a-long-enough-password")


@pytest.mark.django_db
@pytest.mark.parametrize("bad_zone", ["Mars/Olympus", "CET+5", "", "europe/amsterdam"])
def test_unknown_timezone_is_a_validation_error_and_never_stored(bad_zone):
    with pytest.raises(ValidationError) as error:
        user_create(
            email="tz@example.com", password="a-long-enough-password", timezone_name=bad_zone
        )

    assert "timezone" in error.value.message_dict
    assert not User.objects.filter(email="tz@example.com").exists()


@pytest.mark.django_db
def test_saving_an_unknown_timezone_directly_is_refused(runner):
    runner.timezone = "Nowhere/Special"

    with pytest.raises(ValidationError), transaction.atomic():
        runner.save()

    runner.refresh_from_db()
    assert runner.timezone == "Europe/Amsterdam"


@pytest.mark.django_db
def test_unknown_language_is_a_validation_error(runner):
    with pytest.raises(ValidationError) as error:
        user_update_profile(user=runner, language="fr")

    assert "language" in error.value.message_dict
    runner.refresh_from_db()
    assert runner.language == "en"


@pytest.mark.django_db
def test_database_refuses_an_unknown_language_even_past_validation(runner):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=runner.pk).update(language="fr")


@pytest.mark.django_db
def test_profile_update_accepts_valid_values_and_refuses_other_fields(runner):
    user_update_profile(user=runner, language="nl", timezone="America/New_York")
    runner.refresh_from_db()
    assert (runner.language, runner.timezone) == ("nl", "America/New_York")

    with pytest.raises(ApplicationError):
        user_update_profile(user=runner, role="physio")


@pytest.mark.django_db
def test_consent_is_recorded_with_the_notice_version():
    user = user_create(
        email="c@example.com",
        password="a-long-enough-password",
        health_data_consent=True,
        privacy_notice_version="2026-11",
    )
    assert user.health_data_consent_at is not None
    assert user.privacy_notice_version == "2026-11"

    no_consent = user_create(
        email="n@example.com", password="a-long-enough-password", privacy_notice_version="2026-11"
    )
    assert no_consent.health_data_consent_at is None
    assert no_consent.privacy_notice_version == ""
