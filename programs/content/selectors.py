"""Reads of the content library that other code reuses: a template as the engine's pure
TemplateSpec (template_spec), and the templates a plan can start from."""

from __future__ import annotations

from django.db.models import Prefetch

from programs.content import outline
from programs.content.models import (
    EducationTopic,
    Exercise,
    Phase,
    ProgramTemplate,
    Slot,
)
from programs.engine import specs


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
        "sources", Prefetch("phases", queryset=active_phases)
    )


def _walk_run_ladder(template: ProgramTemplate) -> tuple[specs.WalkRunStage, ...]:
    """The template's own walk-run stages, else those of the walk-run block, read afresh:
    the planner and the engine work on what the database holds now."""
    return tuple(row.to_spec() for row in outline.read_ladder_rows(template.pk))


def walk_run_ladder(template: ProgramTemplate | int) -> tuple[specs.WalkRunStage, ...]:
    """The walk-run ladder a plan from this template (object or id) runs on, in the
    active language, for showing: from the process's content memo (content.outline)."""
    pk = template.pk if isinstance(template, ProgramTemplate) else template
    return tuple(row.to_spec() for row in outline.ladder_rows(pk))


def template_is_startable(slug: str) -> bool:
    """settings.TEMPLATE_STARTABLE: may a plan start from the template with this slug?"""
    return startable_templates().filter(slug=slug).exists()


def startable_templates():
    """Templates a plan can start from: active programmes, not add-on blocks, in a fixed
    order (the runner's set-up, the physio's start form and POST /api/v1/plans/)."""
    return (
        ProgramTemplate.objects.active()
        .filter(is_block=False)
        .select_related("condition")
        .order_by("condition__code", "slug")
    )


def _exercise_family(start_pks: set[int]) -> list[Exercise]:
    """Every exercise connected to the start set through regression or substitute links.

    The whole exercise table is small (tens of rows), so one query loads the links and
    the closure is walked in memory; a second query loads the needed rows with sources.
    """
    neighbours: dict[int, set[int]] = {}
    for pk, *targets in Exercise.objects.values_list("pk", "regression_id", "substitute_id"):
        for target in targets:
            if target is not None:
                neighbours.setdefault(pk, set()).add(target)
                neighbours.setdefault(target, set()).add(pk)
    seen: set[int] = set()
    todo = list(start_pks)
    while todo:
        pk = todo.pop()
        if pk in seen:
            continue
        seen.add(pk)
        todo.extend(neighbours.get(pk, ()))
    return list(
        Exercise.objects.filter(pk__in=seen)
        .select_related("regression", "substitute")
        .prefetch_related("sources")
    )


def template_spec(template: ProgramTemplate | str | int) -> specs.TemplateSpec:
    """The pure TemplateSpec of a template (object, slug or id), in a fixed number of queries.

    `exercises` holds every exercise reachable from the slots along the regression,
    progression and substitute links, so the planner can substitute and change levels.
    """
    if isinstance(template, int):
        row = _template_qs().get(pk=template)
    else:
        slug = template if isinstance(template, str) else template.slug
        row = _template_qs().get(slug=slug)
    phases = list(row.phases.all())
    start = {slot.exercise_id for phase in phases for slot in phase.slots.all()}
    exercises = {e.slug: e.to_spec() for e in _exercise_family(start)}
    return specs.TemplateSpec(
        slug=row.slug,
        condition=row.condition.code,
        name=row.name,
        phases=tuple(_phase_spec(phase) for phase in phases),
        exercises=exercises,
        walk_run_ladder=_walk_run_ladder(row),
        source_keys=tuple(sorted(s.key for s in row.sources.all())),
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
