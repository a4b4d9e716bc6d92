"""Data retention: accounts unused for RETENTION_INACTIVE_MONTHS are warned, then erased.

Who is covered, and how:

- Runners, and physiotherapists without an active link to a runner: an erasure warning
  by email (no health data: the date they were last seen and the date of erasure), then,
  if the account is still unused RETENTION_GRACE_DAYS after the email went out, erasure
  with the ordinary erasure service (`user_erase`: the audit trail stays, pseudonymous).
- Physiotherapists with linked runners: a reminder only. Erasing them would cut off the
  supervision of runners who still use the product; they keep their account until they
  end the links or the runners leave. If their links end while they stay unused, they
  get an erasure warning of their own and the grace period starts then.
- Staff and superusers: never (the people who run the service manage those accounts).
- Deactivated accounts (`is_active` off): left to the staff who deactivated them; no
  email can reach them (the outbox suppresses mail to inactive accounts).

Idempotent by construction: one notice per kind per period of inactivity (a unique
constraint on the user's `last_seen_at` at warning time, and the email's dedupe key), and
nothing is erased without a sent warning at least the grace period old. Any activity
after the warning moves `last_seen_at`, which cancels the notice.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, TypedDict
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import formats, timezone, translation

from rehab.accounts.models import CareLink, RetentionNotice, Role, User
from rehab.accounts.privacy import user_erase
from rehab.notifications.models import OutboundEmail
from rehab.notifications.services import email_enqueue

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _Covered(TypedDict):
    has_runners: bool  # the annotation _covered() adds


logger = logging.getLogger(__name__)

WARN_BATCH = 500
ERASE_BATCH = 50


def _cutoff(now: dt.datetime) -> dt.datetime:
    return now - relativedelta(months=settings.RETENTION_INACTIVE_MONTHS)


def _grace() -> dt.timedelta:
    return dt.timedelta(days=settings.RETENTION_GRACE_DAYS)


def _covered():
    """Accounts the policy applies to, annotated with whether runners depend on them."""
    linked = CareLink.objects.active().filter(physio=OuterRef("pk"))
    return User.objects.filter(is_active=True, is_staff=False, is_superuser=False).annotate(
        has_runners=Exists(linked)
    )


def _kind(user: WithAnnotations[User, _Covered]) -> str:
    if user.role == Role.PHYSIO and user.has_runners:
        return RetentionNotice.Kind.REMINDER
    return RetentionNotice.Kind.ERASE


def _local_date(user: User, moment: dt.datetime) -> str:
    with translation.override(user.language):
        return formats.date_format(moment.astimezone(ZoneInfo(user.timezone)).date(), "DATE_FORMAT")


def retention_notice_send(*, user: User, kind: str, now: dt.datetime) -> RetentionNotice | None:
    """Warn one unused account, once per kind for its current period of inactivity."""
    erase_after = now + _grace() if kind == RetentionNotice.Kind.ERASE else None
    try:
        with transaction.atomic():
            notice = RetentionNotice.objects.create(
                user=user, kind=kind, inactive_since=user.last_seen_at, erase_after=erase_after
            )
            notice.email = email_enqueue(
                to=user.email,
                template="retention_warning",
                context={
                    "since": _local_date(user, user.last_seen_at),
                    "erase_on": _local_date(user, erase_after) if erase_after else "",
                },
                language=user.language,
                recipient=user,
                dedupe_key=f"retention:{user.pk}:{kind}:{user.last_seen_at.isoformat()}",
            )
            notice.save(update_fields=["email", "updated_at"])
    except IntegrityError:  # another sweep warned this period first
        return None
    return notice


def retention_warn(*, now: dt.datetime, limit: int = WARN_BATCH) -> int:
    """Warn accounts unused since before the cutoff that have no warning for this period
    yet (a physiotherapist whose links ended after a reminder gets the erasure warning)."""
    this_period = RetentionNotice.objects.filter(
        user=OuterRef("pk"), inactive_since=OuterRef("last_seen_at")
    )
    candidates = (
        _covered()
        .filter(last_seen_at__lt=_cutoff(now))
        .annotate(
            noticed=Exists(this_period),
            erasure_noticed=Exists(this_period.filter(kind=RetentionNotice.Kind.ERASE)),
        )
        .filter(Q(has_runners=True, noticed=False) | Q(has_runners=False, erasure_noticed=False))
        .order_by("last_seen_at", "pk")[:limit]
    )
    sent = 0
    for user in list(candidates):
        if retention_notice_send(user=user, kind=_kind(user), now=now) is not None:
            sent += 1
    return sent


def retention_cancel(*, now: dt.datetime) -> int:
    """Activity after a warning (a newer last_seen_at) cancels it."""
    return RetentionNotice.objects.filter(
        status=RetentionNotice.Status.WARNED, user__last_seen_at__gt=F("inactive_since")
    ).update(status=RetentionNotice.Status.CANCELLED, updated_at=now)


def retention_erase(*, now: dt.datetime, limit: int = ERASE_BATCH) -> int:
    """Erase accounts whose erasure warning was sent at least the grace period ago and
    which stayed unused since, if the policy still covers them (no runners linked now)."""
    due = (
        RetentionNotice.objects.filter(
            kind=RetentionNotice.Kind.ERASE,
            status=RetentionNotice.Status.WARNED,
            erase_after__lte=now,
            email__status=OutboundEmail.Status.SENT,
            email__sent_at__lte=now - _grace(),
            user__last_seen_at=F("inactive_since"),
            user__in=_covered().filter(has_runners=False).values("pk"),
        )
        .select_related("user")
        .order_by("erase_after")[:limit]
    )
    erased = 0
    for notice in list(due):
        user_id = notice.user_id
        user_erase(user=notice.user)
        logger.info("retention: erased account %s, unused since %s", user_id, notice.inactive_since)
        erased += 1
    return erased


def retention_run(*, now: dt.datetime | None = None) -> dict[str, int]:
    """One sweep: cancel what activity ended, erase what is due, warn what is new."""
    if settings.RETENTION_INACTIVE_MONTHS <= 0:
        return {"cancelled": 0, "erased": 0, "warned": 0}
    now = now or timezone.now()
    cancelled = retention_cancel(now=now)
    erased = retention_erase(now=now)
    warned = retention_warn(now=now)
    return {"cancelled": cancelled, "erased": erased, "warned": warned}
