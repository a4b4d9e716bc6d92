"""The runner's journey on a phone: sign-up, screening, plan set-up, a session in the
player (surviving a reload), the morning check-in, a flare-up, why the plan changed and
progress, in English and Dutch, with no console errors (CSP violations land there)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from programs.exercises.content_loader import content_load_directory
from programs.logbook.models import FlareUp, MorningCheckin, SessionLog
from programs.logbook.screening import RED_FLAGS
from programs.plans.plan_models import Plan
from rehab.accounts.models import User
from tests.browser.test_signup_and_red_flag import sign_up, verify_email


def answer_screening(phone):
    phone.goto("/screening/")
    for code in RED_FLAGS:
        phone.locator(f"#q-{code} input[value=no]").check()
    phone.locator("#q-pain_location input[value=outer_hip]").check()
    phone.fill("input[name=baseline_pain]", "3")
    phone.locator("#q-lying_on_side_hurts input[value=yes]").check()
    phone.locator("#q-crossing_legs_hurts input[value=yes]").check()
    phone.shot("screening")
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_load_state()
    phone.shot("screening-ok")


def set_up_plan(phone):
    phone.locator("main a[href='/plan/setup/']").click()
    phone.wait_for_load_state()
    phone.shot("setup")
    phone.fill("input[name=psfs_activity_1]", "5 km")
    phone.fill("input[name=psfs_score_1]", "4")
    for i in range(1, 21):
        phone.locator(f"#q-lefs_{i} input[value='3']").check()
    for day in range(7):
        phone.locator(f"#q-weekdays input[value='{day}']").check()
    phone.locator("#q-equipment input[value=mat]").check()
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_load_state()
    phone.shot("this-week")


def log_first_session(phone, user):
    phone.locator("main a.button[href^='/sessions/']").first.click()
    phone.wait_for_load_state()
    phone.shot("player")
    session_path = phone.url.split(phone.url.split("/sessions/")[0])[1]
    phone.locator("input[name$='-pain_during']").first.fill("4")
    assert phone.locator("[data-pain-output]").first.inner_text() == "4"
    phone.fill("textarea[name=session-notes]", "felt steady")
    phone.reload()  # the connection dropped: the answers are still on the device
    phone.wait_for_load_state()
    assert phone.locator("textarea[name=session-notes]").input_value() == "felt steady"
    assert phone.locator("input[name$='-pain_during']").first.input_value() == "4"
    timer = phone.locator("[data-timer-start]")
    if timer.count():
        timer.first.click()
        phone.locator("[data-timer-pause]").first.click()
    phone.locator("[data-set-done]").first.click()
    phone.shot("player-filled")
    phone.locator("main form.player button[type=submit]").click()
    phone.wait_for_load_state()
    phone.shot("session-saved")
    assert SessionLog.objects.filter(runner=user).count() == 1
    stored = phone.evaluate("Object.keys(window.localStorage).filter(k => k.includes('autosave'))")
    assert stored == []
    # The back button and a second tap: the server answers "already saved".
    phone.goto(session_path)
    assert phone.locator("form.player").count() == 0


def a_wednesday_morning() -> dt.datetime:
    """The coming Wednesday (or today, if it is one) at 10:00 in Amsterdam.

    The plan's strength days depend on the weekday it starts and on the long-run day, and
    the journey needs a session due today: one fixed weekday keeps the journey the same
    whatever day it runs. Close to the real date, so that cookies the browser keeps by
    its own clock stay valid."""
    zone = ZoneInfo("Europe/Amsterdam")
    today = dt.datetime.now(zone).date()
    day = today + dt.timedelta(days=(2 - today.weekday()) % 7)
    return dt.datetime.combine(day, dt.time(10), tzinfo=zone)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("phone", ["en-GB", "nl-NL"], indirect=True)
def test_runner_journey_from_sign_up_to_progress(phone, request, time_machine):
    time_machine.move_to(a_wednesday_morning(), tick=True)
    locale = request.node.callspec.params["phone"]
    language = locale[:2]
    email = f"journey.{language}@example.com"
    content_load_directory()

    sign_up(phone, email, language)
    verify_email(phone, email)
    user = User.objects.get(email=email)
    answer_screening(phone)
    set_up_plan(phone)
    assert Plan.objects.filter(runner=user, status="active").exists()
    assert phone.locator("html").get_attribute("lang") == language

    log_first_session(phone, user)

    phone.goto("/checkin/")
    phone.shot("checkin")
    phone.locator("input[name=pain]").fill("2")
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_load_state()
    assert MorningCheckin.objects.get(runner=user).pain == 2

    phone.goto("/week/")
    phone.locator("form.flare-form button").click()
    phone.wait_for_load_state()
    phone.shot("flare-up")
    assert FlareUp.objects.filter(runner=user).exists()
    assert "/flare-up/" in phone.url

    phone.goto("/plan/changes/")
    phone.shot("plan-changes")
    assert phone.locator(".decision").count() >= 1

    phone.goto("/progress/")
    phone.shot("progress")
    assert phone.locator("svg[role=img]").count() >= 3
    assert phone.console_errors == []
