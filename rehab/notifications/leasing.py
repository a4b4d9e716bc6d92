"""The claim-and-lease life cycle shared by outbox rows (emails, reminder deliveries).

A row is `pending` until a worker claims it with a conditional update (`sending`, a
lease, one more attempt). Only the winner of the claim sends. A failed send puts the
row back to `pending` with a back-off; a lease that runs out (a killed worker) makes
the row claimable again; after MAX_ATTEMPTS the sweeper marks it `failed`.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q
from django.utils import timezone

LEASE = dt.timedelta(minutes=5)
STUCK_AFTER = dt.timedelta(minutes=2)
MAX_ATTEMPTS = 8
BACKOFF_MAX = dt.timedelta(seconds=300)

PENDING, SENDING, FAILED = "pending", "sending", "failed"


def claim(model, pk, *, now: dt.datetime) -> bool:
    """Take the row for one send attempt; False when another worker holds it or it is done."""
    claimable = Q(status=PENDING) | Q(status=SENDING, lease_until__lt=now)
    won = model.objects.filter(claimable, pk=pk, attempts__lt=MAX_ATTEMPTS).update(
        status=SENDING, lease_until=now + LEASE, attempts=F("attempts") + 1
    )
    return won == 1


def finish(model, pk, status: str, **fields) -> None:
    """Leave `sending` for a final or retry status; a row someone else moved is left alone."""
    model.objects.filter(pk=pk, status=SENDING).update(status=status, lease_until=None, **fields)


def retry_later(model, pk, *, attempts: int, error_field: str, error: Exception) -> None:
    backoff = min(BACKOFF_MAX, dt.timedelta(seconds=15 * 2**attempts))
    finish(
        model,
        pk,
        PENDING,
        next_attempt_at=timezone.now() + backoff,
        **{error_field: f"{type(error).__name__}: {error}"[:300]},
    )


def stuck_ids(model, *, now: dt.datetime, order_by: str, limit: int = 5000) -> list:
    """Rows a lost message, a dead worker or a failed enqueue left unsent."""
    pending = Q(status=PENDING) & (
        Q(next_attempt_at__isnull=True, created_at__lt=now - STUCK_AFTER)
        | Q(next_attempt_at__lt=now)
    )
    lease_expired = Q(status=SENDING, lease_until__lt=now)
    return list(
        model.objects.filter(pending | lease_expired, attempts__lt=MAX_ATTEMPTS)
        .order_by(order_by)
        .values_list("pk", flat=True)[:limit]
    )


def fail_exhausted(model, *, now: dt.datetime) -> int:
    return model.objects.filter(
        Q(status=PENDING) | Q(status=SENDING, lease_until__lt=now),
        attempts__gte=MAX_ATTEMPTS,
    ).update(status=FAILED, lease_until=None)
