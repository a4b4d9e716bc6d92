"""Recording the engine's progression: the weekly evaluation's batch writes (decisions,
revisions, runs, plans) in a constant number of statements, the at-once evaluations of a
flare-up or a warning sign, and decisions to and from rows."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, replace

from django.db import transaction
from django.db.models import Max, prefetch_related_objects
from django.utils import timezone

from programs.engine import progression, rules
from programs.engine.serialize import from_json, to_json
from programs.engine.specs import Decision as EngineDecision
from programs.engine.specs import (
    DecisionKind,
    EvaluationWindow,
    PlanState,
    PrescriptionChange,
    RunTarget,
)
from programs.plans.models import (
    Decision,
    Plan,
    PlanRevision,
    ProgressionRun,
)
from programs.plans.services.layout import Relayout, plan_relayout
from programs.plans.services.lifecycle import evaluation_due_at
from programs.plans.services.state import plan_policy, plan_state, template_spec_for
from rehab.accounts.services import physios_alert
from rehab.core.bulk import insert_rows, json_bytes, update_rows


def _window_hash(revision_id: int | None, window: EvaluationWindow) -> str:
    """Fingerprint of what an evaluation read: the state's revision and the window, as
    JSON text (written in C: a tenth of the time of the window's repr, which it replaced
    for rows written from 2026-12-03 on; the hash is a record, never compared)."""
    return hashlib.sha256(b"%d:" % (revision_id or 0) + json_bytes(window)).hexdigest()


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
) -> list[Relayout]:
    """Store a batch of evaluations with a constant number of statements.

    Writes the decisions, a new revision for every plan with decisions to apply, the
    plans' new current revision, version, status and next evaluation time, and (weekly)
    one ProgressionRun per plan. Each write is one set-based statement whatever the size
    of the batch (rehab.core.bulk). Returns the plans whose sessions must be laid out
    again: those with a new revision and, weekly, the others from the coming week on.
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
                    state,  # insert_rows writes the dataclass as to_json would
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
    alerted = [e for e in evaluations if weekly and any(d.alert_physio for d in e.decisions)]
    # The weekly claim does not load the runners: those to alert for, in one query.
    prefetch_related_objects([e.plan for e in alerted], "runner")
    for e in alerted:
        alerting = [d for d in e.decisions if d.alert_physio]
        if alerting and not any(d.kind == DecisionKind.PAUSE_AND_REFER for d in alerting):
            # A review flag alone changes nothing in the plan: its own, neutral email.
            review_only = all(d.kind == DecisionKind.REVIEW for d in alerting)
            physios_alert(
                runner=e.plan.runner,
                template="plan_review" if review_only else "plan_alert",
                dedupe_key=f"plan-alert:{e.plan.pk}:{alerting[0].id}",
            )
    relayouts = [
        Relayout(plan_id, pk, effective, changed=True)
        for plan_id, (pk, effective) in revision_of.items()
    ]
    # A week passed without a change in force (every decision waits for approval, or
    # none fired): lay the coming weeks out again from the state that is in force, so the
    # planned timeline never shows a phase the runner has not reached (notes §C).
    relayouts += [
        Relayout(e.plan.pk, e.plan.current_revision_id, e.window.ends_on + dt.timedelta(days=1))
        for e in evaluations
        if weekly and e.plan.pk not in revision_of and e.plan.current_revision_id is not None
    ]
    return relayouts


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
    """The engine's decision as a row of DECISION_FIELDS for rehab.core.bulk.insert_rows
    (its JSON columns may hold the engine's dataclasses); engine_decision reverses it."""
    pending = decision.requires_approval
    return (
        plan_id,
        decision.id,
        decision.kind,
        decision.rule,
        list(decision.sources),
        decision.explanation,
        decision.inputs,
        decision.changes,  # dataclasses: insert_rows writes them as to_json would
        decision.phase_before or "",
        decision.phase_after or "",
        decision.run_before,
        decision.run_after,
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


def _locked_plan(plan: Plan) -> Plan:
    return (
        Plan.objects.select_for_update(of=("self",))
        .select_related("current_revision", "template", "runner")
        .get(pk=plan.pk)
    )


def _evaluate_one(plan: Plan, window: EvaluationWindow, *, weekly: bool) -> list:
    spec = template_spec_for(plan.template)
    state = plan_state(plan)
    decisions = progression.evaluate(state, window, spec, plan_policy(plan))
    evaluation = Evaluation(plan, window, state, decisions, progression.weekly_pain_mean(window))
    for item in progression_record([evaluation], weekly=weekly):
        plan_relayout(plan_id=item.plan_id, revision_id=item.revision_id, from_date=item.from_date)
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


def plan_evaluated_through(plan: Plan) -> dt.date | None:
    """The last day an evaluation of this plan has read: its state's evaluated_through
    (moved on by every applied decision) or the end of its latest weekly evaluation,
    whichever is later. A flare-up window starts after it, so no day counts twice."""
    through = plan_state(plan).evaluated_through
    last_run = (
        ProgressionRun.objects.filter(plan=plan)
        .order_by("-period_end")
        .values_list("period_end", flat=True)
        .first()
    )
    days = [d for d in (through, last_run) if d is not None]
    return max(days) if days else None


def flare_window_start(plan: Plan, date: dt.date) -> dt.date:
    """The first day of a flare-up's window: the six days before the flare (§C) and the
    flare's day, but never a day an evaluation has already read (plan_evaluated_through).
    When the latest evaluation ended just before those six days (the week ended and its
    evaluation ran meanwhile), the window reaches back to the day after it, so no
    unevaluated day is skipped either (at most eight days)."""
    start = max(plan.start_date, date - dt.timedelta(days=6))
    through = plan_evaluated_through(plan)
    if through is not None and through >= date - dt.timedelta(days=8):
        start = max(plan.start_date, through + dt.timedelta(days=1))
    return min(start, date)


@transaction.atomic
def progression_flare(*, plan: Plan, window: EvaluationWindow) -> list[Decision]:
    """A flare-up: evaluate the last days at once so the plan eases off straight away.

    The state's evaluated_through moves on to the flare's day even when the decisions wait
    for a physiotherapist's approval, so the weekly evaluation does not act on the same
    days (and the flare) a second time."""
    plan = _locked_plan(plan)
    if plan.status != Plan.Status.ACTIVE:
        return []
    decisions = _evaluate_one(plan, window, weekly=False)
    plan.refresh_from_db(fields=["current_revision", "version"])
    state = plan_state(plan)
    if state.evaluated_through is None or state.evaluated_through < window.ends_on:
        moved = replace(state, evaluated_through=window.ends_on)
        number = (
            plan.revisions.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
        revision = PlanRevision.objects.create(
            plan=plan,
            number=number,
            kind=PlanRevision.Kind.PROGRESSION,
            state=to_json(moved),
            effective_from=window.ends_on + dt.timedelta(days=1),
            reason="flare-up window read",
        )
        Plan.objects.filter(pk=plan.pk).update(current_revision=revision, version=plan.version + 1)
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
