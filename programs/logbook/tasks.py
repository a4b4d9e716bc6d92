"""Thin Celery tasks for the weekly progression: they take ids and call a service.

Options: rehab.core.task_options."""

from __future__ import annotations

from celery import shared_task

from rehab.core.task_options import BATCH, PLAN_JOB


@shared_task(**BATCH)
def dispatch_due_progressions() -> int:
    from programs.logbook.weekly import progressions_dispatch_due

    return progressions_dispatch_due().plans


@shared_task(**PLAN_JOB)
def relayout_plan(plan_id: int, revision_id: int, from_date: str | None = None) -> bool:
    """Safe to run twice: it only lays out a revision that is still current, in place."""
    from programs.plans.services.layout import plan_relayout

    return plan_relayout(plan_id=plan_id, revision_id=revision_id, from_date=from_date)


@shared_task(acks_late=True, time_limit=600, soft_time_limit=580)
def send_alert_digests() -> int:
    """Safe to run twice: one digest per physio per local day (a unique constraint)."""
    from programs.logbook.alerts import alert_digests_send

    return alert_digests_send()
