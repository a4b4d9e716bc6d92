"""The progress page starts compact and grows with the data (issue #15): after one week
there is no chart of one point, but a note saying what appears there and when; with two
weeks of logs the charts are there."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from programs.logbook.services import run_log_create
from tests.programs.conftest import MONDAY, log_week_green

pytestmark = pytest.mark.django_db

NOTES = ("pain-empty", "running-empty", "adherence-empty")


def progress_page(user, language="en") -> str:
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    response = client.get("/progress/")
    assert response.status_code == 200
    return response.content.decode()


def log_runs(plan, week_number):
    starts = plan.start_date + dt.timedelta(weeks=week_number - 1)
    for offset in (1, 3):
        run_log_create(
            runner=plan.runner,
            date=starts + dt.timedelta(days=offset),
            minutes=20,
            pain_during=1,
            pain_after=1,
        )


@pytest.mark.parametrize(
    ("language", "note"),
    [
        ("en", "After your second week you will see a chart of your weekly pain"),
        ("nl", "Na je tweede week zie je hier een grafiek van je wekelijkse pijn"),
    ],
)
def test_after_one_week_the_page_has_notes_instead_of_charts(
    make_plan, time_machine, language, note
):
    time_machine.move_to(dt.datetime.combine(MONDAY, dt.time(8), tzinfo=dt.UTC))
    plan = make_plan()
    time_machine.move_to(dt.datetime.combine(MONDAY + dt.timedelta(days=7), dt.time(7)))
    log_week_green(plan, 1)
    log_runs(plan, 1)

    body = progress_page(plan.runner, language)

    assert body.count('<svg class="chart"') == 0
    for element in NOTES:
        assert f'id="{element}"' in body
    assert 'id="exercise-empty"' in body
    assert note in body
    assert "<td>40</td>" in body  # the weekly table keeps the figures: 2 runs of 20 min


def test_with_weeks_of_logs_the_charts_appear(make_plan, time_machine):
    time_machine.move_to(dt.datetime.combine(MONDAY, dt.time(8), tzinfo=dt.UTC))
    plan = make_plan()
    time_machine.move_to(dt.datetime.combine(MONDAY + dt.timedelta(days=14), dt.time(7)))
    log_week_green(plan, 1)
    log_week_green(plan, 2)
    log_runs(plan, 1)
    log_runs(plan, 2)

    body = progress_page(plan.runner)

    for chart in ("chart-pain", "chart-running", "chart-adherence"):
        assert f'id="{chart}"' in body
    for element in NOTES:
        assert f'id="{element}"' not in body
    # Week 2 began the next phase: its exercises have one week of points, no chart yet.
    assert 'id="chart-ex-' not in body
    assert 'id="exercise-empty"' in body

    time_machine.move_to(dt.datetime.combine(MONDAY + dt.timedelta(days=21), dt.time(7)))
    log_week_green(plan, 3)
    body = progress_page(plan.runner)

    # The exercises logged in weeks 2 and 3 have their chart now.
    assert body.count('id="chart-ex-') >= 3
    assert body.count('<svg class="chart"') >= 6


def test_runs_in_one_week_only_keep_the_running_note(make_plan, time_machine):
    time_machine.move_to(dt.datetime.combine(MONDAY, dt.time(8), tzinfo=dt.UTC))
    plan = make_plan()
    time_machine.move_to(dt.datetime.combine(MONDAY + dt.timedelta(days=14), dt.time(7)))
    log_week_green(plan, 1)
    log_week_green(plan, 2)
    log_runs(plan, 2)

    body = progress_page(plan.runner)

    assert 'id="chart-pain"' in body
    assert 'id="chart-running"' not in body
    assert 'id="running-empty"' in body
