"""A new runner signs up on a phone, verifies the email, and meets a red flag."""

import re

import pytest
from django.core import mail

from programs.logbook.models import Screening
from programs.logbook.screening import RED_FLAGS
from rehab.accounts.models import User

TEXT = {
    "en-GB": {
        "signup": "Sign up",
        "referral": "Please see a clinician first",
        "no": "No",
        "yes": "Yes",
        "check": "Check my answers",
        "confirm": "Confirm",
    },
    "nl-NL": {
        "signup": "Registreren",
        "referral": "Ga eerst naar een zorgverlener",
        "no": "Nee",
        "yes": "Ja",
        "check": "Controleer mijn antwoorden",
        "confirm": "Bevestigen",
    },
}


def sign_up(phone, email, language):
    phone.goto("/accounts/signup/")
    phone.shot("signup")
    assert phone.locator("input[name=timezone]").input_value() == "Europe/Amsterdam"
    phone.fill("input[name=email]", email)
    phone.fill("input[name=password1]", "a-long-enough-password")
    phone.fill("input[name=password2]", "a-long-enough-password")
    phone.select_option("main select[name=language]", language)
    phone.check("input[name=health_data_consent]")
    phone.locator("form button[type=submit]").last.click()
    phone.wait_for_load_state()
    phone.shot("verify-email-sent")


def verify_email(phone, email):
    message = next(m for m in mail.outbox if email in m.to and "confirm-email" in m.body)
    path = re.search(r"https?://[^/]+(/accounts/confirm-email/[^\s]+)", message.body).group(1)
    phone.goto(path)
    phone.shot("confirm-email")
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("phone", ["en-GB", "nl-NL"], indirect=True)
def test_red_flag_stops_the_plan_with_a_calm_referral(phone, request):
    locale = request.node.callspec.params["phone"]
    language = locale[:2]
    words = TEXT[locale]
    email = f"browser.{language}@example.com"

    sign_up(phone, email, language)
    user = User.objects.get(email=email)
    assert user.health_data_consent_at is not None
    assert user.timezone == "Europe/Amsterdam"
    assert user.language == language
    verify_email(phone, email)

    phone.goto("/screening/")
    phone.shot("screening")
    for code in RED_FLAGS:
        answer = words["yes"] if code == "rest_or_night_pain" else words["no"]
        phone.locator(f"#q-{code}").get_by_label(answer, exact=True).check()
    phone.locator("#q-pain_location input[value=outer_hip]").check()
    phone.fill("input[name=baseline_pain]", "3")
    phone.get_by_role("button", name=words["check"]).click()
    phone.wait_for_load_state()
    phone.shot("referral")

    assert words["referral"] in phone.locator("h1").inner_text()
    assert Screening.objects.get(runner=user).outcome == "refer"
    assert phone.console_errors == []
