"""Build the progression engine's EvaluationWindow from stored logs.

Reads plain rows (values_list), not model instances, and serves many plans with a
constant number of queries: the weekly evaluation builds a whole batch at once. JSON
columns are read as their text: nearly every warning-sign list is empty, and "[]" needs
no parsing; the others are parsed by orjson.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import orjson
from django.db.models import TextField
from django.db.models.functions import Cast

from programs.engine import specs
from programs.logbook.models import ExerciseLog, FlareUp, MorningCheckin, RunLog, SessionLog
from programs.plans.models import Plan, PlanSession


def _f(value) -> float | None:
    return None if value is None else float(value)


def _text(field: str) -> Cast:
    return Cast(field, output_field=TextField())


def _codes(text: str | None) -> tuple[str, ...]:
    """A stored list of warning-sign codes, from its JSON text."""
    return () if text is None or text == "[]" else tuple(orjson.loads(text))


def _ints(text: str | None) -> tuple[int, ...]:
    return () if text is None or text == "[]" else tuple(int(v) for v in orjson.loads(text))


def evaluation_window(
    *, plan: Plan, starts_on: dt.date, ends_on: dt.date, previous_weekly_pain=()
) -> specs.EvaluationWindow:
    return build_windows([(plan, starts_on, ends_on, tuple(previous_weekly_pain), None)])[plan.pk]


def _grouped(rows, key_index: int = 0) -> dict:
    grouped = defaultdict(list)
    for row in rows:
        grouped[row[key_index]].append(row)
    return grouped


def build_windows(requests) -> dict[int, specs.EvaluationWindow]:
    """Windows for many plans at once, in a constant number of queries.

    `requests` holds (plan, starts_on, ends_on, previous_weekly_pain, after) tuples; logs
    on or before `after` (already evaluated, e.g. by a flare-up) are left out.
    """
    if not requests:
        return {}
    runner_ids = {plan.runner_id for plan, *_ in requests}
    first = min(start for _p, start, *_ in requests)
    last = max(end for _p, _s, end, *_ in requests) + dt.timedelta(days=1)
    span = {"runner_id__in": runner_ids, "date__range": (first, last)}

    exercises = _grouped(
        ExerciseLog.objects.filter(
            session_log__runner_id__in=runner_ids, session_log__date__range=(first, last)
        )
        .order_by("session_log_id", "pk")
        .annotate(reps_text=_text("reps_done"))
        .values_list(
            "session_log_id",
            "slot_key",
            "exercise__slug",
            "sets_done",
            "reps_text",
            "hold_seconds",
            "load_kg",
            "rpe",
            "pain_during",
            "pain_changed_movement",
        )
    )
    sessions = _grouped(
        (
            runner,
            date,
            specs.SessionLog(
                date=date,
                exercises=tuple(
                    specs.ExerciseLog(
                        slot_key=e[1],
                        exercise=e[2],
                        sets_done=e[3],
                        reps_done=_ints(e[4]),
                        hold_seconds=e[5],
                        load_kg=_f(e[6]),
                        rpe=_f(e[7]),
                        pain_during=float(e[8]),
                        pain_changed_movement=e[9],
                    )
                    for e in exercises.get(log_id, ())
                ),
                pain_after=_f(pain_after),
                completed=completed,
                single_leg_stance_pain=_f(stance),
                red_flags=_codes(flags),
            ),
        )
        for log_id, runner, date, pain_after, completed, stance, flags in SessionLog.objects.filter(
            **span
        )
        .order_by("date", "pk")
        .annotate(flags_text=_text("red_flags"))
        .values_list(
            "pk",
            "runner_id",
            "date",
            "pain_after",
            "completed",
            "single_leg_stance_pain",
            "flags_text",
        )
    )
    checkins = _grouped(
        (
            runner,
            date,
            specs.MorningCheckin(
                date=date,
                pain=float(pain),
                stiffness_minutes=stiff,
                settled_by_midday=settled,
                red_flags=_codes(flags),
            ),
        )
        for runner, date, pain, stiff, settled, flags in MorningCheckin.objects.filter(**span)
        .order_by("date")
        .annotate(flags_text=_text("red_flags"))
        .values_list(
            "runner_id", "date", "pain", "stiffness_minutes", "settled_by_midday", "flags_text"
        )
    )
    runs = _grouped(
        (
            runner,
            date,
            specs.RunLog(
                date=date,
                minutes=float(minutes),
                pain_during=float(during),
                pain_after=_f(after),
                walk_run_stage=stage,
                pain_changed_movement=limped,
                red_flags=_codes(flags),
            ),
        )
        # An imported run whose pain is not given yet is no pain signal (yet).
        for runner, date, minutes, during, after, stage, limped, flags in RunLog.objects.answered()
        .filter(**span)
        .order_by("date", "pk")
        .annotate(flags_text=_text("red_flags"))
        .values_list(
            "runner_id",
            "date",
            "minutes",
            "pain_during",
            "pain_after",
            "walk_run_stage",
            "pain_changed_movement",
            "flags_text",
        )
    )
    flares = _grouped(
        (
            runner,
            date,
            specs.FlareUp(date=date, red_flags=_codes(flags), note="", severity=severity),
        )
        for runner, date, severity, flags in FlareUp.objects.filter(**span)
        .order_by("date", "pk")
        .annotate(flags_text=_text("red_flags"))
        .values_list("runner_id", "date", "severity", "flags_text")
    )
    planned = _grouped(
        PlanSession.objects.filter(
            plan_id__in=[plan.pk for plan, *_ in requests], date__range=(first, last)
        ).values_list("plan_id", "date")
    )

    windows = {}
    for plan, starts_on, ends_on, previous, after in requests:
        lower = starts_on if after is None else max(starts_on, after + dt.timedelta(days=1))

        def pick(rows, *, morning=False, lo=lower, hi=ends_on):
            end = hi + dt.timedelta(days=1) if morning else hi
            return tuple(spec for _runner, date, spec in rows if lo <= date <= end)

        runner = plan.runner_id
        windows[plan.pk] = specs.EvaluationWindow(
            starts_on=starts_on,
            ends_on=ends_on,
            sessions=pick(sessions.get(runner, ())),
            checkins=pick(checkins.get(runner, ()), morning=True),
            runs=pick(runs.get(runner, ())),
            flare_ups=pick(flares.get(runner, ())),
            planned_sessions=sum(
                1 for _plan, date in planned.get(plan.pk, ()) if starts_on <= date <= ends_on
            ),
            previous_weekly_pain=tuple(previous),
        )
    return windows
