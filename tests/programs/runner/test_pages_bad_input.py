"""Every runner form refuses bad input with a message, and nothing is half-saved."""

from __future__ import annotations

import pytest

from programs.logbook.models import ExerciseLog, MorningCheckin, RunLog, SessionLog
from programs.logbook.selectors import setup_draft_answers
from programs.plans.models import Plan, PlanSession
from programs.runner.forms import SETUP_PAGE_OF_FIELD
from tests.programs.runner.pages_support import (
    first_session,
    plan_for,
    player_data,
    setup_data,
    setup_page_data,
    setup_through_steps,
    today_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def runner_client(client, screened_runner, content):
    client.force_login(screened_runner)
    return client


@pytest.fixture
def session_today(screened_runner, content):
    plan = plan_for(screened_runner)
    return first_session(plan, on_or_before=today_for(screened_runner))


def errors_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"ex0_pain_during": "11"}, "less than or equal to 10"),
        ({"ex0_pain_during": "-1"}, "greater than or equal to 0"),
        ({"ex0_reps": "500"}, "less than or equal to 100"),
        ({"ex0_sets_done": "0"}, "greater than or equal to 1"),
        ({"ex0_load": "-5"}, "greater than or equal to 0"),
        ({"ex0_load": "900"}, "500 kg"),
        ({"ex0_rpe": "12"}, "less than or equal to 10"),
        ({"session-pain_after": "15"}, "less than or equal to 10"),
        ({"session-red_flags": "not_a_flag"}, "not one of the available choices"),
    ],
)
def test_player_refuses_bad_values_and_saves_nothing(
    runner_client, session_today, override, message
):
    response = runner_client.post(
        f"/sessions/{session_today.pk}/", player_data(session_today, **override)
    )

    assert message in errors_of(response)
    assert not SessionLog.objects.exists()
    assert not ExerciseLog.objects.exists()


def test_player_refuses_a_future_session_without_saving(runner_client, screened_runner):
    plan = plan_for(screened_runner)
    future = PlanSession.objects.filter(plan=plan, date__gt=today_for(screened_runner)).first()

    response = runner_client.post(f"/sessions/{future.pk}/", player_data(future))

    assert "future" in errors_of(response)
    assert not SessionLog.objects.exists()


def test_a_session_of_another_runner_is_404(client, other_runner, session_today):
    client.force_login(other_runner)

    assert client.get(f"/sessions/{session_today.pk}/").status_code == 404
    assert (
        client.post(f"/sessions/{session_today.pk}/", player_data(session_today)).status_code == 404
    )
    assert not SessionLog.objects.exists()


def test_unknown_session_is_404(runner_client):
    assert runner_client.get("/sessions/999999/").status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"pain": "11"}, "less than or equal to 10"),
        ({"pain": "-2"}, "greater than or equal to 0"),
        ({"stiffness_minutes": "-1"}, "greater than or equal to 0"),
        ({"date": "2999-01-01"}, "Pick today or an earlier day."),
        ({"date": "not a date"}, "Enter a valid date."),
    ],
)
def test_checkin_refuses_bad_values(runner_client, screened_runner, data, message):
    base = {"date": today_for(screened_runner).isoformat(), "pain": "2", "stiffness_minutes": "0"}

    response = runner_client.post("/checkin/", {**base, **data})

    assert message in errors_of(response)
    assert not MorningCheckin.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"pain_during": "11"}, "less than or equal to 10"),
        ({"pain_after": "99"}, "less than or equal to 10"),
        ({"minutes": "0"}, "greater than or equal to 1"),
        ({"minutes": "5000"}, "less than or equal to 600"),
        ({"distance": "-3"}, "greater than or equal to 0"),
        ({"distance": "900"}, "not plausible"),
        (
            {"date": "2999-03-01"},
            "Pick today or an earlier day.",
        ),
        ({"terrain": "lava"}, "not one of the available choices"),
    ],
)
def test_run_log_refuses_bad_values(runner_client, screened_runner, data, message):
    base = {
        "date": today_for(screened_runner).isoformat(),
        "minutes": "30",
        "distance": "5",
        "pain_during": "2",
        "terrain": "flat",
    }

    response = runner_client.post("/runs/new/", {**base, **data})

    assert message in errors_of(response)
    assert not RunLog.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"baseline_pain": "12"}, "less than or equal to 10"),
        ({"psfs_score_1": "11"}, "less than or equal to 10"),
        ({"lefs_3": "7"}, "not one of the available choices"),
        ({"start_date": "2000-01-01"}, "Start today or later."),
        ({"weekdays": ["0"]}, "Pick at least 3 days"),
        ({"weekly_minutes": "-10"}, "greater than or equal to 0"),
        ({"psfs_activity_2": "Hopping"}, "Score this activity"),
    ],
)
def test_setup_refuses_bad_values_and_makes_no_plan(runner_client, screened_runner, data, message):
    base = setup_data(start_date=today_for(screened_runner).isoformat())
    page = SETUP_PAGE_OF_FIELD[next(iter(data))]
    setup_through_steps(runner_client, base, stop_before=page.key)

    response = runner_client.post(
        f"/plan/setup/{page.key}/", setup_page_data(page.key, {**base, **data})
    )

    assert message in errors_of(response)
    assert page.key not in setup_draft_answers(runner=screened_runner)
    assert not Plan.objects.exists()


def test_dutch_runner_gets_dutch_error_messages(runner_client, screened_runner):
    screened_runner.language = "nl"
    screened_runner.save()

    response = runner_client.post(
        "/checkin/", {"date": today_for(screened_runner).isoformat(), "pain": "11"}
    )

    assert "hoogstens 10" in errors_of(response)


def test_referred_runner_cannot_set_up_a_plan(runner_client, screened_runner):
    screened_runner.screenings.update(outcome="refer", condition="")

    assert runner_client.get("/plan/setup/")["Location"] == "/screening/"
    assert runner_client.get("/plan/setup/programme/")["Location"] == "/screening/"
    assert runner_client.get("/plan/setup/review/")["Location"] == "/screening/"


def test_referred_plan_shows_a_calm_state(runner_client, screened_runner):
    plan = plan_for(screened_runner)
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.REFERRED)

    html = runner_client.get("/week/").content.decode()

    assert "please see a clinician" in html
    assert "Start today" not in html
