import datetime as dt

from programs.engine.serialize import from_json, to_json
from programs.engine.specs import Policy, PrescriptionDraft, RunnerContext, RunningStatus


def test_round_trip_of_nested_dataclasses_with_dates_sets_and_optionals():
    context = RunnerContext(
        condition="gluteal_tendinopathy",
        irritability="moderate",
        baseline_pain=3.5,
        equipment=frozenset({"mat", "mini_band"}),
        strength_days_per_week=3,
        preferred_weekdays=(0, 2, 4),
        long_run_weekday=6,
        hard_session_weekdays=(),
        running=RunningStatus(mode="walk_run", walk_run_stage=3),
        start_date=dt.date(2026, 11, 30),
        timezone="Europe/Amsterdam",
    )
    data = to_json(context)

    assert data["equipment"] == ["mat", "mini_band"]
    assert data["start_date"] == "2026-11-30"
    assert from_json(RunnerContext, data) == context


def test_policy_and_prescription_round_trip():
    policy = Policy(locked_exercises=frozenset({"br-1"}), require_approval=True)
    rx = PrescriptionDraft(slot_key="p1-bridge", exercise="br-1", sets=2, reps=10, load_kg=None)

    assert from_json(Policy, to_json(policy)) == policy
    assert from_json(PrescriptionDraft, to_json(rx)) == rx
    assert from_json(Policy, {}) == Policy()  # stored partial policy fills defaults
