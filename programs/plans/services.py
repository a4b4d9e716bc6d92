"""Writes for plans: generate, re-lay out from a new state, evaluate and apply progression,
approve, undo, pause and resume. The clinical rules live in planner.py and progression.py;
this module only stores their results.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.exercises.models import Exercise
from programs.plans import planner, progression
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
from programs.plans.specs import (
    DecisionKind,
    EvaluationWindow,
    PlanState,
    Policy,
    RunnerContext,
    TemplateSpec,
    WeekDraft,
)
from rehab.accounts.selectors import physios_of
from rehab.core.errors import ApplicationError, ConflictError
from rehab.notifications.services import email_enqueue


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
    plan.save(update_fields=["current_revision", "updated_at"])
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


def _window_hash(state: PlanState, window: EvaluationWindow) -> str:
    payload = json.dumps([to_json(state), to_json(window)], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def _locked_plan(plan: Plan) -> Plan:
    return (
        Plan.objects.select_for_update(of=("self",))
        .select_related("current_revision", "template", "runner")
        .get(pk=plan.pk)
    )


def _store_and_apply(plan: Plan, window: EvaluationWindow) -> list:
    """Run the engine on a window, store its decisions, apply those that need no approval."""
    spec = _template_spec(plan.template)
    policy = plan_policy(plan)
    state = plan_state(plan)
    engine_decisions = progression.evaluate(state, window, spec, policy)
    Decision.objects.bulk_create(
        [
            Decision(
                plan=plan,
                fingerprint=d.id,
                kind=d.kind,
                rule=d.rule,
                sources=list(d.sources),
                explanation=d.explanation,
                inputs=to_json(d.inputs),
                changes=to_json(d.changes),
                payload=to_json(d),
                slot_key=d.slot_key or "",
                window_ends_on=d.window_ends_on,
                effective_from=d.effective_from,
                alert_physio=d.alert_physio,
                status=Decision.Status.PENDING if d.requires_approval else Decision.Status.APPLIED,
            )
            for d in engine_decisions
        ],
        ignore_conflicts=True,
    )
    if any(d.kind == DecisionKind.PAUSE_AND_REFER for d in engine_decisions):
        plan.status = Plan.Status.REFERRED
        plan.save(update_fields=["status", "updated_at"])
    to_apply = [d for d in engine_decisions if not d.requires_approval]
    if to_apply:
        _apply(plan, to_apply, state=state, kind=PlanRevision.Kind.PROGRESSION)
    alerting = [d for d in engine_decisions if d.alert_physio]
    if alerting and not any(d.kind == DecisionKind.PAUSE_AND_REFER for d in alerting):
        _alert_physios(plan, key=f"plan-alert:{plan.pk}:{alerting[0].id}")
    return engine_decisions


def _alert_physios(plan: Plan, *, key: str) -> None:
    runner = plan.runner
    for physio in physios_of(runner):
        email_enqueue(
            to=physio.email,
            template="plan_alert",
            context={"runner_name": runner.get_full_name() or runner.email},
            language=physio.language,
            recipient=physio,
            about=runner,
            dedupe_key=f"{key}:{physio.pk}",
        )


@transaction.atomic
def progression_evaluate(*, plan: Plan, window: EvaluationWindow) -> list[Decision]:
    """The weekly evaluation of one window of logs. Running it again for the same period
    changes nothing (one ProgressionRun per plan and period)."""
    plan = _locked_plan(plan)
    if plan.status != Plan.Status.ACTIVE:
        return []
    run, created = ProgressionRun.objects.get_or_create(
        plan=plan,
        period_start=window.starts_on,
        defaults={"period_end": window.ends_on, "inputs_hash": ""},
    )
    if not created:
        return list(plan.decisions.filter(window_ends_on=window.ends_on))
    engine_decisions = _store_and_apply(plan, window)
    run.inputs_hash = _window_hash(plan_state(plan), window)
    run.decisions_count = len(engine_decisions)
    run.save(update_fields=["inputs_hash", "decisions_count"])
    return list(plan.decisions.filter(fingerprint__in=[d.id for d in engine_decisions]))


@transaction.atomic
def progression_flare(*, plan: Plan, window: EvaluationWindow) -> list[Decision]:
    """A flare-up: evaluate the last days at once so the plan eases off straight away."""
    plan = _locked_plan(plan)
    if plan.status != Plan.Status.ACTIVE:
        return []
    engine_decisions = _store_and_apply(plan, window)
    return list(plan.decisions.filter(fingerprint__in=[d.id for d in engine_decisions]))


@transaction.atomic
def progression_flag(*, plan: Plan, window: EvaluationWindow) -> bool:
    """A warning sign in a log: pause the plan and refer, whatever else was logged."""
    plan = _locked_plan(plan)
    if plan.status not in (Plan.Status.ACTIVE, Plan.Status.PAUSED):
        return False
    engine_decisions = _store_and_apply(plan, window)
    if not any(d.kind == DecisionKind.PAUSE_AND_REFER for d in engine_decisions):
        return False
    if plan.status != Plan.Status.REFERRED:
        plan.status = Plan.Status.REFERRED
        plan.save(update_fields=["status", "updated_at"])
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
    from programs.plans.specs import Decision as EngineDecision

    plan = Plan.objects.select_for_update().get(pk=decision.plan_id)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.status != Decision.Status.PENDING:
        raise ConflictError(_("This change has already been decided."))
    engine = from_json(EngineDecision, decision.payload)
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
    plan.save(update_fields=["status", "version", "updated_at"])
    return plan
