"""Reads for the physiotherapist's runner page: the plan calendar, the timeline of logs,
pending decisions in clinician language, the decision history and the access audit.

Each read is one or two queries whatever the plan's length (the page's query count is
bounded by a test). The caller has already scoped the runner to the physio's linked,
consenting runners (views.common._linked_runner).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from programs.content.models import EvidenceSource, Exercise
from programs.engine.clinician import ClinicianView, clinician_view
from programs.logbook.models import FlareUp, MorningCheckin, RunLog, SessionLog
from programs.plans.models import Decision, Plan, PlanSession
from rehab.accounts.models import AccessLog

TIMELINE_LIMIT = 40
ACCESS_LIMIT = 25
HISTORY_LIMIT = 30


# --- Plan calendar -------------------------------------------------------------------------


@dataclass
class CalendarDay:
    date: dt.date
    sessions: list[dict] = field(default_factory=list)  # {"kind", "label", "state"}


@dataclass
class CalendarWeek:
    number: int
    phase_key: str
    starts_on: dt.date
    deload: bool
    provisional: bool
    current: bool
    days: list[CalendarDay]
    phase_name: str = ""  # the phase in the reader's language, set by the page


def plan_calendar(*, plan: Plan, today: dt.date) -> list[CalendarWeek]:
    """Every plan week as seven days with its sessions: done, missed, today or planned."""
    sessions_by_day: dict[dt.date, list[PlanSession]] = {}
    for session in (
        PlanSession.objects.filter(plan=plan).select_related("log").order_by("date", "kind")
    ):
        sessions_by_day.setdefault(session.date, []).append(session)

    def state(session: PlanSession) -> str:
        log = getattr(session, "log", None)
        if log is not None:
            return "done" if log.completed else "partial"
        if session.date < today:
            return "missed"
        return "today" if session.date == today else "planned"

    weeks = []
    for week in plan.weeks.order_by("number"):
        days = []
        for offset in range(7):
            day = week.starts_on + dt.timedelta(days=offset)
            days.append(
                CalendarDay(
                    date=day,
                    sessions=[
                        {"kind": s.kind, "label": s.get_kind_display(), "state": state(s)}
                        for s in sessions_by_day.get(day, [])
                    ],
                )
            )
        weeks.append(
            CalendarWeek(
                number=week.number,
                phase_key=week.phase_key,
                starts_on=week.starts_on,
                deload=week.deload,
                provisional=week.provisional,
                current=week.starts_on <= today < week.starts_on + dt.timedelta(days=7),
                days=days,
            )
        )
    return weeks


# --- Timeline of logs ----------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    date: dt.date
    at: dt.datetime
    kind: str  # session | checkin | run | flare_up
    title: str
    detail: str
    warning: bool  # a warning sign or a changed movement was reported


def log_timeline(*, runner, since: dt.date | None = None, limit: int = TIMELINE_LIMIT):
    """The runner's latest logs of every kind, newest first (one query per kind)."""
    window = {"date__gte": since} if since else {}
    entries: list[TimelineEntry] = []
    for log in (
        SessionLog.objects.filter(runner=runner, **window)
        .select_related("session")
        .order_by("-date", "-pk")[:limit]
    ):
        pain = "\u2013" if log.pain_after is None else log.pain_after
        entries.append(
            TimelineEntry(
                date=log.date,
                at=log.created_at,
                kind="session",
                title=log.session.get_kind_display() if log.session_id else _("Session"),
                detail=(_("completed") if log.completed else _("partly done"))
                + " · "
                + _("pain after %(pain)s/10") % {"pain": pain},
                warning=bool(log.red_flags),
            )
        )
    for checkin in MorningCheckin.objects.filter(runner=runner, **window).order_by("-date")[:limit]:
        entries.append(
            TimelineEntry(
                date=checkin.date,
                at=checkin.created_at,
                kind="checkin",
                title=_("Morning check-in"),
                detail=_("pain %(pain)s/10") % {"pain": checkin.pain},
                warning=bool(checkin.red_flags),
            )
        )
    for run in RunLog.objects.filter(runner=runner, **window).order_by("-date", "-pk")[:limit]:
        entries.append(
            TimelineEntry(
                date=run.date,
                at=run.created_at,
                kind="run",
                title=_("Run"),
                detail=(
                    _("%(minutes)s min · pain during %(pain)s/10")
                    % {"minutes": run.minutes, "pain": run.pain_during}
                    if run.pain_during is not None
                    else _("%(minutes)s min · pain not given yet") % {"minutes": run.minutes}
                ),
                warning=bool(run.red_flags) or run.pain_changed_movement,
            )
        )
    for flare in FlareUp.objects.filter(runner=runner, **window).order_by("-date", "-pk")[:limit]:
        entries.append(
            TimelineEntry(
                date=flare.date,
                at=flare.created_at,
                kind="flare_up",
                title=_("Flare-up"),
                detail=_("severity %(severity)s/10") % {"severity": flare.severity},
                warning=True,
            )
        )
    entries.sort(key=lambda e: (e.date, e.at), reverse=True)
    return entries[:limit]


# --- Decisions -----------------------------------------------------------------------------


@dataclass
class DecisionRow:
    decision: Decision
    clinician: ClinicianView
    sources: list[str]  # short citations, e.g. "Silbernagel KG (2007)"


def _exercise_names(decisions: list[Decision], language: str) -> dict[str, str]:
    slugs: set[str] = set()
    for d in decisions:
        if isinstance(d.inputs.get("exercise"), str):
            slugs.add(d.inputs["exercise"])
        for item in d.inputs.get("flaring_exercises") or ():
            if isinstance(item, str):
                slugs.add(item)
        for change in d.changes or ():
            for side in ("before", "after"):
                if change.get(side):
                    slugs.add(change[side]["exercise"])
    if not slugs:
        return {}
    field_name = "name_nl" if language == "nl" else "name_en"
    names = {}
    for slug, name, localized in Exercise.objects.filter(slug__in=slugs).values_list(
        "slug", "name", field_name
    ):
        names[slug] = localized or name
    return names


def decision_rows(*, plan: Plan, language: str) -> tuple[list[DecisionRow], list[DecisionRow]]:
    """(pending, history): pending oldest first, history newest first, each decision read
    in clinician language with its sources cited (three queries)."""
    decisions = list(
        Decision.objects.filter(plan=plan)
        .select_related("decided_by")
        .order_by("-window_ends_on", "-pk")[:HISTORY_LIMIT]
    )
    pending = list(
        Decision.objects.filter(plan=plan, status=Decision.Status.PENDING)
        .select_related("decided_by")
        .order_by("window_ends_on", "pk")
    )
    everything = [*pending, *decisions]
    keys = {key for d in everything for key in d.sources}
    cited = {
        s.key: f"{s.authors.split(',')[0].strip()} ({s.year})"
        for s in EvidenceSource.objects.filter(key__in=keys)
    }
    names = _exercise_names(everything, language)

    def row(d: Decision) -> DecisionRow:
        return DecisionRow(
            decision=d,
            clinician=clinician_view(
                rule_id=d.rule,
                inputs=d.inputs or {},
                changes=d.changes or [],
                language=language,
                names=names,
            ),
            sources=[cited[k] for k in d.sources if k in cited],
        )

    return [row(d) for d in pending], [row(d) for d in decisions]


# --- Access audit --------------------------------------------------------------------------


def runner_access_log(*, runner, limit: int = ACCESS_LIMIT) -> list[AccessLog]:
    """Who read this runner's data, what and when, newest first (one query)."""
    return list(
        AccessLog.objects.filter(runner=runner)
        .select_related("actor")
        .only(
            "at",
            "object_type",
            "object_id",
            "action",
            "actor__email",
            "actor__first_name",
            "actor__last_name",
        )
        .order_by("-at", "-pk")[:limit]
    )
