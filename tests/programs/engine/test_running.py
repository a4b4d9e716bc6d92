"""The week's running in figures (programs/engine/running.py, §F1b): no database."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from programs.engine.running import is_run_day, run_numbers, stage_session_minutes
from programs.engine.specs import RunPrescription, WalkRunStage

LADDER = (
    WalkRunStage(1, 1, 30, 0),
    WalkRunStage(3, 5, 3, 2),
    WalkRunStage(7, 2, 1, 11),
    WalkRunStage(8, 0, 0, 0, continuous_minutes=20),
)


def prescription(mode, *, stage=None, minutes=None, runs=3, days=(1, 3, 5)):
    return RunPrescription(mode, stage, minutes, runs, 0, (), days)


def test_a_walk_run_stage_in_minutes():
    numbers = run_numbers(prescription("walk_run", stage=3, minutes=30), LADDER)

    assert (numbers.runs_per_week, numbers.minutes_per_run) == (3, 10)
    assert (numbers.session_minutes, numbers.weekly_minutes) == (25, 30)
    assert numbers.stage == LADDER[1]
    assert numbers.running
    assert not numbers.walk_only


def test_the_brisk_walk_stage_has_no_running_yet():
    numbers = run_numbers(prescription("walk_run", stage=1, minutes=0), LADDER)

    assert numbers.walk_only
    assert (numbers.minutes_per_run, numbers.session_minutes) == (0, 30)


def test_a_continuous_stage_is_one_run_of_its_minutes():
    numbers = run_numbers(prescription("walk_run", stage=8), LADDER)

    assert (numbers.minutes_per_run, numbers.session_minutes, numbers.weekly_minutes) == (
        20,
        20,
        60,
    )
    assert stage_session_minutes(LADDER[2]) == 24


def test_a_reduced_week_shares_its_minutes_over_the_runs():
    numbers = run_numbers(prescription("reduce", minutes=60), LADDER, usual_weekly_minutes=120)

    assert (numbers.runs_per_week, numbers.minutes_per_run, numbers.volume_pct) == (3, 20, 50)


def test_pause_and_an_empty_reduce_are_no_running():
    for run in (prescription("pause", minutes=90), prescription("reduce", minutes=0, runs=0)):
        numbers = run_numbers(run, LADDER)
        assert not numbers.running
        assert (numbers.runs_per_week, numbers.minutes_per_run, numbers.weekly_minutes) == (0, 0, 0)


def test_a_run_day_is_one_of_the_weeks_run_weekdays():
    monday = dt.date(2026, 11, 30)
    run = prescription("reduce", minutes=60, days=(1, 3, 5))

    assert [is_run_day(run, monday + dt.timedelta(days=n)) for n in range(7)] == [
        False,
        True,
        False,
        True,
        False,
        True,
        False,
    ]
    assert not is_run_day(prescription("pause", days=(1,)), monday + dt.timedelta(days=1))


@given(
    minutes=st.integers(min_value=1, max_value=1500),
    runs=st.integers(min_value=1, max_value=7),
)
def test_minutes_per_run_times_runs_is_the_week_within_rounding(minutes, runs):
    numbers = run_numbers(prescription("continuous", minutes=minutes, runs=runs), LADDER)

    assert abs(numbers.minutes_per_run * runs - minutes) <= runs / 2 + 1e-9
    assert numbers.weekly_minutes == minutes
