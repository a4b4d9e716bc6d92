"""A physiotherapist's say over the engine: approve or reject a pending decision, and undo
the latest change."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.engine import progression
from programs.engine.serialize import from_json
from programs.engine.specs import (
    PlanState,
)
from programs.plans.models import (
    Decision,
    Plan,
    PlanRevision,
)
from programs.plans.services.lifecycle import new_revision
from programs.plans.services.recording import engine_decision
from programs.plans.services.state import plan_state
from rehab.core.errors import ApplicationError, ConflictError, NotFoundError


def _apply(plan, engine_decisions, *, state, kind, created_by=None) -> PlanRevision:
    new_state = progression.apply_decisions(state, engine_decisions)
    effective = min(d.effective_from for d in engine_decisions)
    revision = new_revision(
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


MESSAGE_MAX = 1000
BULK_MAX = 100
VERDICTS = ("approve", "reject")


@transaction.atomic
def decisions_decide(
    *, decision_ids: list[int], verdict: str, physio, runner_ids, message: str = ""
) -> list[Decision]:
    """Approve or reject many pending decisions at once, all or nothing.

    `runner_ids` is the physio's scope (the linked, consenting runners): a decision of any
    other runner is as good as missing, and the whole call is refused (NotFound). A
    decision already decided refuses the whole call too (ConflictError). Approved decisions
    of one plan apply together as one revision, in the order they were made. The optional
    message goes to the runner with each decision."""
    if verdict not in VERDICTS:
        raise ApplicationError(_("Choose approve or reject."), fields={"verdict": ["invalid"]})
    ids = sorted(set(decision_ids))
    if not ids:
        raise ApplicationError(
            _("Choose at least one change."),
            fields={"decisions": [_("Choose at least one change.")]},
        )
    if len(ids) > BULK_MAX:
        raise ApplicationError(
            _("Decide at most %(n)s changes at once.") % {"n": BULK_MAX},
            fields={"decisions": [_("Decide at most %(n)s changes at once.") % {"n": BULK_MAX}]},
        )
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        text = _("Keep the message under %(n)s characters.") % {"n": MESSAGE_MAX}
        raise ApplicationError(text, fields={"message": [text]})
    scoped = Decision.objects.filter(pk__in=ids, plan__runner_id__in=runner_ids)
    plan_ids = sorted(set(scoped.values_list("plan_id", flat=True)))
    # Plans first, then decisions, each in id order: the same lock order as one approval.
    plans = {
        p.pk: p for p in Plan.objects.select_for_update().filter(pk__in=plan_ids).order_by("pk")
    }
    decisions = list(
        Decision.objects.select_for_update().filter(pk__in=ids, plan_id__in=plans).order_by("pk")
    )
    if len(decisions) != len(ids):
        raise NotFoundError(_("One of these changes was not found."))
    if any(d.status != Decision.Status.PENDING for d in decisions):
        raise ConflictError(_("One of these changes has already been decided; nothing was saved."))
    now = timezone.now()
    if verdict == "approve":
        by_plan: dict[int, list[Decision]] = {}
        for d in sorted(decisions, key=lambda d: (d.window_ends_on, d.created_at, d.pk)):
            by_plan.setdefault(d.plan_id, []).append(d)
        for plan_id, rows in by_plan.items():
            plan = plans[plan_id]
            _apply(
                plan,
                [engine_decision(d) for d in rows],
                state=plan_state(plan),
                kind=PlanRevision.Kind.PHYSIO,
                created_by=physio,
            )
        Decision.objects.filter(pk__in=ids).update(
            decided_by=physio, decided_at=now, physio_message=message
        )
    else:
        Decision.objects.filter(pk__in=ids).update(
            status=Decision.Status.REJECTED,
            decided_by=physio,
            decided_at=now,
            physio_message=message,
            updated_at=now,
        )
    return list(Decision.objects.filter(pk__in=ids).select_related("plan__runner").order_by("pk"))


@transaction.atomic
def plan_revision_undo(*, plan: Plan, by, today: dt.date) -> PlanRevision:
    """Go back to the state before the latest change, from today on, as a new revision."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    revisions = list(plan.revisions.order_by("-number")[:2])
    if len(revisions) < 2:
        raise ApplicationError(_("There is no change to undo."))
    previous = from_json(PlanState, revisions[1].state)
    return new_revision(
        plan,
        kind=PlanRevision.Kind.UNDO,
        state=previous,
        effective_from=today,
        created_by=by,
        reason=f"undo r{revisions[0].number}",
    )
