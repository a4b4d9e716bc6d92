"""Reads behind the runner's pages: each one a fixed number of queries, whatever the plan length."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q

from programs.exercises.models import EducationTopic, EvidenceSource
from programs.logbook.models import (
    ExerciseLog,
    MorningCheckin,
    RunLog,
    Screening,
    SessionLog,
)
from programs.logbook.questionnaire_models import QuestionnaireResponse
from programs.plans.plan_models import Decision, Plan, PlanSession, PlanWeek, Prescription
from rehab.accounts.models import User

OPEN_STATUSES = (Plan.Status.ACTIVE, Plan.Status.PAUSED, Plan.Status.REFERRED)


def latest_screening(*, runner: User) -> Screening | None:
    return Screening.objects.filter(runner=runner).order_by("-created_at", "-pk").first()


def current_plan(*, runner: User) -> Plan | None:
    """The runner's open plan (active, paused or referred), if any."""
    return (
        Plan.objects.filter(runner=runner, status__in=OPEN_STATUSES)
        .select_related("current_revision", "template")
        .order_by("-created_at")
        .first()
    )


def _prescriptions():
    return Prefetch(
        "prescriptions",
        queryset=Prescription.objects.select_related("exercise").order_by("order"),
    )


def week_containing(*, plan: Plan, day: dt.date) -> PlanWeek | None:
    """The plan week of `day`: the first week before the start, the last one after the end."""
    week = plan.weeks.filter(starts_on__lte=day).order_by("-number").first()
    return week or plan.weeks.order_by("number").first()


def week_sessions(*, week: PlanWeek) -> list[PlanSession]:
    return list(
        PlanSession.objects.filter(week=week)
        .select_related("log")
        .prefetch_related(_prescriptions())
        .order_by("date", "kind")
    )


def education_topics(slugs) -> list[EducationTopic]:
    order = {slug: i for i, slug in enumerate(slugs)}
    topics = EducationTopic.objects.active().filter(slug__in=list(slugs))
    return sorted(topics, key=lambda t: order[t.slug])


def session_for_runner(*, runner: User, pk: int) -> PlanSession | None:
    """A planned session of this runner (None for anyone else's), with prescriptions."""
    return (
        PlanSession.objects.filter(pk=pk, plan__runner=runner)
        .select_related("plan", "week", "log")
        .prefetch_related(_prescriptions())
        .first()
    )


def logged_exercises(log: SessionLog) -> list[ExerciseLog]:
    return list(log.exercises.select_related("exercise"))


@dataclass
class DecisionView:
    decision: Decision
    explanation: str
    sources: list[EvidenceSource]


def plan_decisions(*, runner: User, language: str) -> list[DecisionView]:
    """Every decision on the runner's plans, newest first, with its sources resolved."""
    decisions = list(
        Decision.objects.filter(plan__runner=runner)
        .exclude(status=Decision.Status.REJECTED)
        .order_by("-created_at", "-pk")
    )
    keys = {key for d in decisions for key in d.sources}
    sources = {s.key: s for s in EvidenceSource.objects.filter(key__in=keys)}
    return [
        DecisionView(
            decision=d,
            explanation=d.explanation.get(language) or d.explanation.get("en", ""),
            sources=[sources[k] for k in d.sources if k in sources],
        )
        for d in decisions
    ]


# --- Progress ----------------------------------------------------------------------------


@dataclass
class WeekProgress:
    number: int
    starts_on: dt.date
    planned: int = 0
    completed: int = 0
    pain_during: list[float] = field(default_factory=list)
    pain_after: list[float] = field(default_factory=list)
    morning: list[float] = field(default_factory=list)
    strength_volume: int = 0  # repetitions (or holds) done
    run_minutes: int = 0

    @staticmethod
    def _mean(values):
        return round(sum(values) / len(values), 1) if values else None

    @property
    def pain_during_mean(self):
        return self._mean(self.pain_during)

    @property
    def pain_after_mean(self):
        return self._mean(self.pain_after)

    @property
    def morning_mean(self):
        return self._mean(self.morning)

    @property
    def adherence_pct(self):
        return round(100 * self.completed / self.planned) if self.planned else None


@dataclass
class ExercisePoint:
    date: dt.date
    sets: int
    reps: int | None
    hold_seconds: int | None
    load_kg: float | None


@dataclass
class Progress:
    weeks: list[WeekProgress]
    exercises: dict[str, list[ExercisePoint]]  # exercise name -> points, oldest first
    questionnaires: dict[str, dict[int, float]]  # instrument -> {week: score}


def progress(*, plan: Plan, today: dt.date) -> Progress:
    """Weekly pain, load, running and adherence; load per exercise; questionnaire scores."""
    weeks = [
        WeekProgress(number=w.number, starts_on=w.starts_on)
        for w in plan.weeks.filter(starts_on__lte=today).order_by("number")
    ]
    if not weeks:
        return Progress([], {}, _questionnaires(plan.runner_id))
    by_number = {w.number: w for w in weeks}

    def week_of(day: dt.date) -> WeekProgress | None:
        index = (day - plan.start_date).days // 7 + 1
        return by_number.get(index)

    for row in (
        PlanSession.objects.filter(plan=plan, date__lte=today)
        .values("week__number")
        .annotate(planned=Count("pk"), completed=Count("pk", filter=Q(log__isnull=False)))
    ):
        week = by_number.get(row["week__number"])
        if week:
            week.planned, week.completed = row["planned"], row["completed"]
    exercises: dict[str, list[ExercisePoint]] = defaultdict(list)
    logs = (
        SessionLog.objects.filter(session__plan=plan)
        .prefetch_related(
            Prefetch("exercises", queryset=ExerciseLog.objects.select_related("exercise"))
        )
        .order_by("date", "pk")
    )
    for log in logs:
        week = week_of(log.date)
        for ex in log.exercises.all():
            reps = sum(int(r) for r in ex.reps_done) if ex.reps_done else ex.sets_done
            if week:
                week.pain_during.append(ex.pain_during)
                week.strength_volume += reps
            exercises[ex.exercise.name].append(
                ExercisePoint(
                    date=log.date,
                    sets=ex.sets_done,
                    reps=max((int(r) for r in ex.reps_done), default=None),
                    hold_seconds=ex.hold_seconds,
                    load_kg=float(ex.load_kg) if ex.load_kg is not None else None,
                )
            )
        if week and log.pain_after is not None:
            week.pain_after.append(log.pain_after)
    span = (plan.start_date, today)
    for checkin in MorningCheckin.objects.filter(runner_id=plan.runner_id, date__range=span):
        week = week_of(checkin.date - dt.timedelta(days=1))  # the morning after a day
        if week:
            week.morning.append(checkin.pain)
    for run in RunLog.objects.filter(runner_id=plan.runner_id, date__range=span):
        week = week_of(run.date)
        if week:
            week.run_minutes += run.minutes
    return Progress(weeks, dict(exercises), _questionnaires(plan.runner_id))


def _questionnaires(runner_id: int) -> dict[str, dict[int, float]]:
    scores: dict[str, dict[int, float]] = defaultdict(dict)
    for code, week, score in QuestionnaireResponse.objects.filter(runner_id=runner_id).values_list(
        "instrument", "week", "score"
    ):
        scores[code][week] = score
    return dict(scores)


def answered_weeks(*, runner: User) -> set[int]:
    return set(
        QuestionnaireResponse.objects.filter(runner=runner, instrument="lefs").values_list(
            "week", flat=True
        )
    )


def calendar_sessions(*, runner: User) -> list[PlanSession]:
    """Every planned session of the open plan, with prescriptions, for the calendar feed."""
    return list(
        PlanSession.objects.filter(plan__runner=runner, plan__status__in=OPEN_STATUSES)
        .prefetch_related(_prescriptions())
        .order_by("date", "kind")
    )
