"""The caseload at clinic scale: filter, search, sort and count the caseload rows.

The rows come from caseload.caseload (a fixed number of queries for any caseload size);
everything here works on those rows in memory, so the query count stays the same whatever
the filters. The web page and GET /api/v1/patients/ share it, with the same parameters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from programs.logbook.caseload import CaseloadRow, Flag

# Flags that put a runner among "needs attention" (with a rising pain trend); waiting for
# approval and silence are counted on their own.
ATTENTION_FLAGS = (Flag.REFERRED, Flag.FLARE_UP, Flag.DELOAD, Flag.NEEDS_REVIEW)
# What the physio sees first in the default order.
URGENT_FLAGS = (Flag.REFERRED, Flag.PENDING_APPROVAL, Flag.FLARE_UP)

FLAG_CHOICES = (
    ("attention", _("Needs attention")),
    (Flag.REFERRED, _("Referred")),
    (Flag.PENDING_APPROVAL, _("Waiting for approval")),
    (Flag.FLARE_UP, _("Flare-up")),
    (Flag.DELOAD, _("Lighter week")),
    (Flag.NO_RECENT_LOG, _("Inactive (nothing logged for 7 days)")),
    (Flag.NEEDS_REVIEW, _("Needs review")),
    ("none", _("Nothing to look at")),
)
ADHERENCE_CHOICES = (
    ("low", _("Below 50 %")),
    ("medium", _("50 to 79 %")),
    ("high", _("80 % or more")),
    ("none", _("Nothing planned")),
)
TREND_CHOICES = (
    ("rising", _("Rising")),
    ("stable", _("Stable")),
    ("falling", _("Falling")),
    ("unknown", _("Not enough data")),
)
LAST_LOG_CHOICES = (
    ("week", _("In the last 7 days")),
    ("month", _("8 to 30 days ago")),
    ("older", _("More than 30 days ago")),
    ("never", _("Never")),
)
SORT_CHOICES = (
    ("attention", _("Needs you first")),
    ("name", _("Name")),
    ("adherence", _("Adherence, lowest first")),
    ("-adherence", _("Adherence, highest first")),
    ("pain", _("Latest weekly pain, highest first")),
    ("trend", _("Pain trend, rising first")),
    ("last_log", _("Last log, longest ago first")),
    ("-last_log", _("Last log, most recent first")),
    ("phase", _("Phase")),
)
SORTS = tuple(value for value, _label in SORT_CHOICES)


@dataclass(frozen=True)
class CaseloadQuery:
    """What the physio asked for; empty values filter nothing."""

    flag: str = ""
    phase: str = ""
    adherence: str = ""
    trend: str = ""
    last_log: str = ""
    q: str = ""
    sort: str = "attention"


@dataclass(frozen=True)
class CaseloadCounts:
    total: int
    attention: int
    pending_approval: int
    inactive: int


def needs_attention(row: CaseloadRow) -> bool:
    return row.pain.direction == "rising" or any(f in ATTENTION_FLAGS for f in row.flags)


def counts(rows: Iterable[CaseloadRow]) -> CaseloadCounts:
    rows = list(rows)
    return CaseloadCounts(
        total=len(rows),
        attention=sum(needs_attention(r) for r in rows),
        pending_approval=sum(Flag.PENDING_APPROVAL in r.flags for r in rows),
        inactive=sum(Flag.NO_RECENT_LOG in r.flags for r in rows),
    )


def phases(rows: Iterable[CaseloadRow]) -> list[tuple[str, str]]:
    """The phases runners are in now, (key, name), for the phase filter."""
    seen: dict[str, str] = {}
    for row in rows:
        if row.phase_key and row.phase_key not in seen:
            seen[row.phase_key] = row.phase_name or row.phase_key
    return sorted(seen.items(), key=lambda item: str(item[1]))


def _adherence_band(row: CaseloadRow) -> str:
    percent = row.adherence.percent
    if percent is None:
        return "none"
    return "low" if percent < 50 else "medium" if percent < 80 else "high"


def _last_log_band(row: CaseloadRow) -> str:
    if row.last_log_on is None:
        return "never"
    days = (row.today - row.last_log_on).days
    return "week" if days < 7 else "month" if days <= 30 else "older"


def _matches(row: CaseloadRow, query: CaseloadQuery, needle: str) -> bool:
    if query.flag == "attention" and not needs_attention(row):
        return False
    if query.flag == "none" and (row.flags or needs_attention(row)):
        return False
    if query.flag not in ("", "attention", "none") and query.flag not in row.flags:
        return False
    if query.phase and row.phase_key != query.phase:
        return False
    if query.adherence and _adherence_band(row) != query.adherence:
        return False
    if query.trend and row.pain.direction != query.trend:
        return False
    if query.last_log and _last_log_band(row) != query.last_log:
        return False
    if needle:
        runner = row.runner
        haystack = f"{runner.first_name} {runner.last_name} {runner.email}".casefold()
        if not all(word in haystack for word in needle.split()):
            return False
    return True


def _name(row: CaseloadRow) -> tuple:
    runner = row.runner
    return (runner.last_name.casefold(), runner.first_name.casefold(), runner.email)


def _latest_pain(row: CaseloadRow) -> float | None:
    return next((m for m in reversed(row.pain.weekly_means) if m is not None), None)


_TREND_ORDER = {"rising": 0, "stable": 1, "falling": 2, "unknown": 3}
_FAR_PAST = dt.date.min


def _sort_key(sort: str):
    """Each key puts unknown values last and ties in name order."""
    if sort == "attention":
        return lambda r: (
            -sum(f in URGENT_FLAGS for f in r.flags),
            -needs_attention(r),
            -len(r.flags),
            _name(r),
        )
    if sort == "adherence":
        return lambda r: (r.adherence.percent is None, r.adherence.percent or 0, _name(r))
    if sort == "-adherence":
        return lambda r: (r.adherence.percent is None, -(r.adherence.percent or 0), _name(r))
    if sort == "pain":
        return lambda r: (_latest_pain(r) is None, -(_latest_pain(r) or 0), _name(r))
    if sort == "trend":
        return lambda r: (_TREND_ORDER.get(r.pain.direction, 9), _name(r))
    if sort == "last_log":  # never logged first: they have waited longest
        return lambda r: (r.last_log_on or _FAR_PAST, _name(r))
    if sort == "-last_log":
        return lambda r: (
            r.last_log_on is None,
            -(r.last_log_on or _FAR_PAST).toordinal(),
            _name(r),
        )
    if sort == "phase":
        return lambda r: (r.phase_key is None, str(r.phase_name), _name(r))
    return _name


def apply(rows: Iterable[CaseloadRow], query: CaseloadQuery) -> list[CaseloadRow]:
    """The rows that match every filter and the search, in the asked order."""
    needle = " ".join(query.q.casefold().split())
    found = [row for row in rows if _matches(row, query, needle)]
    return sorted(found, key=_sort_key(query.sort))
