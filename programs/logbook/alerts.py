"""The physiotherapist's daily alert digest, at their local time.

Warning signs and flare-ups are emailed at once (rehab.accounts.services.physios_alert);
everything else waits for this digest: rising pain trends and lighter weeks, changes
waiting for approval, runners who logged nothing for 7 days, and plans to review. Each physio chooses the kinds (rehab.accounts.alerts) and
the hour. The digest reads the caseload as it stands when it goes out.

Idempotent: an AlertDigest row (unique per physio and local day) is claimed before the
email is queued, in one transaction, so a second run of the beat task, or two at once,
sends nothing more. A day with nothing to report stores the row without an email. The
email says only that runners may need attention, with a link: no name, no health data.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from programs.logbook.caseload import Flag, caseload
from rehab.accounts.alerts import alert_preferences_of
from rehab.accounts.models import DIGEST_KINDS, AlertDigest, AlertKind, Role, User
from rehab.core.timeutils import local_now
from rehab.notifications.services import email_enqueue

logger = logging.getLogger(__name__)

CASELOAD_PATH = "/physio/"  # most urgent first


def digest_kinds(physio: User) -> list[str]:
    """The digest kinds the physio's caseload has now (whether or not they want them)."""
    rows = caseload(physio)
    found = set()
    for row in rows:
        if row.pain.direction == "rising" or Flag.DELOAD in row.flags:
            found.add(AlertKind.RISING_PAIN)
        if Flag.PENDING_APPROVAL in row.flags:
            found.add(AlertKind.PENDING_APPROVAL)
        if Flag.NO_RECENT_LOG in row.flags:
            found.add(AlertKind.SILENCE)
        if Flag.NEEDS_REVIEW in row.flags:
            found.add(AlertKind.REVIEW)
    return [kind for kind in DIGEST_KINDS if kind in found]


def digests_due(*, now: dt.datetime) -> list[tuple[User, dt.date]]:
    """Physios whose digest time has passed today (their local day) and who have no digest
    for that day yet, with that day."""
    physios = list(User.objects.filter(role=Role.PHYSIO, is_active=True))
    if not physios:
        return []
    preferences = alert_preferences_of(physios)
    candidates = []
    for physio in physios:
        prefs = preferences[physio.pk]
        if not any(prefs.wants(kind) for kind in DIGEST_KINDS):
            continue
        local = local_now(physio.timezone, now)
        if local.time() >= prefs.digest_time:
            candidates.append((physio, local.date()))
    if not candidates:
        return []
    done = set(
        AlertDigest.objects.filter(
            physio__in=[p for p, _d in candidates],
            local_date__in={d for _p, d in candidates},
        ).values_list("physio_id", "local_date")
    )
    return [(p, d) for p, d in candidates if (p.pk, d) not in done]


def alert_digest_send(*, physio: User, local_date: dt.date) -> AlertDigest | None:
    """Claim the physio's digest of that local day and queue its email if there is
    anything they want to hear about. None when another run already claimed it."""
    prefs = alert_preferences_of([physio])[physio.pk]
    kinds = [k for k in digest_kinds(physio) if prefs.wants(k)]
    try:
        with transaction.atomic():
            digest = AlertDigest.objects.create(physio=physio, local_date=local_date, kinds=kinds)
            if kinds:
                digest.email = email_enqueue(
                    to=physio.email,
                    template="alert_digest",
                    context={"caseload_path": CASELOAD_PATH},
                    language=physio.language,
                    recipient=physio,
                    dedupe_key=f"alert-digest:{physio.pk}:{local_date.isoformat()}",
                )
                digest.save(update_fields=["email", "updated_at"])
    except IntegrityError:  # another run claimed this day first
        return None
    return digest


def alert_digests_send(*, now: dt.datetime | None = None) -> int:
    """Every digest due now (the beat task). Returns how many emails were queued."""
    now = now or timezone.now()
    sent = 0
    for physio, local_date in digests_due(now=now):
        digest = alert_digest_send(physio=physio, local_date=local_date)
        sent += bool(digest and digest.email_id)
    return sent
