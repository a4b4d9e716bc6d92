"""Safety rules of the engine (issue #10), pure: no database.

Each test names the section of clinical-evidence.md it checks. Several run on the real
templates of the content library (tests/programs/plans/content_specs.py reads the YAML).
Rule ids and new helpers are reached through their modules (rules.X, planner.X), so a
missing one fails its own test rather than the whole file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import string

import pytest

from programs.engine import planner, progression, rules, specs
from programs.engine.planner import generate_plan, phase_by_key, phase_prescriptions
from programs.engine.progression import apply_decisions, evaluate, weekly_volume
from programs.engine.serialize import from_json, to_json
from programs.engine.specs import (
    SOURCE_KEYS,
    DecisionKind,
    EvaluationWindow,
    ExerciseLog,
    FlareUp,
    MorningCheckin,
    PlanState,
    Policy,
    RunLog,
    RunningStatus,
    RunTarget,
    SessionLog,
)
from tests.programs.engine.content_specs import content_template, content_templates
from tests.programs.engine.engine_fixtures import ITBS, itbs_template, runner, simulate

GT = "gluteal_tendinopathy"
START = dt.date(2026, 3, 2)  # a Monday
BASELINE = 3.0
KIT = frozenset(
    {
        "none",
        "mat",
        "belt",
        "wall",
        "chair",
        "step",
        "box",
        "bench",
        "mini_band",
        "long_band",
        "dumbbell",
        "barbell",
    }
)
NO_KIT = frozenset({"none"})


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def state_for(
    template,
    phase_key,
    *,
    condition=None,
    features=frozenset(),
    equipment=KIT,
    run=None,
    changes=None,
    phase_started_on=START,
    **kw,
):
    condition = condition or template.condition
    phase = phase_by_key(template, phase_key)
    entry, _ = phase_prescriptions(
        template, phase, condition=condition, equipment=equipment, features=features
    )
    changes = changes or {}
    prescriptions = tuple(dataclasses.replace(p, **changes.get(p.slot_key, {})) for p in entry)
    return PlanState(
        template_slug=template.slug,
        condition=condition,
        phase_key=phase_key,
        phase_started_on=phase_started_on,
        baseline_pain=BASELINE,
        equipment=equipment,
        prescriptions=prescriptions,
        run=run or RunTarget("pause", None, 0),
        features=frozenset(features),
        **kw,
    )


def dose(state, slot_key):
    return next(p for p in state.prescriptions if p.slot_key == slot_key)


def did(state, slot_key, pain=1.0, *, rpe=4.0, limp=False):
    p = dose(state, slot_key)
    return ExerciseLog(
        slot_key=slot_key,
        exercise=p.exercise,
        sets_done=p.sets,
        reps_done=(p.reps,) * p.sets if p.reps else (),
        hold_seconds=p.hold_seconds,
        rpe=rpe,
        pain_during=pain,
        pain_changed_movement=limp,
    )


def session(n, *logs, pain_after=None):
    return SessionLog(date=day(n), exercises=tuple(logs), pain_after=pain_after)


def calm_mornings(first=1, last=7, **overrides):
    return tuple(
        MorningCheckin(date=day(d), pain=overrides.get(f"d{d}", BASELINE - 1))
        for d in range(first, last + 1)
    )


def window(*sessions, starts=0, checkins=None, runs=(), flare_ups=(), previous=(), **kw):
    return EvaluationWindow(
        starts_on=day(starts),
        ends_on=day(starts + 6),
        sessions=tuple(sessions),
        checkins=calm_mornings(starts + 1, starts + 7) if checkins is None else checkins,
        runs=tuple(runs),
        flare_ups=tuple(flare_ups),
        previous_weekly_pain=previous,
        **kw,
    )


def kinds(decisions):
    return [(d.kind, d.rule, d.slot_key) for d in decisions]


GT_T = content_template("gluteal-tendinopathy")
ITB_T = content_template("proximal-itbs")


# --- 1. §D2 / §G: pain that changes the movement (a limp) is a warning sign -------------------


def test_g_d2_limp_in_an_exercise_log_pauses_and_refers_instead_of_an_ordinary_red():
    state = state_for(GT_T, "gt-p2")
    logs = window(session(0, did(state, "gt-p2-bridge", 1, limp=True)))
    decisions = evaluate(state, logs, GT_T, Policy(require_approval=True))

    assert kinds(decisions) == [(DecisionKind.PAUSE_AND_REFER, rules.MOVEMENT_REFER, None)]
    refer = decisions[0]
    assert refer.alert_physio
    assert not refer.requires_approval
    assert refer.sources
    assert set(refer.sources) <= set(SOURCE_KEYS)
    assert "limp" in refer.explanation["en"]
    assert "mank" in refer.explanation["nl"]
    assert apply_decisions(state, decisions).paused


def test_g_d2_limp_in_a_run_log_pauses_and_refers():
    state = state_for(GT_T, "gt-p2", run=RunTarget("reduce", None, 60))
    logs = window(runs=(RunLog(day(1), 20, 1.0, pain_changed_movement=True),))
    assert kinds(evaluate(state, logs, GT_T)) == [
        (DecisionKind.PAUSE_AND_REFER, rules.MOVEMENT_REFER, None)
    ]


def test_g_limp_logged_for_a_day_already_evaluated_still_refers():
    """A limp logged late for a day a flare-up evaluation already read (the logging
    service evaluates that one day at once): still a pause, never skipped."""
    state = state_for(GT_T, "gt-p2", evaluated_through=day(6))
    one_day = EvaluationWindow(
        starts_on=day(3),
        ends_on=day(3),
        sessions=(session(3, did(state, "gt-p2-bridge", 2, limp=True)),),
    )
    assert [d.kind for d in evaluate(state, one_day, GT_T)] == [DecisionKind.PAUSE_AND_REFER]


# --- 2. §C: a red next morning lightens that session's exercises ----------------------------


def test_c_red_next_morning_lightens_the_root_isometrics_of_the_session_before():
    """Phase 1 of the real gluteal-tendinopathy plan: the isometric holds did not hurt
    during the session, but the morning after was red. Each is lightened once (the
    lying hold is at the root: less volume; the standing hold drops to the lying one)."""
    state = state_for(GT_T, "gt-p1")
    logs = window(
        session(0, did(state, "gt-p1-iso-lying", 0), did(state, "gt-p1-iso-standing", 1)),
        checkins=calm_mornings(d1=BASELINE + 4),
    )
    decisions = evaluate(state, logs, GT_T)

    by_slot = {d.slot_key: d for d in decisions if d.kind == DecisionKind.REGRESS}
    assert set(by_slot) == {"gt-p1-iso-lying", "gt-p1-iso-standing"}
    lying = by_slot["gt-p1-iso-lying"]
    assert lying.rule == rules.MORNING_REDUCE
    before, after = lying.changes[0].before, lying.changes[0].after
    cut = 1 - progression.dose_volume(after) / progression.dose_volume(before)
    assert 0.15 <= cut <= 0.35  # about policy.regress_volume_pct (25 %)
    standing = by_slot["gt-p1-iso-standing"]
    assert standing.rule == rules.MORNING_REGRESS
    assert standing.changes[0].after.exercise == "supine-isometric-abduction"
    assert not any(d.kind == DecisionKind.DELOAD for d in decisions)  # one red day


def test_c_two_red_mornings_still_give_one_step_per_exercise():
    state = state_for(GT_T, "gt-p2")
    once = window(
        session(0, did(state, "gt-p2-squat", 1)),
        session(2, did(state, "gt-p2-squat", 1)),
        checkins=calm_mornings(d1=BASELINE + 3),
    )
    twice = dataclasses.replace(once, checkins=calm_mornings(d1=BASELINE + 3, d3=BASELINE + 3))
    one = [d for d in evaluate(state, once, GT_T) if d.kind == DecisionKind.REGRESS]
    two = evaluate(state, twice, GT_T)
    regress = [d for d in two if d.kind == DecisionKind.REGRESS]
    assert [d.slot_key for d in regress] == ["gt-p2-squat"]
    assert regress[0].changes == one[0].changes  # the same single step
    assert [d.rule for d in two if d.kind == DecisionKind.DELOAD] == [rules.TWO_REDS_DELOAD]


def test_c_two_exercises_flaring_in_a_week_bring_a_lighter_week_and_alert_the_physio():
    """§C "(or one phase if >= 2 exercises flare in a week)": the engine takes the
    cautious, bounded step (each exercise a level down, plus a deload) and alerts the
    physiotherapist, who may move the plan back a phase."""
    state = state_for(GT_T, "gt-p2")
    logs = window(session(0, did(state, "gt-p2-bridge", 7), did(state, "gt-p2-squat", 6)))
    decisions = evaluate(state, logs, GT_T)

    assert [(d.kind, d.slot_key) for d in decisions if d.kind == DecisionKind.REGRESS] == [
        (DecisionKind.REGRESS, "gt-p2-bridge"),
        (DecisionKind.REGRESS, "gt-p2-squat"),
    ]
    deload = [d for d in decisions if d.kind == DecisionKind.DELOAD]
    assert [d.rule for d in deload] == [rules.MULTI_FLARE_DELOAD]
    assert deload[0].alert_physio
    assert deload[0].inputs["flaring_exercises"] == ["gt-p2-bridge", "gt-p2-squat"]


# --- 3. One red, one regression: flare-up windows and evaluated days ------------------------


def _after_week_one_with_a_red_friday():
    state = state_for(GT_T, "gt-p2")
    week1 = window(session(4, did(state, "gt-p2-squat", 7)))
    first = evaluate(state, week1, GT_T)
    assert [(d.kind, d.slot_key) for d in first] == [(DecisionKind.REGRESS, "gt-p2-squat")]
    assert first[0].rule in (rules.RED_REGRESS, rules.RED_REDUCE)
    return week1, apply_decisions(state, first)


def test_d2_a_flare_up_window_does_not_count_a_red_already_evaluated():
    """The flare-up on Tuesday of week 2 is evaluated with the six days before it, as
    the logbook builds that window: Friday's red of week 1 was already acted on, so the
    squat is not regressed again and the deload is the flare-up's, not two reds'."""
    week1, after = _after_week_one_with_a_red_friday()
    flare_window = EvaluationWindow(
        starts_on=day(2),
        ends_on=day(8),
        sessions=week1.sessions,
        checkins=calm_mornings(3, 8),
        flare_ups=(FlareUp(day(8), severity=6),),
    )
    decisions = evaluate(after, flare_window, GT_T)

    assert not any(d.kind == DecisionKind.REGRESS for d in decisions)
    assert [(d.kind, d.rule) for d in decisions] == [(DecisionKind.DELOAD, rules.FLARE_DELOAD)]
    assert decisions[0].inputs["red_days"] == [day(8).isoformat()]
    assert decisions[0].inputs["flare_severity"] == 6


def test_d2_the_weekly_evaluation_after_a_flare_up_does_not_count_its_days_again():
    week1, after = _after_week_one_with_a_red_friday()
    flare = FlareUp(day(8), severity=5)
    flare_window = EvaluationWindow(
        starts_on=day(2), ends_on=day(8), sessions=week1.sessions, flare_ups=(flare,)
    )
    after_flare = apply_decisions(after, evaluate(after, flare_window, GT_T))
    assert after_flare.evaluated_through == day(8)

    squat = dose(after_flare, "gt-p2-squat")
    week2 = EvaluationWindow(
        starts_on=day(7),
        ends_on=day(13),
        sessions=(
            SessionLog(
                day(8), (dataclasses.replace(did(after_flare, "gt-p2-squat"), pain_during=7),)
            ),
            session(10, did(after_flare, "gt-p2-squat", 1)),
            session(12, did(after_flare, "gt-p2-squat", 1)),
        ),
        # the morning after the flare is part of it; the later mornings are calm
        checkins=(MorningCheckin(day(9), BASELINE + 4), *calm_mornings(10, 14)),
        flare_ups=(flare,),
    )
    decisions = evaluate(after_flare, week2, GT_T)

    assert not any(d.kind in (DecisionKind.DELOAD, DecisionKind.REGRESS) for d in decisions)
    assert dose(apply_decisions(after_flare, decisions), "gt-p2-squat").exercise == (squat.exercise)


def test_c_a_red_morning_on_the_flare_ups_day_is_that_flare_up():
    state = state_for(GT_T, "gt-p2")
    logs = window(
        checkins=(MorningCheckin(day(3), BASELINE + 4), *calm_mornings(4, 7)),
        flare_ups=(FlareUp(day(3), severity=8), FlareUp(day(3), severity=4)),
    )
    decisions = evaluate(state, logs, GT_T)
    assert [(d.kind, d.rule) for d in decisions] == [(DecisionKind.DELOAD, rules.FLARE_DELOAD)]
    assert decisions[0].inputs["red_days"] == [day(3).isoformat()]
    assert decisions[0].inputs["flare_severity"] == 8
    assert decisions[0].inputs["flare_ups"] == [day(3).isoformat()] * 2


# --- 4. §D2: the last two sessions decide ----------------------------------------------------


def test_d2_two_green_sessions_after_an_earlier_amber_progress():
    state = state_for(GT_T, "gt-p2")
    logs = window(
        session(0, did(state, "gt-p2-bridge", 4)),
        session(2, did(state, "gt-p2-bridge", 1)),
        session(4, did(state, "gt-p2-bridge", 0)),
    )
    decisions = evaluate(state, logs, GT_T)
    assert [(d.kind, d.slot_key) for d in decisions] == [(DecisionKind.PROGRESS, "gt-p2-bridge")]


def test_d2_an_amber_in_the_latest_session_holds():
    state = state_for(GT_T, "gt-p2")
    logs = window(
        session(0, did(state, "gt-p2-bridge", 1)),
        session(2, did(state, "gt-p2-bridge", 1)),
        session(4, did(state, "gt-p2-bridge", 4)),
    )
    assert kinds(evaluate(state, logs, GT_T)) == [
        (DecisionKind.HOLD, rules.AMBER_HOLD, "gt-p2-bridge")
    ]


# --- 5. §D2: a deload cuts the total weekly volume by deload_volume_pct ---------------------


def _two_red_days(state):
    return window(flare_ups=(FlareUp(day(1)), FlareUp(day(4))))


PHASES = [
    (slug, phase.key) for slug, template in content_templates().items() for phase in template.phases
]


@pytest.mark.parametrize(("slug", "phase_key"), PHASES)
@pytest.mark.parametrize("at", ["entry", "top"])
def test_d2_deload_cuts_total_weekly_volume_by_the_policy_share_in_every_phase(slug, phase_key, at):
    template = content_template(slug)
    phase = phase_by_key(template, phase_key)
    slots = {s.key: s for s in phase.slots}
    state = state_for(template, phase_key)
    if at == "top":  # the phase's doses at the top of their ranges
        top = {}
        for p in state.prescriptions:
            slot = slots[p.slot_key]
            if p.hold_seconds:
                top[p.slot_key] = {"hold_seconds": slot.hold_seconds_max or p.hold_seconds}
            else:
                top[p.slot_key] = {"reps": slot.reps_max or p.reps}
        state = state_for(template, phase_key, changes=top)
    for policy in (Policy(), Policy(deload_volume_pct=30), Policy(deload_volume_pct=50)):
        decisions = evaluate(state, _two_red_days(state), template, policy)
        deloads = [d for d in decisions if d.kind == DecisionKind.DELOAD]
        assert len(deloads) == 1
        after = apply_decisions(state, deloads)
        before_volume = weekly_volume(state.prescriptions, template, phase_key)
        after_volume = weekly_volume(after.prescriptions, template, phase_key)
        cut = 100 * (1 - after_volume / before_volume)
        assert 30 <= cut <= 50, (slug, phase_key, policy.deload_volume_pct, round(cut, 1))
        if policy.deload_volume_pct == Policy().deload_volume_pct:  # at the policy value
            assert abs(cut - policy.deload_volume_pct) <= 5, (slug, phase_key, round(cut, 1))


def test_d2_deload_cuts_the_isometric_holds_too():
    state = state_for(GT_T, "gt-p1")
    (deload,) = [d for d in evaluate(state, _two_red_days(state), GT_T) if d.kind == "deload"]
    changed = {c.slot_key for c in deload.changes}
    assert {"gt-p1-iso-lying", "gt-p1-iso-standing"} <= changed


# --- 6. Every decision names a source -------------------------------------------------------


@pytest.mark.parametrize("rule_id", sorted(rules.RULES))
def test_every_rule_names_a_section_and_at_least_one_known_source(rule_id):
    rule = rules.RULES[rule_id]
    assert rule.sources, rule_id
    assert set(rule.sources) <= set(SOURCE_KEYS), rule_id
    assert "§" in rule.section, rule_id
    assert rule.en.strip()
    assert rule.nl.strip()
    assert rule.summary.strip()

    fields = [
        {f for _t, f, _s, _c in string.Formatter().parse(text) if f} for text in (rule.en, rule.nl)
    ]
    assert fields[0] == fields[1], rule_id  # the same figures in both languages


# --- 7. §A2: gluteal-tendinopathy features in the proximal-ITB pathway ----------------------


def _itb_runner(features, **kw):
    return dataclasses.replace(
        runner(condition=ITBS, equipment=KIT, **kw), features=frozenset(features)
    )


def _compressive_or_stretch(template, slugs):
    return {
        slug
        for slug in slugs
        if template.exercises[slug].compression == "C2"
        or GT in template.exercises[slug].not_for_conditions
    }


@pytest.mark.parametrize(
    "feature",
    ["lying_on_side_hurts", "single_leg_stance_pain", "crossing_legs_hurts", "painful_snapping"],
)
def test_a2_gt_features_in_the_itb_pathway_bring_no_stretch_and_no_c2_in_the_plan(feature):
    plan = generate_plan(ITB_T, _itb_runner({feature}))
    prescribed = {p.exercise for w in plan.weeks for s in w.sessions for p in s.prescriptions}
    assert prescribed
    assert _compressive_or_stretch(ITB_T, prescribed) == set()
    assert "itb-stretch" not in prescribed
    # a substitution, never an empty slot, where an easier exercise exists
    itb_p2 = next(w for w in plan.weeks if w.phase_key == "itb-p2")
    slots = {p.slot_key: p for s in itb_p2.sessions for p in s.prescriptions}
    assert slots["itb-p2-pelvic-drop"].exercise == "dynamic-hip-hitch"
    assert slots["itb-p2-pelvic-drop"].substitution_reason == "compression"


def test_a2_without_gt_features_the_itb_plan_keeps_its_stretch():
    plan = generate_plan(ITB_T, _itb_runner({"fixed_distance_pain"}))
    prescribed = {p.exercise for w in plan.weeks for s in w.sessions for p in s.prescriptions}
    assert {"itb-stretch", "pelvic-drop"} <= prescribed


def test_a2_gt_features_hold_through_progression_and_phase_advance():
    """Real ITB template, twelve green weeks: the phase advance, the next levels and the
    holds never bring in the stretch or a C2 exercise (pelvic drop is the hip hitch's next
    level; crossover step-up is phase 3's)."""
    who = _itb_runner({"lying_on_side_hurts"})
    weeks = simulate(ITB_T, who, 12)
    assert {w.state_after.phase_key for w in weeks} >= {"itb-p1", "itb-p2"}
    for week in weeks:
        slugs = {p.exercise for p in week.state_after.prescriptions}
        assert _compressive_or_stretch(ITB_T, slugs) == set(), week.week.number
        for decision in week.decisions:
            for change in decision.changes:
                if change.after is not None:
                    assert _compressive_or_stretch(ITB_T, {change.after.exercise}) == set()


def test_a2_gt_features_block_a_c2_next_level_in_a_late_itb_phase():
    state = state_for(
        ITB_T,
        "itb-p2",
        features={"single_leg_stance_pain"},
        changes={"itb-p2-pelvic-drop": {"reps": 30}},  # the top of the slot's 15..30
    )
    assert dose(state, "itb-p2-pelvic-drop").exercise == "dynamic-hip-hitch"
    logs = window(
        session(0, did(state, "itb-p2-pelvic-drop", 0)),
        session(2, did(state, "itb-p2-pelvic-drop", 0)),
        previous=(3.0,),
    )
    for decision in evaluate(state, logs, ITB_T):
        for change in decision.changes:
            assert change.after is None or change.after.exercise != "pelvic-drop"
    without = dataclasses.replace(state, features=frozenset())
    stepped = [
        c.after.exercise
        for d in evaluate(without, logs, ITB_T)
        for c in d.changes
        if c.slot_key == "itb-p2-pelvic-drop"
    ]
    assert stepped == ["pelvic-drop"]  # the control: without features it would progress


def test_a2_gt_feature_codes_cover_the_screening_questions():
    from programs.engine.screening import GT_FEATURES

    assert set(GT_FEATURES) <= specs.GT_FEATURE_CODES


# --- 8. Missing equipment never removes a core slot -----------------------------------------


@pytest.mark.parametrize(("slug", "phase_key"), PHASES)
def test_equipment_none_keeps_every_core_slot_with_an_equivalent_exercise(slug, phase_key):
    """Core slots are the isometric holds (planner.core_slot). With no equipment at all
    each keeps an exercise: no equipment, the same dosage type, no more compressive than
    the template's, allowed in the phase, and the substitution says why."""
    template = content_template(slug)
    phase = phase_by_key(template, phase_key)
    prescriptions, _ = phase_prescriptions(
        template, phase, condition=template.condition, equipment=NO_KIT
    )
    by_slot = {p.slot_key: p for p in prescriptions}
    core = [slot for slot in phase.slots if planner.core_slot(template, slot)]
    if phase.order == 1 and slug != "return-to-run-walk-run":
        assert core, "every first phase has an isometric slot"
    rank = specs.COMPRESSION_CLASSES.index
    for slot in core:
        assert slot.key in by_slot, slot.key
        given = template.exercises[by_slot[slot.key].exercise]
        original = template.exercises[slot.exercise]
        assert set(given.equipment) <= {"none"}
        assert given.dosage_type == original.dosage_type
        assert rank(given.compression) <= rank(original.compression)
        assert planner.exercise_fits(
            given, phase=phase, condition=template.condition, equipment=NO_KIT
        )
        if given.slug != original.slug:
            assert by_slot[slot.key].substituted_for == original.slug
            assert by_slot[slot.key].substitution_reason == "equipment"


def test_equipment_none_phase_one_of_the_gt_plan_keeps_both_isometrics():
    phase = phase_by_key(GT_T, "gt-p1")
    prescriptions, _ = phase_prescriptions(GT_T, phase, condition=GT, equipment=NO_KIT)
    given = {p.slot_key: p.exercise for p in prescriptions}
    assert given["gt-p1-iso-lying"] == "supine-isometric-abduction-hands"
    assert given["gt-p1-iso-standing"] == "standing-isometric-abduction-floor"


def test_the_stated_substitute_comes_before_leaving_a_slot_out():
    """No wall and no belt: the standing hold's regression (the belt hold) does not fit
    either, so the planner takes the standing hold's own substitute."""
    slot = next(s for s in phase_by_key(GT_T, "gt-p1").slots if s.key == "gt-p1-iso-standing")
    choice = planner.choose_exercise(
        GT_T, slot, phase_by_key(GT_T, "gt-p1"), GT, frozenset({"none", "mat"})
    )
    assert choice.exercise.slug == "standing-isometric-abduction-floor"
    assert (choice.substituted_for, choice.reason) == ("standing-isometric-abduction", "equipment")


# --- 9. §F1b: a walk-run phase starts at the runner's own stage ------------------------------


def test_f1b_the_plan_enters_the_walk_run_phase_at_the_stage_the_runner_covers():
    """Real gluteal-tendinopathy plan, a runner running 100 minutes a week: 60 % of it
    (60 minutes) in phase 3, which covers R1..R5 at three runs a week (R6 is 3 x 21)."""
    who = dataclasses.replace(
        runner(equipment=KIT), running=RunningStatus("continuous", weekly_minutes=100)
    )
    plan = generate_plan(GT_T, who)
    p4 = [w for w in plan.weeks if w.phase_key == "gt-p4"]
    assert p4
    assert p4[0].run.walk_run_stage == 5


def test_f1b_a_big_volume_never_starts_above_the_phases_last_stage():
    who = dataclasses.replace(
        runner(condition=ITBS, equipment=KIT),
        running=RunningStatus("continuous", weekly_minutes=600),
    )
    plan = generate_plan(ITB_T, who)
    itb_p2 = [w for w in plan.weeks if w.phase_key == "itb-p2"]
    assert itb_p2[0].run.walk_run_stage == phase_by_key(ITB_T, "itb-p2").run.walk_run_stage_max


def test_f1b_progression_enters_the_walk_run_phase_at_the_runners_own_stage():
    """A runner on walk-run stage R4 when the plan started; phase 1 does not run
    (reduce applies to continuous running). On the phase advance the walk-run phase
    (R2..R6) starts at R4, from state.running, not at R2."""
    who = runner(condition=ITBS, running=RunningStatus("walk_run", walk_run_stage=4))
    weeks = simulate(itbs_template(), who, 2)
    assert weeks[0].state_after.phase_key == "it-p2"
    assert weeks[0].state_after.run == RunTarget("walk_run", 4, None)
    assert weeks[1].week.run.walk_run_stage == 4


def test_f1b_a_state_stored_before_running_was_kept_still_loads():
    state = state_for(GT_T, "gt-p1")
    stored = to_json(state)
    del stored["running"]
    loaded = from_json(PlanState, stored)
    assert loaded.running == RunningStatus("not_running")
    assert loaded.prescriptions == state.prescriptions


# --- 10. §G / §h: no meaningful improvement after 12 weeks -> review -------------------------


def _week_twelve(state, *, mornings=BASELINE, previous=(3.0, 3.1, 2.9), outcomes=()):
    starts = 7 * 11
    return window(
        starts=starts,
        checkins=tuple(MorningCheckin(day(starts + d), mornings) for d in range(1, 8)),
        previous=previous,
        plan_started_on=START,
        outcomes=outcomes,
    )


def test_g_no_meaningful_improvement_after_12_weeks_flags_a_review_once():
    state = state_for(GT_T, "gt-p4", phase_started_on=day(40))
    decisions = evaluate(state, _week_twelve(state), GT_T, Policy(require_approval=True))

    reviews = [d for d in decisions if d.kind == DecisionKind.REVIEW]
    assert [d.rule for d in reviews] == [rules.NO_IMPROVEMENT_REVIEW]
    review = reviews[0]
    assert review.alert_physio
    assert not review.requires_approval
    assert review.changes == ()
    assert review.inputs["weeks_on_plan"] == 12
    assert "12" in review.explanation["en"]
    assert "12" in review.explanation["nl"]
    flagged = apply_decisions(state, decisions)
    assert flagged.review_flagged_on == day(84)
    assert (
        flagged.prescriptions
        == apply_decisions(
            state, [d for d in decisions if d.kind != DecisionKind.REVIEW]
        ).prescriptions
    )
    week13 = dataclasses.replace(_week_twelve(state), starts_on=day(84), ends_on=day(90))
    assert not [d for d in evaluate(flagged, week13, GT_T) if d.kind == DecisionKind.REVIEW]


def test_g_no_review_before_12_weeks_nor_for_prevention_plans():
    state = state_for(GT_T, "gt-p4")
    early = dataclasses.replace(_week_twelve(state), plan_started_on=day(7))  # 11 weeks
    assert not [d for d in evaluate(state, early, GT_T) if d.kind == DecisionKind.REVIEW]
    prevention = content_template("runner-prevention")
    healthy = state_for(prevention, "prev-p1")
    assert not [
        d for d in evaluate(healthy, _week_twelve(healthy), prevention) if d.kind == "review"
    ]


Score = specs.OutcomeScore


@pytest.mark.parametrize(
    ("weekly", "outcomes", "meaningful"),
    [
        ((3.0, 3.0), (), False),
        ((2.2, 2.2), (), False),  # 0.8 points, 27 % of the baseline of 3
        ((2.1, 2.1), (), True),  # 30 % of the baseline
        ((1.0, 1.0), (), True),  # 2 points
        ((3.0, 1.0), (), True),  # the last two weeks together: 2.0, a 33 % fall
        ((1.0, 3.0), (), True),
        ((), (), False),  # no figures: no evidence of improvement
        ((3.0,), (Score("lefs", 0, 50), Score("lefs", 12, 59)), True),  # LEFS +9
        ((3.0,), (Score("lefs", 0, 50), Score("lefs", 12, 58)), False),
        ((3.0,), (Score("psfs", 0, 4.0), Score("psfs", 8, 6.3)), True),  # PSFS +2.3
        ((3.0,), (Score("psfs", 0, 4.0), Score("psfs", 8, 6.2)), False),
        ((3.0,), (Score("psfs", 8, 9.0),), False),  # no baseline to compare with
    ],
)
def test_h_meaningful_improvement_by_pain_lefs_or_psfs(weekly, outcomes, meaningful):
    found = progression.meaningful_improvement(BASELINE, weekly, outcomes)
    assert found.meaningful is meaningful


def test_education_does_not_tie_the_holds_to_equipment_the_plan_may_substitute():
    """The plan swaps the wall and belt holds for holds without equipment; the education
    topics speak of "the isometric holds" so they stay true either way."""
    import yaml

    from programs.content.reading import CONTENT_DIR

    topics = yaml.safe_load((CONTENT_DIR / "education.yaml").read_text(encoding="utf-8"))
    words = {"en": ("wall", "belt"), "nl": ("muur", "riem")}
    for topic in topics["education"]:
        for language, forbidden in words.items():
            text = " ".join(topic[field][language] for field in ("title", "summary", "body"))
            assert not [w for w in forbidden if w in text.lower()], topic["slug"]
