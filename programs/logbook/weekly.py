"""The weekly progression evaluation, for every active plan whose week has ended.

A beat task runs the dispatcher every 15 minutes. It claims due plans in batches
(SKIP LOCKED on PostgreSQL, so two dispatchers never take the same plan), builds every
window of a batch in a constant number of queries, runs the pure engine per plan and
stores the batch with a constant number of writes. The one ProgressionRun per plan and
period makes a repeated or concurrent evaluation a no-op. Laying out the sessions of a
changed plan happens afterwards, one task per plan.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, replace

from django.db import connection, transaction
from django.utils import timezone

from programs.content.selectors import template_spec
from programs.engine import progression
from programs.engine.screening import MOVEMENT_CHANGE_CODE
from programs.engine.specs import DecisionKind, OutcomeScore
from programs.logbook.models import Referral
from programs.logbook.questionnaire_models import QuestionnaireResponse
from programs.logbook.windows import build_windows
from programs.plans.models import Plan, ProgressionRun
from programs.plans.services.layout import Relayout
from programs.plans.services.lifecycle import evaluation_window_bounds
from programs.plans.services.recording import Evaluation, progression_record
from programs.plans.services.state import plan_policy, plan_state
from rehab.core.batching import one_collection_per_batch

logger = logging.getLogger(__name__)

BATCH = 500


@dataclass
class DispatchReport:
    plans: int = 0
    decisions: int = 0
    changed: int = 0
    batches: int = 0


def _claim(now: dt.datetime, batch: int) -> list[Plan]:
    """Lock the next `batch` due plans and load them with what the evaluation reads.

    Two steps: the lock query reads only the partial (next_evaluation_at, id) index, so
    it stops after `batch` rows however many plans are due; joining the revisions and
    runners into it would make PostgreSQL sort every due plan first.
    """
    due = Plan.objects.filter(status=Plan.Status.ACTIVE, next_evaluation_at__lte=now).order_by(
        "next_evaluation_at", "pk"
    )
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True)
    ids = list(due.values_list("pk", flat=True)[:batch])
    if not ids:
        return []
    # Not the runners: only an alert needs one (progression_record loads those).
    plans = Plan.objects.filter(pk__in=ids).select_related("current_revision")
    return sorted(plans, key=lambda plan: (plan.next_evaluation_at, plan.pk))


def _previous_means(plans: list[Plan]) -> dict[int, list[float]]:
    means: dict[int, list[float]] = {}
    rows = (
        ProgressionRun.objects.filter(plan__in=plans, weekly_pain_mean__isnull=False)
        .order_by("plan_id", "period_start")
        .values_list("plan_id", "weekly_pain_mean")
    )
    for plan_id, mean in rows:
        if mean is not None:  # always, by the filter; for the type checker
            means.setdefault(plan_id, []).append(mean)
    return {plan_id: values[-3:] for plan_id, values in means.items()}


def _outcomes(plans: list[Plan], states: dict, bounds: dict) -> dict[int, tuple]:
    """Questionnaire scores (§h) of the runners whose plan is due its 12-week review check
    (progression.rule_review), in one query, and none when no plan of the batch is."""
    due = {
        plan.runner_id: plan.pk
        for plan in plans
        if states[plan.pk].review_flagged_on is None
        and states[plan.pk].condition not in progression.NOT_REVIEWED
        and (bounds[plan.pk][1] - plan.start_date).days + 1 >= 7 * progression.REVIEW_AFTER_WEEKS
    }
    if not due:
        return {}
    scores: dict[int, list] = {}
    rows = QuestionnaireResponse.objects.filter(runner_id__in=list(due)).values_list(
        "runner_id", "instrument", "week", "score"
    )
    for runner_id, instrument, week, score in rows:
        scores.setdefault(due[runner_id], []).append(OutcomeScore(instrument, week, score))
    return {plan_id: tuple(sorted(values, key=repr)) for plan_id, values in scores.items()}


def evaluate_batch(plans: list[Plan], *, now: dt.datetime, specs: dict) -> list[Relayout]:
    """Evaluate one claimed batch and store it. Returns the plans to lay out again.

    The windows hold the whole week: the engine itself leaves out, for its pain rules, the
    days an earlier (flare-up) evaluation already read (state.evaluated_through)."""
    done = set(ProgressionRun.objects.filter(plan__in=plans).values_list("plan_id", "period_start"))
    previous = _previous_means(plans)
    requests, states, bounds = [], {}, {}
    for plan in plans:
        # Claimed plans are due: next_evaluation_at <= now (see _claim).
        starts, ends = evaluation_window_bounds(plan, plan.next_evaluation_at or now)
        state = plan_state(plan)
        states[plan.pk] = state
        bounds[plan.pk] = (starts, ends)
        requests.append((plan, starts, ends, previous.get(plan.pk, []), None))
    windows = build_windows(requests)
    outcomes = _outcomes(plans, states, bounds)
    evaluations = []
    for plan in plans:
        window = replace(
            windows[plan.pk],
            plan_started_on=plan.start_date,
            outcomes=outcomes.get(plan.pk, ()),
        )
        state = states[plan.pk]
        if (plan.pk, window.starts_on) in done:
            decisions = []  # already evaluated: only move the schedule on
        else:
            if plan.template_id not in specs:
                specs[plan.template_id] = template_spec(plan.template_id)
            decisions = progression.evaluate(
                state, window, specs[plan.template_id], plan_policy(plan)
            )
        evaluations.append(
            Evaluation(plan, window, state, decisions, progression.weekly_pain_mean(window))
        )
    changed = progression_record(evaluations, weekly=True, now=now)
    _open_referrals_for_referred(evaluations)
    return changed


def _open_referrals_for_referred(evaluations: list[Evaluation]) -> None:
    """A warning sign the weekly evaluation found (the logs usually refer at once) also
    opens a referral, so the plan resumes only after a clinician's all-clear."""
    referred = [
        e.plan
        for e in evaluations
        if any(d.kind == DecisionKind.PAUSE_AND_REFER for d in e.decisions)
    ]
    if not referred:
        return
    covered = set(
        Referral.objects.still_open().filter(plan__in=referred).values_list("plan_id", flat=True)
    )
    Referral.objects.bulk_create(
        [
            Referral(
                runner_id=plan.runner_id,
                source=Referral.Source.PLAN,
                source_id=plan.pk,
                plan=plan,
                reasons=sorted(
                    {
                        code
                        for e in evaluations
                        if e.plan.pk == plan.pk
                        for code in progression.red_flags_in(e.window)
                    }
                    | (
                        {MOVEMENT_CHANGE_CODE}
                        if any(
                            e.plan.pk == plan.pk and progression.movement_changes_in(e.window)
                            for e in evaluations
                        )
                        else set()
                    )
                ),
            )
            for plan in referred
            if plan.pk not in covered
        ]
    )


def progressions_dispatch_due(
    *,
    now: dt.datetime | None = None,
    batch: int = BATCH,
    max_batches: int | None = None,
    enqueue_relayout: bool = True,
) -> DispatchReport:
    """Evaluate every plan whose week ended, batch by batch, until none is due."""
    now = now or timezone.now()
    report = DispatchReport()
    specs: dict = {}
    while max_batches is None or report.batches < max_batches:
        with one_collection_per_batch(), transaction.atomic():
            plans = _claim(now, batch)
            if not plans:
                break
            changed = evaluate_batch(plans, now=now, specs=specs)
            if enqueue_relayout:
                _relayout_after_commit(changed)
        report.batches += 1
        report.plans += len(plans)
        report.changed += sum(item.changed for item in changed)
    return report


def _relayout_after_commit(changed: list[Relayout]) -> None:
    if not changed:
        return
    from programs.logbook.tasks import relayout_plan

    def send() -> None:
        for item in changed:
            try:
                relayout_plan.apply_async(
                    (item.plan_id, item.revision_id, item.from_date.isoformat()), expires=3600
                )
            except Exception:  # broker down: the sessions are laid out on the next read
                logger.warning("could not enqueue the relayout of plan %s", item.plan_id)
                return

    transaction.on_commit(send, robust=True)
