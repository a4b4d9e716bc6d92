"""A physiotherapist's caseload: per linked runner, adherence, pain trend and flags.

Read in a fixed number of queries whatever the caseload size: the runners, their open
plans, the pain readings of the last four weeks (check-in pain, and per session log its
pain after and the total and count of pain during, summed by the database) and a few
grouped aggregates. Weekly pain means and their trend come from the progression engine
(progression.pain_mean, the rule of weekly_pain_mean, and weekly_trend), so the caseload
shows the figures the rules act on.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Aggregate, Count, Max, Q, Sum, TextField
from django.db.models.functions import Cast

from programs.content.models import Phase
from programs.engine import progression
from programs.engine.serialize import from_json
from programs.engine.specs import DecisionKind, Policy
from programs.logbook import local_windows
from programs.logbook.models import (
    ExerciseLog,
    FlareUp,
    MorningCheckin,
    Referral,
    RunLog,
    SessionLog,
)
from programs.plans.models import Decision, Plan, PlanSession, PlanWeek
from rehab.accounts.models import CareLink, Role, User
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
    NEEDS_REVIEW = "needs_review"  # no meaningful improvement after 12 weeks (§G, §h)


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
    phase_key: str | None = None
    phase_name: str = ""


NO_SESSIONS = Adherence(completed=0, planned=0)

# What a caseload row shows of a runner: the name on screen, the email, the pk and the
# timezone their today is counted in. Nothing else is read, so nothing else is fetched.
ROW_FIELDS = ("id", "email", "first_name", "last_name", "timezone", "role")


def caseload_runners(physio: User):
    return runners_of(physio).order_by("last_name", "first_name", "email")


@dataclass(frozen=True, slots=True)
class _OpenPlan:
    """What the caseload reads of a runner's open plan, without a model instance (300
    runners would build 300 Plans and decode 300 policies for a handful of fields)."""

    pk: int
    runner_id: int
    template_id: int
    status: str
    start_date: dt.date
    current_revision_id: int | None
    policy_text: str | None  # the policy as stored, parsed once per distinct text


def _open_plans(runner_ids) -> dict[int, _OpenPlan]:
    return {
        row[1]: _OpenPlan(*row)
        for row in Plan.objects.filter(runner_id__in=runner_ids, status__in=OPEN)
        .order_by()
        .values_list(
            "pk",
            "runner_id",
            "template_id",
            "status",
            "start_date",
            "current_revision_id",
            Cast("policy", output_field=TextField()),
        )
    }


def pain_trend(means: Sequence[float | None] | None, policy: Policy) -> PainTrend:
    """The direction and the engine's zone of TREND_WEEKS weekly means (oldest first)."""
    if means is None:
        return PainTrend((None,) * TREND_WEEKS, "unknown", None)
    means = tuple(means)
    known = [m for m in means if m is not None]
    if len(known) < 2:
        return PainTrend(means, "unknown", None)
    trend = progression.weekly_trend(known[-1], known[:-1], policy)
    direction = "rising" if trend.rise and trend.rise > 0 else "falling" if trend.rise else "stable"
    return PainTrend(means, direction, trend.zone)


@dataclass
class _Week:
    mornings: tuple[int, int] = (0, 0)  # (total, count)
    after: tuple[int, int] = (0, 0)
    during: tuple[int, int] = (0, 0)


def _weekly_sums(
    queryset,
    *,
    today,
    total,
    count,
    shift_days=0,
    date_field="date",
    runner_field="runner_id",
    extra=None,
):
    """Per runner, one row: (runner id, then (total, count) for each of the TREND_WEEKS
    weeks, oldest first, then the `extra` aggregates). The weeks are the database's
    FILTERs (local_windows.in_week), so a runner is one row whatever their history."""
    aggregates: dict[str, Aggregate] = {}
    for number in range(TREND_WEEKS):
        week = local_windows.in_week(
            today_of=today,
            weeks=TREND_WEEKS,
            number=number,
            shift_days=shift_days,
            date_field=date_field,
            runner_field=runner_field,
        )
        aggregates[f"total{number}"] = Sum(total, filter=week)
        aggregates[f"n{number}"] = Count(count, filter=week)
    aggregates.update(extra or {})
    for row in (
        queryset.order_by()
        .values(runner_field)
        .annotate(**aggregates)
        .values_list(runner_field, *aggregates)
    ):
        pairs = tuple((row[1 + 2 * w] or 0, row[2 + 2 * w]) for w in range(TREND_WEEKS))
        yield row[0], pairs, row[1 + 2 * TREND_WEEKS :]


def _weekly_pain(runner_ids, today: dict[int, dt.date]):
    """Each runner's weekly pain means over the last TREND_WEEKS weeks (the last ends on
    the runner's today), by progression.pain_mean_of_totals, the rule of
    weekly_pain_mean: a week's sessions are its days, its mornings the day after each
    (starts < date <= ends + 1).

    Also returns the latest check-in or session log date seen per runner, up to their
    today. The database sums the readings per runner and week (local_windows), so two
    queries return one row per runner whatever their history, three when a session log
    lacks its pain after (then pain during counts, summed over its exercise logs)."""
    span = (
        min(today.values()) - dt.timedelta(days=7 * TREND_WEEKS - 1),
        max(today.values()) + dt.timedelta(days=1),
    )
    weeks = {r: [_Week() for _ in range(TREND_WEEKS)] for r in today}
    newest: dict[int, dt.date] = {}
    until_today = local_windows.until_today(today_of=today)

    def seen(runner_id, last):
        if last is not None and (runner_id not in newest or last > newest[runner_id]):
            newest[runner_id] = last

    for runner_id, pairs, (last,) in _weekly_sums(
        MorningCheckin.objects.filter(runner_id__in=runner_ids, date__range=span),
        today=today,
        total="pain",
        count="pk",
        shift_days=1,
        extra={"last": Max("date", filter=until_today)},
    ):
        seen(runner_id, last)
        for week, pair in zip(weeks[runner_id], pairs, strict=True):
            week.mornings = pair
    without_after = False
    for runner_id, pairs, (missing, last) in _weekly_sums(
        SessionLog.objects.filter(runner_id__in=runner_ids, date__range=span),
        today=today,
        total="pain_after",
        count="pain_after",
        extra={
            "missing": Count("pk", filter=Q(pain_after__isnull=True)),
            "last": Max("date", filter=until_today),
        },
    ):
        seen(runner_id, last)
        for week, pair in zip(weeks[runner_id], pairs, strict=True):
            week.after = pair
        without_after = without_after or missing > 0
    if without_after:
        for runner_id, pairs, _ in _weekly_sums(
            ExerciseLog.objects.filter(
                session_log__runner_id__in=runner_ids,
                session_log__date__range=(span[0], span[1] - dt.timedelta(days=1)),
                session_log__pain_after__isnull=True,
            ),
            today=today,
            total="pain_during",
            count="pk",
            date_field="session_log__date",
            runner_field="session_log__runner_id",
        ):
            for week, pair in zip(weeks[runner_id], pairs, strict=True):
                week.during = pair
    means = {
        r: tuple(
            progression.pain_mean_of_totals(mornings=w.mornings, after=w.after, during=w.during)
            for w in runner_weeks
        )
        for r, runner_weeks in weeks.items()
    }
    return means, newest


def _last_logs(runner_ids, everyone, latest: dict[int, dt.date], since: dt.date) -> dict:
    """The latest log of each runner (session, check-in or run): runs since `since` in one
    grouped query, and only for runners with nothing since then, the whole history in one
    more (a union of three grouped maxima)."""
    found = dict(latest)
    for runner_id, last in (
        RunLog.objects.filter(runner_id__in=runner_ids, date__gte=since)
        .order_by()
        .values("runner_id")
        .annotate(last=Max("date"))
        .values_list("runner_id", "last")
    ):
        if runner_id not in found or last > found[runner_id]:
            found[runner_id] = last
    missing = [r for r in everyone if r not in found]
    if missing:
        parts = [
            model.objects.filter(runner_id__in=missing)
            .order_by()
            .values("runner_id")
            .annotate(last=Max("date"))
            .values_list("runner_id", "last")
            for model in (SessionLog, MorningCheckin, RunLog)
        ]
        for runner_id, last in parts[0].union(*parts[1:], all=True):
            if runner_id not in found or last > found[runner_id]:
                found[runner_id] = last
    return found


def _silent(plan: _OpenPlan | None, last_log: dt.date | None, today: dt.date) -> bool:
    """Nothing logged for SILENT_DAYS days, counted from the later of the plan's start and
    the last log: a runner who started yesterday is not silent. Without a plan there is
    nothing to log, so only a runner who logged before and then stopped counts."""
    since = max((d for d in (plan.start_date if plan else None, last_log) if d), default=None)
    return since is not None and since < today - dt.timedelta(days=SILENT_DAYS - 1)


def _current_phases(plans: dict[int, _OpenPlan], today: dict[int, dt.date]) -> dict:
    """runner id -> (phase key, phase name) of the week in force today in the plan's current
    layout (the first week before the plan starts). Two queries for any number of plans:
    the weeks are read by the current revisions' ids, which the open plans already hold."""
    by_revision = {p.current_revision_id: p for p in plans.values() if p.current_revision_id}
    if not by_revision:
        return {}
    # Only the weeks that can be in force today (started in the last 7 days), and each
    # plan's first week (for a plan that has not started yet).
    latest, earliest = max(today.values()), min(today.values()) - dt.timedelta(days=6)
    weeks: dict[int, list[tuple[dt.date, str]]] = {}
    for revision_id, starts_on, key in (
        PlanWeek.objects.filter(
            Q(starts_on__range=(earliest, latest)) | Q(number=1),
            revision_id__in=list(by_revision),
        )
        .order_by("starts_on")
        .values_list("revision_id", "starts_on", "phase_key")
    ):
        weeks.setdefault(revision_id, []).append((starts_on, key))
    names = {
        (phase.template_id, phase.key): phase.name
        for phase in Phase.objects.filter(
            template_id__in={p.template_id for p in by_revision.values()}
        )
    }
    found = {}
    for revision_id, plan in by_revision.items():
        layout = weeks.get(revision_id)
        if not layout:
            continue
        day = today[plan.runner_id]
        key = next((k for start, k in reversed(layout) if start <= day), layout[0][1])
        found[plan.runner_id] = (key, names.get((plan.template_id, key), key))
    return found


def caseload(physio: User, runners: Sequence[User] | None = None) -> list[CaseloadRow]:
    """One row per runner (default: every runner linked to the physio), in a fixed number
    of queries. Runners passed in must already be scoped to the physio."""
    if runners is None:
        runners = list(caseload_runners(physio).only(*ROW_FIELDS))
        # The same runners as a subquery: one parameter instead of one per runner.
        ids = (
            CareLink.objects.active()
            .filter(physio=physio, runner__role=Role.RUNNER)
            .values("runner_id")
        )
    else:
        runners = list(runners)
        ids = [r.pk for r in runners]
    if not runners:
        return []
    today = {r.pk: local_today(r.timezone) for r in runners}
    earliest = min(today.values()) - dt.timedelta(days=7 * TREND_WEEKS)
    plans = _open_plans(ids)
    plan_ids = Plan.objects.filter(runner_id__in=ids, status__in=OPEN).values("pk")
    runner_of_plan = {p.pk: p.runner_id for p in plans.values()}
    weekly, latest = _weekly_pain(ids, today)
    # Sessions planned and completed in each runner's last ADHERENCE_DAYS days, counted
    # by the database per plan.
    window = local_windows.last_days(
        today_of=today, days=ADHERENCE_DAYS, runner_field="plan__runner_id"
    )
    adherence = {
        plan_id: Adherence(completed=completed, planned=planned)
        for plan_id, planned, completed in PlanSession.objects.filter(
            plan_id__in=plan_ids,
            date__range=(
                min(today.values()) - dt.timedelta(days=ADHERENCE_DAYS - 1),
                max(today.values()),
            ),
        )
        .order_by()
        .values("plan_id")
        .annotate(
            planned=Count("pk", filter=window),
            completed=Count("pk", filter=window & Q(log__completed=True)),
        )
        .values_list("plan_id", "planned", "completed")
    }
    pending = dict(
        Decision.objects.filter(plan_id__in=plan_ids, status=Decision.Status.PENDING)
        .order_by()
        .values("plan_id")
        .annotate(n=Count("pk"))
        .values_list("plan_id", "n")
    )
    deloads, reviews = set(), set()
    for plan_id, kind, effective_from in Decision.objects.filter(
        Q(kind=DecisionKind.DELOAD, effective_from__gte=earliest) | Q(kind=DecisionKind.REVIEW),
        plan_id__in=plan_ids,
        status=Decision.Status.APPLIED,
    ).values_list("plan_id", "kind", "effective_from"):
        if kind == DecisionKind.REVIEW:
            reviews.add(runner_of_plan[plan_id])
        else:
            deloads.add((runner_of_plan[plan_id], effective_from))
    flares = set(
        FlareUp.objects.filter(runner_id__in=ids, date__gte=earliest).values_list(
            "runner_id", "date"
        )
    )
    last_logs = _last_logs(ids, today, latest, earliest)
    # Advised to see a clinician and not cleared yet, with or without a plan.
    referred = set(
        Referral.objects.still_open().filter(runner_id__in=ids).values_list("runner_id", flat=True)
    )
    phases = _current_phases(plans, today)

    deloads_of: dict[int, list[dt.date]] = {}
    for runner_id, date in deloads:
        deloads_of.setdefault(runner_id, []).append(date)
    flares_of: dict[int, list[dt.date]] = {}
    for runner_id, date in flares:
        flares_of.setdefault(runner_id, []).append(date)
    policies: dict[str | None, Policy] = {}

    def policy_of(plan: _OpenPlan) -> Policy:
        key = plan.policy_text
        if key not in policies:
            policies[key] = from_json(Policy, json.loads(key) if key else {})
        return policies[key]

    rows = []
    for runner in runners:
        day = today[runner.pk]
        recent = day - dt.timedelta(days=RECENT_DAYS - 1)
        plan = plans.get(runner.pk)
        policy = policy_of(plan) if plan else Policy()
        last = last_logs.get(runner.pk)
        flags = []
        if (plan and plan.status == Plan.Status.REFERRED) or runner.pk in referred:
            flags.append(Flag.REFERRED)
        if plan and pending.get(plan.pk):
            flags.append(Flag.PENDING_APPROVAL)
        if any(recent <= d <= day for d in deloads_of.get(runner.pk, ())):
            flags.append(Flag.DELOAD)
        if any(recent <= d <= day for d in flares_of.get(runner.pk, ())):
            flags.append(Flag.FLARE_UP)
        if _silent(plan, last, day):
            flags.append(Flag.NO_RECENT_LOG)
        if runner.pk in reviews:
            flags.append(Flag.NEEDS_REVIEW)
        rows.append(
            CaseloadRow(
                runner=runner,
                today=day,
                plan_id=plan.pk if plan else None,
                plan_status=plan.status if plan else None,
                adherence=adherence.get(plan.pk, NO_SESSIONS) if plan else NO_SESSIONS,
                pain=pain_trend(weekly[runner.pk] if plan else None, policy),
                pending_approvals=pending.get(plan.pk, 0) if plan else 0,
                last_log_on=last,
                flags=tuple(flags),
                phase_key=phases.get(runner.pk, (None, ""))[0],
                phase_name=phases.get(runner.pk, (None, ""))[1],
            )
        )
    return rows
