"""A relayout updates the plan in place: a session planned for the same date and kind keeps
its id (links in reminders, the calendar feed and open pages stay valid), its prescriptions
are updated by slot, its sequence rises only when what it shows changed; unlogged sessions
no longer planned go, new ones come; a fixed number of statements per relayout."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programs.engine.specs import Policy
from programs.plans.models import Decision, PlanSession, Prescription
from programs.plans.services.approvals import decision_approve
from programs.plans.services.layout import plan_relayout
from programs.plans.services.recording import progression_evaluate
from tests.programs.conftest import (
    MONDAY,
    TUESDAY_WEEK2,
    log_week_green,
    log_week_meeting_the_exit_criteria,
    week_window,
)

pytestmark = pytest.mark.django_db

WEEK2 = MONDAY + dt.timedelta(days=7)


def snapshot(plan, since=WEEK2):
    """(date, kind) -> (id, sequence, ((slot, rx id, sets, reps, hold), ...)) from `since`."""
    out = {}
    for session in (
        PlanSession.objects.filter(plan=plan, date__gte=since)
        .prefetch_related("prescriptions")
        .order_by("date", "kind")
    ):
        rx = tuple(
            (p.slot_key, p.pk, p.sets, p.reps, p.hold_seconds, p.exercise_id)
            for p in session.prescriptions.all()
        )
        out[(session.date, session.kind)] = (session.pk, session.sequence, rx)
    return out


def test_a_pending_phase_change_keeps_the_plan_in_the_current_phase_with_the_same_ids(
    make_plan, time_machine
):
    plan = make_plan(policy=Policy(require_approval=True))
    before = snapshot(plan)
    assert {rx[0][0].split("-")[1] for _pk, _seq, rx in before.values() if rx} >= {"p2"}
    time_machine.move_to(TUESDAY_WEEK2)
    log_week_meeting_the_exit_criteria(plan)

    progression_evaluate(plan=plan, window=week_window(plan, 1))

    assert Decision.objects.filter(
        plan=plan, status=Decision.Status.PENDING, phase_after="gt-p2"
    ).exists()
    after = snapshot(plan)
    # Week 2 on is laid out in the phase in force (gt-p1), not the one waiting for approval.
    slots = {slot for _pk, _seq, rx in after.values() for slot, *_ in rx}
    assert slots
    assert all(slot.startswith("gt-p1-") for slot in slots)
    # A strength session planned before and after keeps its id; what it shows changed.
    kept = {key: value for key, value in after.items() if key in before}
    assert kept
    for key, (pk, sequence, _rx) in kept.items():
        assert pk == before[key][0]
        assert sequence == before[key][1] + 1
    # The daily isometric top-ups of the first phase are new sessions.
    assert any(kind == "isometric" for _day, kind in set(after) - set(before))


def test_approving_the_phase_change_updates_in_place_and_removes_what_is_no_longer_planned(
    make_plan, physio, time_machine
):
    plan = make_plan(policy=Policy(require_approval=True))
    time_machine.move_to(TUESDAY_WEEK2)
    log_week_meeting_the_exit_criteria(plan)
    progression_evaluate(plan=plan, window=week_window(plan, 1))
    pending = snapshot(plan)
    advance = Decision.objects.get(plan=plan, status=Decision.Status.PENDING, phase_after="gt-p2")

    decision_approve(decision=advance, physio=physio)

    approved = snapshot(plan)
    slots = {slot for _pk, _seq, rx in approved.values() for slot, *_ in rx}
    assert slots
    assert all(slot.startswith("gt-p2-") for slot in slots)
    # Isometric-only days belong to the first phase: unlogged, they are removed...
    assert not [key for key in approved if key[1] == "isometric"]
    gone = [pk for key, (pk, _s, _r) in pending.items() if key not in approved]
    assert gone
    assert not PlanSession.objects.filter(pk__in=gone).exists()
    # ...while the strength sessions keep their ids, with new prescriptions and sequence.
    for key, (pk, sequence, rx) in approved.items():
        assert pk == pending[key][0]
        assert sequence == pending[key][1] + 1
        assert rx != pending[key][2]
    # Logged sessions of week 1 were not touched.
    logged = PlanSession.objects.filter(plan=plan, log__isnull=False)
    assert logged.count()
    assert all(s.sequence == 0 for s in logged)


def test_a_relayout_that_changes_nothing_keeps_every_id_and_sequence(make_plan, time_machine):
    plan = make_plan()
    time_machine.move_to(TUESDAY_WEEK2)
    log_week_green(plan, 1)
    progression_evaluate(plan=plan, window=week_window(plan, 1))
    plan.refresh_from_db()
    before = snapshot(plan)
    rx_ids = set(Prescription.objects.filter(session__plan=plan).values_list("pk", flat=True))

    assert plan_relayout(plan_id=plan.pk, revision_id=plan.current_revision_id) is True

    assert snapshot(plan) == before
    assert set(Prescription.objects.filter(session__plan=plan).values_list("pk", flat=True)) == (
        rx_ids
    )


def test_a_progression_updates_prescriptions_by_slot_and_bumps_only_changed_sessions(
    make_plan, time_machine
):
    plan = make_plan()
    time_machine.move_to(TUESDAY_WEEK2)
    log_week_green(plan, 1)
    progression_evaluate(plan=plan, window=week_window(plan, 1))
    week3 = WEEK2 + dt.timedelta(days=7)
    before = snapshot(plan, since=week3)
    time_machine.move_to(TUESDAY_WEEK2 + dt.timedelta(days=7))
    log_week_green(plan, 2)

    decisions = progression_evaluate(plan=plan, window=week_window(plan, 2))

    assert any(d.kind == "progress" for d in decisions)
    after = snapshot(plan, since=week3)
    assert set(after) == set(before)
    bumped = 0
    for key, (pk, sequence, rx) in after.items():
        old_pk, old_sequence, old_rx = before[key]
        assert pk == old_pk
        assert [(slot, rx_id) for slot, rx_id, *_ in rx] == [
            (slot, rx_id) for slot, rx_id, *_ in old_rx
        ]
        changed = rx != old_rx
        assert sequence == old_sequence + (1 if changed else 0)
        bumped += changed
    assert bumped


def _shapes(queries) -> list[str]:
    """Statements with their values and value lists collapsed, consecutive repeats merged:
    SQLite splits one bulk statement into batches by its parameter limit; PostgreSQL
    sends each as one statement."""
    shapes = []
    for query in queries:
        sql = re.sub(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b|%s|\?|NULL", "v", query["sql"])
        sql = re.sub(r'"s\w+_x\w+"', "v", sql)  # savepoint names
        sql = re.sub(r"\((?:v, )*v\)", "(…)", sql)
        sql = re.sub(r"\(…\)(?:, \(…\))+", "(…)", sql)
        sql = re.sub(r"(?:WHEN \(\S+ = v\) THEN v )+", "WHEN … ", sql)
        if not shapes or shapes[-1] != sql:
            shapes.append(sql)
    return shapes


def test_a_relayout_takes_a_fixed_number_of_statements_whatever_the_plan_length(
    content, time_machine
):
    from programs.content.models import ProgramTemplate
    from programs.logbook.models import Screening
    from programs.logbook.services import plan_start
    from tests.factories import UserFactory
    from tests.programs.conftest import runner_context

    time_machine.move_to(dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC))
    shapes = {}
    for weeks in (4, 16):
        runner = UserFactory(email=f"length{weeks}@example.com")
        Screening.objects.create(
            runner=runner,
            answers={},
            outcome="ok",
            condition="gluteal_tendinopathy",
            baseline_pain=3,
        )
        plan = plan_start(
            runner=runner,
            template=ProgramTemplate.objects.get(slug="gluteal-tendinopathy"),
            context=runner_context(),
            weeks=weeks,
        )
        # The generated later phases laid out again in the phase in force: sessions
        # updated, prescriptions replaced, isometric days added.
        with CaptureQueriesContext(connection) as captured:
            plan_relayout(plan_id=plan.pk, revision_id=plan.current_revision_id, from_date=WEEK2)
        shapes[weeks] = _shapes(captured.captured_queries)
        assert PlanSession.objects.filter(plan=plan).count() >= 6 * weeks

    assert len(shapes[16]) == len(shapes[4])
