"""Runner-local date windows as SQL expressions, so that the database does the sums.

Each runner's weeks end on their own today, the date in their timezone. Runners who
share a today share their boundaries, so each expression here has one branch per
distinct today (one, or two around midnight across time zones), never one per runner.
With a single today no runner ids are sent at all.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable, Mapping
from functools import reduce

from django.db.models import Q


def _by_today(today_of: Mapping[int, dt.date]) -> dict[dt.date, list[int]]:
    groups: dict[dt.date, list[int]] = {}
    for runner_id, today in today_of.items():
        groups.setdefault(today, []).append(runner_id)
    return groups


def _of(runner_field: str, runner_ids: list[int], single: bool) -> Q:
    return Q() if single else Q(**{f"{runner_field}__in": runner_ids})


def _any(conditions: Iterable[Q]) -> Q:
    return reduce(operator.or_, conditions)


def in_week(
    *,
    today_of: Mapping[int, dt.date],
    weeks: int,
    number: int,
    date_field: str = "date",
    runner_field: str = "runner_id",
    shift_days: int = 0,
) -> Q:
    """Rows dated in week `number` of the runner's last `weeks` seven-day weeks (the last
    ending on their today): 0 is the oldest, weeks - 1 the latest. shift_days moves every
    week later, for readings that belong to the day before (a morning check-in belongs to
    the day it follows)."""
    groups = _by_today(today_of)
    single = len(groups) == 1
    conditions = []
    for today, runner_ids in groups.items():
        starts = today - dt.timedelta(days=7 * (weeks - number) - 1 - shift_days)
        conditions.append(
            _of(runner_field, runner_ids, single)
            & Q(**{f"{date_field}__range": (starts, starts + dt.timedelta(days=6))})
        )
    return _any(conditions)


def last_days(
    *,
    today_of: Mapping[int, dt.date],
    days: int,
    date_field: str = "date",
    runner_field: str = "runner_id",
) -> Q:
    """Rows dated in the runner's last `days` days, today included."""
    groups = _by_today(today_of)
    single = len(groups) == 1
    return _any(
        _of(runner_field, runner_ids, single)
        & Q(**{f"{date_field}__range": (today - dt.timedelta(days=days - 1), today)})
        for today, runner_ids in groups.items()
    )


def until_today(
    *, today_of: Mapping[int, dt.date], date_field: str = "date", runner_field: str = "runner_id"
) -> Q:
    """Rows dated on or before the runner's today."""
    groups = _by_today(today_of)
    single = len(groups) == 1
    return _any(
        _of(runner_field, runner_ids, single) & Q(**{f"{date_field}__lte": today})
        for today, runner_ids in groups.items()
    )
