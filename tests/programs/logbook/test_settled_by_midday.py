"""§D2 row 2 end to end: next-morning pain +1..+2 over baseline is amber only if it settled
by midday. The runner's answer (through PATCH /api/v1/checkins/{id}/) reaches the weekly
evaluation, where "not settled" makes a +2 morning red."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from programs.logbook.models import MorningCheckin
from programs.logbook.services import checkin_create, session_log_create
from programs.plans.models import PlanSession
from programs.plans.services.recording import progression_evaluate
from tests.programs.conftest import week_window


def log_week_one_with_a_sore_morning(plan) -> MorningCheckin:
    """Week 1 logged; the first session was amber during (3/10) and the morning after it
    is +2 over the baseline of 3; every other morning is at baseline or below."""
    sessions = PlanSession.objects.filter(plan=plan, week__number=1).order_by("date")
    sore = None
    for index, session in enumerate(sessions.prefetch_related("prescriptions")):
        session_log_create(
            runner=plan.runner,
            session=session,
            exercises=[
                {
                    "prescription": rx.pk,
                    "sets_done": rx.sets,
                    "reps_done": [rx.reps or 1] * rx.sets,
                    "hold_seconds": rx.hold_seconds,
                    "rpe": 4,
                    "pain_during": 3 if index == 0 else 1,
                }
                for rx in session.prescriptions.all()
            ],
            pain_after=1,
        )
        checkin = checkin_create(
            runner=plan.runner,
            date=session.date + dt.timedelta(days=1),
            pain=5 if index == 0 else 2,
        )
        sore = sore or checkin
    return sore


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("settled", "red"),
    [(True, False), (None, False), (False, True)],
    ids=["settled-amber", "unanswered-amber", "not-settled-red"],
)
def test_d2_a_plus_two_morning_not_settled_by_midday_is_red(make_plan, time_machine, settled, red):
    plan = make_plan()  # baseline 3
    time_machine.move_to(dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC))
    sore = log_week_one_with_a_sore_morning(plan)
    client = APIClient()
    client.force_authenticate(plan.runner)
    if settled is not None:
        answer = client.patch(
            f"/api/v1/checkins/{sore.pk}/", {"settled_by_midday": settled}, format="json"
        )
        assert answer.status_code == 200, answer.json()

    window = week_window(plan, 1)
    decisions = progression_evaluate(plan=plan, window=window)

    assert sore.pain - plan.baseline_pain == 2
    assert [c.settled_by_midday for c in window.checkins if c.date == sore.date] == [settled]
    regressed = {d.slot_key for d in decisions if d.kind == "regress"}
    if red:  # a red morning (§C regression rule): the session before it is lightened
        assert regressed
        assert all(d.rule.startswith(("C.morning_flare", "D2.red")) for d in decisions)
    else:  # amber: no regression (the later green sessions may still progress, §D2)
        assert not regressed
        assert not any(d.rule.startswith(("C.", "D2.red")) for d in decisions)
