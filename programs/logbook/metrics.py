"""The weekly evaluation backlog for /metrics (registered in rehab.core.metrics from
LogbookConfig.ready): active plans whose week ended and that are not evaluated yet."""

from __future__ import annotations

import datetime as dt

from django.db.models import Min

from programs.plans.models import Plan
from rehab.core.metrics import register_gauge


def _due(now: dt.datetime):
    return Plan.objects.filter(status=Plan.Status.ACTIVE, next_evaluation_at__lte=now)


def evaluation_backlog(now: dt.datetime) -> float:
    return _due(now).count()


def evaluation_backlog_age(now: dt.datetime) -> float:
    oldest = _due(now).aggregate(t=Min("next_evaluation_at"))["t"]
    return 0.0 if oldest is None else max(0.0, (now - oldest).total_seconds())


def register() -> None:
    register_gauge(
        "rehab_evaluation_backlog",
        "Active plans due their weekly evaluation (programs.logbook.weekly) and not yet evaluated.",
        evaluation_backlog,
    )
    register_gauge(
        "rehab_evaluation_backlog_age_seconds",
        "How long the longest-waiting plan has been due its weekly evaluation (0: none).",
        evaluation_backlog_age,
    )
