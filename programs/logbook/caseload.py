"""A physiotherapist's caseload: per linked runner, adherence, pain trend and flags.

Read in a fixed number of queries whatever the caseload size: the runners, their open
plans, the logs of the last four weeks (through windows.build_windows, the same reader
the weekly evaluation uses) and a few grouped aggregates. Weekly pain means and their
trend come from the progression engine (progression.weekly_pain_mean / weekly_trend), so
the caseload shows the figures the rules act on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Max

from programs.logbook.models import FlareUp, MorningCheckin, RunLog, SessionLog
from programs.logbook.windows import build_windows
from programs.plans import progression
from programs.plans.plan_models import Decision, Plan, PlanSession
from programs.plans.serialize import from_json
from programs.plans.specs import DecisionKind, EvaluationWindow, Policy
from rehab.accounts.models import User
from rehab.accounts.selectors import runners_of
from rehab.core.timeutils import local_today

ADHERENCE_DAYS = 14
TREND_WEEKS = 4
RECENT_DAYS = 14
SILENT_DAYS = 7
OPEN = (Plan.Status.ACTIVE, Plan.Status.PAUSED, Plan.Status.REFERRED)


class Flag:
    REFERRED = "referred"
    PENDING_APPROVAL = "pending_approval"
    DELOAD = "recent_deload"
    FLARE_UP = "recent_flare_up"
    NO_RECENT_LOG = "no_log_7_days"


@dataclass(frozen=True)
class Adherence:
    completed: int
    planned: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.completed / self.planned) if self.planned else None


@dataclass(frozen=True)
class PainTrend:
    weekly_means: tuple[float | None, ...]  # oldest first, the last week ends today
    direction: str  # "rising" | "falling" | "stable" | "unknown"
    zone: str | None  # the engine's weekly-trend zone for the latest week with a mean


@dataclass(frozen=True)
class CaseloadRow:
    runner: User
    today: dt.date
    plan_id: int | None
    plan_status: str | None
    adherence: Adherence
    pain: PainTrend
    pending_approvals: int
    last_log_on: dt.date | None
    flags: tuple[str, ...] = field(default=())


def caseload_runners(physio: User):
    return runners_of(physio).order_by("last_name", "first_name", "email")


def _week_window(window: EvaluationWindow, starts: dt.date, ends: dt.date) -> EvaluationWindow:
    return EvaluationWindow(
        starts_on=starts,
        ends_on=ends,
        sessions=tuple(s for s in window.sessions if starts <= s.date <= ends),
        checkins=tuple(
            c for c in window.checkins if starts <= c.date <= ends + dt.timedelta(days=1)
        ),
    )


def pain_trend(window: EvaluationWindow | None, today: dt.date, policy: Policy) -> PainTrend:
    if window is None:
        return PainTrend((None,) * TREND_WEEKS, "unknown", None)
    first = today - dt.timedelta(days=7 * TREND_WEEKS - 1)
    means = tuple(
        progression.weekly_pain_mean(
            _week_window(
                window,
                first + dt.timedelta(days=7 * i),
                first + dt.timedelta(days=7 * i + 6),
            )
        )
        for i in range(TREND_WEEKS)
    )
    known = [m for m in means if m is not None]
    if len(known) < 2:
        return PainTrend(means, "unknown", None)
    trend = progression.weekly_trend(known[-1], known[:-1], policy)
    direction = "rising" if trend.rise and trend.rise > 0 else "falling" if trend.rise else "stable"
    return PainTrend(means, direction, trend.zone)


def _grouped_max(model, runner_ids) -> dict[int, dt.date]:
    rows = (
        model.objects.filter(runner_id__in=runner_ids)
        .values("runner_id")
        .annotate(last=Max("date"))
    )
    return {row["runner_id"]: row["last"] for row in rows}


def caseload(physio: User, runners: Sequence[User] | None = None) -> list[CaseloadRow]:
    """One row per runner (default: every runner linked to the physio), in a fixed number
    of queries. Runners passed in must already be scoped to the physio."""
    runners = list(caseload_runners(physio) if runners is None else runners)
    if not runners:
        return []
    ids = [r.pk for r in runners]
    today = {r.pk: local_today(r.timezone) for r in runners}
    earliest = min(today.values()) - dt.timedelta(days=7 * TREND_WEEKS)
    plans = {
        p.runner_id: p
        for p in Plan.objects.filter(runner_id__in=ids, status__in=OPEN).select_related("runner")
    }
    windows = build_windows(
        [
            (p, today[r] - dt.timedelta(days=7 * TREND_WEEKS - 1), today[r], (), None)
            for r, p in plans.items()
        ]
    )
    planned = PlanSession.objects.filter(
        plan__in=plans.values(),
        date__gte=earliest + dt.timedelta(days=7 * TREND_WEEKS - ADHERENCE_DAYS),
    ).values_list("plan__runner_id", "date", "log__completed")
    pending = dict(
        Decision.objects.filter(plan__in=plans.values(), status=Decision.Status.PENDING)
        .values("plan_id")
        .annotate(n=Count("pk"))
        .values_list("plan_id", "n")
    )
    deloads = set(
        Decision.objects.filter(
            plan__in=plans.values(),
            kind=DecisionKind.DELOAD,
            status=Decision.Status.APPLIED,
            effective_from__gte=earliest,
        ).values_list("plan__runner_id", "effective_from")
    )
    flares = set(
        FlareUp.objects.filter(runner_id__in=ids, date__gte=earliest).values_list(
            "runner_id", "date"
        )
    )
    last_logs = [_grouped_max(m, ids) for m in (SessionLog, MorningCheckin, RunLog)]

    done: dict[int, list[tuple[dt.date, bool]]] = {}
    for runner_id, date, completed in planned:
        done.setdefault(runner_id, []).append((date, bool(completed)))

    rows = []
    for runner in runners:
        day = today[runner.pk]
        recent = day - dt.timedelta(days=RECENT_DAYS - 1)
        plan = plans.get(runner.pk)
        in_range = [
            ok
            for date, ok in done.get(runner.pk, ())
            if day - dt.timedelta(days=ADHERENCE_DAYS - 1) <= date <= day
        ]
        policy = from_json(Policy, plan.policy or {}) if plan else Policy()
        last = max((d[runner.pk] for d in last_logs if runner.pk in d), default=None)
        flags = []
        if plan and plan.status == Plan.Status.REFERRED:
            flags.append(Flag.REFERRED)
        if plan and pending.get(plan.pk):
            flags.append(Flag.PENDING_APPROVAL)
        if any(r == runner.pk and recent <= d <= day for r, d in deloads):
            flags.append(Flag.DELOAD)
        if any(r == runner.pk and recent <= d <= day for r, d in flares):
            flags.append(Flag.FLARE_UP)
        if last is None or last < day - dt.timedelta(days=SILENT_DAYS - 1):
            flags.append(Flag.NO_RECENT_LOG)
        rows.append(
            CaseloadRow(
                runner=runner,
                today=day,
                plan_id=plan.pk if plan else None,
                plan_status=plan.status if plan else None,
                adherence=Adherence(completed=sum(in_range), planned=len(in_range)),
                pain=pain_trend(windows.get(plan.pk) if plan else None, day, policy),
                pending_approvals=pending.get(plan.pk, 0) if plan else 0,
                last_log_on=last,
                flags=tuple(flags),
            )
        )
    return rows
