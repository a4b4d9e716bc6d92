"""Thin Celery tasks of the platform core (options: rehab.core.task_options)."""

from __future__ import annotations

from celery import shared_task

from rehab.core.task_options import SWEEP


@shared_task(**SWEEP)
def purge_request_keys() -> dict[str, int]:
    """Delete expired Idempotency-Keys and web form submission tokens."""
    from rehab.core.idempotency import idempotency_keys_purge
    from rehab.core.submission import submission_tokens_purge

    return {
        "idempotency_keys": idempotency_keys_purge(),
        "submission_tokens": submission_tokens_purge(),
    }


@shared_task(**SWEEP)
def beat_tick() -> None:
    """Stamp the beat heartbeat (rehab.core.beat): /healthz and /metrics read its age."""
    from django.utils import timezone

    from rehab.core.beat import record_beat_tick

    record_beat_tick(timezone.now())
