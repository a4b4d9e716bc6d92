"""Role-scoped reads of plans, sessions and decisions (every API queryset starts here)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from programs.api.content.selectors import exercises_list
from programs.content.models import ProgramTemplate, Slot
from programs.plans.models import Decision, Plan, PlanSession, PlanWeek, Prescription
from rehab.accounts.models import User
from rehab.accounts.selectors import runner_ids_visible_to
from rehab.core.timeutils import local_today


def plans_visible_to(user: User) -> QuerySet[Plan]:
    """The runner's own plans; a physio's linked runners' plans; nothing for anyone else."""
    return (
        Plan.objects.filter(runner_id__in=runner_ids_visible_to(user))
        .select_related("runner", "template", "current_revision")
        .order_by("-created_at", "-pk")
    )


def plan_weeks(plan: Plan) -> QuerySet[PlanWeek]:
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
    plan: Plan, *, date_from: dt.date | None = None, date_to: dt.date | None = None
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


def current_week(runner: User) -> tuple[Plan, PlanWeek, list[PlanSession]] | None:
    """The runner's open plan, its week holding the runner's today, and that week's sessions."""
    open_statuses = [Plan.Status.ACTIVE, Plan.Status.PAUSED, Plan.Status.REFERRED]
    plan = plans_visible_to(runner).filter(runner=runner, status__in=open_statuses).first()
    if plan is None:
        return None
    today = local_today(runner.timezone)
    week = plan_weeks(plan).filter(starts_on__lte=today).order_by("-number").first()
    if week is None:
        week = plan_weeks(plan).first()
    if week is None:
        return None
    sessions = list(_week_sessions(plan, week))
    for session in sessions:  # the plan and week are in hand: no join fetches them again
        session.plan, session.week = plan, week
    return plan, week, sessions


def _week_sessions(plan: Plan, week: PlanWeek) -> QuerySet[PlanSession]:
    """plan_sessions for the week, with only the columns the week's answer shows: no joined
    plan and week (the caller has them), and each prescription's exercise by its slug and
    names (both languages, for the active one), not its whole library record."""
    rx = (
        Prescription.objects.select_related("exercise")
        .only(
            *(f.name for f in Prescription._meta.concrete_fields),
            "exercise__slug",
            "exercise__name_en",
            "exercise__name_nl",
        )
        .order_by("order")
    )
    return (
        plan_sessions(plan, date_from=week.starts_on, date_to=week.starts_on + dt.timedelta(days=6))
        .select_related(None)
        .prefetch_related(None)
        .prefetch_related(Prefetch("prescriptions", queryset=rx))
        .only("id", "plan_id", "week_id", "date", "kind")
    )


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
