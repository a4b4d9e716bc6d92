"""Role-scoped reads of plans, sessions and decisions (every API queryset starts here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet, Subquery

from programs.api.content.selectors import exercises_list
from programs.content.models import ProgramTemplate, Slot
from programs.content.outline import exercises_by_id
from programs.logbook.selectors import OPEN_STATUSES, checkins_on
from programs.plans.models import (
    Decision,
    Plan,
    PlanRevision,
    PlanSession,
    PlanWeek,
    Prescription,
)
from programs.plans.selectors import pending_phase_changes
from rehab.accounts.models import Role, User
from rehab.accounts.selectors import runner_ids_visible_to
from rehab.core.compiled import CompiledValues
from rehab.core.timeutils import local_today


def plans_visible_to(user: User) -> QuerySet[Plan]:
    """The runner's own plans; a physio's linked runners' plans; nothing for anyone else."""
    return (
        Plan.objects.filter(runner_id__in=runner_ids_visible_to(user))
        .select_related("runner", "template", "current_revision")
        .order_by("-created_at", "-pk")
    )


def plan_weeks(plan: Plan | int) -> QuerySet[PlanWeek]:
    return PlanWeek.objects.filter(plan=plan).order_by("number")


def _sessions_qs() -> QuerySet[PlanSession]:
    from programs.logbook.models import SessionLog

    rx = Prescription.objects.select_related("exercise").order_by("order")
    return (
        PlanSession.objects.select_related("week", "plan__runner")
        .prefetch_related(Prefetch("prescriptions", queryset=rx))
        .annotate(logged=Exists(SessionLog.objects.filter(session=OuterRef("pk"))))
        .order_by("date", "kind")
    )


def plan_sessions(
    plan: Plan | int, *, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> QuerySet[PlanSession]:
    qs = _sessions_qs().filter(plan=plan)
    if date_from is not None:
        qs = qs.filter(date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(date__lte=date_to)
    return qs


def sessions_visible_to(user: User) -> QuerySet[PlanSession]:
    return _sessions_qs().filter(plan__runner_id__in=runner_ids_visible_to(user))


def plan_decisions(plan: Plan) -> QuerySet[Decision]:
    return Decision.objects.filter(plan=plan).order_by("-window_ends_on", "-pk")


def decisions_visible_to(user: User) -> QuerySet[Decision]:
    return Decision.objects.filter(plan__runner_id__in=runner_ids_visible_to(user)).select_related(
        "plan__runner"
    )


@dataclass(frozen=True)
class WeekSession:
    """A session of the current week as its answer shows it (PlanSessionOutput reads
    these attributes as it would a PlanSession's)."""

    id: int
    date: dt.date
    kind: str
    week: PlanWeek
    logged: bool
    prescriptions: list[SimpleNamespace]  # a Prescription's columns and its exercise


@dataclass(frozen=True)
class CurrentWeek:
    """The runner's open plan, all of its weeks (in order), the week holding the runner's
    today (else the first), and that week's sessions."""

    plan: Plan
    weeks: tuple[PlanWeek, ...]
    week: PlanWeek
    sessions: list[WeekSession]
    pending_phase: str | None  # the newest pending phase change (pending_phase_changes)
    checked_in_today: bool  # the runner's morning check-in of today is in


_PLAN_COLUMNS = tuple(field.attname for field in Plan._meta.concrete_fields)


def _open_plan(runner_id: int, today: dt.date) -> QuerySet:
    """The runner's newest open plan (the runner's own: plans_visible_to gives a runner
    no one else's), with its revision's state, its newest pending phase change and
    whether today's check-in is in."""
    return (
        Plan.objects.filter(runner_id=runner_id, status__in=OPEN_STATUSES)
        .order_by("-created_at", "-pk")
        .annotate(
            revision_state=F("current_revision__state"),
            pending_phase=Subquery(pending_phase_changes(OuterRef("pk"))[:1]),
            checked_in_today=Exists(checkins_on(OuterRef("runner_id"), today)),
        )
        .values(*_PLAN_COLUMNS, "revision_state", "pending_phase", "checked_in_today")[:1]
    )


# The week's reads run on every request of the runner's home screen: compiled once per
# process (rehab.core.compiled), they cost PostgreSQL's time and little of Django's.
_open_plan_read = CompiledValues(_open_plan)
_WEEK_COLUMNS = tuple(field.attname for field in PlanWeek._meta.concrete_fields)
_plan_week_rows = CompiledValues(lambda plan_id: plan_weeks(plan_id).values(*_WEEK_COLUMNS))


def current_week(runner: User) -> CurrentWeek | None:
    """The runner's current week, in three queries: the plan (with its revision's state,
    its pending phase change and whether today's check-in is in), its weeks (a dozen
    rows, which also give the week count and the provisional weeks), and the week's
    sessions with their prescriptions."""
    if runner.role != Role.RUNNER:
        return None
    today = local_today(runner.timezone)
    found = _open_plan_read(runner_id=runner.pk, today=today)
    if not found:
        return None
    row = found[0]
    db = Plan.objects.db
    plan = Plan.from_db(db, _PLAN_COLUMNS, [row[c] for c in _PLAN_COLUMNS])
    plan.runner = runner
    if plan.current_revision_id is not None:
        plan.current_revision = PlanRevision.from_db(
            db, ["id", "state"], [plan.current_revision_id, row["revision_state"]]
        )
    weeks = tuple(
        PlanWeek.from_db(db, _WEEK_COLUMNS, [values[c] for c in _WEEK_COLUMNS])
        for values in _plan_week_rows(plan_id=plan.pk)
    )
    if not weeks:
        return None
    started = [week for week in weeks if week.starts_on <= today]
    week = started[-1] if started else weeks[0]
    sessions = _week_sessions(plan, week)
    return CurrentWeek(
        plan=plan,
        weeks=weeks,
        week=week,
        sessions=sessions,
        pending_phase=row["pending_phase"],
        checked_in_today=row["checked_in_today"],
    )


_RX_COLUMNS = tuple(field.attname for field in Prescription._meta.concrete_fields)


def _session_rows(plan_id: int, date_from: dt.date, date_to: dt.date) -> QuerySet:
    return (
        plan_sessions(plan_id, date_from=date_from, date_to=date_to)
        .select_related(None)
        .prefetch_related(None)
        .values("id", "date", "kind", "logged", *(f"prescriptions__{c}" for c in _RX_COLUMNS))
    )


_week_session_rows = CompiledValues(_session_rows)


def _week_sessions(plan: Plan, week: PlanWeek) -> list[WeekSession]:
    """plan_sessions for the week, with only what the week's answer shows, in one query:
    each session joined to its prescriptions (a session without any still gives a row),
    no joined plan and week (the caller has them), and each prescription's exercise from
    the process's content memo (content.outline). A prescription is a plain record with
    the columns of a Prescription and its `exercise`, which is all PrescriptionOutput
    reads: the ORM builds no model instances and no Prefetch."""
    rows = _week_session_rows(
        plan_id=plan.pk, date_from=week.starts_on, date_to=week.starts_on + dt.timedelta(days=6)
    )
    exercises = exercises_by_id(
        row["prescriptions__exercise_id"] for row in rows if row["prescriptions__id"] is not None
    )
    sessions: dict[int, WeekSession] = {}
    for row in rows:
        session = sessions.get(row["id"])
        if session is None:
            session = sessions[row["id"]] = WeekSession(
                id=row["id"],
                date=row["date"],
                kind=row["kind"],
                week=week,
                logged=row["logged"],
                prescriptions=[],
            )
        if row["prescriptions__id"] is not None:
            rx = SimpleNamespace(**{c: row[f"prescriptions__{c}"] for c in _RX_COLUMNS})
            rx.exercise = exercises[rx.exercise_id]
            session.prescriptions.append(rx)
    for session in sessions.values():
        session.prescriptions.sort(key=lambda rx: (rx.order, rx.id))
    return list(sessions.values())


def templates_list(
    *,
    condition: str | None = None,
    level: int | None = None,
    equipment: str | None = None,
    compression: str | None = None,
) -> QuerySet[ProgramTemplate]:
    """Active templates; level, equipment and compression keep templates with such an exercise."""
    qs = ProgramTemplate.objects.active().select_related("condition")
    if condition is not None:
        qs = qs.filter(condition__code=condition)
    if level is not None or equipment is not None or compression is not None:
        exercises = exercises_list(level=level, equipment=equipment, compression=compression)
        slots = Slot.objects.filter(is_active=True, phase__is_active=True, exercise__in=exercises)
        qs = qs.filter(pk__in=slots.values("phase__template_id"))
    return qs.order_by("condition__code", "slug")


def template_detail_qs() -> QuerySet[ProgramTemplate]:
    from programs.content.models import Phase

    slots = Slot.objects.filter(is_active=True).select_related("exercise").order_by("order", "key")
    phases = (
        Phase.objects.filter(is_active=True)
        .order_by("order")
        .prefetch_related(Prefetch("slots", queryset=slots))
    )
    return (
        ProgramTemplate.objects.active()
        .select_related("condition")
        .prefetch_related("sources", Prefetch("phases", queryset=phases))
    )
