"""A new runner signs up on a phone, verifies the email, and meets a red flag."""

import pytest

from programs.engine.screening import HIP_JOINT_QUESTIONS, RED_FLAGS
from programs.logbook.models import Referral, Screening
from rehab.accounts.models import User
from tests.browser.conftest import sign_up, verify_email

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
    # The longer form still fits the phone: nothing wider than the 390 px viewport.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    for code in (*RED_FLAGS, *HIP_JOINT_QUESTIONS, "hip_snapping"):
        answer = words["yes"] if code == "rest_or_night_pain" else words["no"]
        phone.locator(f"#q-{code}").get_by_label(answer, exact=True).check()
    phone.locator("#q-pain_location input[value=outer_hip]").check()
    phone.fill("input[name=baseline_pain]", "3")
    phone.get_by_role("button", name=words["check"]).click()
    phone.wait_for_load_state()
    phone.shot("referral")

    assert words["referral"] in phone.locator("h1").inner_text()
    assert Screening.objects.get(runner=user).outcome == "refer"
    assert Referral.objects.get(runner=user).is_open
    phone.goto("/screening/")  # answering again shows the advice that still stands
    assert phone.locator("#open-referral-h").is_visible()
    phone.locator("main a[href='/referrals/']").first.click()
    phone.wait_for_load_state()
    phone.shot("referrals")
    assert phone.locator("main a.button[href^='/referrals/']").count() == 1
    assert phone.console_errors == []
