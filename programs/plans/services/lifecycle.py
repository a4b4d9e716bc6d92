"""Writes for plans: generate, re-lay out from a new state, evaluate and apply progression,
approve, undo, pause and resume. The clinical rules live in planner.py and progression.py;
this module only stores their results.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import replace

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.content.models import Exercise, Phase
from programs.engine import planner, progression
from programs.engine.serialize import to_json
from programs.engine.specs import (
    Policy,
    RunnerContext,
)
from programs.plans.models import (
    Plan,
    PlanRevision,
)
from programs.plans.services.layout import relayout, store_weeks
from programs.plans.services.state import OPEN_STATUSES, plan_policy, plan_state, template_spec_for
from rehab.accounts.models import User
from rehab.accounts.services import user_lock
from rehab.core.db import unique_conflict
from rehab.core.errors import ApplicationError, ConflictError

# The caller's safety check before a plan starts: it raises an ApplicationError when this
# runner may not start a plan now, and returns the feature codes of the screening that
# cleared them (RunnerContext.features). See plan_generate.
StartCheck = Callable[[User], Iterable[str]]
# The caller's check before a plan resumes: it raises when the runner may not train yet.
ResumeCheck = Callable[[User, Plan], None]


@transaction.atomic
def plan_generate(
    *,
    runner,
    template,
    context: RunnerContext,
    start_check: StartCheck,
    policy: Policy | None = None,
    created_by=None,
    weeks: int | None = None,
) -> Plan:
    """Generate a dated plan from a template and store it with copied prescriptions.

    `start_check` is required: whether a runner may start a plan (a clear screening, no
    open referral) is decided by the logbook, which records screenings and referrals and
    sits above plans, so plans cannot read it. The caller passes its check in
    (programs.logbook.services.plan_start_check, or simply call logbook's plan_start);
    it runs here, inside this transaction and with the runner's row locked, so no path
    creates a plan without it and a referral opened at the same moment is either seen or
    waits. The features it returns, from the screening that cleared the runner, replace
    `context.features`: the planner's rules read them.
    """
    if not runner.is_runner:
        raise ApplicationError(_("Plans are made for runner accounts."))
    already_open = _("This runner already has an open plan.")
    user_lock(user=runner)
    if Plan.objects.filter(runner=runner, status__in=OPEN_STATUSES).exists():
        raise ConflictError(already_open)
    context = replace(context, features=frozenset(start_check(runner)))
    policy = policy or Policy()
    spec = template_spec_for(template)
    draft = planner.generate_plan(spec, context, policy, weeks=weeks)
    state = progression.initial_state(spec, context, policy)
    # A plan started at the same moment (a second tab, a physio) passed the check too:
    # one_open_plan_per_runner refuses this insert, and that is the same conflict.
    with unique_conflict(already_open):
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
            phase_seen=state.phase_key,
        )
    revision = PlanRevision.objects.create(
        plan=plan,
        number=1,
        kind=PlanRevision.Kind.GENERATED,
        state=to_json(state),
        effective_from=context.start_date,
        created_by=created_by,
    )
    store_weeks(plan, revision, draft.weeks, state=state, spec=spec)
    plan.current_revision = revision
    plan.next_evaluation_at = evaluation_due_at(plan, 1)
    plan.save(update_fields=["current_revision", "next_evaluation_at", "updated_at"])
    return plan


def new_revision(plan, *, kind, state, effective_from, created_by=None, reason="") -> PlanRevision:
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
    relayout(plan, revision, state, effective_from)
    plan.current_revision = revision
    plan.version += 1
    plan.save(update_fields=["current_revision", "version", "updated_at"])
    return revision


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


@transaction.atomic
def plan_set_status(
    *,
    plan: Plan,
    status: str,
    expected_version: int | None = None,
    resume_check: ResumeCheck | None = None,
    by=None,
    today: dt.date | None = None,
) -> Plan:
    """Pause or resume a plan; a stale version is refused (409).

    A plan paused for a warning sign (referred) resumes only through `resume_check`, the
    caller's check that the referral behind it was cleared (the logbook's: see
    programs.logbook.services.plan_resume); without one it is refused. Resuming it is
    never automatic: the runner or the physiotherapist asks for it. The engine's state
    was paused by the referral, so it is unpaused in a new revision from `today`.
    When given, `resume_check` also guards resuming a plain pause.
    """
    plan = Plan.objects.select_for_update().select_related("runner").get(pk=plan.pk)
    if expected_version is not None and expected_version != plan.version:
        raise ConflictError(_("The plan was changed in the meantime; reload and try again."))
    allowed: dict[str, set[str]] = {
        Plan.Status.PAUSED: {Plan.Status.ACTIVE},
        Plan.Status.ACTIVE: {Plan.Status.PAUSED, Plan.Status.REFERRED},
    }
    if plan.status not in allowed.get(status, set()):
        raise ApplicationError(_("This plan cannot change to that status now."))
    if status == Plan.Status.ACTIVE and resume_check is not None:
        resume_check(plan.runner, plan)
    elif plan.status == Plan.Status.REFERRED:
        raise ApplicationError(
            _(
                "This plan was paused for a warning sign. It can resume once a clinician "
                "has cleared the referral."
            )
        )
    if plan.status == Plan.Status.REFERRED:
        state = plan_state(plan)
        if state.paused:
            new_revision(
                plan,
                kind=PlanRevision.Kind.RESUMED,
                state=replace(state, paused=False),
                effective_from=today or timezone.now().date(),
                created_by=by,
                reason="resumed after the referral was cleared",
            )
    plan.status = status
    plan.version += 1
    if status == Plan.Status.ACTIVE:
        # Weeks spent paused are not evaluated: the next evaluation is the next week end.
        elapsed = (timezone.now().date() - plan.start_date).days // 7 + 1
        plan.next_evaluation_at = evaluation_due_at(plan, max(1, elapsed))
    plan.save(update_fields=["status", "version", "next_evaluation_at", "updated_at"])
    return plan


@transaction.atomic
def plan_refer(*, plan: Plan) -> bool:
    """Pause an active or paused plan for a referral made outside the logs (a screening
    that refers while the plan runs). Returns whether the plan changed."""
    changed = Plan.objects.filter(
        pk=plan.pk, status__in=[Plan.Status.ACTIVE, Plan.Status.PAUSED]
    ).update(status=Plan.Status.REFERRED, version=models.F("version") + 1)
    return bool(changed)


# Policy fields a physiotherapist may set per plan, with their allowed ranges.
POLICY_EDITABLE: dict[str, tuple[float, float] | None] = {
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


def plan_phase_seen_mark(*, plan: Plan, phase_key: str) -> bool:
    """Record that the runner saw their plan in `phase_key`. True when that phase comes
    after the one they saw last: a phase advance, which the page celebrates this once.
    The row is locked, so two tabs opened together celebrate once between them; a step
    back (a regression, an undo) or a first record is no advance. No query when the
    loaded plan already records this phase (the usual visit)."""
    if plan.phase_seen == phase_key:
        return False
    return _phase_seen_mark(plan=plan, phase_key=phase_key)


@transaction.atomic
def _phase_seen_mark(*, plan: Plan, phase_key: str) -> bool:
    previous = (
        Plan.objects.select_for_update().filter(pk=plan.pk).values_list("phase_seen", flat=True)
    ).first()
    if previous is None or previous == phase_key:
        return False
    Plan.objects.filter(pk=plan.pk).update(phase_seen=phase_key)
    plan.phase_seen = phase_key
    if not previous:
        return False
    orders = dict(
        Phase.objects.filter(
            template_id=plan.template_id, key__in=[previous, phase_key]
        ).values_list("key", "order")
    )
    return previous in orders and phase_key in orders and orders[phase_key] > orders[previous]
