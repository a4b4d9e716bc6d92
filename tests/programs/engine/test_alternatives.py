"""Alternatives for a swap and the physiotherapist's edits over a week (pure, no database).

Each rule is tied to its section of clinical-evidence.md (programs/engine/alternatives.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from programs.engine import alternatives as alt
from programs.engine.edits import overlay_week, week_changes, with_dose
from programs.engine.planner import phase_by_key, week_from_state
from programs.engine.progression import initial_state
from programs.engine.specs import AddedExercise, ExerciseSpec, SessionEdit, WeekDose
from tests.programs.engine.engine_fixtures import GT, ITBS, gluteal_template, runner


def ex(slug, level=2, compression="C0", family="bridge", equipment=("mat",), pattern="", **kw):
    return ExerciseSpec(
        slug=slug,
        name=slug,
        level=level,
        compression=compression,
        family=family,
        equipment=tuple(equipment),
        dosage_type="reps",
        default_sets=3,
        default_reps=10,
        movement_pattern=pattern,
        **kw,
    )


TEMPLATE = gluteal_template()
EARLY = phase_by_key(TEMPLATE, "gt-p1")
LATE = max(TEMPLATE.phases, key=lambda p: p.order)
SLOT = dataclasses.replace(EARLY.slots[2], min_level=1, max_level=3)


def test_a_c2_exercise_in_an_early_gluteal_tendinopathy_phase_breaks_the_hardest_rule():
    c2 = ex("crossover", compression="C2", family="step_up", equipment=("none",))
    broken = alt.broken_rules(c2, slot=None, phase=EARLY, condition=GT, equipment={"mat"})
    assert broken[0] == alt.EARLY_GT_COMPRESSION
    assert "§A1" in alt.RULES[alt.EARLY_GT_COMPRESSION].section
    # The same exercise for a proximal ITB runner without GT features breaks only the
    # phase's compression limit (C0 here), not the early GT rule.
    itb = alt.broken_rules(c2, slot=None, phase=EARLY, condition=ITBS, equipment={"mat"})
    assert itb == (alt.COMPRESSION,)
    # GT screening features bring the GT rule into the ITB pathway (§A2).
    featured = alt.broken_rules(
        c2, slot=None, phase=EARLY, condition=ITBS, equipment={"mat"}, features={"stairs_hurt"}
    )
    assert featured[0] == alt.EARLY_GT_COMPRESSION


def test_condition_level_and_equipment_rules():
    stretch = ex("itb-stretch", level=1, not_for_conditions=(GT,))
    assert alt.CONDITION in alt.broken_rules(
        stretch, slot=SLOT, phase=EARLY, condition=GT, equipment={"mat"}
    )
    heavy = ex("hip-thrust", level=5, equipment=("bench", "barbell"))
    broken = alt.broken_rules(heavy, slot=SLOT, phase=EARLY, condition=GT, equipment={"mat"})
    assert alt.LEVEL in broken
    assert alt.EQUIPMENT in broken
    fine = ex("offset-bridge", level=2)
    assert alt.broken_rules(fine, slot=SLOT, phase=EARLY, condition=GT, equipment={"mat"}) == ()


def test_alternatives_are_related_ranked_and_carry_their_reasons():
    current = ex("bridge", level=1, pattern="hip_extension")
    candidates = [
        current,
        ex("offset-bridge", level=2, pattern="hip_extension"),
        ex("single-leg-bridge", level=3, pattern="hip_extension"),
        ex("quad-extension", level=1, family="quadruped", pattern="hip_extension"),
        ex("band-bridge", level=1, equipment=("mini_band",)),  # runner has no band
        ex("side-step", level=1, family="lateral_walk", pattern="abduction"),  # unrelated
    ]
    ranked = alt.rank_alternatives(
        current, candidates, slot=SLOT, phase=EARLY, condition=GT, equipment={"mat"}
    )
    slugs = [a.exercise.slug for a in ranked]
    assert "side-step" not in slugs
    assert "bridge" not in slugs
    # Allowed first; same family before same pattern only; nearest level first.
    assert slugs == ["offset-bridge", "single-leg-bridge", "quad-extension", "band-bridge"]
    assert ranked[0].reasons == (alt.SAME_FAMILY, alt.SAME_PATTERN)
    assert ranked[2].reasons == (alt.SAME_PATTERN, alt.SAME_LEVEL)
    assert ranked[-1].broken == (alt.EQUIPMENT,)
    assert not ranked[-1].allowed
    only = alt.rank_alternatives(
        current,
        candidates,
        slot=SLOT,
        phase=EARLY,
        condition=GT,
        equipment={"mat"},
        include_broken=False,
    )
    assert all(a.allowed for a in only)
    assert len(only) == 3


def test_an_override_needs_a_written_reason():
    assert alt.override_needs_reason((alt.EARLY_GT_COMPRESSION,), "  ")
    assert not alt.override_needs_reason(
        (alt.EARLY_GT_COMPRESSION,), "Late-stage runner, pain-free."
    )
    assert not alt.override_needs_reason((), "")


def test_impossible_doses_are_named_by_field():
    bridge = ex("bridge")
    problems = alt.dose_problems(
        sets=0, reps=101, hold_seconds=None, load_kg=5, rest_seconds=900, exercise=bridge
    )
    assert problems == {
        "sets": "sets_range",
        "reps": "reps_range",
        "load_kg": "not_loadable",
        "rest_seconds": "rest_range",
    }


def _week(state, number=2):
    context = runner()
    starts = context.start_date + dt.timedelta(weeks=number - 1)
    return week_from_state(TEMPLATE, context, state, number=number, starts_on=starts)


def test_edits_are_laid_over_the_week():
    state = initial_state(TEMPLATE, runner())
    before = _week(state)
    strength = [s for s in before.sessions if s.kind == "strength"]
    first, rx = strength[0], strength[0].prescriptions[-1]
    moved_to = first.date + dt.timedelta(days=1)
    assert all(s.date != moved_to or s.kind != "strength" for s in before.sessions)
    extra = dataclasses.replace(rx, slot_key="x-extra", exercise="bridge")
    edited = dataclasses.replace(
        state,
        added=(AddedExercise("strength", extra),),
        week_doses=(WeekDose(before.starts_on, with_dose(rx, {"sets": 1, "tempo": "3-1-1"})),),
        session_edits=(SessionEdit("strength", first.date, moved_to),),
    )
    after = _week(edited)
    dates = {(s.date, s.kind) for s in after.sessions}
    assert (first.date, "strength") not in dates
    assert (moved_to, "strength") in dates
    every_strength = [s for s in after.sessions if s.kind == "strength"]
    assert all("x-extra" in {p.slot_key for p in s.prescriptions} for s in every_strength)
    doses = [p for s in every_strength for p in s.prescriptions if p.slot_key == rx.slot_key]
    assert doses
    assert all(p.sets == 1 and p.tempo == "3-1-1" for p in doses)
    # The one-week dose does not reach the next week.
    assert all(
        p.sets == rx.sets
        for s in _week(edited, 3).sessions
        for p in s.prescriptions
        if p.slot_key == rx.slot_key
    )
    changes = week_changes(before, after)
    assert {c.slot_key for c in changes} >= {"x-extra", rx.slot_key}
    assert overlay_week(before, state) == before  # no edits: the week as planned
