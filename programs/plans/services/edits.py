"""A physiotherapist edits a runner's plan: every edit is a new PlanRevision (who, when, why).

The edit changes the engine's state (a swap or a dose "from now on" is the slot's new
standing dose, which progression then starts from: the new baseline), the state's own
edit lists (a dose for this week only, an added exercise, a moved, added or removed
session: programs/engine/edits.py), the runner's training days (the context), or a note.
The plan is then laid out again in place from the runner's today (layout.relayout).

- A stale version is refused (409; the API checks If-Match first, 412).
- A choice that breaks one of the plan's rules (programs/engine/alternatives.py) is an
  override: refused without a written reason (OverrideRequired, with the rules broken so
  the page can warn first), stored with the revision when given.
- Pending automatic decisions about a slot the edit replaced are closed with a reason.
- plan_edit_preview returns before -> after per dose and per affected week, writing nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import NoReturn

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.content.models import Exercise
from programs.engine import alternatives as rules
from programs.engine.edits import DOSE_FIELDS, DoseChange, week_changes, with_dose
from programs.engine.planner import phase_by_key, week_from_state
from programs.engine.serialize import from_json, to_json
from programs.engine.specs import (
    AddedExercise,
    ExerciseSpec,
    PlanState,
    PrescriptionDraft,
    RunnerContext,
    SessionEdit,
    TemplateSpec,
    WeekDose,
)
from programs.plans.models import Decision, Plan, PlanRevision, PlanSession, PlanWeek
from programs.plans.services.lifecycle import new_revision
from programs.plans.services.state import plan_context, plan_state, template_spec_for
from rehab.core.errors import ApplicationError, ConflictError
from rehab.core.timeutils import local_today

SWAP = "swap"
DOSE = "dose"
NOTE = "note"
PLAN_NOTE = "plan_note"
ADD_EXERCISE = "add_exercise"
REMOVE_EXERCISE = "remove_exercise"
SESSION_ADD = "session_add"
SESSION_REMOVE = "session_remove"
SESSION_MOVE = "session_move"
TRAINING_DAYS = "training_days"
ACTIONS = (
    SWAP,
    DOSE,
    NOTE,
    PLAN_NOTE,
    ADD_EXERCISE,
    REMOVE_EXERCISE,
    SESSION_ADD,
    SESSION_REMOVE,
    SESSION_MOVE,
    TRAINING_DAYS,
)
SCOPES = ("week", "future")
KINDS = (PlanSession.Kind.STRENGTH, PlanSession.Kind.ISOMETRIC)
ADDED_PREFIX = "x-"
PREVIEW_WEEKS = 12


@dataclass(frozen=True)
class Edit:
    """One edit, as a page or the API asks for it."""

    action: str
    slot_key: str = ""
    exercise: str = ""  # slug: the new exercise of a swap, or the one added
    dose: dict = field(default_factory=dict)  # DOSE_FIELDS -> new value
    scope: str = "future"  # "week": this plan week only; "future": from now on
    text: str = ""  # a note
    kind: str = PlanSession.Kind.STRENGTH
    date: dt.date | None = None  # a session's date; for a one-week dose, a day of that week
    to_date: dt.date | None = None
    weekdays: tuple[int, ...] = ()
    strength_days: int | None = None
    long_run_weekday: int | None = None
    reason: str = ""  # why: shown to the runner; required for an override


class OverrideRequired(ApplicationError):
    """The edit breaks a rule of the plan and no written reason was given."""

    code = "override_reason_required"

    def __init__(self, broken: tuple[str, ...]):
        self.broken = broken
        super().__init__(
            _("This change overrides a rule of the plan; give a written reason to go ahead."),
            fields={"reason": [rule_text(code) for code in broken]},
        )


def rule_text(code: str) -> str:
    """A broken rule in the active language, with its evidence section."""
    from django.utils.translation import get_language

    rule = rules.RULES[code]
    summary = rule.summary_nl if (get_language() or "en").startswith("nl") else rule.summary_en
    return f"{summary} ({rule.section})"


def reason_text(code: str) -> str:
    """Why an alternative is suggested, in the active language."""
    from django.utils.translation import get_language

    _section, en, nl = rules.REASONS[code]
    return nl if (get_language() or "en").startswith("nl") else en


@dataclass
class Planned:
    """What an edit would make of the plan."""

    state: PlanState
    context: RunnerContext
    note: str
    change: dict  # stored on the revision
    broken: tuple[str, ...] = ()
    moot_slots: frozenset[str] = frozenset()


@dataclass(frozen=True)
class WeekPreview:
    number: int
    starts_on: dt.date
    changes: tuple[DoseChange, ...]


# --- Reads -------------------------------------------------------------------------------------


def exercise_specs() -> dict[str, ExerciseSpec]:
    """Every active exercise of the library as the engine's spec, by slug."""
    rows = (
        Exercise.objects.active()
        .select_related("regression", "substitute")
        .prefetch_related("sources")
    )
    return {row.slug: row.to_spec() for row in rows}


def standing(state: PlanState, slot_key: str) -> PrescriptionDraft | None:
    for rx in state.prescriptions:
        if rx.slot_key == slot_key:
            return rx
    for item in state.added:
        if item.prescription.slot_key == slot_key:
            return item.prescription
    return None


def _slot(spec, state: PlanState, slot_key: str):
    phase = phase_by_key(spec, state.phase_key)
    return phase, next((s for s in phase.slots if s.key == slot_key), None)


def swap_alternatives(*, plan: Plan, slot_key: str, include_broken: bool = True) -> list:
    """The ranked alternatives for a slot's exercise (engine.alternatives.rank_alternatives)."""
    spec = template_spec_for(plan.template)
    state = plan_state(plan)
    rx = standing(state, slot_key)
    if rx is None:
        raise ApplicationError(_("This exercise is no longer in the plan."))
    library = exercise_specs()
    current = library.get(rx.exercise) or spec.exercises.get(rx.exercise)
    if current is None:
        return []
    phase, slot = _slot(spec, state, slot_key)
    return rules.rank_alternatives(
        current,
        library.values(),
        slot=slot,
        phase=phase,
        condition=state.condition,
        equipment=state.equipment,
        features=state.features,
        include_broken=include_broken,
    )


# --- Planning an edit (pure over the loaded plan) ----------------------------------------------


def _refuse(field_name: str, message: str) -> NoReturn:
    raise ApplicationError(message, fields={field_name: [message]})


def _checked_dose(dose: dict, exercise: ExerciseSpec | None) -> dict:
    unknown = set(dose) - set(DOSE_FIELDS)
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed."), fields={k: [_("Not editable.")] for k in unknown}
        )
    if exercise is not None:
        problems = rules.dose_problems(
            sets=dose.get("sets"),
            reps=dose.get("reps"),
            hold_seconds=dose.get("hold_seconds"),
            load_kg=float(dose["load_kg"]) if dose.get("load_kg") is not None else None,
            rest_seconds=dose.get("rest_seconds"),
            exercise=exercise,
        )
        if problems:
            messages = {
                "sets_range": _("Between 1 and 10 sets."),
                "reps_range": _("Between 1 and 100 reps."),
                "hold_range": _("A hold of 1 to 300 seconds."),
                "load_range": _("A load of 0 to 500 kg."),
                "not_loadable": _("This exercise does not take external load."),
                "rest_range": _("A rest of 0 to 600 seconds."),
            }
            raise ApplicationError(
                _("This dose is not possible."),
                fields={k: [messages[v]] for k, v in problems.items()},
            )
    if "tempo" in dose:
        dose = {**dose, "tempo": (dose["tempo"] or "").strip()[:20]}
    if dose.get("load_kg") is not None:
        dose = {**dose, "load_kg": float(Decimal(str(dose["load_kg"])))}
    return dose


def _dose_dict(rx: PrescriptionDraft | None) -> dict | None:
    if rx is None:
        return None
    return {"exercise": rx.exercise, **{f: to_json(getattr(rx, f)) for f in DOSE_FIELDS}}


def _replace_standing(state: PlanState, slot_key: str, new: PrescriptionDraft | None) -> PlanState:
    """The state with a slot's standing dose replaced (None: removed). A swap or a removal
    ends the slot's one-week doses (they would bring the old exercise back)."""
    if new is None or any(
        d.prescription.slot_key == slot_key and d.prescription.exercise != new.exercise
        for d in state.week_doses
    ):
        state = replace(
            state,
            week_doses=tuple(d for d in state.week_doses if d.prescription.slot_key != slot_key),
        )
    if any(rx.slot_key == slot_key for rx in state.prescriptions):
        if new is None:
            rows = tuple(rx for rx in state.prescriptions if rx.slot_key != slot_key)
        else:
            rows = tuple(new if rx.slot_key == slot_key else rx for rx in state.prescriptions)
        return replace(state, prescriptions=rows)
    if new is None:
        added = tuple(item for item in state.added if item.prescription.slot_key != slot_key)
    else:
        added = tuple(
            AddedExercise(item.kind, new) if item.prescription.slot_key == slot_key else item
            for item in state.added
        )
    return replace(state, added=added)


def _week_start(plan: Plan, day: dt.date) -> dt.date:
    return plan.start_date + dt.timedelta(weeks=max(0, (day - plan.start_date).days // 7))


def _plan_edit(plan: Plan, edit: Edit, *, today: dt.date, library: dict) -> Planned:
    spec = template_spec_for(plan.template)
    state = plan_state(plan)
    context = plan_context(plan)
    if edit.action not in ACTIONS:
        _refuse("action", _("Unknown change."))
    planned = Planned(state, context, plan.note, {"action": edit.action})
    if edit.action == PLAN_NOTE:
        planned.note = edit.text.strip()[:1000]
        planned.change.update(text=planned.note)
        return planned
    if edit.action in (SWAP, DOSE, NOTE, REMOVE_EXERCISE):
        return _slot_edit(planned, plan, spec, edit, today=today, library=library)
    if edit.action == ADD_EXERCISE:
        new = library.get(edit.exercise)
        if new is None:
            _refuse("exercise", _("No such exercise."))
        if edit.kind not in KINDS:
            _refuse("kind", _("Not a valid choice."))
        key = f"{ADDED_PREFIX}{new.slug}"[:60]
        if standing(state, key) is not None:
            _refuse("exercise", _("This exercise is already in the plan."))
        phase = phase_by_key(spec, state.phase_key)
        planned.broken = rules.broken_rules(
            new,
            slot=None,
            phase=phase,
            condition=state.condition,
            equipment=state.equipment,
            features=state.features,
        )
        rx = PrescriptionDraft(
            slot_key=key,
            exercise=new.slug,
            sets=new.default_sets,
            reps=new.default_reps,
            hold_seconds=new.default_hold_seconds,
            rest_seconds=new.default_rest_seconds,
        )
        planned.state = replace(state, added=(*state.added, AddedExercise(edit.kind, rx)))
        planned.change.update(slot_key=key, exercise=new.slug, kind=edit.kind)
    elif edit.action in (SESSION_ADD, SESSION_REMOVE, SESSION_MOVE):
        planned.state = _session_edit(plan, state, edit, today=today)
        planned.change.update(
            kind=edit.kind,
            date=edit.date.isoformat() if edit.date else None,
            to_date=edit.to_date.isoformat() if edit.to_date else None,
        )
    elif edit.action == TRAINING_DAYS:
        planned.context = _training_days(context, edit)
        planned.change.update(
            before=_days(context),
            after=_days(planned.context),
        )
    return planned


def _slot_edit(
    planned: Planned, plan: Plan, spec: TemplateSpec, edit: Edit, *, today: dt.date, library: dict
) -> Planned:
    """A swap, a dose, a note or a removal of one slot's standing prescription."""
    state = planned.state
    rx = standing(state, edit.slot_key)
    if rx is None:
        _refuse("slot_key", _("This exercise is no longer in the plan."))
    exercise = library.get(rx.exercise) or spec.exercises.get(rx.exercise)
    planned.change.update(slot_key=rx.slot_key, exercise=rx.exercise)
    if edit.action == SWAP:
        new = library.get(edit.exercise)
        if new is None:
            _refuse("exercise", _("No such exercise."))
        if new.slug == rx.exercise:
            _refuse("exercise", _("This is already the exercise in this slot."))
        phase, slot = _slot(spec, state, rx.slot_key)
        planned.broken = rules.broken_rules(
            new,
            slot=slot,
            phase=phase,
            condition=state.condition,
            equipment=state.equipment,
            features=state.features,
        )
        same_type = exercise is not None and exercise.dosage_type == new.dosage_type
        swapped = replace(
            rx,
            exercise=new.slug,
            reps=rx.reps if same_type else new.default_reps,
            hold_seconds=rx.hold_seconds if same_type else new.default_hold_seconds,
            load_kg=rx.load_kg if same_type and new.loadable else None,
            substituted_for=None,
            substitution_reason=None,
        )
        planned.state = _replace_standing(state, rx.slot_key, swapped)
        planned.change.update(before=_dose_dict(rx), after=_dose_dict(swapped))
        planned.moot_slots = frozenset({rx.slot_key})
    elif edit.action == DOSE:
        if edit.scope not in SCOPES:
            _refuse("scope", _("Choose this week or from now on."))
        dose = _checked_dose(edit.dose, exercise)
        if not dose:
            _refuse("sets", _("Change at least one part of the dose."))
        after = with_dose(rx, dose)
        planned.change.update(before=_dose_dict(rx), after=_dose_dict(after), scope=edit.scope)
        if edit.scope == "week":
            # The plan week holding `date` (a prescription's session), or today's.
            week = _week_start(plan, max(edit.date or today, today))
            doses = tuple(
                d
                for d in state.week_doses
                if not (d.week_starts_on == week and d.prescription.slot_key == rx.slot_key)
            )
            planned.state = replace(state, week_doses=(*doses, WeekDose(week, after)))
            planned.change.update(week_starts_on=week.isoformat())
        else:
            # A one-week dose of this slot takes the same change, so "from now on" holds.
            doses = tuple(
                replace(d, prescription=with_dose(d.prescription, dose))
                if d.prescription.slot_key == rx.slot_key
                else d
                for d in state.week_doses
            )
            planned.state = replace(_replace_standing(state, rx.slot_key, after), week_doses=doses)
            planned.moot_slots = frozenset({rx.slot_key})
    elif edit.action == NOTE:
        text = edit.text.strip()[:300]
        planned.state = _replace_standing(state, rx.slot_key, replace(rx, notes=text))
        planned.change.update(text=text)
    elif edit.action == REMOVE_EXERCISE:
        remaining = len(state.prescriptions) + len(state.added) - 1
        if remaining < 1:
            _refuse("slot_key", _("A plan keeps at least one exercise."))
        planned.state = _replace_standing(state, rx.slot_key, None)
        planned.moot_slots = frozenset({rx.slot_key})
    return planned


def _days(context: RunnerContext) -> dict:
    return {
        "weekdays": list(context.preferred_weekdays),
        "strength_days": context.strength_days_per_week,
        "long_run_weekday": context.long_run_weekday,
    }


def _training_days(context: RunnerContext, edit: Edit) -> RunnerContext:
    weekdays = tuple(sorted(set(edit.weekdays)))
    if not weekdays or any(not 0 <= d <= 6 for d in weekdays):
        _refuse("weekdays", _("Choose at least one training day."))
    days = edit.strength_days if edit.strength_days is not None else len(weekdays)
    if not 1 <= days <= 7:
        _refuse("strength_days", _("Between 1 and 7 sessions a week."))
    long_run = edit.long_run_weekday
    if long_run is not None and not 0 <= long_run <= 6:
        _refuse("long_run_weekday", _("Not a valid choice."))
    return replace(
        context,
        preferred_weekdays=weekdays,
        strength_days_per_week=days,
        long_run_weekday=long_run,
    )


def _session_edit(plan: Plan, state: PlanState, edit: Edit, *, today: dt.date) -> PlanState:
    if edit.kind not in KINDS:
        _refuse("kind", _("Not a valid choice."))
    last = (
        PlanWeek.objects.filter(plan=plan).order_by("-number").values_list("starts_on", flat=True)
    ).first()
    ends = last + dt.timedelta(days=6) if last else today

    def in_plan(day: dt.date | None, name: str) -> dt.date:
        if day is None:
            _refuse(name, _("Choose a date."))
        if day < today or day > ends:
            _refuse(name, _("Choose a date from today to the plan's last day."))
        return day

    sessions = PlanSession.objects.filter(plan=plan, kind=edit.kind)
    if edit.action == SESSION_ADD:
        day = in_plan(edit.date, "date")
        if sessions.filter(date=day).exists():
            _refuse("date", _("There is already such a session that day."))
        return replace(
            state, session_edits=(*state.session_edits, SessionEdit(edit.kind, None, day))
        )
    day = in_plan(edit.date, "date")
    session = sessions.filter(date=day).first()
    if session is None:
        _refuse("date", _("There is no such session that day."))
    if hasattr(session, "log"):
        raise ConflictError(_("This session has been logged; it stays as it is."))
    if edit.action == SESSION_REMOVE:
        return replace(
            state, session_edits=(*state.session_edits, SessionEdit(edit.kind, day, None))
        )
    to = in_plan(edit.to_date, "to_date")
    if to == day or sessions.filter(date=to).exists():
        _refuse("to_date", _("There is already such a session that day."))
    return replace(state, session_edits=(*state.session_edits, SessionEdit(edit.kind, day, to)))


# --- Preview ---------------------------------------------------------------------------------


def plan_edit_preview(*, plan: Plan, edit: Edit) -> tuple[list[WeekPreview], tuple[str, ...]]:
    """Before -> after for each dose of each week the edit changes, from the runner's today,
    and the rules it would override. Writes nothing."""
    today = local_today(plan.runner.timezone)
    planned = _plan_edit(plan, edit, today=today, library=exercise_specs())
    weeks = _preview(plan, planned, today=today)
    _check_laid_out(edit, weeks)
    return weeks, planned.broken


def _check_laid_out(edit: Edit, weeks: list[WeekPreview]) -> None:
    """An added or moved session must land: a kind the phase has no doses for does not."""
    if edit.action == SESSION_ADD:
        target, name = edit.date, "date"
    elif edit.action == SESSION_MOVE:
        target, name = edit.to_date, "to_date"
    else:
        return
    if not any(c.date == target and c.after is not None for w in weeks for c in w.changes):
        _refuse(name, _("No session of this kind can be planned on that date."))


def _preview(plan: Plan, planned: Planned, *, today: dt.date) -> list[WeekPreview]:
    spec = template_spec_for(plan.template)
    state, context = plan_state(plan), plan_context(plan)
    weeks = PlanWeek.objects.filter(plan=plan, starts_on__gt=today - dt.timedelta(days=7)).order_by(
        "number"
    )[:PREVIEW_WEEKS]
    out = []
    for week in weeks:
        before = week_from_state(spec, context, state, number=week.number, starts_on=week.starts_on)
        after = week_from_state(
            spec, planned.context, planned.state, number=week.number, starts_on=week.starts_on
        )
        changes = tuple(c for c in week_changes(before, after) if c.date >= today)
        if changes:
            out.append(WeekPreview(week.number, week.starts_on, changes))
    return out


# --- Writes ---------------------------------------------------------------------------------


def _close_moot(plan: Plan, slots: frozenset[str], *, by, revision: PlanRevision) -> int:
    """Pending decisions about a slot the edit replaced are closed with the reason."""
    if not slots:
        return 0
    closed = 0
    for decision in Decision.objects.select_for_update().filter(
        plan=plan, status=Decision.Status.PENDING
    ):
        touched = {decision.slot_key} | {c.get("slot_key") for c in decision.changes or ()}
        if not touched & slots:
            continue
        decision.status = Decision.Status.REJECTED
        decision.decided_by = by
        decision.decided_at = timezone.now()
        decision.closed_reason = {
            "en": f"Closed: your physiotherapist changed this exercise themselves "
            f"(revision {revision.number}).",
            "nl": f"Gesloten: je fysiotherapeut heeft deze oefening zelf aangepast "
            f"(versie {revision.number}).",
        }
        decision.save(
            update_fields=["status", "decided_by", "decided_at", "closed_reason", "updated_at"]
        )
        closed += 1
    return closed


@transaction.atomic
def plan_edit_apply(*, plan: Plan, edit: Edit, by, expected_version: int) -> PlanRevision:
    """Apply one edit as a new revision (kind PHYSIO, by `by`, with the edit's reason).

    Refused when the version is stale (409), when the edit is not possible (400 with
    field messages), and when it breaks a rule of the plan without a written reason
    (OverrideRequired); the override is stored with the revision otherwise."""
    plan = (
        Plan.objects.select_for_update(of=("self",))
        .select_related("current_revision", "template", "runner")
        .get(pk=plan.pk)
    )
    if expected_version != plan.version:
        raise ConflictError(_("The plan was changed in the meantime; reload and try again."))
    if plan.status not in (Plan.Status.ACTIVE, Plan.Status.PAUSED, Plan.Status.REFERRED):
        raise ConflictError(_("This plan is closed."))
    today = local_today(plan.runner.timezone)
    planned = _plan_edit(plan, edit, today=today, library=exercise_specs())
    reason = edit.reason.strip()[:1000]
    if rules.override_needs_reason(planned.broken, reason):
        raise OverrideRequired(planned.broken)
    if edit.action in (SESSION_ADD, SESSION_MOVE):
        _check_laid_out(edit, _preview(plan, planned, today=today))
    if planned.context != plan_context(plan):
        plan.context = {**plan.context, **_context_json(planned.context)}
        plan.save(update_fields=["context", "updated_at"])
    if planned.note != plan.note:
        plan.note = planned.note
        plan.save(update_fields=["note", "updated_at"])
    revision = new_revision(
        plan,
        kind=PlanRevision.Kind.PHYSIO,
        state=planned.state,
        effective_from=today,
        created_by=by,
        reason=reason,
    )
    revision.changes = [planned.change]
    revision.overrides = [
        {"rule": code, "section": rules.RULES[code].section, "reason": reason}
        for code in planned.broken
    ]
    revision.save(update_fields=["changes", "overrides"])
    _close_moot(plan, planned.moot_slots, by=by, revision=revision)
    return revision


@transaction.atomic
def plan_edits_apply(*, plan: Plan, edits: list[Edit], by, expected_version: int) -> PlanRevision:
    """Several edits sent together (a dose and a note): all or none, one revision each."""
    revision = None
    version = expected_version
    for edit in edits:
        revision = plan_edit_apply(plan=plan, edit=edit, by=by, expected_version=version)
        version += 1
    if revision is None:
        raise ApplicationError(_("Unknown change."))
    return revision


def _context_json(context: RunnerContext) -> dict:
    data = to_json(context)
    return {
        key: data[key]
        for key in ("preferred_weekdays", "strength_days_per_week", "long_run_weekday")
    }


def revision_changes(revision: PlanRevision) -> list[dict]:
    """A revision's stored changes (reads from_json-safe copies)."""
    return [dict(change) for change in revision.changes or ()]


def state_of(revision: PlanRevision) -> PlanState:
    return from_json(PlanState, revision.state)
