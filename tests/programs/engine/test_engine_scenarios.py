"""Week-by-week scenarios written from the clinical notes: plan the week from the state,
log it, evaluate, apply (clinical-evidence §C phases, §D2 pain rules, §F1b ladder)."""

from __future__ import annotations

from programs.engine import rules
from programs.engine.planner import phase_by_key
from programs.engine.progression import weekly_volume
from programs.engine.specs import DecisionKind, RunningStatus
from tests.programs.engine.engine_fixtures import (
    EXERCISES,
    ITBS,
    gluteal_template,
    itbs_template,
    runner,
    simulate,
)


def _kinds(week):
    return [d.kind for d in week.decisions]


def test_green_runner_reaches_the_late_phase_and_the_walk_run_ladder():
    """Stays green for eight weeks: P1 -> P2 -> P3 -> P4 (return to run), stepping up the
    walk-run ladder two green repeats at a time."""
    template = gluteal_template()
    weeks = simulate(template, runner(), 8)
    phases = [w.week.phase_key for w in weeks]
    assert phases == ["gt-p1", "gt-p2", "gt-p2", "gt-p2", "gt-p3", "gt-p3", "gt-p4", "gt-p4"]
    advances = [w.week.number for w in weeks if DecisionKind.ADVANCE_PHASE in _kinds(w)]
    assert advances == [1, 4, 6]  # each phase after its weeks_min, once the criteria hold
    assert weeks[-1].state_after.phase_key == "gt-p4"
    assert [w.week.run.walk_run_stage for w in weeks[-2:]] == [2, 3]
    assert weeks[-1].state_after.run.walk_run_stage == 4
    assert weeks[-1].week.run.cadence_increase_pct == 5
    for w in weeks:
        assert not {DecisionKind.REGRESS, DecisionKind.DELOAD, DecisionKind.HOLD} & set(_kinds(w))
    # Strength grew inside P2: the bridge went up its rep bracket.
    p2_bridge = [
        d.changes[0].after.reps
        for w in weeks
        for d in w.decisions
        if d.slot_key == "p2-bridge" and d.kind == DecisionKind.PROGRESS
    ]
    assert p2_bridge == [10, 12]


def test_c_flare_in_week_three_regresses_then_recovers():
    """A red bridge session (and a red morning after it) in week 3: the bridge drops a
    level, and so does every other exercise of that session (§C: the session was too
    much); nothing progresses that week; green weeks after that progress it again."""
    template = gluteal_template()
    who = runner()

    def log_options(number, week):
        if number != 3:
            return {}
        first_day = (week.sessions[0].date - week.starts_on).days
        return {
            "exercise_pain": {(first_day, "p2-bridge"): 7},
            "mornings": {first_day: who.baseline_pain + 3},
        }

    weeks = simulate(template, who, 6, log_options=log_options)
    flare = weeks[2]
    assert flare.week.phase_key == "gt-p2"
    first_session = {p.slot_key for p in flare.week.sessions[0].prescriptions}
    assert flare.decisions[0].rule == rules.RED_REGRESS
    assert flare.decisions[0].slot_key == "p2-bridge"
    assert {d.kind for d in flare.decisions} == {DecisionKind.REGRESS}
    assert {d.slot_key for d in flare.decisions} == first_session
    assert {d.rule for d in flare.decisions[1:]} <= {rules.MORNING_REGRESS, rules.MORNING_REDUCE}
    before, after = flare.decisions[0].changes[0].before, flare.decisions[0].changes[0].after
    assert EXERCISES[after.exercise].level == EXERCISES[before.exercise].level - 1
    # Recovery: the next green week progresses the regressed bridge again.
    recovered = weeks[3]
    progress = [d for d in recovered.decisions if d.slot_key == "p2-bridge"]
    assert [d.kind for d in progress] == [DecisionKind.PROGRESS]
    assert progress[0].changes[0].before.exercise == after.exercise
    # ...and the runner still moves on through the phases afterwards.
    assert weeks[-1].state_after.phase_key in {"gt-p3", "gt-p4"}


def test_weekly_pain_rising_two_weeks_running_deloads_and_alerts():
    """Morning pain creeps up week on week (never above baseline, no single red): the
    first rise holds everything, the second makes the trend red -> deload, physio alerted."""
    template = gluteal_template()
    who = runner(baseline_pain=3.0)
    mornings = {1: 2.0, 2: 2.4, 3: 2.8}
    weeks = simulate(
        template, who, 3, log_options=lambda number, week: {"morning": mornings[number]}
    )
    assert _kinds(weeks[0]) == [DecisionKind.ADVANCE_PHASE]
    assert [(d.kind, d.rule) for d in weeks[1].decisions] == [
        (DecisionKind.HOLD, rules.WEEKLY_AMBER_HOLD)
    ]
    deload = weeks[2].decisions
    assert [(d.kind, d.rule) for d in deload] == [(DecisionKind.DELOAD, rules.TREND_DELOAD)]
    assert deload[0].alert_physio
    assert deload[0].inputs["rising_weeks"] == 2
    before = weekly_volume(weeks[1].state_after.prescriptions, template, "gt-p2")
    after = weekly_volume(weeks[2].state_after.prescriptions, template, "gt-p2")
    assert after <= before * (1 - 0.3)
    assert weeks[2].state_after.deload_from == deload[0].effective_from


def test_f1b_itbs_runner_keeps_running_reduced_then_walk_runs_from_their_own_stage():
    """ITBS: running halved in P1 (Fredericson & Weir), then the walk-run ladder in P2,
    entered at the stage the 60 minutes a week they run now already cover (R5: 3 x 16
    minutes; R6 would be 3 x 21), not at the phase's first stage (§F1b)."""
    template = itbs_template()
    who = runner(condition=ITBS, running=RunningStatus("continuous", weekly_minutes=120))
    weeks = simulate(template, who, 4)
    assert weeks[0].week.run.mode == "reduce"
    assert weeks[0].week.run.weekly_minutes == 60
    assert weeks[0].state_after.phase_key == "it-p2"
    assert weeks[1].week.run.mode == "walk_run"
    stages = [w.week.run.walk_run_stage for w in weeks[1:]]
    assert stages == sorted(stages)
    assert stages[0] == 5
    phase = phase_by_key(template, "it-p2")
    assert max(stages) <= phase.run.walk_run_stage_max
