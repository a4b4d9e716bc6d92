"""A physiotherapist's alert preferences, and which alerts go out at once.

Warning signs (referrals opened, and cleared) and flare-ups are emailed to the linked
physios at once; every other alert (rising pain, changes waiting for approval, silence,
plans to review) waits for the daily digest (programs.logbook.alerts), which reads the caseload
as it stands then. Each physio chooses the kinds they get. Emails carry no health data.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from rehab.accounts.models import (
    IMMEDIATE_KINDS,
    AlertKind,
    AlertPreferences,
    User,
)

DEFAULT_DIGEST_TIME = dt.time(7, 0)  # as AlertPreferences.digest_time

# The email template of each physio alert -> its kind.
TEMPLATE_KINDS = {
    "screening_referral": AlertKind.RED_FLAG,
    "plan_referred": AlertKind.RED_FLAG,
    "flare_up": AlertKind.FLARE_UP,
    "plan_alert": AlertKind.RISING_PAIN,
    "plan_review": AlertKind.REVIEW,
    "referral_cleared": AlertKind.RED_FLAG,  # the referral's end: a paused plan may resume
}


def alert_preferences_for(physio: User) -> AlertPreferences:
    """The stored preferences, or the defaults (every alert, digest at 07:00) unsaved."""
    found = AlertPreferences.objects.filter(user=physio).first()
    return found or AlertPreferences(user=physio, digest_time=DEFAULT_DIGEST_TIME)


def alert_preferences_of(physios) -> dict[int, AlertPreferences]:
    """Preferences of many physios in one query (defaults for those without a row)."""
    physios = list(physios)
    stored = {p.user_id: p for p in AlertPreferences.objects.filter(user__in=physios)}
    return {
        physio.pk: stored.get(physio.pk)
        or AlertPreferences(user=physio, digest_time=DEFAULT_DIGEST_TIME)
        for physio in physios
    }


@transaction.atomic
def alert_preferences_set(*, physio: User, kinds, digest_time: dt.time) -> AlertPreferences:
    wanted = [k for k in AlertKind.values if k in set(kinds)]
    prefs, _created = AlertPreferences.objects.update_or_create(
        user=physio, defaults={"kinds": wanted, "digest_time": digest_time}
    )
    return prefs


def alert_sends_now(*, template: str, preferences: AlertPreferences) -> bool:
    """Does this alert go out by email now? Only immediate kinds the physio wants; the
    digest kinds are reported by the daily digest instead. A template without a kind
    (none today) goes out, so that no alert is ever lost silently."""
    kind = TEMPLATE_KINDS.get(template)
    if kind is None:
        return True
    return kind in IMMEDIATE_KINDS and preferences.wants(kind)
