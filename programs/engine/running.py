"""A week's running prescription as numbers the runner can follow (notes §F1b, §F3).

The planner stores a week's running as a RunPrescription: a mode, the walk-run stage or
the weekly minutes, and runs a week. A runner needs more than that on the day: how many
runs, how long each one is, and what a walk-run stage means in minutes. This module
works those figures out from the prescription and the template's walk-run ladder.

- walk_run: each run is the stage's block from the ladder, e.g. R3 = 5 x (walk 3 min /
  jog 2 min), 10 minutes of running in 25 minutes in all (ladder: templates.yaml,
  walk_run_stages; trials2023_walk_run for the block structure, §F1b for the splits).
- reduce, continuous, rebuild: the weekly minutes shared over the runs of the week,
  on alternate days (≥1 rest day between runs, trials2023_walk_run, §F3).
- pause, or no runs in the week: no running, zero minutes.

Pure: dataclasses in, dataclasses out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from programs.engine.specs import RunPrescription, WalkRunStage

WALK_RUN = "walk_run"
PAUSE = "pause"


@dataclass(frozen=True)
class RunNumbers:
    """One week's running in figures.

    runs_per_week: runs planned this week (0: no running). minutes_per_run: running
    minutes in each run, walking breaks not counted. session_minutes: one outing from
    start to finish, walking breaks included. weekly_minutes: running minutes of the
    week. stage: the walk-run stage in force (walk-run mode only). volume_pct: the
    week's minutes as a share of the runner's usual weekly minutes, when both are known.
    """

    mode: str
    runs_per_week: int
    minutes_per_run: int
    session_minutes: int
    weekly_minutes: int
    stage: WalkRunStage | None = None
    volume_pct: int | None = None

    @property
    def running(self) -> bool:
        return self.runs_per_week > 0 and self.mode != PAUSE

    @property
    def walk_only(self) -> bool:
        """A walk-run stage with no running in it yet (R1: the brisk-walk check)."""
        return self.stage is not None and not self.stage.total_run_minutes


def stage_session_minutes(stage: WalkRunStage) -> int:
    """One outing at a stage, walking breaks included: the repeated block, or the
    continuous run."""
    if stage.continuous_minutes:
        return stage.continuous_minutes
    return round(stage.repeats * (stage.walk_minutes + stage.run_minutes))


def find_stage(ladder: Iterable[WalkRunStage], number: int | None) -> WalkRunStage | None:
    if number is None:
        return None
    return next((step for step in ladder if step.number == number), None)


def run_numbers(
    run: RunPrescription,
    ladder: Iterable[WalkRunStage],
    *,
    usual_weekly_minutes: int | None = None,
) -> RunNumbers:
    """The week's running in figures (see the module docstring)."""
    runs = run.runs_per_week if run.mode != PAUSE else 0
    if run.mode == WALK_RUN:
        stage = find_stage(ladder, run.walk_run_stage)
        if stage is None or not runs:
            return RunNumbers(run.mode, 0, 0, 0, 0, stage)
        per_run = round(stage.total_run_minutes)
        weekly = run.weekly_minutes or per_run * runs
        return RunNumbers(run.mode, runs, per_run, stage_session_minutes(stage), weekly, stage)
    weekly = run.weekly_minutes or 0
    if not runs or not weekly:
        return RunNumbers(run.mode, 0, 0, 0, 0)
    per_run = round(weekly / runs)
    pct = round(100 * weekly / usual_weekly_minutes) if usual_weekly_minutes else None
    return RunNumbers(run.mode, runs, per_run, per_run, weekly, volume_pct=pct)


def is_run_day(run: RunPrescription, day: dt.date) -> bool:
    """Whether the week's running puts a run on `day` (its run weekdays, 0 = Monday)."""
    return run.mode != PAUSE and run.runs_per_week > 0 and day.weekday() in run.run_weekdays
