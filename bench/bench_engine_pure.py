"""Pure planner and progression engine: plan generation and one week's evaluation, no database.

Uses the test fixtures that mirror the gluteal tendinopathy template (P1-P5, the B2
catalogue, the R1..R10 ladder). Target: a 12-week plan in well under 5 ms (median).
"""

from __future__ import annotations

import datetime as dt

from bench.support import summary_ms, timed


def run() -> list[tuple[str, str]]:
    from programs.engine.planner import generate_plan, week_from_state
    from programs.engine.progression import apply_decisions, evaluate, initial_state
    from tests.programs.engine.engine_fixtures import gluteal_template, logs_for_week, runner

    template = gluteal_template()
    who = runner()
    plan_samples = timed(lambda: generate_plan(template, who, weeks=12), 500)

    # One plan two weeks in (P2, isotonic strength), with a logged green week to evaluate.
    state = initial_state(template, who)
    first = week_from_state(template, who, state, number=1, starts_on=who.start_date)
    window = logs_for_week(first, baseline=who.baseline_pain)
    state = apply_decisions(state, evaluate(state, window, template))
    starts_on = who.start_date + dt.timedelta(weeks=1)
    week = week_from_state(template, who, state, number=2, starts_on=starts_on)
    window = logs_for_week(week, baseline=who.baseline_pain, previous_weekly_pain=(2.0,))
    decisions = evaluate(state, window, template)
    evaluate_samples = timed(lambda: evaluate(state, window, template), 500)
    cycle_samples = timed(lambda: apply_decisions(state, evaluate(state, window, template)), 500)
    return [
        ("generate a 12-week gluteal tendinopathy plan", summary_ms(plan_samples)),
        (f"evaluate one week ({len(decisions)} decisions)", summary_ms(evaluate_samples)),
        ("evaluate + apply one week", summary_ms(cycle_samples)),
    ]
