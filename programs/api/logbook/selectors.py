"""Role-scoped reads of the logbook for the API."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from programs.logbook.models import MorningCheckin, RunLog
from rehab.accounts.models import User
from rehab.accounts.selectors import runner_ids_visible_to


def _scoped(model, user: User, *, runner_id, date_from, date_to) -> QuerySet:
    qs = model.objects.filter(runner_id__in=runner_ids_visible_to(user)).select_related("runner")
    if runner_id is not None:
        qs = qs.filter(runner_id=runner_id)
    if date_from is not None:
        qs = qs.filter(date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(date__lte=date_to)
    return qs.order_by("-date", "-pk")


def checkins_visible_to(
    user: User,
    *,
    runner_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[MorningCheckin]:
    return _scoped(MorningCheckin, user, runner_id=runner_id, date_from=date_from, date_to=date_to)


def runs_visible_to(
    user: User,
    *,
    runner_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[RunLog]:
    return _scoped(RunLog, user, runner_id=runner_id, date_from=date_from, date_to=date_to)
