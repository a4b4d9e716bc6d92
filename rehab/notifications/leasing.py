"""The outbox row: the claim-and-lease life cycle shared by OutboundEmail and ReminderDelivery.

A row is `pending` until a worker claims it with a conditional update (`sending`, a
lease, one more attempt). Only the winner of the claim sends. A failed send puts the
row back to `pending` with a back-off; a lease that runs out (a killed worker) makes
the row claimable again; after MAX_ATTEMPTS the sweeper marks it `failed`.

`OutboxRow` holds the columns of that life cycle and `OutboxQuerySet` its statements;
a concrete outbox inherits both and adds what it delivers.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import connection, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rehab.core.models import BaseModel
from rehab.core.task_options import MAX_RETRIES, RETRY_BACKOFF, RETRY_BACKOFF_MAX

# A claim is short and renewed while its holder keeps sending (`renew`): a killed worker's
# rows are claimable again after LEASE, not after the broker's visibility timeout. A single
# send is bounded well inside it (EMAIL_TIMEOUT, WEBPUSH_TIMEOUT, the SEND time limit).
LEASE = dt.timedelta(seconds=30)
# A pending row whose message has not started it after this long is the sweeper's.
STUCK_AFTER = dt.timedelta(seconds=20)
MAX_ATTEMPTS = 1 + MAX_RETRIES  # the same limit as the send task's retries
BACKOFF_MAX = dt.timedelta(seconds=RETRY_BACKOFF_MAX)
DETAIL_MAX = 500


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SUPPRESSED = "suppressed", _("Suppressed")


PENDING, SENDING, FAILED = OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.FAILED


def _concrete(model, name: str) -> models.Field:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.column is None:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return field


class OutboxQuerySet(models.QuerySet):
    def claim(self, pk, *, now: dt.datetime) -> bool:
        """Take the row for one send attempt; False when another worker holds it or it is done."""
        claimable = Q(status=PENDING) | Q(status=SENDING, lease_until__lt=now)
        won = self.filter(claimable, pk=pk, attempts__lt=MAX_ATTEMPTS).update(
            status=SENDING, lease_until=now + LEASE, attempts=F("attempts") + 1
        )
        return won == 1

    def claim_batch(self, *, now: dt.datetime, limit: int, order_by: str) -> list:
        """Take up to `limit` due rows for one send attempt each; returns their keys.

        Due: pending and not backing off, or sending with a lapsed lease. On PostgreSQL
        the rows are locked with SKIP LOCKED, so concurrent claimers split the work
        without waiting; elsewhere each row is taken with the conditional `claim`.
        """
        claimable = (
            Q(status=PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        ) | Q(status=SENDING, lease_until__lt=now)
        due = self.filter(claimable, attempts__lt=MAX_ATTEMPTS).order_by(order_by)
        if not connection.features.has_select_for_update_skip_locked:
            keys = list(due.values_list("pk", flat=True)[:limit])
            return [pk for pk in keys if self.claim(pk, now=now)]
        with transaction.atomic():
            keys = list(
                due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit]
            )
            if keys:
                self.filter(pk__in=keys).update(
                    status=SENDING, lease_until=now + LEASE, attempts=F("attempts") + 1
                )
        return keys

    def renew(self, keys, *, now: dt.datetime) -> int:
        """Extend the lease of rows this worker still holds (`sending`), while it sends."""
        return self.filter(pk__in=list(keys), status=SENDING).update(lease_until=now + LEASE)

    def due_count(self, *, now: dt.datetime) -> int:
        """How many rows a claimer could take now."""
        claimable = (
            Q(status=PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        ) | Q(status=SENDING, lease_until__lt=now)
        return self.filter(claimable, attempts__lt=MAX_ATTEMPTS).count()

    def finish(self, pk, status: str, **fields) -> None:
        """Leave `sending` for a final or retry status; a row someone else moved is left alone.

        One plain UPDATE by primary key: a sender runs it once per message, where building
        the ORM's update costs more than the statement itself. Values go through each
        field's get_db_prep_value, as the ORM's would."""
        meta = self.model._meta
        quote = connection.ops.quote_name
        values = {"status": status, "lease_until": None, **fields}
        assignments, params = [], []
        for name, value in values.items():
            field = _concrete(self.model, name)
            assignments.append(f"{quote(str(field.column))} = %s")
            params.append(field.get_db_prep_value(value, connection))
        key = _concrete(self.model, meta.pk.name if meta.pk else "id")
        status_column = quote(str(_concrete(self.model, "status").column))
        sql = (
            f"UPDATE {quote(meta.db_table)} SET {', '.join(assignments)} "  # noqa: S608 - model metadata, quoted
            f"WHERE {quote(str(key.column))} = %s AND {status_column} = %s"
        )
        params += [key.get_db_prep_value(pk, connection), SENDING]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    def retry_later(self, pk, *, attempts: int, error: Exception) -> None:
        """Back to `pending` after a failed send, with an exponential back-off."""
        backoff = min(BACKOFF_MAX, dt.timedelta(seconds=RETRY_BACKOFF * 2**attempts))
        self.finish(
            pk,
            PENDING,
            next_attempt_at=timezone.now() + backoff,
            detail=f"{type(error).__name__}: {error}"[:DETAIL_MAX],
        )

    def stuck_ids(self, *, now: dt.datetime, order_by: str, limit: int = 5000) -> list:
        """Rows a lost message, a dead worker or a failed enqueue left unsent."""
        pending = Q(status=PENDING) & (
            Q(next_attempt_at__isnull=True, created_at__lt=now - STUCK_AFTER)
            | Q(next_attempt_at__lt=now)
        )
        lease_expired = Q(status=SENDING, lease_until__lt=now)
        return list(
            self.filter(pending | lease_expired, attempts__lt=MAX_ATTEMPTS)
            .order_by(order_by)
            .values_list("pk", flat=True)[:limit]
        )

    def fail_exhausted(self, *, now: dt.datetime) -> int:
        """Rows that used up MAX_ATTEMPTS are `failed`: the sweeper stops retrying them."""
        return self.filter(
            Q(status=PENDING) | Q(status=SENDING, lease_until__lt=now),
            attempts__gte=MAX_ATTEMPTS,
        ).update(status=FAILED, lease_until=None)


class OutboxRow(BaseModel):
    """The columns of the claim-and-lease life cycle. A subclass whose statuses go beyond
    OutboxStatus declares its own Status (the outbox statuses and its own) and `status`."""

    Status = OutboxStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    status = models.CharField(max_length=12, choices=OutboxStatus, default=OutboxStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The last send error, or why the row was suppressed. Never health data.
    detail = models.CharField(max_length=DETAIL_MAX, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        abstract = True
