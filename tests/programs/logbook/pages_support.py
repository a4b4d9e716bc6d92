"""Helpers shared by the runner page tests."""

from __future__ import annotations

import datetime as dt

from programs.logbook.screening import RED_FLAGS
from programs.plans.models import ProgramTemplate
from programs.plans.plan_models import PlanSession
from programs.plans.services import plan_generate
from rehab.core.timeutils import local_today
from tests.programs.conftest import runner_context


def today_for(user) -> dt.date:
    return local_today(user.timezone)


def plan_for(runner, *, weeks=12, start=None, days=(0, 1, 2, 3, 4, 5, 6), per_week=3):
    """A plan that starts today (or `start`) for a screened runner."""
    start = start or today_for(runner)
    return plan_generate(
        runner=runner,
        template=ProgramTemplate.objects.get(slug="gluteal-tendinopathy"),
        context=runner_context(
            start_date=start,
            preferred_weekdays=tuple(days),
            strength_days_per_week=per_week,
        ),
        weeks=weeks,
    )


def first_session(plan, *, on_or_before=None):
    sessions = PlanSession.objects.filter(plan=plan).order_by("date", "kind")
    if on_or_before is not None:
        sessions = sessions.filter(date__lte=on_or_before)
    return sessions.prefetch_related("prescriptions").first()


def player_data(session, **overrides) -> dict:
    """A valid POST for the session player, with per-exercise overrides like ex0_pain_during."""
    data = {"session-pain_after": "1", "session-notes": ""}
    for index, rx in enumerate(session.prescriptions.all()):
        prefix = f"ex{rx.pk}-"
        data[prefix + "sets_done"] = str(rx.sets)
        data[prefix + "reps"] = str(rx.reps or 1)
        if rx.hold_seconds:
            data[prefix + "hold_seconds"] = str(rx.hold_seconds)
        data[prefix + "rpe"] = "4"
        data[prefix + "pain_during"] = "1"
        for key, value in overrides.items():
            if key.startswith(f"ex{index}_"):
                data[prefix + key.split("_", 1)[1]] = value
    for key, value in overrides.items():
        if key.startswith("session-"):
            data[key] = value
    return data


def setup_data(**changes) -> dict:
    data = {
        "template": ProgramTemplate.objects.get(slug="gluteal-tendinopathy").pk,
        "start_date": "",
        "baseline_pain": "3",
        "running_mode": "not_running",
        "weekly_minutes": "0",
        "longest_run": "0",
        "running_days": "0",
        "equipment": ["mat", "belt", "wall", "step", "mini_band", "chair"],
        "strength_days": "3",
        "weekdays": ["0", "1", "2", "3", "4", "5", "6"],
        "long_run_day": "",
        "reminder_time": "18:00",
        "checkin_time": "08:00",
        "psfs_activity_1": "Running 5 km",
        "psfs_score_1": "4",
    }
    for i in range(1, 21):
        data[f"lefs_{i}"] = "3"
    data.update(changes)
    return data


NO_FLAGS = dict.fromkeys(RED_FLAGS, "no")
