"""The runner's week page starts with today (issue #15): today's session with its
exercises, the morning check-in when it is due and today's run in numbers, then the week
with its phase, the phase's goal and its exit criteria in plain words, and a one-time
congratulation when the phase moves on. English and Dutch; the API says the same."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from programs.engine.specs import RunningStatus
from programs.logbook.services import checkin_create
from programs.plans.models import PlanSession
from programs.plans.services.recording import progression_evaluate
from tests.programs.conftest import MONDAY, log_week_meeting_the_exit_criteria, week_window

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour_utc: int = 8) -> dt.datetime:
    """A moment on `day` in the morning in Amsterdam (UTC+1 in winter)."""
    return dt.datetime.combine(day, dt.time(hour_utc), tzinfo=dt.UTC)


def signed_in(user, language="en"):
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def page(client) -> str:
    response = client.get("/week/")
    assert response.status_code == 200
    return response.content.decode()


def run_and_session_day(plan) -> dt.date:
    """A day after the plan's first with both a session and a planned run."""
    week = plan.weeks.get(number=1)
    days = set(week.run["run_weekdays"])
    for session in PlanSession.objects.filter(plan=plan, week=week).order_by("date"):
        if session.date > plan.start_date and session.date.weekday() in days:
            return session.date
    raise AssertionError("no day with a session and a run")


# --- Today first --------------------------------------------------------------------------


def test_today_comes_first_session_then_check_in_then_run_then_the_week(make_plan, time_machine):
    plan = make_plan(running=RunningStatus(mode="continuous", weekly_minutes=120))
    day = run_and_session_day(plan)
    time_machine.move_to(at(day))
    body = page(signed_in(plan.runner))

    session = PlanSession.objects.filter(plan=plan, date=day).first()
    positions = [
        body.index('id="today-h"'),
        body.index(f'id="today-s-{session.pk}"'),
        body.index('id="today-checkin-h"'),
        body.index('id="today-run-h"'),
        body.index('id="week-h"'),
        body.index('id="run-h"'),
    ]
    assert positions == sorted(positions)
    # Every exercise of today's session is listed in the today block, each with the figure.
    today_block = body[body.index('id="today-h"') : body.index('id="week-h"')]
    for rx in session.prescriptions.all():
        assert rx.exercise.name in today_block
    assert today_block.count('class="today-exercise"') == session.prescriptions.count()


def test_the_check_in_shows_only_when_it_is_due(make_plan, time_machine):
    time_machine.move_to(at(MONDAY))
    plan = make_plan()
    client = signed_in(plan.runner)

    assert 'id="today-checkin-h"' not in page(client)  # the plan's first morning
    time_machine.move_to(at(MONDAY + dt.timedelta(days=1)))
    assert 'id="today-checkin-h"' in page(client)
    checkin_create(runner=plan.runner, date=MONDAY + dt.timedelta(days=1), pain=2)
    assert 'id="today-checkin-h"' not in page(client)


def test_no_check_in_is_due_on_a_paused_plan(make_plan, time_machine):
    time_machine.move_to(at(MONDAY + dt.timedelta(days=1)))
    plan = make_plan()
    plan.status = "paused"
    plan.save(update_fields=["status"])

    assert 'id="today-checkin-h"' not in page(signed_in(plan.runner))


# --- Running in numbers --------------------------------------------------------------------

WALK_RUN = {
    "en": "R3: 5 \N{MULTIPLICATION SIGN} (2 min run, 3 min walk)",
    "nl": "R3: 5 \N{MULTIPLICATION SIGN} (2 min hardlopen, 3 min wandelen)",
}
WALK_RUN_WEEK = {
    "en": "3 runs this week at R3: 5 \N{MULTIPLICATION SIGN} (2 min run, 3 min walk)",
    "nl": "3 keer hardlopen deze week op R3: 5 \N{MULTIPLICATION SIGN} (2 min hardlopen, 3 min wandelen)",
}
WALK_RUN_PER_RUN = {
    "en": "Each run: 10 min of running, 25 min in all with the walking.",
    "nl": "Per keer: 10 min hardlopen, 25 min in totaal met het wandelen.",
}


@pytest.mark.parametrize("language", ["en", "nl"])
def test_a_walk_run_week_spells_out_the_stage(make_plan, time_machine, language):
    time_machine.move_to(at(MONDAY))
    plan = make_plan(
        template="return-to-run-walk-run",
        running=RunningStatus(mode="walk_run", walk_run_stage=3),
    )
    body = page(signed_in(plan.runner, language))

    assert WALK_RUN_WEEK[language] in body
    assert WALK_RUN_PER_RUN[language] in body
    assert f"<dd>{WALK_RUN[language]}</dd>" in body


@pytest.mark.parametrize("language", ["en", "nl"])
def test_todays_run_has_its_numbers(make_plan, time_machine, language):
    plan = make_plan(
        template="return-to-run-walk-run",
        running=RunningStatus(mode="walk_run", walk_run_stage=3),
    )
    run_day = next(
        MONDAY + dt.timedelta(days=n)
        for n in range(7)
        if (MONDAY + dt.timedelta(days=n)).weekday() in plan.weeks.get(number=1).run["run_weekdays"]
    )
    time_machine.move_to(at(run_day))
    body = page(signed_in(plan.runner, language))

    block = body[body.index('id="today-run-h"') : body.index('id="week-h"')]
    assert WALK_RUN[language] in block


@pytest.mark.parametrize(
    ("language", "headline"),
    [
        ("en", "3 runs of 20 min this week. 60 min in all: 50% of your usual weekly running."),
        (
            "nl",
            "3 keer 20 min hardlopen deze week. 60 min in totaal: 50% van wat je normaal per "
            "week loopt.",
        ),
    ],
)
def test_a_reduced_week_says_minutes_and_runs_not_reduced_volume(
    make_plan, time_machine, language, headline
):
    time_machine.move_to(at(MONDAY))
    plan = make_plan(running=RunningStatus(mode="continuous", weekly_minutes=120))
    body = page(signed_in(plan.runner, language))

    assert headline in body
    assert "reduced weekly volume" not in body
    assert "<dt>Runs per week</dt><dd>3</dd>" in body or language == "nl"


def test_a_runner_who_does_not_run_is_told_no_running_is_planned(make_plan, time_machine):
    time_machine.move_to(at(MONDAY))
    plan = make_plan()  # not running at the start: the reduce phase has nothing to reduce

    body = page(signed_in(plan.runner))

    assert "No running planned this week." in body
    assert 'id="today-run-h"' not in body


# --- Week, phase, goal and exit criteria ------------------------------------------------------


@pytest.fixture
def advanced_plan(make_plan, time_machine):
    """Week 1 met the first phase's exit criteria: the plan is in phase 2 from week 2."""
    time_machine.move_to(at(MONDAY))
    plan = make_plan()
    signed_in(plan.runner).get("/week/")  # seen in phase 1
    time_machine.move_to(at(MONDAY + dt.timedelta(days=8)))
    log_week_meeting_the_exit_criteria(plan)
    progression_evaluate(plan=plan, window=week_window(plan, 1))
    plan.refresh_from_db()
    assert plan.current_revision.state["phase_key"] == "gt-p2"
    return plan


HEADER = {
    "en": "Week 3 of 12 · Phase 2 of 4: Build strength",
    "nl": "Week 3 van 12 · Fase 2 van 4: Kracht opbouwen",
}
GOAL = {
    "en": "Build abductor and extensor strength with single-leg-biased exercises",
    "nl": "Kracht van de abductoren en extensoren opbouwen",
}
PLAIN = {
    "en": "Each week we average your morning pain. It may stay the same or go down",
    "nl": "Elke week nemen we het gemiddelde van je ochtendpijn.",
}
CRITERION = {
    "en": "Two weeks in a row without your weekly pain rising.",
    "nl": "Twee weken op rij zonder stijgende weekpijn.",
}


@pytest.mark.parametrize("language", ["en", "nl"])
def test_week_three_shows_week_and_phase_with_goal_and_plain_criteria(
    advanced_plan, time_machine, language
):
    time_machine.move_to(at(MONDAY + dt.timedelta(days=15)))  # Tuesday of week 3
    body = page(signed_in(advanced_plan.runner, language))

    header = re.search(r'<h2 id="week-h">(.*?)</h2>', body, re.S).group(1)
    assert " ".join(header.split()) == HEADER[language]
    assert GOAL[language] in body
    assert CRITERION[language] in body
    assert PLAIN[language] in body


def test_every_criterion_kind_has_a_plain_explanation():
    from programs.engine.vocabulary import EXIT_METRICS, EXIT_METRICS_PLAIN

    assert set(EXIT_METRICS_PLAIN) == set(EXIT_METRICS)
    assert all(len(str(text)) > 40 for text in EXIT_METRICS_PLAIN.values())


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Well done: you have moved on to phase 2 of 4, Build strength."),
        ("nl", "Goed gedaan: je bent door naar fase 2 van 4, Kracht opbouwen."),
    ],
)
def test_the_phase_advance_is_celebrated_once(advanced_plan, language, text):
    client = signed_in(advanced_plan.runner, language)

    first = page(client)
    assert 'id="phase-advanced"' in first
    banner = first[first.index('id="phase-advanced"') - 60 : first.index('id="phase-advanced"')]
    assert 'role="status"' in banner
    assert text in first
    again = page(client)
    assert 'id="phase-advanced"' not in again
    assert 'id="phase-advanced"' not in page(signed_in(advanced_plan.runner, language))


def test_the_first_visit_of_a_new_plan_is_no_advance(make_plan, time_machine):
    time_machine.move_to(at(MONDAY))
    plan = make_plan()

    assert 'id="phase-advanced"' not in page(signed_in(plan.runner))


# --- API ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_api_gives_the_runs_in_numbers_and_the_week_count(make_plan, time_machine, language):
    time_machine.move_to(at(MONDAY + dt.timedelta(days=1)))
    plan = make_plan(
        template="return-to-run-walk-run",
        running=RunningStatus(mode="walk_run", walk_run_stage=3),
    )
    body = signed_in(plan.runner, language).get("/api/v1/plans/current/week/").json()

    assert body["week"]["number"] == 1  # the old fields stay
    assert body["week"]["run"]["walk_run_stage"] == 3
    assert body["week_count"] == 12
    assert body["checkin_due"] is True
    running = body["running"]
    assert running["runs_per_week"] == 3
    assert running["minutes_per_run"] == 10
    assert running["session_minutes"] == 25
    assert running["weekly_minutes"] == 30
    assert running["walk_run_stage"] == 3
    assert (running["stage_repeats"], running["stage_run_minutes"]) == (5, 2)
    assert running["stage_text"] == WALK_RUN[language]
    assert body["outlook"]["phase_goal"]
    assert body["outlook"]["exit_criteria"][0]["metric"] == "continuous_run_minutes"
    assert body["outlook"]["exit_criteria"][0]["explanation"]


def test_no_run_is_named_for_today_after_the_plan_ends(make_plan, time_machine):
    plan = make_plan(running=RunningStatus(mode="continuous", weekly_minutes=120))
    last = plan.weeks.order_by("-number").first()
    after = last.starts_on + dt.timedelta(days=7)
    day = next(
        after + dt.timedelta(days=n)
        for n in range(7)
        if (after + dt.timedelta(days=n)).weekday() in last.run["run_weekdays"]
    )
    time_machine.move_to(at(day))

    body = page(signed_in(plan.runner))

    assert 'id="today-run-h"' not in body
    assert 'id="run-h"' in body  # the last week's running is still described


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_api_week_names_each_exercise_in_the_runners_language(
    make_plan, time_machine, language, django_assert_max_num_queries
):
    """The week's answer reads only the exercise's slug and names, and still names it in
    the runner's language, with no query per exercise."""
    from programs.content.models import Exercise

    time_machine.move_to(at(MONDAY + dt.timedelta(days=1)))
    plan = make_plan()
    client = signed_in(plan.runner, language)
    with django_assert_max_num_queries(16):
        body = client.get("/api/v1/plans/current/week/").json()

    items = [rx for session in body["sessions"] for rx in session["prescriptions"]]
    assert len(items) > 3
    names = dict(Exercise.objects.values_list("slug", f"name_{language}"))
    assert {rx["exercise_name"] for rx in items} == {names[rx["exercise"]] for rx in items}
    assert all(session["week"] == 1 for session in body["sessions"])


def test_the_api_week_reads_the_content_once_per_process(make_plan, time_machine):
    """The template's phases, exit criteria and walk-run ladder come from the process's
    content memo: a second read of the week asks only for the runner's own rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    time_machine.move_to(at(MONDAY + dt.timedelta(days=1)))
    plan = make_plan(template="return-to-run-walk-run")
    client = signed_in(plan.runner, "en")
    with CaptureQueriesContext(connection) as cold:
        first = client.get("/api/v1/plans/current/week/").json()
    with CaptureQueriesContext(connection) as warm:
        second = client.get("/api/v1/plans/current/week/").json()

    def content_reads(queries):
        return [
            q["sql"]
            for q in queries
            if '"content_phase' in q["sql"].split("WHERE")[0]
            or '"content_walkrunstage"' in q["sql"]
        ]

    assert content_reads(cold.captured_queries)
    assert content_reads(warm.captured_queries) == []
    assert len(warm.captured_queries) <= len(cold.captured_queries) - 3
    assert second == first


def test_the_api_week_keeps_a_session_without_exercises_and_the_planned_order(
    make_plan, time_machine
):
    """The week's sessions and prescriptions come from one joined read: a session left
    without prescriptions is still listed, and each session keeps its exercises' order."""
    from programs.plans.models import PlanSession, Prescription

    time_machine.move_to(at(MONDAY + dt.timedelta(days=1)))
    plan = make_plan()
    week = plan.weeks.get(number=1)
    first, second = PlanSession.objects.filter(week=week).order_by("date", "kind")[:2]
    Prescription.objects.filter(session=first).delete()
    orders = list(Prescription.objects.filter(session=second).values_list("pk", flat=True))
    for position, pk in enumerate(reversed(orders)):  # reverse the planned order
        Prescription.objects.filter(pk=pk).update(order=position)

    body = signed_in(plan.runner, "en").get("/api/v1/plans/current/week/").json()

    by_id = {session["id"]: session for session in body["sessions"]}
    assert by_id[first.pk]["prescriptions"] == []
    assert [rx["id"] for rx in by_id[second.pk]["prescriptions"]] == list(reversed(orders))
    assert [s["id"] for s in body["sessions"]] == list(
        PlanSession.objects.filter(week=week).order_by("date", "kind").values_list("pk", flat=True)
    )
