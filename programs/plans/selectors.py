"""Reads of runner plans that other code reuses: who follows a template, whether a
session is planned on a day (the reminders ask), and the outlook of a plan's phases."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

from programs.content.models import ProgramTemplate
from programs.content.outline import template_phases
from programs.engine.vocabulary import EXIT_METRICS_PLAIN


def plans_using_template(template: ProgramTemplate) -> list:
    """Open runner plans (active, paused, referred) generated from this template.

    Plans copy their prescriptions when generated, so editing the template does not
    change them; the admin lists them so editors know who follows the template.
    """
    from programs.plans.models import Plan

    return list(
        Plan.objects.filter(
            template=template, status__in=[s.value for s in _open_statuses(Plan)]
        ).select_related("runner")
    )


def _open_statuses(plan_model) -> list:
    status = plan_model.Status
    return [status.ACTIVE, status.PAUSED, status.REFERRED]


def has_session_on(*, user, local_date) -> bool:
    """Whether the user's open plan has a strength session that day (reminder relevance)."""
    from programs.plans.models import Plan, PlanSession

    return PlanSession.objects.filter(
        plan__runner=user,
        plan__status=Plan.Status.ACTIVE,
        date=local_date,
        kind=PlanSession.Kind.STRENGTH,
    ).exists()


# --- The runner's outlook: the phase in force, and what the later weeks depend on ----------


@dataclass(frozen=True)
class CriterionView:
    """One exit criterion of the phase in force: its own text (with the threshold) and
    what its kind measures, in plain words (vocabulary.EXIT_METRICS_PLAIN)."""

    metric: str
    text: str
    explanation: str


@dataclass(frozen=True)
class Outlook:
    """Where a plan stands, in the active language.

    The weeks from `from_week` on are provisional (notes §C): they move on to
    `next_phase_name` only if every text in `criteria` (the current phase's exit criteria)
    holds by then. `pending_phase_name` is a phase change that waits for the physio's
    approval: it is not in force, the runner stays in `phase_name`.
    """

    phase_key: str
    phase_name: str
    phase_number: int
    phase_count: int
    next_phase_name: str | None = None
    from_week: int | None = None
    criteria: tuple[str, ...] = ()
    pending_phase_name: str | None = None
    phase_goal: str = ""
    exit_criteria: tuple[CriterionView, ...] = ()

    @property
    def provisional(self) -> bool:
        return self.from_week is not None

    def note(self, from_week: int | None = None) -> str:
        """The provisional weeks in plain words (calendar descriptions, the API); "" when
        nothing is provisional. `from_week` overrides the week named."""
        week = from_week or self.from_week
        if week is None or not self.next_phase_name:
            return ""
        lines = [
            gettext("Provisional."),
            gettext("From about week %(week)s your plan moves on to %(phase)s, if:")
            % {"week": week, "phase": self.next_phase_name},
            *(f"- {text}" for text in self.criteria),
            gettext("Until then you stay in this phase, and the later weeks may change."),
        ]
        return "\n".join(lines)


def pending_phase_changes(plan):
    """The phase each pending decision of `plan` (a Plan, or an OuterRef to one) would move
    it to, the newest first: a phase change that waits for the physio's approval."""
    from programs.plans.models import Decision

    return (
        Decision.objects.filter(plan=plan, status=Decision.Status.PENDING)
        .exclude(phase_after="")
        .order_by("-window_ends_on", "-pk")
        .values_list("phase_after", flat=True)
    )


_UNREAD = object()


def plan_outlook(*, plan, today, weeks=None, pending=_UNREAD) -> Outlook | None:
    """The outlook of an open plan on the runner's `today`, in at most two queries. The
    template's phases come from the process's content memo (content.outline). A caller
    that holds all of the plan's `weeks`, or has read its newest `pending` phase change
    (pending_phase_changes, None when there is none), spares the query for it."""
    from programs.plans.models import PlanWeek

    revision = plan.current_revision
    if revision is None:
        return None
    key = revision.state.get("phase_key", "")
    phases = template_phases(plan.template_id)
    names = {phase.key: phase.name for phase in phases}
    index = next((i for i, phase in enumerate(phases) if phase.key == key), None)
    if index is None:
        return Outlook(key, key, 0, len(phases))
    phase = phases[index]
    following = phases[index + 1] if index + 1 < len(phases) else None
    if pending is _UNREAD:
        pending = pending_phase_changes(plan).first()
    if weeks is None:
        first = (
            PlanWeek.objects.filter(plan=plan, starts_on__gt=today, provisional_from__isnull=False)
            .order_by("number")
            .values_list("provisional_from", "number")
            .first()
        )
    else:
        first = next(
            (
                (w.provisional_from, w.number)
                for w in sorted(weeks, key=lambda w: w.number)
                if w.starts_on > today and w.provisional_from is not None
            ),
            None,
        )
    return Outlook(
        phase_key=key,
        phase_name=phase.name,
        phase_number=index + 1,
        phase_count=len(phases),
        next_phase_name=following.name if following else None,
        from_week=max(first[0] or 0, first[1]) if first and following else None,
        criteria=tuple(c.text for c in phase.exit_criteria.all()),
        pending_phase_name=names.get(pending, pending) if pending else None,
        phase_goal=phase.goal,
        exit_criteria=tuple(
            CriterionView(c.metric, c.text, str(EXIT_METRICS_PLAIN.get(c.metric, "")))
            for c in phase.exit_criteria.all()
        ),
    )


@dataclass(frozen=True)
class PreviewItem:
    """One exercise of a previewed session: the library record and its dose (the
    planner's PrescriptionDraft: sets, reps, hold_seconds, tempo, rest_seconds, load_kg)."""

    exercise: object  # programs.content.models.Exercise
    rx: object  # programs.engine.specs.PrescriptionDraft


@dataclass(frozen=True)
class PreviewSession:
    date: object  # datetime.date
    kind: str  # "strength" | "isometric"
    items: tuple[PreviewItem, ...]


@dataclass(frozen=True)
class WeekOnePreview:
    """What week 1 of a plan would hold, computed by the planner and never stored."""

    starts_on: object  # datetime.date
    phase_key: str
    sessions: tuple[PreviewSession, ...]
    run: object  # programs.engine.specs.RunPrescription
    education: tuple[str, ...]


def plan_week_one_preview(*, template: ProgramTemplate, context, policy=None) -> WeekOnePreview:
    """Week 1 of the plan `template` would make for `context`, from the pure planner, as
    plan_generate would store it, without writing anything. `context.features` must be
    filled by the caller (plan_generate takes them from the start check)."""
    from programs.content.models import Exercise
    from programs.engine import planner
    from programs.engine.specs import Policy
    from programs.plans.services.state import template_spec_for

    spec = template_spec_for(template)
    draft = planner.generate_plan(spec, context, policy or Policy(), weeks=1)
    week = draft.weeks[0]
    slugs = {rx.exercise for session in week.sessions for rx in session.prescriptions}
    exercises = Exercise.objects.in_bulk(slugs, field_name="slug")
    return WeekOnePreview(
        starts_on=week.starts_on,
        phase_key=week.phase_key,
        sessions=tuple(
            PreviewSession(
                date=session.date,
                kind=session.kind,
                items=tuple(
                    PreviewItem(exercise=exercises[rx.exercise], rx=rx)
                    for rx in session.prescriptions
                    if rx.exercise in exercises
                ),
            )
            for session in week.sessions
        ),
        run=week.run,
        education=week.education,
    )
