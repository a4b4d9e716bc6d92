"""Laying a plan's weeks out: sessions and prescriptions stored from the planner's draft,
and laid out again in place when the state changes (same session id for the same plan,
date and kind; a sequence that rises when what a session shows changes)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from django.db import transaction

from programs.content.models import Exercise
from programs.engine import planner
from programs.engine.serialize import from_json, to_json
from programs.engine.specs import (
    PlanState,
    WeekDraft,
)
from programs.plans.models import (
    Plan,
    PlanRevision,
    PlanSession,
    PlanWeek,
    Prescription,
)
from programs.plans.services.state import plan_context, template_spec_for
from rehab.core.bulk import update_rows
from rehab.core.timeutils import local_today


def _exercise_ids(slugs: Iterable[str]) -> dict[str, int]:
    return dict(Exercise.objects.filter(slug__in=set(slugs)).values_list("slug", "id"))


def store_weeks(
    plan: Plan, revision: PlanRevision, weeks: Iterable[WeekDraft], *, state: PlanState, spec
) -> None:
    weeks = list(weeks)
    ids = _exercise_ids(
        rx.exercise for week in weeks for session in week.sessions for rx in session.prescriptions
    )
    provisional = planner.provisional_from_week(
        spec,
        state,
        plan_start=plan.start_date,
        settled_through=max(plan.start_date, local_today(plan.context["timezone"])),
    )
    week_rows = PlanWeek.objects.bulk_create(
        [
            PlanWeek(
                plan=plan,
                revision=revision,
                number=week.number,
                phase_key=week.phase_key,
                starts_on=week.starts_on,
                run=to_json(week.run),
                education=list(week.education),
                deload=week.deload,
                provisional_from=_provisional(week.number, provisional),
            )
            for week in weeks
        ]
    )
    new = []
    for row, week in zip(week_rows, weeks, strict=True):
        note = _note_key(row, state)
        for session in week.sessions:
            values = [_rx_values(rx, ids) for rx in session.prescriptions]
            new.append((row, session, values, _fingerprint(values, note)))
    _insert_sessions(plan, revision, new)


# What a prescription row holds, in this order, as the relayout compares and writes it.
RX_FIELDS = (
    "slot_key",
    "exercise",
    "sets",
    "reps",
    "hold_seconds",
    "load_kg",
    "rest_seconds",
    "notes",
    "substituted_for",
    "substitution_reason",
    "tempo",
)


_CENT = Decimal("0.01")


def _kg(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(_CENT)


def _rx_values(rx, ids: dict[str, int]) -> tuple:
    """A PrescriptionDraft as the values of RX_FIELDS (exercise by id)."""
    return (
        rx.slot_key,
        ids[rx.exercise],
        rx.sets,
        rx.reps,
        rx.hold_seconds,
        _kg(rx.load_kg),
        rx.rest_seconds,
        rx.notes[:300],
        rx.substituted_for or "",
        rx.substitution_reason or "",
        (rx.tempo or "")[:20],
    )


def _provisional(number: int, provisional_from: int | None) -> int | None:
    return provisional_from if provisional_from is not None and number >= provisional_from else None


def _note_key(week_row: PlanWeek, state: PlanState) -> tuple | None:
    """What a provisional week's note depends on: where it starts and the current phase,
    whose exit criteria it names."""
    if week_row.provisional_from is None:
        return None
    return (week_row.provisional_from, state.phase_key)


def _fingerprint(values: list[tuple], note: tuple | None) -> str:
    """A digest of what a session shows the runner; a change raises its sequence."""
    text = repr((tuple(values), note))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _insert_sessions(
    plan: Plan, revision: PlanRevision, new: list[tuple], more_rx: Iterable[tuple] = ()
) -> None:
    """Create sessions (week row, SessionDraft, prescription values, fingerprint), their
    prescriptions and `more_rx` (session id, order, values) for existing sessions: two
    statements whatever their number."""
    rows = PlanSession.objects.bulk_create(
        [
            PlanSession(
                plan=plan,
                week=week_row,
                revision=revision,
                date=session.date,
                kind=session.kind,
                fingerprint=fingerprint,
            )
            for week_row, session, _values, fingerprint in new
        ]
    )
    Prescription.objects.bulk_create(
        [
            *(
                _prescription(row.pk, order, values)
                for row, (_week, _session, prescriptions, _fp) in zip(rows, new, strict=True)
                for order, values in enumerate(prescriptions)
            ),
            *(_prescription(pk, order, values) for pk, order, values in more_rx),
        ]
    )


def _prescription(session_id: int, order: int, values: tuple) -> Prescription:
    fields = dict(zip(RX_FIELDS, values, strict=True))
    fields["exercise_id"] = fields.pop("exercise")
    return Prescription(session_id=session_id, order=order, **fields)


WEEK_FIELDS = ("revision", "phase_key", "run", "education", "deload", "provisional_from")


def _relayout_weeks(plan, revision, state, spec, context, from_date) -> list[tuple]:
    """The plan weeks from the one holding `from_date`, rebuilt from `state`: the rows
    that changed are written in one statement. Returns (week row, WeekDraft) pairs."""
    provisional = planner.provisional_from_week(
        spec,
        state,
        plan_start=plan.start_date,
        settled_through=max(from_date, local_today(context.timezone)),
    )
    weeks = PlanWeek.objects.filter(
        plan=plan, starts_on__gt=from_date - dt.timedelta(days=7)
    ).order_by("number")
    pairs, changed = [], []
    for week_row in weeks:
        draft = planner.week_from_state(
            spec, context, state, number=week_row.number, starts_on=week_row.starts_on
        )
        values = (
            revision.pk,
            draft.phase_key,
            to_json(draft.run),
            list(draft.education),
            draft.deload,
            _provisional(week_row.number, provisional),
        )
        before = tuple(getattr(week_row, f"{f}_id" if f == "revision" else f) for f in WEEK_FIELDS)
        for name, value in zip(WEEK_FIELDS, values, strict=True):
            setattr(week_row, f"{name}_id" if name == "revision" else name, value)
        if values != before:
            changed.append((week_row.pk, *values))
        pairs.append((week_row, draft))
    update_rows(PlanWeek, WEEK_FIELDS, changed)
    return pairs


def _standing_prescriptions(plan, from_date) -> dict[int, dict[str, list]]:
    """The prescriptions of the unlogged sessions from `from_date`: session id -> slot ->
    [(prescription id, (order, *values of RX_FIELDS))], in order."""
    current: dict[int, dict[str, list]] = {}
    rows = (
        Prescription.objects.filter(
            session__plan=plan, session__date__gte=from_date, session__log__isnull=True
        )
        .order_by("session_id", "order", "pk")
        .values_list(
            "session_id", "pk", "order", *(f"{f}_id" if f == "exercise" else f for f in RX_FIELDS)
        )
    )
    for session_id, pk, order, *values in rows:
        values[5] = _kg(values[5])
        current.setdefault(session_id, {}).setdefault(values[0], []).append((pk, (order, *values)))
    return current


def relayout(plan: Plan, revision: PlanRevision, state: PlanState, from_date: dt.date) -> None:
    """Lay the weeks out again from `from_date` with the new state, in place.

    A session still planned for the same date and kind keeps its id (links in emails,
    the calendar feed and open pages stay valid); its prescriptions are updated in place,
    matched by slot, and its sequence rises when what it shows changed. Unlogged sessions
    no longer planned are removed, new ones created; logged sessions are never touched.
    A fixed number of statements whatever the number of weeks and sessions.
    """
    spec = template_spec_for(plan.template)
    pairs = _relayout_weeks(plan, revision, state, spec, plan_context(plan), from_date)
    existing = {
        (day, kind): (pk, sequence, fingerprint, log_id is not None, (week_id, revision_id))
        for pk, day, kind, sequence, fingerprint, log_id, week_id, revision_id in (
            PlanSession.objects.filter(plan=plan, date__gte=from_date).values_list(
                "pk", "date", "kind", "sequence", "fingerprint", "log", "week", "revision"
            )
        )
    }
    current = _standing_prescriptions(plan, from_date)
    ids = _exercise_ids(
        rx.exercise
        for _row, week in pairs
        for session in week.sessions
        for rx in session.prescriptions
    )
    planned, new, session_rows, rx_rows, rx_new = set(), [], [], [], []
    for week_row, draft in pairs:
        note = _note_key(week_row, state)
        for session in draft.sessions:
            if session.date < from_date:
                continue
            values = [_rx_values(rx, ids) for rx in session.prescriptions]
            fingerprint = _fingerprint(values, note)
            found = existing.get((session.date, session.kind))
            if found is None:
                new.append((week_row, session, values, fingerprint))
                continue
            pk, sequence, before, logged, links = found
            planned.add(pk)
            if logged:
                continue
            if fingerprint != before:
                sequence += 1
            if fingerprint != before or links != (week_row.pk, revision.pk):
                session_rows.append((pk, week_row.pk, revision.pk, sequence, fingerprint))
            by_slot = current.get(pk, {})
            for order, rx in enumerate(values):
                matches = by_slot.get(rx[0])
                if not matches:
                    rx_new.append((pk, order, rx))
                    continue
                rx_pk, old = matches.pop(0)
                if old != (order, *rx):
                    rx_rows.append((rx_pk, order, *rx))
    gone = [
        pk
        for pk, _seq, _fp, logged, _links in existing.values()
        if not logged and pk not in planned
    ]
    # Prescriptions left unmatched in a kept session are no longer prescribed.
    stale_rx = [
        rx_pk
        for session_id, by_slot in current.items()
        if session_id in planned
        for matches in by_slot.values()
        for rx_pk, _old in matches
    ]
    if gone:
        PlanSession.objects.filter(pk__in=gone).delete()
    if stale_rx:
        Prescription.objects.filter(pk__in=stale_rx).delete()
    update_rows(PlanSession, ("week", "revision", "sequence", "fingerprint"), session_rows)
    update_rows(Prescription, ("order", *RX_FIELDS), rx_rows)
    _insert_sessions(plan, revision, new, rx_new)


class Relayout(NamedTuple):
    """A plan whose sessions are laid out again from `from_date` with `revision_id`."""

    plan_id: int
    revision_id: int
    from_date: dt.date
    changed: bool = False  # a new revision was written (not only a week that passed)


@transaction.atomic
def plan_relayout(
    *, plan_id: int, revision_id: int, from_date: dt.date | str | None = None
) -> bool:
    """Lay out the sessions of a revision, if it is still the plan's current one, from
    its first day (or from `from_date` when that is later)."""
    plan = Plan.objects.select_for_update(of=("self",)).select_related("template").get(pk=plan_id)
    revision = plan.current_revision
    if revision is None or revision.pk != revision_id:
        return False
    state = from_json(PlanState, revision.state)
    start = revision.effective_from
    if from_date is not None:
        if isinstance(from_date, str):
            from_date = dt.date.fromisoformat(from_date)
        start = max(start, from_date)
    relayout(plan, revision, state, start)
    return True
