"""Local wall-clock reminders as UTC instants. Pure functions, no ORM.

A runner chooses "07:30 in Europe/Amsterdam". We store the next UTC instant and move
it forward one local day at a time. Daylight-saving edges (PEP 495):
- in a gap (the local time does not exist that day) the reminder fires at the first
  valid instant after the gap, i.e. shifted forward by the gap length;
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
    return dt.datetime.combine(day, local_time).replace(tzinfo=tz, fold=0).astimezone(UTC)


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
