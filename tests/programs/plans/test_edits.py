"""A physiotherapist's edits: each a new revision (who, when, why), laid out in place, the
engine's new baseline; overrides need a reason; stale versions and moot decisions."""

from __future__ import annotations

import datetime as dt

import pytest

from programs.engine import alternatives as rules
from programs.engine.specs import Policy
from programs.plans.models import Decision, PlanRevision, PlanSession, Prescription
from programs.plans.services import edits
from programs.plans.services.edits import Edit, OverrideRequired
from programs.plans.services.recording import progression_evaluate
from programs.plans.services.state import plan_state
from rehab.core.errors import ApplicationError, ConflictError
from tests.programs.plans.test_plan_services import log_week_green, week_window

TUESDAY = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(make_plan, time_machine):
    time_machine.move_to(TUESDAY, tick=False)
    return make_plan()


def upcoming(plan, slot_key):
    return Prescription.objects.filter(
        session__plan=plan, session__date__gte=TUESDAY.date(), slot_key=slot_key
    )


def test_alternatives_for_the_bridge_are_ranked_with_reasons(plan):
    ranked = edits.swap_alternatives(plan=plan, slot_key="gt-p1-bridge")
    slugs = [a.exercise.slug for a in ranked]
    assert slugs[0] == "offset-bridge"
    assert ranked[0].allowed
    assert rules.SAME_FAMILY in ranked[0].reasons
    assert "quadruped-hip-extension" in slugs  # the same movement pattern
    thrust = next(a for a in ranked if a.exercise.slug == "hip-thrust")
    assert rules.LEVEL in thrust.broken


def test_a_swap_is_a_revision_laid_out_and_the_new_baseline(plan, physio):
    revision = edits.plan_edit_apply(
        plan=plan,
        edit=Edit(action=edits.SWAP, slot_key="gt-p1-bridge", exercise="offset-bridge"),
        by=physio,
        expected_version=plan.version,
    )
    plan.refresh_from_db()
    assert plan.current_revision == revision
    assert revision.kind == PlanRevision.Kind.PHYSIO
    assert revision.created_by == physio
    assert revision.changes[0]["action"] == "swap"
    assert revision.changes[0]["after"]["exercise"] == "offset-bridge"
    rows = upcoming(plan, "gt-p1-bridge")
    assert rows.exists()
    assert {r.exercise.slug for r in rows} == {"offset-bridge"}
    # Sessions before today are not touched.
    past = Prescription.objects.filter(
        session__plan=plan, session__date__lt=TUESDAY.date(), slot_key="gt-p1-bridge"
    )
    assert {r.exercise.slug for r in past} <= {"double-leg-bridge"}
    assert any(rx.exercise == "offset-bridge" for rx in plan_state(plan).prescriptions)


def test_a_compressive_exercise_in_an_early_phase_is_refused_without_a_reason(plan, physio):
    edit = Edit(action=edits.SWAP, slot_key="gt-p1-bridge", exercise="crossover-step-up")
    with pytest.raises(OverrideRequired) as refused:
        edits.plan_edit_apply(plan=plan, edit=edit, by=physio, expected_version=plan.version)
    assert refused.value.broken[0] == rules.EARLY_GT_COMPRESSION
    assert "§A1" in refused.value.fields["reason"][0]
    plan.refresh_from_db()
    assert plan.revisions.count() == 1
    reason = "Pain-free on stairs for 3 weeks; I want the step-up now."
    revision = edits.plan_edit_apply(
        plan=plan,
        edit=Edit(
            action=edits.SWAP, slot_key="gt-p1-bridge", exercise="crossover-step-up", reason=reason
        ),
        by=physio,
        expected_version=plan.version,
    )
    assert revision.reason == reason
    assert revision.overrides[0]["rule"] == rules.EARLY_GT_COMPRESSION
    assert revision.overrides[0]["reason"] == reason


def test_a_stale_version_is_refused(plan, physio):
    stale = plan.version
    edits.plan_edit_apply(
        plan=plan,
        edit=Edit(action=edits.PLAN_NOTE, text="Keep the knees apart."),
        by=physio,
        expected_version=stale,
    )
    with pytest.raises(ConflictError):
        edits.plan_edit_apply(
            plan=plan,
            edit=Edit(action=edits.PLAN_NOTE, text="Another note."),
            by=physio,
            expected_version=stale,
        )
    plan.refresh_from_db()
    assert plan.note == "Keep the knees apart."


def test_dose_this_week_only_and_from_now_on(plan, physio):
    edits.plan_edit_apply(
        plan=plan,
        edit=Edit(
            action=edits.DOSE,
            slot_key="gt-p1-bridge",
            dose={"sets": 1, "tempo": "3-1-1"},
            scope="week",
        ),
        by=physio,
        expected_version=plan.version,
    )
    plan.refresh_from_db()
    this_week = upcoming(plan, "gt-p1-bridge").filter(session__date__lt=dt.date(2026, 12, 7))
    later = upcoming(plan, "gt-p1-bridge").filter(session__date__gte=dt.date(2026, 12, 7))
    assert {(r.sets, r.tempo) for r in this_week} == {(1, "3-1-1")}
    assert {r.sets for r in later} == {2}
    edits.plan_edit_apply(
        plan=plan,
        edit=Edit(action=edits.DOSE, slot_key="gt-p1-bridge", dose={"reps": 12}),
        by=physio,
        expected_version=plan.version,
    )
    assert {r.reps for r in upcoming(plan, "gt-p1-bridge")} == {12}


def test_impossible_dose_names_the_field(plan, physio):
    with pytest.raises(ApplicationError) as refused:
        edits.plan_edit_apply(
            plan=plan,
            edit=Edit(action=edits.DOSE, slot_key="gt-p1-bridge", dose={"sets": 0, "load_kg": 4}),
            by=physio,
            expected_version=plan.version,
        )
    assert set(refused.value.fields) == {"sets", "load_kg"}


def test_preview_shows_before_and_after_per_week_and_writes_nothing(plan):
    version = plan.version
    weeks, broken = edits.plan_edit_preview(
        plan=plan, edit=Edit(action=edits.DOSE, slot_key="gt-p1-bridge", dose={"sets": 3})
    )
    assert broken == ()
    assert len(weeks) >= 2
    change = weeks[0].changes[0]
    assert (change.before.sets, change.after.sets) == (2, 3)
    assert all(c.date >= TUESDAY.date() for w in weeks for c in w.changes)
    plan.refresh_from_db()
    assert plan.version == version
    assert {r.sets for r in upcoming(plan, "gt-p1-bridge")} == {2}


def test_sessions_move_add_remove_and_training_days(plan, physio):
    session = PlanSession.objects.filter(
        plan=plan, kind="strength", date__gt=TUESDAY.date()
    ).first()
    to = session.date + dt.timedelta(days=1)
    edits.plan_edit_apply(
        plan=plan,
        edit=Edit(action=edits.SESSION_MOVE, kind="strength", date=session.date, to_date=to),
        by=physio,
        expected_version=plan.version,
    )
    plan.refresh_from_db()
    strength = set(
        PlanSession.objects.filter(plan=plan, kind="strength").values_list("date", flat=True)
    )
    assert session.date not in strength
    assert to in strength
    edits.plan_edit_apply(
        plan=plan,
        edit=Edit(action=edits.SESSION_REMOVE, kind="strength", date=to),
        by=physio,
        expected_version=plan.version,
    )
    assert not PlanSession.objects.filter(plan=plan, kind="strength", date=to).exists()
    plan.refresh_from_db()
    edits.plan_edit_apply(
        plan=plan,
        edit=Edit(action=edits.TRAINING_DAYS, weekdays=(1, 3), long_run_weekday=5),
        by=physio,
        expected_version=plan.version,
    )
    plan.refresh_from_db()
    later = PlanSession.objects.filter(plan=plan, kind="strength", date__gte=dt.date(2026, 12, 7))
    assert {d.weekday() for d in later.values_list("date", flat=True)} <= {1, 3}
    assert plan.context["long_run_weekday"] == 5


def test_add_and_remove_an_exercise_and_notes(plan, physio):
    edits.plan_edit_apply(
        plan=plan,
        edit=Edit(action=edits.ADD_EXERCISE, exercise="lateral-band-walk", kind="strength"),
        by=physio,
        expected_version=plan.version,
    )
    plan.refresh_from_db()
    assert upcoming(plan, "x-lateral-band-walk").exists()
    edits.plan_edit_apply(
        plan=plan,
        edit=Edit(
            action=edits.NOTE, slot_key="x-lateral-band-walk", text="Pillow between the knees."
        ),
        by=physio,
        expected_version=plan.version,
    )
    plan.refresh_from_db()
    assert {r.notes for r in upcoming(plan, "x-lateral-band-walk")} == {"Pillow between the knees."}
    edits.plan_edit_apply(
        plan=plan,
        edit=Edit(action=edits.REMOVE_EXERCISE, slot_key="x-lateral-band-walk"),
        by=physio,
        expected_version=plan.version,
    )
    assert not upcoming(plan, "x-lateral-band-walk").exists()


def test_pending_decisions_about_the_edited_slot_are_closed_with_a_reason(
    make_plan, physio, time_machine
):
    plan = make_plan(policy=Policy(require_approval=True))
    time_machine.move_to(dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC), tick=False)
    log_week_green(plan, 1)
    progression_evaluate(plan=plan, window=week_window(plan, 1))
    plan.refresh_from_db()
    pending = Decision.objects.filter(plan=plan, status=Decision.Status.PENDING).exclude(
        slot_key=""
    )
    decision = pending.first()
    assert decision is not None
    edits.plan_edit_apply(
        plan=plan,
        edit=Edit(action=edits.DOSE, slot_key=decision.slot_key, dose={"sets": 1}),
        by=physio,
        expected_version=plan.version,
    )
    decision.refresh_from_db()
    assert decision.status == Decision.Status.REJECTED
    assert decision.decided_by == physio
    assert "physiotherapist" in decision.closed_reason["en"]
    assert "fysiotherapeut" in decision.closed_reason["nl"]


def test_a_session_already_planned_that_day_is_refused_before_writing(plan, physio):
    isometric = set(
        PlanSession.objects.filter(plan=plan, kind="isometric").values_list("date", flat=True)
    )
    strength = set(
        PlanSession.objects.filter(plan=plan, kind="strength").values_list("date", flat=True)
    )
    # A phase-1 week lays isometrics out on the days without strength; a second strength
    # session on a strength day is refused as a duplicate, nothing is written.
    day = min(d for d in strength if d > dt.date(2026, 12, 1))
    with pytest.raises(ApplicationError):
        edits.plan_edit_apply(
            plan=plan,
            edit=Edit(action=edits.SESSION_ADD, kind="strength", date=day),
            by=physio,
            expected_version=plan.version,
        )
    assert plan.revisions.count() == 1
    assert isometric
