"""A physiotherapist's edits laid over a planned week, and what an edit changes.

Pure module. The planner builds a week from the phase's pattern and the standing doses
(PlanState.prescriptions, which a physiotherapist's dose change or swap replaces: the
engine's new baseline). The edits that are not a standing dose are kept on the state and
laid over the week here:

- AddedExercise: an exercise added to every session of one kind;
- WeekDose: a slot's dose for one week only ("this week");
- SessionEdit: a session moved to another date, removed, or added on a date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from programs.engine.specs import (
    PlanState,
    PrescriptionDraft,
    SessionDraft,
    WeekDraft,
)

DOSE_FIELDS = ("sets", "reps", "hold_seconds", "load_kg", "rest_seconds", "tempo")


def overlay_week(week: WeekDraft, state: PlanState) -> WeekDraft:
    """The week with the state's added exercises, one-week doses and session edits."""
    ends = week.starts_on + dt.timedelta(days=6)
    doses = {
        d.prescription.slot_key: d.prescription
        for d in state.week_doses
        if d.week_starts_on == week.starts_on
    }
    sessions = {(s.date, s.kind): s for s in week.sessions}
    template_for = {s.kind: s for s in week.sessions}
    for edit in state.session_edits:
        source = sessions.pop((edit.from_date, edit.kind), None) if edit.from_date else None
        if edit.to_date is None or not week.starts_on <= edit.to_date <= ends:
            continue
        if (edit.to_date, edit.kind) in sessions:
            continue
        if source is None:
            source = template_for.get(edit.kind) or _any_session(state, edit.kind)
            if source is None:
                continue
        sessions[(edit.to_date, edit.kind)] = replace(source, date=edit.to_date)
    added: dict[str, list[PrescriptionDraft]] = {}
    for item in state.added:
        added.setdefault(item.kind, []).append(item.prescription)
    out = []
    for (date, kind), session in sorted(sessions.items()):
        rows = [_dosed(rx, doses.get(rx.slot_key)) for rx in session.prescriptions]
        taken = {rx.slot_key for rx in rows}
        rows += [
            _dosed(rx, doses.get(rx.slot_key))
            for rx in added.get(kind, ())
            if rx.slot_key not in taken
        ]
        out.append(SessionDraft(date, kind, tuple(rows)))
    return replace(week, sessions=tuple(out))


def _dosed(rx: PrescriptionDraft, week: PrescriptionDraft | None) -> PrescriptionDraft:
    """The standing prescription with a one-week dose's DOSE_FIELDS (only while it is still
    the same exercise): its note and everything else stay the standing one's."""
    if week is None or week.exercise != rx.exercise:
        return rx
    return replace(rx, **{name: getattr(week, name) for name in DOSE_FIELDS})


def _any_session(state: PlanState, kind: str) -> SessionDraft | None:
    """A session added on a date of a week with none of its kind: the standing doses."""
    if kind != "strength" or not state.prescriptions:
        return None
    return SessionDraft(dt.date.min, kind, state.prescriptions)


@dataclass(frozen=True)
class DoseChange:
    """One dose before -> after on one date (the preview's row)."""

    date: dt.date
    kind: str
    slot_key: str
    before: PrescriptionDraft | None
    after: PrescriptionDraft | None


def week_changes(before: WeekDraft, after: WeekDraft) -> list[DoseChange]:
    """Every prescription that differs between two layouts of one week, by date and slot:
    a dose changed, an exercise swapped, added or removed, a session moved."""
    old = {(s.date, s.kind, rx.slot_key): rx for s in before.sessions for rx in s.prescriptions}
    new = {(s.date, s.kind, rx.slot_key): rx for s in after.sessions for rx in s.prescriptions}
    changes = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            date, kind, slot = key
            changes.append(DoseChange(date, kind, slot, old.get(key), new.get(key)))
    return changes


def with_dose(rx: PrescriptionDraft, changes: dict[str, Any]) -> PrescriptionDraft:
    """A prescription with some of DOSE_FIELDS (and notes) changed."""
    allowed = {k: v for k, v in changes.items() if k in (*DOSE_FIELDS, "notes")}
    return replace(rx, **allowed)
