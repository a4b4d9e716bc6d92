"""The guided session player on a phone: one exercise at a time, timers that run by
themselves (hold, relax, the rest countdown between sets, the set counter), a reload in
the middle of a hold, pause and resume, the keyboard and reduced motion, in English and
Dutch. Time is Playwright's clock (install / run_for / fast_forward), never a sleep.

The only taps are Start, Pause, Resume and the log itself (effort, pain, Next, Save)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from programs.content.loader import content_load_directory
from programs.logbook.models import Screening, SessionLog
from tests.browser.test_csp import sign_in
from tests.factories import UserFactory
from tests.programs.runner.pages_support import first_session, plan_for, today_for

READY_MS = 5000  # player.js: "get ready" before the first hold or set

WORDS = {
    "en": {
        "of": "Exercise 1 of",
        "hold": "Hold",
        "work": "Go: repetitions",
        "rest": "Rest",
        "paused": "Paused",
        "set2": "Set 2 of",
        "done": "All sets done",
    },
    "nl": {
        "of": "Oefening 1 van",
        "hold": "Vasthouden",
        "work": "Start: herhalingen",
        "rest": "Rust",
        "paused": "Gepauzeerd",
        "set2": "Set 2 van",
        "done": "Alle sets gedaan",
    },
}


def runner_on_the_player(phone, live_server, language):
    content_load_directory()
    runner = UserFactory(email=f"player.{language}@example.com", language=language)
    EmailAddress.objects.create(user=runner, email=runner.email, verified=True, primary=True)
    Screening.objects.create(
        runner=runner,
        answers={},
        outcome="ok",
        condition="gluteal_tendinopathy",
        irritability="moderate",
        baseline_pain=3,
    )
    session = first_session(plan_for(runner), on_or_before=today_for(runner))
    sign_in(phone, runner, live_server.url)
    # The page's clock stands still until the test moves it: run_for fires every timer on
    # the way, fast_forward jumps (as a phone that slept).
    start = dt.datetime.now(dt.UTC).replace(microsecond=0)
    phone.clock.install(time=start)
    phone.clock.pause_at(start + dt.timedelta(seconds=1))
    phone.goto(f"/sessions/{session.pk}/")
    phone.wait_for_load_state()
    return runner, session


def dose(timer) -> dict:
    def attr(name, default=0):
        value = timer.get_attribute(f"data-{name}")
        return default if value is None else value

    pace = [int(p) * 1000 for p in str(attr("pace", "0")).split("-")]
    return {
        "sets": int(attr("sets")),
        "reps": int(attr("reps", 1)),
        "hold": int(attr("hold")) * 1000,
        "relax": int(attr("relax")) * 1000,
        "rest": int(attr("rest")) * 1000,
        "rep": sum(pace),
    }


def set_ms(d: dict) -> int:
    """One set's work, as the player's timeline has it."""
    if d["hold"]:
        return d["reps"] * d["hold"] + (d["reps"] - 1) * d["relax"]
    return d["reps"] * d["rep"]


def total_ms(d: dict) -> int:
    return READY_MS + d["sets"] * set_ms(d) + (d["sets"] - 1) * d["rest"]


def visible_steps(phone) -> list[str]:
    return phone.eval_on_selector_all(
        "[data-step]", "steps => steps.filter(s => !s.hidden).map(s => s.id || 'after')"
    )


def seconds_on(timer) -> int:
    return int(re.match(r"\d+", timer.locator("[data-timer-clock]").inner_text()).group(0))


def active(phone, attribute: str) -> bool:
    return phone.evaluate(f"document.activeElement.hasAttribute('{attribute}')")


def run_whole_exercise(phone, step, words, *, first: bool) -> dict:
    """Start, then let the timer run every set by itself. On the first exercise: a reload
    in the middle of a hold, a pause, the rest countdown and the set counter."""
    timer = step.locator("[data-timer]")
    d = dose(timer)
    sets_field = step.locator("input[name$='-sets_done']")
    counter = timer.locator("[data-timer-sets]")
    live = timer.locator("[data-timer-live]")
    work = "hold" if d["hold"] else "work"
    step.locator("[data-timer-start]").click()
    expect(timer).to_have_attribute("data-phase", "ready")
    phone.clock.run_for(READY_MS + 100)
    expect(timer).to_have_attribute("data-phase", work)
    expect(live).to_contain_text(words[work])
    clock = timer.locator("[data-timer-clock]")
    assert phone.evaluate("(el) => getComputedStyle(el).animationName", clock.element_handle()) == (
        "player-breathe"
    )
    spent = READY_MS + 100
    if first:
        phone.clock.run_for(2000)
        spent += 2000
        before = clock.inner_text()
        phone.shot("mid-hold" if d["hold"] else "mid-set")
        phone.reload()  # the phone dropped the page mid-hold: the timer stands where it was
        phone.wait_for_load_state()
        step = phone.locator("li.exercise").first
        timer = step.locator("[data-timer]")
        clock = timer.locator("[data-timer-clock]")
        expect(timer).to_have_attribute("data-phase", work)
        assert clock.inner_text() == before
        stored = phone.evaluate(
            "Object.entries(localStorage).filter(([k]) => k.startsWith('rehab:player:'))"
            ".map(([k, v]) => JSON.parse(v))"
        )
        record = next(iter(stored[0]["timers"].values()))
        assert record["phase"] == work
        assert record["startedAt"] > 0
        assert visible_steps(phone) == ["exercise-1"]

        step.locator("[data-timer-pause]").click()
        expect(timer.locator("[data-timer-live]")).to_contain_text(words["paused"])
        assert active(phone, "data-timer-resume")
        phone.clock.fast_forward(120_000)  # a long pause: nothing moves
        phone.clock.run_for(500)
        assert clock.inner_text() == before
        step.locator("[data-timer-resume]").click()
        assert active(phone, "data-timer-pause")
        sets_field = step.locator("input[name$='-sets_done']")
        counter = timer.locator("[data-timer-sets]")

        # The first set ends by itself; the rest counts down, then set 2 starts by itself.
        phone.clock.run_for(READY_MS + set_ms(d) - spent + 100)
        spent = READY_MS + set_ms(d) + 100
        if d["sets"] > 1 and d["rest"]:
            expect(timer).to_have_attribute("data-phase", "rest")
            expect(timer.locator("[data-timer-live]")).to_contain_text(words["rest"])
            assert sets_field.input_value() == "1"
            assert "1" in counter.inner_text()
            at_start = seconds_on(timer)
            assert at_start == d["rest"] // 1000
            phone.shot("rest-countdown")
            phone.clock.run_for(3000)
            spent += 3000
            assert seconds_on(timer) == at_start - 3
            phone.clock.run_for(d["rest"] - 3000)
            spent += d["rest"] - 3000
            expect(timer).to_have_attribute("data-phase", work)
            expect(timer.locator("[data-timer-detail]")).to_contain_text(words["set2"])
    phone.clock.run_for(total_ms(d) - spent + 500)
    expect(timer).to_have_attribute("data-phase", "done")
    expect(timer.locator("[data-timer-live]")).to_contain_text(words["done"])
    assert sets_field.input_value() == str(d["sets"])
    return d


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("phone", ["en-GB", "nl-NL"], indirect=True)
def test_a_whole_session_runs_by_itself(phone, live_server, request):
    language = request.node.callspec.params["phone"][:2]
    words = WORDS[language]
    _runner, session = runner_on_the_player(phone, live_server, language)
    prescriptions = list(session.prescriptions.all())
    steps = phone.locator("li.exercise")
    assert steps.count() == len(prescriptions)
    assert visible_steps(phone) == ["exercise-1"]
    expect(steps.first.locator("[data-step-count]")).to_contain_text(words["of"])
    # Nothing done or answered before the runner does it.
    assert steps.first.locator("input[name$='-sets_done']").input_value() == ""
    assert steps.first.locator("fieldset[id$='-pain_during'] input:checked").count() == 0
    phone.shot("player")

    for index in range(len(prescriptions)):
        step = phone.locator("li.exercise").nth(index)
        run_whole_exercise(phone, step, words, first=index == 0)
        step = phone.locator("li.exercise").nth(index)
        step.locator("input[name$='-rpe']").fill("5")
        step.locator("fieldset[id$='-pain_during'] input[value='1']").check()
        phone.shot(f"exercise-{index + 1}-logged")
        step.locator("[data-step-next]").click()
        expected = f"exercise-{index + 2}" if index + 1 < len(prescriptions) else "after"
        assert visible_steps(phone) == [expected]
        assert phone.evaluate("document.activeElement.tagName") == "H2"

    after = phone.locator(".step-after")
    after.locator("fieldset#q-session-pain_after input[value='2']").check()
    phone.shot("after-the-session")
    after.locator("button[type=submit]").click()
    phone.wait_for_load_state()
    phone.shot("saved")

    log = SessionLog.objects.get(session=session)
    assert log.pain_after == 2
    done = {e.prescription_id: e for e in log.exercises.all()}
    for rx in prescriptions:
        assert done[rx.pk].sets_done == rx.sets
        assert (done[rx.pk].rpe, done[rx.pk].pain_during) == (5, 1)
    assert phone.evaluate("Object.keys(localStorage).filter(k => k.includes('rehab:'))") == []
    assert phone.console_errors == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("phone", ["en-GB", "nl-NL"], indirect=True)
def test_keyboard_and_reduced_motion(phone, live_server, request):
    language = request.node.callspec.params["phone"][:2]
    words = WORDS[language]
    phone.emulate_media(reduced_motion="reduce")
    runner_on_the_player(phone, live_server, language)
    step = phone.locator("li.exercise").first
    timer = step.locator("[data-timer]")
    work = "hold" if timer.get_attribute("data-hold") else "work"

    step.locator("[data-timer-start]").focus()
    phone.keyboard.press("Enter")
    assert active(phone, "data-timer-pause")  # focus stays on the control that replaced it
    phone.clock.run_for(READY_MS + 100)
    expect(timer).to_have_attribute("data-phase", work)
    clock = timer.locator("[data-timer-clock]")
    assert phone.evaluate("(el) => getComputedStyle(el).animationName", clock.element_handle()) == (
        "none"
    )
    # The live region speaks at phase changes only, not every second.
    live = timer.locator("[data-timer-live]")
    said = live.inner_text()
    assert words[work] in said
    phone.clock.run_for(3000)
    assert live.inner_text() == said
    phone.keyboard.press("Space")
    expect(live).to_contain_text(words["paused"])
    assert active(phone, "data-timer-resume")
    phone.keyboard.press("Space")
    assert active(phone, "data-timer-pause")
    phone.shot("keyboard-timer")

    step.locator("[data-step-next]").focus()
    phone.keyboard.press("Enter")
    assert visible_steps(phone) == ["exercise-2"]
    assert phone.evaluate("document.activeElement.id").startswith("ex-h-")
    phone.keyboard.press("Tab")  # onward from the heading into the step
    assert phone.evaluate("document.activeElement.closest('[data-step]').id") == "exercise-2"
    phone.locator("li.exercise").nth(1).locator("[data-step-back]").focus()
    phone.keyboard.press("Enter")
    assert visible_steps(phone) == ["exercise-1"]
    phone.shot("keyboard-back")
    assert phone.console_errors == []
