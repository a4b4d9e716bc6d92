"""Reads behind the runner's pages: each one a fixed number of queries, whatever the plan length."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs.content.models import EducationTopic, EvidenceSource, Exercise, ProgramTemplate
from programs.content.selectors import startable_templates
from programs.engine.screening import TEMPLATE_FOR_CONDITION
from programs.logbook.models import (
    ExerciseLog,
    FlareUp,
    MorningCheckin,
    Referral,
    RunLog,
    Screening,
    SessionLog,
    SetupDraft,
)
from programs.logbook.questionnaire_models import QuestionnaireResponse
from programs.plans.models import Decision, Plan, PlanSession, PlanWeek, Prescription
from programs.plans.selectors import (
    Outlook,
    WeekOnePreview,
    plan_outlook,
    plan_week_one_preview,
)
from rehab.accounts.models import CareLink, Invitation, User
from rehab.accounts.selectors import runner_ids_visible_to

OPEN_STATUSES = (Plan.Status.ACTIVE, Plan.Status.PAUSED, Plan.Status.REFERRED)


def latest_screening(*, runner: User) -> Screening | None:
    return Screening.objects.filter(runner=runner).order_by("-created_at", "-pk").first()


def recommended_template(*, condition: str | None, templates=None) -> ProgramTemplate | None:
    """The template a screening's suggested condition leads to, or None (no condition, or
    the content is not loaded). The general lateral-hip pathway follows the gluteal
    tendinopathy template (screening.TEMPLATE_FOR_CONDITION). Its slug is what
    POST /api/v1/plans/ accepts; the runner's set-up and the physio's start form preselect it.
    """
    if not condition:
        return None
    code = TEMPLATE_FOR_CONDITION.get(condition, condition)
    templates = startable_templates() if templates is None else templates
    return next((t for t in templates if t.condition.code == code), None)


def invited_template(*, runner: User, templates) -> ProgramTemplate | None:
    """The template suggested in the latest invitation the runner accepted, from a physio
    still linked to them, if a plan can start from it (one of `templates`)."""
    slug = (
        Invitation.objects.filter(
            accepted_by=runner,
            care_link__in=CareLink.objects.active().filter(runner=runner),
        )
        .exclude(suggested_template="")
        .order_by("-accepted_at")
        .values_list("suggested_template", flat=True)
        .first()
    )
    return next((t for t in templates if t.slug == slug), None) if slug else None


def open_referrals(*, runner: User) -> list[Referral]:
    """The runner's referrals not yet cleared, oldest first."""
    return list(Referral.objects.still_open().filter(runner=runner).order_by("opened_at", "pk"))


def referrals_visible_to(user: User):
    """A runner's own referrals; a physio's linked runners'; nothing for anyone else."""
    return (
        Referral.objects.filter(runner_id__in=runner_ids_visible_to(user))
        .select_related("runner", "cleared_by")
        .order_by("-opened_at", "-pk")
    )


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
    """A planned session of this runner (None for anyone else's), with prescriptions.
    A prescription that stands in for the template's exercise carries that exercise as
    `replaced_exercise` (its name is shown in the runner's language); one more query,
    only when there is such a prescription."""
    session = (
        PlanSession.objects.filter(pk=pk, plan__runner=runner)
        .select_related("plan", "week", "log")
        .prefetch_related(_prescriptions())
        .first()
    )
    if session is not None:
        prescriptions = session.prescriptions.all()
        slugs = {p.substituted_for for p in prescriptions if p.substituted_for}
        replaced = {e.slug: e for e in Exercise.objects.filter(slug__in=slugs)} if slugs else {}
        for prescription in prescriptions:
            prescription.replaced_exercise = replaced.get(prescription.substituted_for)
    return session


def plan_needs_review(*, plan: Plan) -> bool:
    """Whether the engine flagged the plan "needs review" (no meaningful improvement after
    12 weeks, §G): read from the current state already loaded with the plan, no query."""
    revision = plan.current_revision
    return bool(revision is not None and (revision.state or {}).get("review_flagged_on"))


def logged_exercises(log: SessionLog) -> list[ExerciseLog]:
    return list(log.exercises.select_related("exercise"))


@dataclass
class DecisionView:
    decision: Decision
    explanation: str
    sources: list[EvidenceSource]


def plan_decisions(*, runner: User, language: str, **filters) -> list[DecisionView]:
    """Every decision on the runner's plans (narrowed by Decision field `filters`, when
    given), newest first, with its sources resolved."""
    # A rejected change is left out, unless the physiotherapist wrote the runner why.
    queryset = Decision.objects.filter(plan__runner=runner, **filters).exclude(
        status=Decision.Status.REJECTED, physio_message=""
    )
    decisions = list(queryset.order_by("-created_at", "-pk"))
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


@dataclass
class FlareOutcome:
    """What a flare-up did to the plan: "applied" (the plan is lighter now), "pending"
    (the lighter plan waits for the physiotherapist's approval), "referred" (a warning
    sign paused the plan) or "none" (no change was needed, or there is no open plan)."""

    state: str
    decisions: list[DecisionView]
    proposals: list[str] = field(default_factory=list)  # pending changes, in plain words


# What a pending change would do, said as a proposal: the engine's explanations describe
# a change that has been made, which a change waiting for approval has not.
PROPOSED_CHANGE = {
    "deload": gettext_lazy("a lighter week, with less volume"),
    "regress": gettext_lazy("an easier version of an exercise"),
    "hold": gettext_lazy("keeping an exercise at the same dose"),
    "run_step_down": gettext_lazy("less running for now"),
}


def flare_up_outcome(*, flare: FlareUp, language: str) -> FlareOutcome:
    # The flare-up's own evaluation: made after the report, over days ending on its date.
    views = plan_decisions(
        runner=flare.runner,
        language=language,
        created_at__gte=flare.created_at,
        window_ends_on=flare.date,
    )
    views = [v for v in views if v.decision.status != Decision.Status.REJECTED]
    pending = [v for v in views if v.decision.status == Decision.Status.PENDING]
    if any(v.decision.kind == "pause_and_refer" for v in views):
        state = "referred"
    elif pending:
        state = "pending"
    else:
        state = "applied" if views else "none"
    proposals = []
    for view in pending:
        label = str(
            PROPOSED_CHANGE.get(view.decision.kind, gettext_lazy("a change to an exercise"))
        )
        if label not in proposals:
            proposals.append(label)
    return FlareOutcome(state=state, decisions=views, proposals=proposals)


def flare_outcome_message(state: str) -> str:
    """The runner's one-line answer after a flare-up, in the active language."""
    return {
        "applied": _("Your plan has eased off for the next days."),
        "pending": _(
            "Your physiotherapist reviews changes to your plan first: the lighter plan is "
            "waiting for their approval. Until then, keep to the easier end of each "
            "exercise and leave out what hurts."
        ),
        "referred": _(
            "Your plan is paused: a warning sign you reported should be seen by a clinician "
            "before you train on."
        ),
        "none": _(
            "No change to the plan was needed; keep to the easier end of each exercise for a "
            "few days."
        ),
    }[state]


# --- Check-ins ----------------------------------------------------------------------------

MIDDAY = dt.time(12)


def checkin_of(*, runner: User, pk: int) -> MorningCheckin | None:
    """One of this runner's own check-ins (None for anyone else's)."""
    return MorningCheckin.objects.filter(pk=pk, runner=runner).first()


def checkin_on(*, runner: User, date: dt.date) -> MorningCheckin | None:
    return MorningCheckin.objects.filter(runner=runner, date=date).first()


def settled_question_applies(
    *, checkin: MorningCheckin, baseline: float | None, now_local: dt.datetime
) -> bool:
    """Ask "has it settled by midday?" about a morning whose pain was above the runner's
    baseline, once midday of that day has come (§D2 row 2: +1..+2 is amber only if it
    settled by midday)."""
    if baseline is None or checkin.pain <= baseline:
        return False
    return checkin.date < now_local.date() or now_local.time() >= MIDDAY


def checkin_due(*, plan: Plan, today: dt.date, checked_in: bool | None = None) -> bool:
    """Whether the runner's morning check-in is due today: the plan is active, it began
    before today (a check-in is the morning after a plan day, which the engine compares
    with the baseline, §D2 row 2; the plan's first morning has no day before it), and
    today's check-in is not in yet. A caller that has read `checked_in` (checkins_on)
    spares the query."""
    if plan.status != Plan.Status.ACTIVE or today <= plan.start_date:
        return False
    if checked_in is None:
        checked_in = checkins_on(plan.runner_id, today).exists()
    return not checked_in


def checkins_on(runner, date: dt.date):
    """The morning check-in of `runner` (an id, or an OuterRef to one) on `date`."""
    return MorningCheckin.objects.filter(runner_id=runner, date=date)


def plan_week_count(*, plan: Plan) -> int:
    """How many weeks the plan has (the last week's number)."""
    return plan.weeks.order_by("-number").values_list("number", flat=True).first() or 0


def checkin_awaiting_settled_answer(
    *, runner: User, baseline: float | None, now_local: dt.datetime
) -> MorningCheckin | None:
    """Today's check-in, above baseline, whose midday question is due and unanswered."""
    if baseline is None or now_local.time() < MIDDAY:
        return None
    return MorningCheckin.objects.filter(
        runner=runner,
        date=now_local.date(),
        pain__gt=baseline,
        settled_by_midday__isnull=True,
    ).first()


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


@dataclass
class CalendarFeed:
    sessions: list[PlanSession]
    outlook: Outlook | None


def calendar_feed(*, runner: User, today: dt.date) -> CalendarFeed:
    """Every planned session of the open plan, with its week and prescriptions, and the
    plan's outlook (what the provisional weeks depend on), for the calendar feed."""
    plan = current_plan(runner=runner)
    if plan is None:
        return CalendarFeed([], None)
    sessions = list(
        PlanSession.objects.filter(plan=plan)
        .select_related("week", "log")
        .prefetch_related(_prescriptions())
        .order_by("date", "kind")
    )
    return CalendarFeed(sessions, plan_outlook(plan=plan, today=today))


def exercises_logged_before(*, runner: User, exercise_ids: set[int]) -> set[int]:
    """Which of these exercises the runner has logged before (one query): the player
    keeps their setup and cues one tap away instead of open."""
    if not exercise_ids:
        return set()
    return set(
        ExerciseLog.objects.filter(session_log__runner=runner, exercise_id__in=exercise_ids)
        .order_by()  # the default ordering would take part in DISTINCT
        .values_list("exercise_id", flat=True)
        .distinct()
    )


# --- Run history (#15) ---------------------------------------------------------------------


@dataclass
class RunWeek:
    """One week of runs against that week's running prescription (None outside a plan)."""

    starts_on: dt.date
    number: int | None = None  # the plan week
    prescription: dict | None = None  # PlanWeek.run (specs.RunPrescription)
    runs: list[RunLog] = field(default_factory=list)

    @property
    def ends_on(self) -> dt.date:
        return self.starts_on + dt.timedelta(days=6)

    @property
    def minutes(self) -> int:
        return sum(run.minutes for run in self.runs)

    @property
    def count(self) -> int:
        return len(self.runs)

    @property
    def prescribed_minutes(self) -> int | None:
        return (self.prescription or {}).get("weekly_minutes")

    @property
    def prescribed_runs(self) -> int | None:
        return (self.prescription or {}).get("runs_per_week")

    @property
    def over_minutes(self) -> bool:
        target = self.prescribed_minutes
        return target is not None and self.minutes > target

    @property
    def over_runs(self) -> bool:
        target = self.prescribed_runs
        return target is not None and self.count > target

    @property
    def hills_against_rules(self) -> bool:
        from programs.engine.terrain import HILL_RULES

        rules = set((self.prescription or {}).get("terrain_rules") or ())
        hilly = (run.hilly or run.terrain == RunLog.Terrain.HILLS for run in self.runs)
        return bool(rules & set(HILL_RULES)) and any(hilly)


def run_history(*, runner: User, today: dt.date, weeks: int = 26) -> list[RunWeek]:
    """The runner's runs of the last `weeks` weeks, newest week first, per plan week (with
    its prescribed minutes and runs) or, outside the open plan, per calendar week. Two
    queries whatever the number of runs."""
    since = today - dt.timedelta(weeks=weeks)
    plan = current_plan(runner=runner)
    found: dict[dt.date, RunWeek] = {}
    plan_weeks: list[PlanWeek] = []
    if plan is not None:
        plan_weeks = list(
            plan.weeks.filter(starts_on__lte=today, starts_on__gte=since - dt.timedelta(days=6))
        )
        for week in plan_weeks:
            found[week.starts_on] = RunWeek(week.starts_on, week.number, week.run)
    starts = sorted(found)
    runs = RunLog.objects.filter(runner=runner, date__gte=since, date__lte=today).order_by(
        "-date", "-pk"
    )
    for run in runs:
        key = next((s for s in reversed(starts) if s <= run.date < s + dt.timedelta(days=7)), None)
        if key is None:
            key = run.date - dt.timedelta(days=run.date.weekday())
        found.setdefault(key, RunWeek(key)).runs.append(run)
    return [found[key] for key in sorted(found, reverse=True)]


def runs_awaiting_answers(*, runner: User) -> list[RunLog]:
    """Imported runs still waiting for their pain, oldest first."""
    return list(RunLog.objects.awaiting_answers().filter(runner=runner).order_by("date", "pk"))


def run_of(*, runner: User, pk: int) -> RunLog | None:
    """A run of this runner's (None for anyone else's)."""
    return RunLog.objects.filter(runner=runner, pk=pk).first()


def setup_draft_answers(*, runner: User) -> dict:
    """The answers of the runner's set-up in progress, per step ({} when none)."""
    draft = SetupDraft.objects.filter(runner=runner).first()
    return dict(draft.answers) if draft else {}


def plan_setup_preview(*, runner: User, template: ProgramTemplate, context) -> WeekOnePreview:
    """Week 1 of the plan these set-up answers would make, computed and not stored. The
    features come from the latest screening, as when the plan is made (plan_start_check)."""
    screening = latest_screening(runner=runner)
    features = frozenset(screening.features) if screening else frozenset()
    return plan_week_one_preview(template=template, context=replace(context, features=features))
