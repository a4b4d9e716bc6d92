"""The runner's safety path on the pages: a flare-up asks first and how bad it is; pain
answers start unanswered and are required; a second check-in the same day is the first
one, to change; "has it settled by midday?" is asked when the morning was above baseline."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from programs.engine.specs import Policy
from programs.logbook.models import ExerciseLog, FlareUp, MorningCheckin, RunLog, SessionLog
from programs.logbook.windows import evaluation_window
from programs.plans.models import Plan
from tests.programs.runner.pages_support import first_session, plan_for, player_data, today_for

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def runner_client(client, screened_runner, content):
    client.force_login(screened_runner)
    return client


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def checked_in(html: str, name: str) -> list[str]:
    """The values of the checked inputs called `name` in a page."""
    tags = re.findall(r"<input[^>]*>", html)
    return [
        re.search(r'value="([^"]*)"', tag).group(1)
        for tag in tags
        if f'name="{name}"' in tag and " checked" in tag
    ]


def at_local(hour: int, day: dt.date | None = None) -> dt.datetime:
    day = day or dt.datetime.now(AMSTERDAM).date()
    return dt.datetime.combine(day, dt.time(hour), tzinfo=AMSTERDAM)


# --- 1. The flare-up button asks first, and how bad it is ----------------------------------


def test_flare_up_button_opens_a_confirmation_and_records_nothing(runner_client, screened_runner):
    plan_for(screened_runner)

    week = html_of(runner_client.get("/week/"))
    page = html_of(runner_client.get("/flare-up/"))

    assert 'href="/flare-up/"' in week
    assert 'name="severity"' in page
    assert checked_in(page, "severity") == []
    assert not FlareUp.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose how bad the flare-up is"),
        ({"severity": "11"}, "less than or equal to 10"),
        ({"severity": "-1"}, "greater than or equal to 0"),
    ],
)
def test_flare_up_without_a_valid_severity_is_refused(
    runner_client, screened_runner, data, message
):
    plan = plan_for(screened_runner)
    revisions = plan.revisions.count()

    response = runner_client.post("/flare-up/", data)

    assert message in html_of(response)
    assert not FlareUp.objects.exists()
    assert plan.revisions.count() == revisions


def test_flare_up_severity_is_stored_and_reaches_the_engine(runner_client, screened_runner):
    plan = plan_for(screened_runner)
    today = today_for(screened_runner)

    response = runner_client.post("/flare-up/", {"severity": "7", "note": "stairs"})

    flare = FlareUp.objects.get(runner=screened_runner)
    assert response["Location"] == f"/flare-up/{flare.pk}/"
    assert flare.severity == 7
    window = evaluation_window(plan=plan, starts_on=today - dt.timedelta(days=6), ends_on=today)
    assert [f.severity for f in window.flare_ups] == [7]


def test_flare_up_result_says_the_plan_eased_off_when_it_did(runner_client, screened_runner):
    plan_for(screened_runner)

    response = runner_client.post("/flare-up/", {"severity": "6"}, follow=True)

    html = html_of(response)
    assert response.context["outcome"] == "applied"
    assert "Your plan has eased off" in html


@pytest.mark.parametrize(
    ("language", "waiting", "not_said"),
    [
        ("en", "waiting for their approval", ["has eased off", "lighter for now"]),
        ("nl", "wacht op goedkeuring", ["is je plan lichter", "voorlopig ongeveer"]),
    ],
)
def test_flare_up_waiting_for_approval_does_not_say_the_plan_is_lighter(
    runner_client, screened_runner, language, waiting, not_said
):
    screened_runner.language = language
    screened_runner.save()
    plan = plan_for(screened_runner, policy=Policy(require_approval=True))

    confirm = html_of(runner_client.get("/flare-up/"))
    response = runner_client.post("/flare-up/", {"severity": "6"}, follow=True)

    html = html_of(response)
    assert response.context["outcome"] == "pending"
    assert plan.decisions.filter(status="pending").exists()
    assert waiting in html
    assert all(phrase not in html for phrase in not_said), html
    assert "goedkeuring" in confirm if language == "nl" else "approval" in confirm


# --- 2. Pain answers start unanswered and need an answer -----------------------------------


def test_pain_answers_and_sets_start_unanswered(runner_client, screened_runner):
    plan = plan_for(screened_runner)
    session = first_session(plan, on_or_before=today_for(screened_runner))
    rx = session.prescriptions.first()

    player = html_of(runner_client.get(f"/sessions/{session.pk}/"))
    checkin = html_of(runner_client.get("/checkin/"))
    run = html_of(runner_client.get("/runs/new/"))

    assert checked_in(player, f"ex{rx.pk}-pain_during") == []
    assert checked_in(player, "session-pain_after") == []
    assert player.count('type="radio" name="session-pain_after"') == 11
    sets = re.search(rf'<input[^>]*name="ex{rx.pk}-sets_done"[^>]*>', player).group(0)
    assert "value=" not in sets
    assert checked_in(checkin, "pain") == []
    assert checked_in(run, "pain_during") == []
    assert checked_in(run, "pain_after") == []
    assert "Not answered yet" in player
    assert 'type="range"' not in player + checkin + run


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("ex0_pain_during", "Choose how much it hurt"),
        ("session-pain_after", "Choose how much it hurt"),
        ("ex0_sets_done", "Enter how many sets you did"),
    ],
)
def test_player_without_an_answer_is_refused_and_saves_nothing(
    runner_client, screened_runner, missing, message
):
    plan = plan_for(screened_runner)
    session = first_session(plan, on_or_before=today_for(screened_runner))

    response = runner_client.post(f"/sessions/{session.pk}/", player_data(session, **{missing: ""}))

    assert message in html_of(response)
    assert not SessionLog.objects.exists()
    assert not ExerciseLog.objects.exists()


def test_checkin_and_run_without_pain_are_refused_in_english_and_dutch(
    runner_client, screened_runner
):
    today = today_for(screened_runner).isoformat()

    checkin = runner_client.post("/checkin/", {"date": today, "stiffness_minutes": "0"})
    run = runner_client.post(
        "/runs/new/", {"date": today, "minutes": "20", "pain_during": "1", "terrain": "flat"}
    )
    screened_runner.language = "nl"
    screened_runner.save()
    dutch = runner_client.post("/checkin/", {"date": today, "stiffness_minutes": "0"})

    assert "Choose how much it hurts this morning" in html_of(checkin)
    assert "Choose how much it hurt" in html_of(run)
    assert "Kies hoeveel pijn" in html_of(dutch)
    assert not MorningCheckin.objects.exists()
    assert not RunLog.objects.exists()


# --- 3. A second check-in the same day is the first one, to change ---------------------------


def test_a_second_checkin_shows_the_first_and_changes_it(runner_client, screened_runner):
    today = today_for(screened_runner).isoformat()
    runner_client.post("/checkin/", {"date": today, "pain": "2", "stiffness_minutes": "5"})
    given = MorningCheckin.objects.get(runner=screened_runner)

    again = runner_client.get("/checkin/")
    edit = html_of(runner_client.get(f"/checkin/{given.pk}/"))
    twice = runner_client.post(
        "/checkin/", {"date": today, "pain": "4", "stiffness_minutes": "5"}, follow=True
    )
    changed = runner_client.post(f"/checkin/{given.pk}/", {"pain": "3", "stiffness_minutes": "10"})

    assert again["Location"] == f"/checkin/{given.pk}/"
    assert checked_in(edit, "pain") == ["2"]
    assert 'value="5"' in edit
    assert twice.redirect_chain[-1][0] == f"/checkin/{given.pk}/"
    assert "You already checked in for that day" in html_of(twice)
    assert changed.status_code == 302
    given.refresh_from_db()
    assert (given.pain, given.stiffness_minutes) == (3, 10)
    assert MorningCheckin.objects.count() == 1


def test_a_warning_sign_added_on_edit_refers_at_once(runner_client, screened_runner):
    plan = plan_for(screened_runner)
    today = today_for(screened_runner)
    runner_client.post(
        "/checkin/", {"date": today.isoformat(), "pain": "2", "stiffness_minutes": "0"}
    )
    given = MorningCheckin.objects.get(runner=screened_runner)
    plan.refresh_from_db()
    assert plan.status == Plan.Status.ACTIVE

    runner_client.post(
        f"/checkin/{given.pk}/",
        {"pain": "2", "stiffness_minutes": "0", "red_flags": ["rest_or_night_pain"]},
    )

    plan.refresh_from_db()
    assert plan.status == Plan.Status.REFERRED
    assert plan.decisions.filter(kind="pause_and_refer").exists()


@pytest.mark.parametrize("bad", [{"pain": "11"}, {"pain": ""}, {"stiffness_minutes": "-1"}])
def test_checkin_edit_refuses_bad_values_and_keeps_the_answer(runner_client, screened_runner, bad):
    runner_client.post(
        "/checkin/",
        {"date": today_for(screened_runner).isoformat(), "pain": "2", "stiffness_minutes": "0"},
    )
    given = MorningCheckin.objects.get(runner=screened_runner)

    response = runner_client.post(
        f"/checkin/{given.pk}/", {"pain": "3", "stiffness_minutes": "0", **bad}
    )

    assert "errorlist" in html_of(response)
    given.refresh_from_db()
    assert given.pain == 2


def test_another_runners_checkin_is_404(client, screened_runner, other_runner, content):
    given = MorningCheckin.objects.create(
        runner=screened_runner, date=today_for(screened_runner), pain=2
    )
    client.force_login(other_runner)

    assert client.get(f"/checkin/{given.pk}/").status_code == 404
    assert client.post(f"/checkin/{given.pk}/", {"pain": "9"}).status_code == 404
    given.refresh_from_db()
    assert given.pain == 2


# --- 4. "Has it settled by midday?" ---------------------------------------------------------


def test_after_midday_a_morning_above_baseline_is_asked_whether_it_settled(
    runner_client, screened_runner, time_machine
):
    time_machine.move_to(at_local(8), tick=False)
    plan = plan_for(screened_runner)  # baseline 3
    runner_client.post(
        "/checkin/",
        {"date": today_for(screened_runner).isoformat(), "pain": "5", "stiffness_minutes": "0"},
    )
    given = MorningCheckin.objects.get(runner=screened_runner)
    assert plan.baseline_pain == 3
    morning_week = html_of(runner_client.get("/week/"))
    morning_edit = html_of(runner_client.get(f"/checkin/{given.pk}/"))

    time_machine.move_to(at_local(13), tick=False)
    week = html_of(runner_client.get("/week/"))
    edit = html_of(runner_client.get(f"/checkin/{given.pk}/"))
    runner_client.post(
        f"/checkin/{given.pk}/", {"pain": "5", "stiffness_minutes": "0", "settled_by_midday": "no"}
    )
    after = html_of(runner_client.get("/week/"))

    assert "settled by midday" not in morning_week
    assert 'name="settled_by_midday"' not in morning_edit
    assert f'href="/checkin/{given.pk}/"' in week
    assert "Has it settled by midday?" in week
    assert 'name="settled_by_midday"' in edit
    given.refresh_from_db()
    assert given.settled_by_midday is False
    assert "Has it settled by midday?" not in after


def test_a_checkin_after_midday_above_baseline_asks_at_once(
    runner_client, screened_runner, time_machine
):
    time_machine.move_to(at_local(15), tick=False)
    plan_for(screened_runner)

    response = runner_client.post(
        "/checkin/",
        {"date": today_for(screened_runner).isoformat(), "pain": "4", "stiffness_minutes": "0"},
        follow=True,
    )

    given = MorningCheckin.objects.get(runner=screened_runner)
    assert response.redirect_chain[-1][0] == f"/checkin/{given.pk}/"
    assert 'name="settled_by_midday"' in html_of(response)


def test_no_midday_question_when_the_morning_was_not_above_baseline(
    runner_client, screened_runner, time_machine
):
    time_machine.move_to(at_local(14), tick=False)
    plan_for(screened_runner)

    response = runner_client.post(
        "/checkin/",
        {"date": today_for(screened_runner).isoformat(), "pain": "3", "stiffness_minutes": "0"},
        follow=True,
    )

    given = MorningCheckin.objects.get(runner=screened_runner)
    assert response.redirect_chain[-1][0] == "/week/"
    assert "Has it settled by midday?" not in html_of(response)
    assert 'name="settled_by_midday"' not in html_of(runner_client.get(f"/checkin/{given.pk}/"))


def test_the_midday_question_in_dutch(runner_client, screened_runner, time_machine):
    screened_runner.language = "nl"
    screened_runner.save()
    time_machine.move_to(at_local(13), tick=False)
    plan_for(screened_runner)
    MorningCheckin.objects.create(runner=screened_runner, date=today_for(screened_runner), pain=5)

    assert "Is het tegen de middag gezakt?" in html_of(runner_client.get("/week/"))
