"""Thin Celery tasks for accounts: they call a service."""

from __future__ import annotations

from celery import shared_task

from rehab.core.task_options import BATCH


@shared_task(**BATCH)  # idempotent: see retention
def retention_sweep() -> dict[str, int]:
    from rehab.accounts.retention import retention_run

    return retention_run()
