"""Build the progression engine's EvaluationWindow from stored logs (bounded queries)."""

from __future__ import annotations

import datetime as dt

from programs.logbook.models import FlareUp, MorningCheckin, RunLog, SessionLog
from programs.plans.plan_models import Plan, PlanSession
from programs.plans.specs import (
    EvaluationWindow,
    ExerciseLog,
)
from programs.plans.specs import (
    FlareUp as FlareUpSpec,
)
from programs.plans.specs import (
    MorningCheckin as CheckinSpec,
)
from programs.plans.specs import (
    RunLog as RunLogSpec,
)
from programs.plans.specs import (
    SessionLog as SessionLogSpec,
)


def _f(value) -> float | None:
    return None if value is None else float(value)


def session_spec(log: SessionLog) -> SessionLogSpec:
    return SessionLogSpec(
        date=log.date,
        exercises=tuple(
            ExerciseLog(
                slot_key=e.slot_key,
                exercise=e.exercise.slug,
                sets_done=e.sets_done,
                reps_done=tuple(int(r) for r in e.reps_done),
                hold_seconds=e.hold_seconds,
                load_kg=_f(e.load_kg),
                rpe=_f(e.rpe),
                pain_during=float(e.pain_during),
                pain_changed_movement=e.pain_changed_movement,
            )
            for e in log.exercises.all()
        ),
        pain_after=_f(log.pain_after),
        completed=log.completed,
        single_leg_stance_pain=_f(log.single_leg_stance_pain),
        red_flags=tuple(log.red_flags),
    )


def evaluation_window(
    *, plan: Plan, starts_on: dt.date, ends_on: dt.date, previous_weekly_pain=()
) -> EvaluationWindow:
    """The logs of one runner between two local dates (inclusive), plus the next morning."""
    runner_id = plan.runner_id
    sessions = (
        SessionLog.objects.filter(runner_id=runner_id, date__range=(starts_on, ends_on))
        .prefetch_related("exercises__exercise")
        .order_by("date", "pk")
    )
    checkins = MorningCheckin.objects.filter(
        runner_id=runner_id, date__range=(starts_on, ends_on + dt.timedelta(days=1))
    ).order_by("date")
    runs = RunLog.objects.filter(runner_id=runner_id, date__range=(starts_on, ends_on)).order_by(
        "date", "pk"
    )
    flares = FlareUp.objects.filter(runner_id=runner_id, date__range=(starts_on, ends_on)).order_by(
        "date", "pk"
    )
    planned = PlanSession.objects.filter(plan=plan, date__range=(starts_on, ends_on)).count()
    return EvaluationWindow(
        starts_on=starts_on,
        ends_on=ends_on,
        sessions=tuple(session_spec(log) for log in sessions),
        checkins=tuple(
            CheckinSpec(
                date=c.date,
                pain=float(c.pain),
                stiffness_minutes=c.stiffness_minutes,
                red_flags=tuple(c.red_flags),
            )
            for c in checkins
        ),
        runs=tuple(
            RunLogSpec(
                date=r.date,
                minutes=float(r.minutes),
                pain_during=float(r.pain_during),
                pain_after=_f(r.pain_after),
                walk_run_stage=r.walk_run_stage,
                red_flags=tuple(r.red_flags),
            )
            for r in runs
        ),
        flare_ups=tuple(
            FlareUpSpec(date=f.date, red_flags=tuple(f.red_flags), note="") for f in flares
        ),
        planned_sessions=planned,
        previous_weekly_pain=tuple(previous_weekly_pain),
    )
