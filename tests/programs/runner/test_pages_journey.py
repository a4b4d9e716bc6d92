"""Runner pages, server side: set-up, this week, player, check-in, runs, flare, progress."""

from __future__ import annotations

import datetime as dt

import pytest

from programs.logbook.models import ExerciseLog, FlareUp, MorningCheckin, RunLog, SessionLog
from programs.logbook.questionnaire_models import QuestionnaireResponse, RunnerPreferences
from programs.plans.models import Plan, PlanSession
from rehab.notifications.models import ReminderSchedule
from tests.programs.runner.pages_support import (
    first_session,
    plan_for,
    player_data,
    setup_data,
    setup_through_steps,
    today_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def runner_client(client, screened_runner, content):
    client.force_login(screened_runner)
    return client


def test_setup_suggests_the_template_and_prefills_pain(runner_client):
    assert runner_client.get("/plan/setup/")["Location"] == "/plan/setup/programme/"
    html = runner_client.get("/plan/setup/programme/").content.decode()
    assert "Gluteal" in html
    setup_through_steps(runner_client, setup_data(), stop_before="pain")

    html = runner_client.get("/plan/setup/pain/").content.decode()

    assert 'name="baseline_pain" value="3"' in html
    assert html.count('name="lefs_') == 5 * 5  # five of the twenty items per page


def test_lateral_hip_pain_is_offered_the_gluteal_tendinopathy_template(
    runner_client, screened_runner
):
    screened_runner.screenings.update(condition="lateral_hip_pain")

    response = runner_client.get("/plan/setup/programme/")

    assert response.context["suggested"].slug == "gluteal-tendinopathy"


def test_setup_generates_the_plan_questionnaires_and_reminders(runner_client, screened_runner):
    data = setup_data(start_date=today_for(screened_runner).isoformat())

    response = setup_through_steps(runner_client, data)

    assert response.status_code == 302, response.context["form"].errors
    plan = Plan.objects.get(runner=screened_runner)
    assert plan.weeks.count() == 12
    assert plan.condition == "gluteal_tendinopathy"
    scores = dict(
        QuestionnaireResponse.objects.filter(runner=screened_runner, week=0).values_list(
            "instrument", "score"
        )
    )
    assert scores == {"nprs": 3, "psfs": 4, "lefs": 60}
    kinds = set(
        ReminderSchedule.objects.filter(user=screened_runner).values_list("kind", flat=True)
    )
    assert kinds == {"session", "checkin"}


def test_this_week_shows_today_first_with_the_run_prescription(runner_client, screened_runner):
    plan = plan_for(screened_runner)
    today = today_for(screened_runner)

    response = runner_client.get("/week/")

    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["today_sessions"]
    assert all(s.date == today for s in response.context["today_sessions"])
    assert html.index("Today") < html.index(f"Week {response.context['week'].number}")
    assert "Running this week" in html
    assert plan.weeks.first().run["mode"] in {
        "pause",
        "reduce",
        "walk_run",
        "continuous",
        "rebuild",
    }


def test_player_logs_a_session_and_a_second_tap_is_already_saved(runner_client, screened_runner):
    plan = plan_for(screened_runner)
    session = first_session(plan, on_or_before=today_for(screened_runner))

    page = runner_client.get(f"/sessions/{session.pk}/").content.decode()
    assert 'data-autosave="session-' in page
    assert "0-2 green" in page
    response = runner_client.post(f"/sessions/{session.pk}/", player_data(session))
    assert response.status_code == 302
    again = runner_client.post(f"/sessions/{session.pk}/", player_data(session), follow=True)

    assert SessionLog.objects.filter(session=session).count() == 1
    assert ExerciseLog.objects.filter(session_log__session=session).count() == (
        session.prescriptions.count()
    )
    assert "already saved" in again.content.decode()


def test_loads_in_pounds_are_stored_in_kilograms(runner_client, screened_runner):
    RunnerPreferences.objects.create(user=screened_runner, load_unit="lb")
    plan = plan_for(screened_runner)
    session = first_session(plan, on_or_before=today_for(screened_runner))

    runner_client.post(f"/sessions/{session.pk}/", player_data(session, ex0_load="10"))

    row = ExerciseLog.objects.filter(session_log__session=session).order_by("pk").first()
    assert float(row.load_kg) == pytest.approx(4.54, abs=0.01)


def test_checkin_defaults_to_the_runners_today(runner_client, screened_runner):
    form = runner_client.get("/checkin/").context["form"]
    assert form["date"].value() == today_for(screened_runner)

    response = runner_client.post(
        "/checkin/",
        {"date": today_for(screened_runner).isoformat(), "pain": "2", "stiffness_minutes": "5"},
    )

    assert response.status_code == 302
    assert MorningCheckin.objects.get(runner=screened_runner).pain == 2


def test_checkin_link_from_the_email_goes_through_login_and_back(client):
    response = client.get("/checkin/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert "next=/checkin/" in response["Location"]


def test_run_log_in_miles_is_stored_in_km(runner_client, screened_runner):
    RunnerPreferences.objects.create(user=screened_runner, distance_unit="mi")
    data = {
        "date": today_for(screened_runner).isoformat(),
        "minutes": "30",
        "distance": "3",
        "walk_run_stage": "4",
        "pain_during": "2",
        "pain_after": "1",
        "terrain": "flat",
    }

    response = runner_client.post("/runs/new/", data)

    assert response.status_code == 302
    run = RunLog.objects.get(runner=screened_runner)
    assert float(run.distance_km) == pytest.approx(4.83, abs=0.01)
    assert run.walk_run_stage == 4


def test_flare_up_shows_the_flare_up_plan(runner_client, screened_runner):
    plan_for(screened_runner)

    response = runner_client.post("/flare-up/", {"severity": "6"}, follow=True)

    assert response.status_code == 200
    flare = FlareUp.objects.get(runner=screened_runner)
    assert response.redirect_chain[-1][0] == f"/flare-up/{flare.pk}/"
    assert response.context["topic"].slug == "flare-up-plan"


def test_plan_change_banner_until_the_runner_has_read_why(runner_client, screened_runner):
    from programs.logbook.windows import evaluation_window
    from programs.plans.services.recording import progression_flare

    plan = plan_for(screened_runner)
    runner_client.get("/week/")  # first look: the generated plan counts as seen
    assert "changed since you last looked" not in runner_client.get("/week/").content.decode()
    today = today_for(screened_runner)
    FlareUp.objects.create(runner=screened_runner, date=today)
    progression_flare(
        plan=plan,
        window=evaluation_window(plan=plan, starts_on=today - dt.timedelta(days=6), ends_on=today),
    )
    assert plan.revisions.count() > 1

    assert "changed since you last looked" in runner_client.get("/week/").content.decode()
    changes = runner_client.get("/plan/changes/").content.decode()
    assert "The research behind it" in changes
    assert "doi.org/" in changes
    assert "changed since you last looked" not in runner_client.get("/week/").content.decode()


def test_progress_page_has_charts_with_text_alternatives(runner_client, screened_runner):
    plan = plan_for(screened_runner, start=today_for(screened_runner) - dt.timedelta(days=14))
    # A chart shows once it has enough points (two weeks, two questionnaire scores).
    for week in (1, 2):
        session = PlanSession.objects.filter(plan=plan, week__number=week).order_by("date")[0]
        runner_client.post(f"/sessions/{session.pk}/", player_data(session))
    for week, score in ((0, 50), (2, 58)):
        QuestionnaireResponse.objects.create(
            runner=screened_runner, instrument="lefs", week=week, answers={}, score=score
        )

    html = runner_client.get("/progress/").content.decode()

    assert html.count('role="img"') >= 3
    assert "<title" in html
    assert "<desc" in html
    assert "Weekly figures" in html
    assert "Minimal important change" in html


def test_calendar_feed_is_ical_at_a_secret_resettable_url(runner_client, screened_runner, client):
    plan_for(screened_runner, weeks=4)
    runner_client.get("/me/training/")
    token = RunnerPreferences.objects.get(user=screened_runner).calendar_token

    client.logout()
    feed = client.get(f"/calendar/{token}.ics")
    body = feed.content.decode()

    assert feed["Content-Type"].startswith("text/calendar")
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert "DTSTART;VALUE=DATE:" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    client.force_login(screened_runner)
    client.post("/me/training/calendar/reset/")
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_dutch_runner_sees_dutch_pages(runner_client, screened_runner):
    screened_runner.language = "nl"
    screened_runner.save()
    plan_for(screened_runner)

    html = runner_client.get("/week/").content.decode()

    assert 'lang="nl"' in html
