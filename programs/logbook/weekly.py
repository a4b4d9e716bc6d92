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
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from programs.logbook.windows import build_windows
from programs.plans import progression
from programs.plans.plan_models import Plan, ProgressionRun
from programs.plans.selectors import template_spec
from programs.plans.serialize import from_json
from programs.plans.services import (
    Evaluation,
    evaluation_window_bounds,
    plan_policy,
    progression_record,
)
from programs.plans.specs import PlanState

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
    plans = Plan.objects.filter(pk__in=ids).select_related("current_revision", "runner")
    return sorted(plans, key=lambda plan: (plan.next_evaluation_at, plan.pk))


def _previous_means(plans: list[Plan]) -> dict[int, list[float]]:
    means: dict[int, list[float]] = {}
    rows = (
        ProgressionRun.objects.filter(plan__in=plans, weekly_pain_mean__isnull=False)
        .order_by("plan_id", "period_start")
        .values_list("plan_id", "weekly_pain_mean")
    )
    for plan_id, mean in rows:
        means.setdefault(plan_id, []).append(mean)
    return {plan_id: values[-3:] for plan_id, values in means.items()}


def evaluate_batch(plans: list[Plan], *, now: dt.datetime, specs: dict) -> list[tuple]:
    """Evaluate one claimed batch and store it. Returns the plans to lay out again."""
    done = set(ProgressionRun.objects.filter(plan__in=plans).values_list("plan_id", "period_start"))
    previous = _previous_means(plans)
    requests, states, bounds = [], {}, {}
    for plan in plans:
        starts, ends = evaluation_window_bounds(plan, plan.next_evaluation_at)
        state = from_json(PlanState, plan.current_revision.state)
        states[plan.pk] = state
        bounds[plan.pk] = (starts, ends)
        requests.append((plan, starts, ends, previous.get(plan.pk, []), state.evaluated_through))
    windows = build_windows(requests)
    evaluations = []
    for plan in plans:
        window = windows[plan.pk]
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
    return progression_record(evaluations, weekly=True, now=now)


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
        with transaction.atomic():
            plans = _claim(now, batch)
            if not plans:
                break
            changed = evaluate_batch(plans, now=now, specs=specs)
            if enqueue_relayout:
                _relayout_after_commit(changed)
        report.batches += 1
        report.plans += len(plans)
        report.changed += len(changed)
    return report


def _relayout_after_commit(changed: list[tuple]) -> None:
    if not changed:
        return
    from programs.logbook.tasks import relayout_plan

    def send() -> None:
        for plan_id, revision_id, _effective in changed:
            try:
                relayout_plan.apply_async((plan_id, revision_id), expires=3600)
            except Exception:  # broker down: the sessions are laid out on the next read
                logger.warning("could not enqueue the relayout of plan %s", plan_id)
                return

    transaction.on_commit(send, robust=True)
