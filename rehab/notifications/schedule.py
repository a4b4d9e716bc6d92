"""Local wall-clock reminders as UTC instants. Pure functions, no ORM.

A runner chooses "07:30 in Europe/Amsterdam". We store the next UTC instant and move
it forward one local day at a time. Daylight-saving edges (PEP 495):
- in a gap (the local time does not exist that day) the reminder fires at the first
  valid instant after the gap, i.e. shifted forward by the gap length;
- unless that would carry it into the next local day (a gap that runs to midnight, as
  in America/Scoresbysund, where clocks jump from 23:00 to 00:00): then it fires at the
  last whole minute before the gap, so that each day keeps its own reminder and the
  next day's is not taken as a duplicate;
- in a fold (the local time happens twice) it fires once, at the first occurrence.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

UTC = dt.UTC


def _resolve(day: dt.date, local_time: dt.time, tz: ZoneInfo) -> dt.datetime:
    """The UTC instant of `local_time` on `day` in `tz`, with gaps and folds resolved.

    With fold=0 a wall time inside a gap takes the offset from before the transition,
    which lands after the gap (shifted forward by its length); inside a fold it is the
    first of the two occurrences.
    """
    wall = dt.datetime.combine(day, local_time).replace(tzinfo=tz, fold=0)
    instant = wall.astimezone(UTC)
    if instant.astimezone(tz).date() == day:
        return instant
    gap = instant.astimezone(tz).utcoffset() - wall.utcoffset()  # type: ignore[operator]
    if gap <= dt.timedelta(0):
        return instant
    return _last_minute_before_gap(instant, gap, day, tz) or instant


def _last_minute_before_gap(
    after_gap: dt.datetime, gap: dt.timedelta, day: dt.date, tz: ZoneInfo
) -> dt.datetime | None:
    """The last whole minute of `day` before the transition that `after_gap` was pushed past.

    The transition lies less than one gap length before `after_gap`; zone transitions fall
    on whole seconds, so a bisection over seconds finds it. None when the gap swallowed all
    of `day` (Pacific/Apia skipped 30 December 2011).
    """
    offset_after = after_gap.astimezone(tz).utcoffset()
    low, high = 0, int(gap.total_seconds())  # seconds before after_gap: high is pre-transition
    while high - low > 1:
        middle = (low + high) // 2
        if (after_gap - dt.timedelta(seconds=middle)).astimezone(tz).utcoffset() == offset_after:
            low = middle
        else:
            high = middle
    transition = after_gap - dt.timedelta(seconds=low)
    before = (transition - dt.timedelta(minutes=1)).astimezone(tz)
    before = before.replace(second=0, microsecond=0)
    if before.date() != day:
        return None
    return before.astimezone(UTC)


def fire_at(day: dt.date, local_time: dt.time, tz_name: str) -> dt.datetime:
    return _resolve(day, local_time, ZoneInfo(tz_name))


def next_fire_after(local_time: dt.time, tz_name: str, after: dt.datetime) -> dt.datetime:
    """The first instant strictly after `after` at which the reminder is due."""
    tz = ZoneInfo(tz_name)
    day = after.astimezone(tz).date() - dt.timedelta(days=1)
    while True:
        candidate = _resolve(day, local_time, tz)
        if candidate > after:
            return candidate
        day += dt.timedelta(days=1)


def local_date_of(instant: dt.datetime, tz_name: str) -> dt.date:
    return instant.astimezone(ZoneInfo(tz_name)).date()
