"""Shared fixtures for the clinical domain: the real content library and a runner's plan."""

from __future__ import annotations

import datetime as dt

import pytest

from programs.content.models import Exercise
from programs.engine.specs import Policy, RunnerContext, RunningStatus
from programs.logbook.models import Screening
from programs.logbook.services import (
    checkin_create,
    plan_start,
    session_log_create,
)
from programs.logbook.windows import evaluation_window
from programs.plans.models import (
    PlanSession,
)

MONDAY = dt.date(2026, 11, 30)


@pytest.fixture
def content(db):
    """The content library as `make run` loads it (once per test database state)."""
    from programs.content.loader import content_load_directory

    if not Exercise.objects.exists():
        content_load_directory()


@pytest.fixture
def screened_runner(runner):

    Screening.objects.create(
        runner=runner,
        answers={},
        outcome="ok",
        condition="gluteal_tendinopathy",
        irritability="moderate",
        baseline_pain=3,
    )
    return runner


def runner_context(**changes) -> RunnerContext:
    base = {
        "condition": "gluteal_tendinopathy",
        "irritability": "moderate",
        "baseline_pain": 3.0,
        "equipment": frozenset({"mat", "belt", "wall", "step", "mini_band", "chair", "box"}),
        "strength_days_per_week": 3,
        "preferred_weekdays": (0, 2, 4),
        "long_run_weekday": 6,
        "hard_session_weekdays": (),
        "running": RunningStatus(mode="not_running"),
        "start_date": MONDAY,
        "timezone": "Europe/Amsterdam",
    }
    base.update(changes)
    return RunnerContext(**base)


@pytest.fixture
def make_plan(content, screened_runner):
    from programs.content.models import ProgramTemplate

    def make(runner=None, policy: Policy | None = None, template="gluteal-tendinopathy", **ctx):
        return plan_start(
            runner=runner or screened_runner,
            template=ProgramTemplate.objects.get(slug=template),
            context=runner_context(**ctx),
            policy=policy,
            weeks=12,
        )

    return make


def log_week_green(plan, week_number=1):
    """Log every session of a plan week with no pain, and a settled morning after each."""
    sessions = PlanSession.objects.filter(plan=plan, week__number=week_number).prefetch_related(
        "prescriptions"
    )
    for session in sessions:
        session_log_create(
            runner=plan.runner,
            session=session,
            exercises=[
                {
                    "prescription": rx.pk,
                    "sets_done": rx.sets,
                    "reps_done": [rx.reps or 1] * rx.sets,
                    "hold_seconds": rx.hold_seconds,
                    "rpe": 4,
                    "pain_during": 1,
                }
                for rx in session.prescriptions.all()
            ],
            pain_after=1,
        )
        checkin_create(runner=plan.runner, date=session.date + dt.timedelta(days=1), pain=2)


def week_window(plan, number):
    starts = plan.start_date + dt.timedelta(weeks=number - 1)
    return evaluation_window(plan=plan, starts_on=starts, ends_on=starts + dt.timedelta(days=6))


TUESDAY_WEEK2 = dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC)


def log_week_meeting_the_exit_criteria(plan, number=1):
    """Every session green, a settled next morning, and a pain-free single-leg stance:
    the first phase's exit criteria (templates.yaml gt-p1) are met."""
    for session in PlanSession.objects.filter(plan=plan, week__number=number).prefetch_related(
        "prescriptions"
    ):
        session_log_create(
            runner=plan.runner,
            session=session,
            exercises=[
                {
                    "prescription": rx.pk,
                    "sets_done": rx.sets,
                    "reps_done": [rx.reps or 1] * rx.sets,
                    "hold_seconds": rx.hold_seconds,
                    "rpe": 4,
                    "pain_during": 1,
                }
                for rx in session.prescriptions.all()
            ],
            pain_after=1,
            single_leg_stance_pain=1,
        )
        checkin_create(runner=plan.runner, date=session.date + dt.timedelta(days=1), pain=2)
