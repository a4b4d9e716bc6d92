"""Reads of the template library that other code reuses."""

from __future__ import annotations

from django.db.models import Prefetch

from programs.exercises.models import EducationTopic, Exercise
from programs.plans import specs
from programs.plans.models import Phase, ProgramTemplate, Slot


def _template_qs():
    active_slots = Slot.objects.filter(is_active=True).select_related("exercise")
    active_phases = (
        Phase.objects.filter(is_active=True)
        .order_by("order")
        .prefetch_related(
            "sources",
            "exit_criteria",
            Prefetch("education", queryset=EducationTopic.objects.order_by("order", "slug")),
            Prefetch("slots", queryset=active_slots.order_by("order", "key")),
        )
    )
    return ProgramTemplate.objects.select_related("condition").prefetch_related(
        "sources", "walk_run_stages", Prefetch("phases", queryset=active_phases)
    )


def _exercise_family(start_pks: set[int]) -> list[Exercise]:
    """Every exercise connected to the start set through regression links.

    The whole exercise table is small (tens of rows), so one query loads the links and
    the closure is walked in memory; a second query loads the needed rows with sources.
    """
    links = dict(Exercise.objects.values_list("pk", "regression_id"))
    children: dict[int, list[int]] = {}
    for pk, parent in links.items():
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    seen: set[int] = set()
    todo = list(start_pks)
    while todo:
        pk = todo.pop()
        if pk in seen:
            continue
        seen.add(pk)
        parent = links.get(pk)
        if parent is not None:
            todo.append(parent)
        todo.extend(children.get(pk, ()))
    return list(
        Exercise.objects.filter(pk__in=seen)
        .select_related("regression")
        .prefetch_related("sources")
    )


def template_spec(template: ProgramTemplate | str | int) -> specs.TemplateSpec:
    """The pure TemplateSpec of a template (object, slug or id), in a fixed number of queries.

    `exercises` holds every exercise reachable from the slots along the regression and
    progression links, so the planner can substitute and change levels.
    """
    if isinstance(template, int):
        template = _template_qs().get(pk=template)
    else:
        slug = template if isinstance(template, str) else template.slug
        template = _template_qs().get(slug=slug)
    phases = list(template.phases.all())
    start = {slot.exercise_id for phase in phases for slot in phase.slots.all()}
    exercises = {e.slug: e.to_spec() for e in _exercise_family(start)}
    return specs.TemplateSpec(
        slug=template.slug,
        condition=template.condition.code,
        name=template.name,
        phases=tuple(_phase_spec(phase) for phase in phases),
        exercises=exercises,
        walk_run_ladder=tuple(stage.to_spec() for stage in template.walk_run_stages.all()),
        source_keys=tuple(sorted(s.key for s in template.sources.all())),
    )


def _phase_spec(phase: Phase) -> specs.PhaseSpec:
    return specs.PhaseSpec(
        key=phase.key,
        order=phase.order,
        name=phase.name_en or phase.name,
        name_nl=phase.name_nl or "",
        goal=phase.goal,
        weeks_min=phase.weeks_min,
        weeks_max=phase.weeks_max,
        max_compression=phase.max_compression,
        strength_days=phase.strength_days,
        slots=tuple(slot.to_spec() for slot in phase.slots.all()),
        exit_criteria=tuple(c.to_spec() for c in phase.exit_criteria.all()),
        run=phase.run_guidance(),
        education=tuple(t.slug for t in phase.education.all()),
        early=phase.early,
        source_keys=tuple(sorted(s.key for s in phase.sources.all())),
    )


def plans_using_template(template: ProgramTemplate) -> list:
    """Open runner plans (active, paused, referred) generated from this template.

    Plans copy their prescriptions when generated, so editing the template does not
    change them; the admin lists them so editors know who follows the template.
    """
    from programs.plans.plan_models import Plan

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
    from programs.plans.plan_models import Plan, PlanSession

    return PlanSession.objects.filter(
        plan__runner=user,
        plan__status=Plan.Status.ACTIVE,
        date=local_date,
        kind=PlanSession.Kind.STRENGTH,
    ).exists()
