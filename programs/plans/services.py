"""Writes for plans: generate, re-lay out from a new state, evaluate and apply progression,
approve, undo, pause and resume. The clinical rules live in planner.py and progression.py;
this module only stores their results.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.exercises.models import Exercise
from programs.plans import planner, progression, rules
from programs.plans.plan_models import (
    Decision,
    Plan,
    PlanRevision,
    PlanSession,
    PlanWeek,
    Prescription,
    ProgressionRun,
)
from programs.plans.serialize import from_json, to_json
from programs.plans.specs import Decision as EngineDecision
from programs.plans.specs import (
    DecisionKind,
    EvaluationWindow,
    PlanState,
    Policy,
    PrescriptionChange,
    RunnerContext,
    RunTarget,
    TemplateSpec,
    WeekDraft,
)
from rehab.accounts.services import physios_alert
from rehab.core.bulk import insert_rows, update_rows
from rehab.core.errors import ApplicationError, ConflictError


def _template_spec(template) -> TemplateSpec:
    from programs.plans.selectors import template_spec

    return template_spec(template)


def plan_context(plan: Plan) -> RunnerContext:
    return from_json(RunnerContext, plan.context)


def plan_policy(plan: Plan) -> Policy:
    return from_json(Policy, plan.policy or {})


def plan_state(plan: Plan) -> PlanState:
    return from_json(PlanState, plan.current_revision.state)


@transaction.atomic
def plan_generate(
    *,
    runner,
    template,
    context: RunnerContext,
    policy: Policy | None = None,
    created_by=None,
    weeks: int | None = None,
) -> Plan:
    """Generate a dated plan from a template and store it with copied prescriptions."""
    if not runner.is_runner:
        raise ApplicationError(_("Plans are made for runner accounts."))
    if Plan.objects.open().filter(runner=runner).exists():
        raise ConflictError(_("This runner already has an open plan."))
    _require_clear_screening(runner)
    policy = policy or Policy()
    spec = _template_spec(template)
    draft = planner.generate_plan(spec, context, policy, weeks=weeks)
    state = progression.initial_state(spec, context, policy)
    plan = Plan.objects.create(
        runner=runner,
        template=template,
        created_by=created_by,
        condition=context.condition,
        start_date=context.start_date,
        baseline_pain=context.baseline_pain,
        irritability=context.irritability,
        context=to_json(context),
        policy=to_json(policy),
    )
    revision = PlanRevision.objects.create(
        plan=plan,
        number=1,
        kind=PlanRevision.Kind.GENERATED,
        state=to_json(state),
        effective_from=context.start_date,
        created_by=created_by,
    )
    _store_weeks(plan, revision, draft.weeks)
    plan.current_revision = revision
    plan.next_evaluation_at = evaluation_due_at(plan, 1)
    plan.save(update_fields=["current_revision", "next_evaluation_at", "updated_at"])
    return plan


def _require_clear_screening(runner) -> None:
    """No plan without a screening, and none while the latest screening says refer."""
    from django.apps import apps

    screening = (
        apps.get_model("logbook", "Screening")
        .objects.filter(runner=runner)
        .order_by("-created_at", "-pk")
        .first()
    )
    if screening is None:
        raise ApplicationError(_("Complete the safety screening before a plan is made."))
    if screening.outcome != "ok":
        raise ApplicationError(
            _("The latest screening advised seeing a clinician first; no plan can start.")
        )


def _exercise_ids(slugs: Iterable[str]) -> dict[str, int]:
    return dict(Exercise.objects.filter(slug__in=set(slugs)).values_list("slug", "id"))


def _store_weeks(plan: Plan, revision: PlanRevision, weeks: Iterable[WeekDraft]) -> None:
    weeks = list(weeks)
    ids = _exercise_ids(
        rx.exercise for week in weeks for session in week.sessions for rx in session.prescriptions
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
            )
            for week in weeks
        ]
    )
    _store_sessions(plan, revision, zip(week_rows, weeks, strict=True), ids)


def _store_sessions(plan, revision, pairs, ids: dict[str, int], from_date=None) -> None:
    pairs = list(pairs)
    session_rows, drafts = [], []
    for week_row, week in pairs:
        for session in week.sessions:
            if from_date is not None and session.date < from_date:
                continue
            session_rows.append(
                PlanSession(
                    plan=plan,
                    week=week_row,
                    revision=revision,
                    date=session.date,
                    kind=session.kind,
                )
            )
            drafts.append(session)
    session_rows = PlanSession.objects.bulk_create(session_rows, ignore_conflicts=False)
    Prescription.objects.bulk_create(
        [
            Prescription(
                session=row,
                order=order,
                slot_key=rx.slot_key,
                exercise_id=ids[rx.exercise],
                sets=rx.sets,
                reps=rx.reps,
                hold_seconds=rx.hold_seconds,
                load_kg=Decimal(str(rx.load_kg)) if rx.load_kg is not None else None,
                rest_seconds=rx.rest_seconds,
                notes=rx.notes[:300],
                substituted_for=rx.substituted_for or "",
            )
            for row, session in zip(session_rows, drafts, strict=True)
            for order, rx in enumerate(session.prescriptions)
        ]
    )


def _relayout(plan: Plan, revision: PlanRevision, state: PlanState, from_date: dt.date) -> None:
    """Lay the weeks out again from `from_date` with the new state; logged sessions stay."""
    spec = _template_spec(plan.template)
    context = plan_context(plan)
    PlanSession.objects.filter(plan=plan, date__gte=from_date, log__isnull=True).delete()
    kept = set(
        PlanSession.objects.filter(plan=plan, date__gte=from_date).values_list("date", "kind")
    )
    weeks = list(PlanWeek.objects.filter(plan=plan, starts_on__gt=from_date - dt.timedelta(days=7)))
    pairs = []
    for week_row in weeks:
        draft = planner.week_from_state(
            spec, context, state, number=week_row.number, starts_on=week_row.starts_on
        )
        week_row.revision = revision
        week_row.phase_key = draft.phase_key
        week_row.run = to_json(draft.run)
        week_row.education = list(draft.education)
        week_row.deload = draft.deload
        sessions = tuple(s for s in draft.sessions if (s.date, s.kind) not in kept)
        pairs.append((week_row, replace(draft, sessions=sessions)))
    PlanWeek.objects.bulk_update(weeks, ["revision", "phase_key", "run", "education", "deload"])
    ids = _exercise_ids(
        rx.exercise
        for _row, week in pairs
        for session in week.sessions
        for rx in session.prescriptions
    )
    _store_sessions(plan, revision, pairs, ids, from_date=from_date)


def _new_revision(plan, *, kind, state, effective_from, created_by=None, reason="") -> PlanRevision:
    number = (plan.revisions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    revision = PlanRevision.objects.create(
        plan=plan,
        number=number,
        kind=kind,
        state=to_json(state),
        effective_from=effective_from,
        created_by=created_by,
        reason=reason,
    )
    _relayout(plan, revision, state, effective_from)
    plan.current_revision = revision
    plan.version += 1
    plan.save(update_fields=["current_revision", "version", "updated_at"])
    return revision


def _window_hash(revision_id: int | None, window: EvaluationWindow) -> str:
    """Fingerprint of what an evaluation read: the state's revision and the window.

    The window holds only tuples, dates and numbers, so its repr is stable."""
    return hashlib.sha256(f"{revision_id}:{window!r}".encode()).hexdigest()


# The weekly evaluation runs the day after a plan week ends, at this local time, so the
# runner's check-in of that morning is in (clinical-evidence §D2 reads the next morning).
EVALUATION_LOCAL_TIME = dt.time(14, 0)


def evaluation_due_at(plan: Plan, week_number: int) -> dt.datetime:
    """When the evaluation of plan week `week_number` (1-based) is due, in UTC."""
    from rehab.notifications.schedule import fire_at

    day = plan.start_date + dt.timedelta(weeks=week_number)
    return fire_at(day, EVALUATION_LOCAL_TIME, plan.context["timezone"])


def evaluation_window_bounds(plan: Plan, due: dt.datetime) -> tuple[dt.date, dt.date]:
    """The plan week that ended before `due`: (first day, last day), runner-local dates."""
    from rehab.notifications.schedule import local_date_of

    last = local_date_of(due, plan.context["timezone"]) - dt.timedelta(days=1)
    weeks = max(1, ((last - plan.start_date).days + 1) // 7)
    starts = plan.start_date + dt.timedelta(weeks=weeks - 1)
    return starts, starts + dt.timedelta(days=6)


@dataclass
class Evaluation:
    """One plan's window, its state before, and the engine's decisions on it."""

    plan: Plan
    window: EvaluationWindow
    state: PlanState
    decisions: list
    weekly_pain_mean: float | None = None


def progression_record(
    evaluations: list[Evaluation], *, weekly: bool, now: dt.datetime | None = None
) -> list[tuple[int, int, dt.date]]:
    """Store a batch of evaluations with a constant number of statements.

    Writes the decisions, a new revision for every plan with decisions to apply, the
    plans' new current revision, version, status and next evaluation time, and (weekly)
    one ProgressionRun per plan. Each write is one set-based statement whatever the size
    of the batch (rehab.core.bulk). Returns (plan id, revision id, effective from) for the
    plans whose sessions must be laid out again.
    """
    now = now or timezone.now()
    if weekly:
        insert_rows(
            ProgressionRun,
            RUN_FIELDS,
            [
                (
                    e.plan.pk,
                    e.window.starts_on,
                    e.window.ends_on,
                    _window_hash(e.plan.current_revision_id, e.window),
                    len(e.decisions),
                    e.weekly_pain_mean,
                    now,
                )
                for e in evaluations
            ],
            ignore_conflicts=True,
        )
    applying = {}
    for e in evaluations:
        to_apply = [d for d in e.decisions if not d.requires_approval]
        if to_apply:
            applying[e.plan.pk] = (e, to_apply)
    revision_of: dict[int, tuple[int, dt.date]] = {}
    if applying:
        latest = dict(
            PlanRevision.objects.filter(plan__in=list(applying))
            .values("plan_id")
            .annotate(number=Max("number"))
            .values_list("plan_id", "number")
        )
        rows = []
        for plan_id, (e, to_apply) in applying.items():
            state = progression.apply_decisions(e.state, to_apply)
            effective = min(d.effective_from for d in to_apply)
            rows.append(
                (
                    plan_id,
                    latest.get(plan_id, 0) + 1,
                    PlanRevision.Kind.PROGRESSION,
                    to_json(state),
                    effective,
                    now,
                )
            )
        created = insert_rows(
            PlanRevision,
            ("plan", "number", "kind", "state", "effective_from", "created_at"),
            rows,
            returning=("plan", "id", "effective_from"),
        )
        revision_of = {plan_id: (pk, effective) for plan_id, pk, effective in created}
    _note_physio_contact(evaluations)
    insert_rows(
        Decision,
        DECISION_FIELDS,
        [
            decision_row(e.plan.pk, d, revision_of.get(e.plan.pk, (None,))[0])
            for e in evaluations
            for d in e.decisions
        ],
        ignore_conflicts=True,
    )
    updates = []
    for e in evaluations:
        plan = e.plan
        if plan.pk in revision_of:
            plan.current_revision_id = revision_of[plan.pk][0]
            plan.version += 1
            if any(d.kind == DecisionKind.PAUSE_AND_REFER for d in e.decisions):
                plan.status = Plan.Status.REFERRED
        if weekly:
            week = ((e.window.ends_on - plan.start_date).days + 1) // 7
            plan.next_evaluation_at = evaluation_due_at(plan, week + 1)
        if weekly or plan.pk in revision_of:
            updates.append(
                (
                    plan.pk,
                    plan.current_revision_id,
                    plan.version,
                    plan.status,
                    plan.next_evaluation_at,
                )
            )
    update_rows(Plan, ("current_revision", "version", "status", "next_evaluation_at"), updates)
    # A flare-up or a warning sign is evaluated at once (weekly=False) by a caller that
    # sends its own, more specific alert: one email per event, not two.
    for e in evaluations if weekly else ():
        alerting = [d for d in e.decisions if d.alert_physio]
        if alerting and not any(d.kind == DecisionKind.PAUSE_AND_REFER for d in alerting):
            physios_alert(
                runner=e.plan.runner,
                template="plan_alert",
                dedupe_key=f"plan-alert:{e.plan.pk}:{alerting[0].id}",
            )
    return [(plan_id, pk, effective) for plan_id, (pk, effective) in revision_of.items()]


def _note_physio_contact(evaluations: list[Evaluation]) -> None:
    """End the explanation of every decision that alerts the physio with what is true for
    this runner: their physiotherapist has been asked to get in touch, or they have none
    linked and should see one if it does not settle. One query, and only when needed."""
    alerting = [
        e
        for e in evaluations
        if any(d.alert_physio and d.kind != DecisionKind.PAUSE_AND_REFER for d in e.decisions)
    ]
    if not alerting:
        return
    from rehab.accounts.models import CareLink

    linked = set(
        CareLink.objects.active()
        .filter(runner_id__in={e.plan.runner_id for e in alerting})
        .values_list("runner_id", flat=True)
    )
    for e in alerting:
        told = e.plan.runner_id in linked
        e.decisions = [
            replace(d, explanation=rules.with_physio_note(d.explanation, told=told))
            if d.alert_physio and d.kind != DecisionKind.PAUSE_AND_REFER
            else d
            for d in e.decisions
        ]


RUN_FIELDS = (
    "plan",
    "period_start",
    "period_end",
    "inputs_hash",
    "decisions_count",
    "weekly_pain_mean",
    "created_at",
)

DECISION_FIELDS = (
    "plan",
    "fingerprint",
    "kind",
    "rule",
    "sources",
    "explanation",
    "inputs",
    "changes",
    "phase_before",
    "phase_after",
    "run_before",
    "run_after",
    "slot_key",
    "window_ends_on",
    "effective_from",
    "alert_physio",
    "status",
    "revision",
)


def decision_row(plan_id: int, decision: EngineDecision, revision_id: int | None) -> tuple:
    """The engine's decision as a row of DECISION_FIELDS; engine_decision reverses it."""
    pending = decision.requires_approval
    return (
        plan_id,
        decision.id,
        decision.kind,
        decision.rule,
        list(decision.sources),
        decision.explanation,
        decision.inputs,
        to_json(decision.changes),
        decision.phase_before or "",
        decision.phase_after or "",
        to_json(decision.run_before),
        to_json(decision.run_after),
        decision.slot_key or "",
        decision.window_ends_on,
        decision.effective_from,
        decision.alert_physio,
        Decision.Status.PENDING if pending else Decision.Status.APPLIED,
        None if pending else revision_id,
    )


def engine_decision(row: Decision) -> EngineDecision:
    """The engine's decision a stored row holds (to apply a pending one later)."""
    return EngineDecision(
        id=row.fingerprint,
        kind=row.kind,
        rule=row.rule,
        sources=tuple(row.sources),
        explanation=dict(row.explanation),
        inputs=dict(row.inputs),
        window_ends_on=row.window_ends_on,
        effective_from=row.effective_from,
        slot_key=row.slot_key or None,
        changes=from_json(tuple[PrescriptionChange, ...], row.changes),
        phase_before=row.phase_before or None,
        phase_after=row.phase_after or None,
        run_before=from_json(RunTarget, row.run_before),
        run_after=from_json(RunTarget, row.run_after),
        alert_physio=row.alert_physio,
        requires_approval=row.status == Decision.Status.PENDING,
    )


@transaction.atomic
def plan_relayout(*, plan_id: int, revision_id: int) -> bool:
    """Lay out the sessions of a revision, if it is still the plan's current one."""
    plan = Plan.objects.select_for_update(of=("self",)).select_related("template").get(pk=plan_id)
    if plan.current_revision_id != revision_id:
        return False
    revision = plan.current_revision
    state = from_json(PlanState, revision.state)
    _relayout(plan, revision, state, revision.effective_from)
    return True


def _locked_plan(plan: Plan) -> Plan:
    return (
        Plan.objects.select_for_update(of=("self",))
        .select_related("current_revision", "template", "runner")
        .get(pk=plan.pk)
    )


def _evaluate_one(plan: Plan, window: EvaluationWindow, *, weekly: bool) -> list:
    spec = _template_spec(plan.template)
    state = plan_state(plan)
    decisions = progression.evaluate(state, window, spec, plan_policy(plan))
    evaluation = Evaluation(plan, window, state, decisions, progression.weekly_pain_mean(window))
    for plan_id, revision_id, _effective in progression_record([evaluation], weekly=weekly):
        plan_relayout(plan_id=plan_id, revision_id=revision_id)
    return decisions


@transaction.atomic
def progression_evaluate(*, plan: Plan, window: EvaluationWindow) -> list[Decision]:
    """The weekly evaluation of one window of logs. Running it again for the same period
    changes nothing (one ProgressionRun per plan and period)."""
    plan = _locked_plan(plan)
    if plan.status != Plan.Status.ACTIVE:
        return []
    if ProgressionRun.objects.filter(plan=plan, period_start=window.starts_on).exists():
        return list(plan.decisions.filter(window_ends_on=window.ends_on))
    decisions = _evaluate_one(plan, window, weekly=True)
    return list(plan.decisions.filter(fingerprint__in=[d.id for d in decisions]))


@transaction.atomic
def progression_flare(*, plan: Plan, window: EvaluationWindow) -> list[Decision]:
    """A flare-up: evaluate the last days at once so the plan eases off straight away."""
    plan = _locked_plan(plan)
    if plan.status != Plan.Status.ACTIVE:
        return []
    decisions = _evaluate_one(plan, window, weekly=False)
    return list(plan.decisions.filter(fingerprint__in=[d.id for d in decisions]))


@transaction.atomic
def progression_flag(*, plan: Plan, window: EvaluationWindow) -> bool:
    """A warning sign in a log: pause the plan and refer, whatever else was logged."""
    plan = _locked_plan(plan)
    if plan.status not in (Plan.Status.ACTIVE, Plan.Status.PAUSED):
        return False
    decisions = _evaluate_one(plan, window, weekly=False)
    if not any(d.kind == DecisionKind.PAUSE_AND_REFER for d in decisions):
        return False
    if plan.status != Plan.Status.REFERRED:
        Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.REFERRED)
    return True


def _apply(plan, engine_decisions, *, state, kind, created_by=None) -> PlanRevision:
    new_state = progression.apply_decisions(state, engine_decisions)
    effective = min(d.effective_from for d in engine_decisions)
    revision = _new_revision(
        plan, kind=kind, state=new_state, effective_from=effective, created_by=created_by
    )
    Decision.objects.filter(plan=plan, fingerprint__in=[d.id for d in engine_decisions]).update(
        revision=revision, status=Decision.Status.APPLIED
    )
    return revision


@transaction.atomic
def decision_approve(*, decision: Decision, physio) -> Decision:
    """A physiotherapist approves a pending decision; it applies from its effective date."""
    plan = Plan.objects.select_for_update().get(pk=decision.plan_id)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.status != Decision.Status.PENDING:
        raise ConflictError(_("This change has already been decided."))
    engine = engine_decision(decision)
    _apply(plan, [engine], state=plan_state(plan), kind=PlanRevision.Kind.PHYSIO, created_by=physio)
    Decision.objects.filter(pk=decision.pk).update(decided_by=physio, decided_at=timezone.now())
    decision.refresh_from_db()
    return decision


@transaction.atomic
def decision_reject(*, decision: Decision, physio) -> Decision:
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.status != Decision.Status.PENDING:
        raise ConflictError(_("This change has already been decided."))
    decision.status = Decision.Status.REJECTED
    decision.decided_by = physio
    decision.decided_at = timezone.now()
    decision.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    return decision


@transaction.atomic
def plan_revision_undo(*, plan: Plan, by, today: dt.date) -> PlanRevision:
    """Go back to the state before the latest change, from today on, as a new revision."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    revisions = list(plan.revisions.order_by("-number")[:2])
    if len(revisions) < 2:
        raise ApplicationError(_("There is no change to undo."))
    previous = from_json(PlanState, revisions[1].state)
    return _new_revision(
        plan,
        kind=PlanRevision.Kind.UNDO,
        state=previous,
        effective_from=today,
        created_by=by,
        reason=f"undo r{revisions[0].number}",
    )


@transaction.atomic
def plan_set_status(*, plan: Plan, status: str, expected_version: int | None = None) -> Plan:
    """Pause or resume a plan; a stale version is refused (409)."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if expected_version is not None and expected_version != plan.version:
        raise ConflictError(_("The plan was changed in the meantime; reload and try again."))
    allowed = {
        Plan.Status.PAUSED: {Plan.Status.ACTIVE},
        Plan.Status.ACTIVE: {Plan.Status.PAUSED},
    }
    if plan.status not in allowed.get(status, set()):
        raise ApplicationError(_("This plan cannot change to that status now."))
    plan.status = status
    plan.version += 1
    if status == Plan.Status.ACTIVE:
        # Weeks spent paused are not evaluated: the next evaluation is the next week end.
        elapsed = (timezone.now().date() - plan.start_date).days // 7 + 1
        plan.next_evaluation_at = evaluation_due_at(plan, max(1, elapsed))
    plan.save(update_fields=["status", "version", "next_evaluation_at", "updated_at"])
    return plan


# Policy fields a physiotherapist may set per plan, with their allowed ranges.
POLICY_EDITABLE = {
    "green_max": (0, 10),
    "amber_max": (0, 10),
    "morning_amber_over_baseline": (0, 10),
    "weekly_rise_red": (0.5, 10),
    "green_sessions_to_progress": (1, 10),
    "load_increment_pct": (2, 10),
    "deload_volume_pct": (30, 50),
    "require_approval": None,
    "locked_exercises": None,
}


@transaction.atomic
def plan_policy_update(*, plan: Plan, changes: dict, by, expected_version: int) -> Plan:
    """A physiotherapist changes the plan's thresholds, approval rule or locked exercises.

    A stale version is refused (409). Unknown exercise slugs and amber <= green are refused.
    """
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if expected_version != plan.version:
        raise ConflictError(_("The plan was changed in the meantime; reload and try again."))
    unknown = set(changes) - set(POLICY_EDITABLE)
    if unknown:
        raise ApplicationError(
            _("These settings cannot be changed."),
            fields={k: [_("Not editable.")] for k in unknown},
        )
    current = plan_policy(plan)
    if "locked_exercises" in changes:
        slugs = frozenset(changes["locked_exercises"])
        missing = slugs - set(
            Exercise.objects.filter(slug__in=slugs).values_list("slug", flat=True)
        )
        if missing:
            raise ApplicationError(
                _("Unknown exercise."), fields={"locked_exercises": [", ".join(sorted(missing))]}
            )
        changes = {**changes, "locked_exercises": slugs}
    policy = replace(current, **changes)
    if policy.amber_max <= policy.green_max:
        raise ApplicationError(
            _("The amber limit must be above the green limit."),
            fields={"amber_max": [_("Must be above the green limit.")]},
        )
    plan.policy = to_json(policy)
    plan.version += 1
    plan.save(update_fields=["policy", "version", "updated_at"])
    return plan
