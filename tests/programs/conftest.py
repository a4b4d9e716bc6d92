"""Shared fixtures for the clinical domain: the real content library and a runner's plan."""

from __future__ import annotations

import datetime as dt

import pytest

from programs.exercises.models import Exercise
from programs.plans.specs import Policy, RunnerContext, RunningStatus

MONDAY = dt.date(2026, 11, 30)


@pytest.fixture
def content(db):
    """The content library as `make run` loads it (once per test database state)."""
    from programs.exercises.content_loader import content_load_directory

    if not Exercise.objects.exists():
        content_load_directory()


@pytest.fixture
def screened_runner(runner):
    from programs.logbook.models import Screening

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
    from programs.plans.models import ProgramTemplate
    from programs.plans.services import plan_generate

    def make(runner=None, policy: Policy | None = None, template="gluteal-tendinopathy", **ctx):
        return plan_generate(
            runner=runner or screened_runner,
            template=ProgramTemplate.objects.get(slug=template),
            context=runner_context(**ctx),
            policy=policy,
            weeks=12,
        )

    return make
