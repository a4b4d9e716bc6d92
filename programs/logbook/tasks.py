"""Thin Celery tasks for the weekly progression: they take ids and call a service."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, time_limit=600, soft_time_limit=580)
def dispatch_due_progressions() -> int:
    from programs.logbook.weekly import progressions_dispatch_due

    return progressions_dispatch_due().plans


@shared_task(acks_late=True, time_limit=60, soft_time_limit=50)
def relayout_plan(plan_id: int, revision_id: int) -> bool:
    """Safe to run twice: it only lays out a revision that is still current."""
    from programs.plans.services import plan_relayout

    return plan_relayout(plan_id=plan_id, revision_id=revision_id)
