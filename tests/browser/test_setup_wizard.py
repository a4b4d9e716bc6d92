"""The plan set-up in steps on a 390 px phone, in English and Dutch (#14): the step count
and the progress list, the error summary taking focus and its link moving focus to the
field, back keeping the answers, leaving and coming back, a change from the review, and
the plan made once. Every page is screenshotted and checked to fit the phone."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress

from programs.content.loader import content_load_directory
from programs.logbook.models import Screening, SetupDraft
from programs.plans.models import Plan
from rehab.accounts.models import Role
from tests.browser.conftest import wizard_next
from tests.factories import UserFactory

PASSWORD = "correct-horse-battery"
TEXT = {
    "en": {
        "step1": "Step 1 of 8",
        "step3": "Step 3 of 8",
        "review": "Step 8 of 8",
        "problem": "There is a problem",
        "week1": "Your plan in week 1",
        "again": "Save and go back to the review",
    },
    "nl": {
        "step1": "Stap 1 van 8",
        "step3": "Stap 3 van 8",
        "review": "Stap 8 van 8",
        "problem": "Er is een probleem",
        "week1": "Je plan in week 1",
        "again": "Opslaan en terug naar het overzicht",
    },
}


def active_id(phone) -> str:
    return phone.evaluate("document.activeElement && document.activeElement.id")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("phone", ["en-GB", "nl-NL"], indirect=True)
def test_setting_up_a_plan_in_steps_on_a_phone(phone, request):
    language = request.node.callspec.params["phone"][:2]
    text = TEXT[language]
    content_load_directory()
    runner = UserFactory(role=Role.RUNNER, email=f"steps.{language}@example.com", language=language)
    EmailAddress.objects.create(user=runner, email=runner.email, verified=True, primary=True)
    Screening.objects.create(
        runner=runner,
        answers={},
        outcome="ok",
        condition="gluteal_tendinopathy",
        irritability="moderate",
        baseline_pain=3,
    )
    phone.goto("/accounts/login/")
    phone.fill("input[name=login]", runner.email)
    phone.fill("input[name=password]", PASSWORD)
    with phone.expect_navigation():
        phone.locator("main form button[type=submit]").last.click()

    phone.goto("/plan/setup/")
    assert phone.url.endswith("/plan/setup/programme/")
    assert text["step1"] in phone.locator(".wizard-count").inner_text()
    current = phone.locator(".wizard-progress [aria-current=step]")
    assert current.count() == 1
    assert phone.locator(".wizard-progress li").count() == 8
    phone.shot("programme")
    wizard_next(phone)
    phone.shot("running")
    wizard_next(phone)

    # The pain page sent empty: the summary has focus, its first link goes to the field.
    assert text["step3"] in phone.locator(".wizard-count").inner_text()
    phone.fill("input[name=baseline_pain]", "")
    wizard_next(phone)
    summary = phone.locator("[data-error-summary]")
    assert summary.get_attribute("role") == "alert"
    assert text["problem"] in summary.inner_text()
    assert active_id(phone) == "error-summary"
    assert summary.locator("a").count() == 6  # the pain and five questions
    phone.shot("pain-errors")
    summary.locator("a").first.focus()
    phone.keyboard.press("Enter")
    assert active_id(phone) == "id_baseline_pain"
    phone.keyboard.type("4")
    for i in range(1, 6):
        phone.locator(f"#q-lefs_{i} input[value='3']").check()
    wizard_next(phone)
    for part in range(1, 4):
        for i in range(part * 5 + 1, part * 5 + 6):
            phone.locator(f"#q-lefs_{i} input[value='2']").check()
        phone.shot(f"questionnaire-{part + 1}")
        wizard_next(phone)
    phone.fill("input[name=psfs_activity_1]", "Hardlopen 5 km")
    phone.fill("input[name=psfs_score_1]", "4")
    phone.shot("activities")
    wizard_next(phone)

    # Leave, come back: the set-up continues on the training days; back keeps answers.
    phone.goto("/")
    phone.goto("/plan/setup/")
    assert phone.url.endswith("/plan/setup/days/")
    with phone.expect_navigation():
        phone.locator("main a.wizard-back").click()
    assert phone.locator("input[name=psfs_activity_1]").input_value() == "Hardlopen 5 km"
    wizard_next(phone)
    for day in (1, 3, 5):
        phone.locator(f"#q-weekdays input[value='{day}']").check()
    phone.select_option("select[name=long_run_day]", "6")
    phone.shot("days")
    wizard_next(phone)
    phone.locator("#q-equipment input[value=mat]").check()
    phone.shot("equipment")
    wizard_next(phone)
    phone.shot("reminders")
    wizard_next(phone)

    assert phone.url.endswith("/plan/setup/review/")
    assert text["review"] in phone.locator(".wizard-count").inner_text()
    assert text["week1"] in phone.locator(".wizard-preview").inner_text()
    assert phone.locator(".wizard-exercise").count() >= 1
    assert phone.locator("a.wizard-change").count() == 10
    assert not Plan.objects.exists()
    phone.shot("review")
    # A change from the review comes back to the review.
    with phone.expect_navigation():
        phone.locator("a.wizard-change[href^='/plan/setup/equipment/']").click()
    phone.locator("#q-equipment input[value=mini_band]").check()
    assert text["again"] in phone.locator("main form button[type=submit]").inner_text()
    wizard_next(phone)
    assert phone.url.endswith("/plan/setup/review/")

    wizard_next(phone)  # make my plan
    assert phone.url.endswith("/week/")
    phone.shot("this-week")
    plan = Plan.objects.get(runner=runner)
    assert plan.context["long_run_weekday"] == 6
    assert sorted(plan.context["equipment"]) == ["mat", "mini_band", "none"]
    assert not SetupDraft.objects.exists()
    assert phone.locator("html").get_attribute("lang") == language
    assert phone.console_errors == []
