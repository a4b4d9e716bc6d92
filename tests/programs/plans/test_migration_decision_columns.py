"""Migration 0003 moves a decision's phase and run transitions out of the old payload."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("plans", "0002_plan_evaluation_schedule")]
AFTER = [("plans", "0003_decision_columns_instead_of_payload")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_transitions_are_copied_from_the_payload():
    old = _migrate(BEFORE)
    try:
        user = old.get_model("accounts", "User").objects.create(email="m@example.com")
        condition = old.get_model("plans", "Condition").objects.create(
            code="gluteal_tendinopathy", name="GT", description="-"
        )
        template = old.get_model("plans", "ProgramTemplate").objects.create(
            slug="t", name="T", condition=condition
        )
        plan = old.get_model("plans", "Plan").objects.create(
            runner=user,
            template=template,
            condition="gluteal_tendinopathy",
            start_date=dt.date(2026, 11, 30),
            baseline_pain=3,
        )
        Decision = old.get_model("plans", "Decision")
        common = {
            "plan": plan,
            "kind": "advance_phase",
            "rule": "C.phase_exit",
            "window_ends_on": dt.date(2026, 12, 6),
            "effective_from": dt.date(2026, 12, 7),
        }
        Decision.objects.create(
            fingerprint="a",
            payload={
                "phase_before": "gt-p3",
                "phase_after": "gt-p4",
                "run_before": {"mode": "none", "walk_run_stage": None, "weekly_minutes": None},
                "run_after": {"mode": "walk_run", "walk_run_stage": 1, "weekly_minutes": None},
            },
            **common,
        )
        Decision.objects.create(fingerprint="b", payload={"phase_before": None}, **common)

        new = _migrate(AFTER)
        rows = {d.fingerprint: d for d in new.get_model("plans", "Decision").objects.all()}
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    advanced = rows["a"]
    assert (advanced.phase_before, advanced.phase_after) == ("gt-p3", "gt-p4")
    assert advanced.run_after == {"mode": "walk_run", "walk_run_stage": 1, "weekly_minutes": None}
    assert advanced.run_before["mode"] == "none"
    plain = rows["b"]
    assert (plain.phase_before, plain.phase_after, plain.run_before, plain.run_after) == (
        "",
        "",
        None,
        None,
    )
