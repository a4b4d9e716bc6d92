"""A decision survives being stored as a row: what a physio approves later is exactly
what the engine decided (phase advances and walk-run steps included)."""

from __future__ import annotations

import dataclasses
import json

import pytest
from django.db import models

from programs.engine.serialize import to_json
from programs.engine.specs import DecisionKind
from programs.plans.models import Decision
from programs.plans.services.recording import DECISION_FIELDS, decision_row, engine_decision
from rehab.core.bulk import stored_json
from tests.programs.engine.engine_fixtures import gluteal_template, runner, simulate


def _stored(row: tuple) -> Decision:
    """The row as the database gives it back: JSON columns come back as plain JSON."""
    values = {}
    for name, value in zip(DECISION_FIELDS, row, strict=True):
        field = Decision._meta.get_field(name)
        if isinstance(field, models.JSONField):
            value = stored_json(value)
        values[field.attname] = value
    return Decision(**values)


def _decisions(require_approval: bool):
    weeks = simulate(gluteal_template(), runner(), 8)
    decisions = [d for w in weeks for d in w.decisions]
    return [dataclasses.replace(d, requires_approval=require_approval) for d in decisions]


@pytest.mark.parametrize("pending", [True, False])
def test_every_decision_of_eight_weeks_round_trips(pending):
    decisions = _decisions(pending)
    kinds = {d.kind for d in decisions}
    assert {DecisionKind.ADVANCE_PHASE, DecisionKind.RUN_STEP_UP} <= kinds  # the hard cases

    for decision in decisions:
        row = decision_row(7, decision, revision_id=11)
        assert engine_decision(_stored(row)) == decision


def test_a_pending_decision_is_not_tied_to_a_revision():
    decision = _decisions(True)[0]
    stored = _stored(decision_row(7, decision, revision_id=11))

    assert stored.status == Decision.Status.PENDING
    assert stored.revision_id is None


def test_the_engine_values_are_stored_as_to_json_writes_them():
    """insert_rows is given the engine's dataclasses as they are (orjson writes them in
    C): what it stores must be what serialize.to_json, which from_json reverses, gives."""
    who = runner()
    weeks = simulate(gluteal_template(), who, 8)
    values = [who, *(w.state_after for w in weeks)] + [
        part for w in weeks for d in w.decisions for part in (d.changes, d.run_before, d.run_after)
    ]
    assert who.equipment  # a set among them
    for value in values:
        assert stored_json(value) == json.loads(json.dumps(to_json(value)))
