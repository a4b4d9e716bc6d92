"""template_spec(): the full TemplateSpec in a bounded number of queries."""

from __future__ import annotations

import pytest

from programs.content.models import Exercise, ProgramTemplate
from programs.content.selectors import template_spec
from programs.engine import specs
from programs.plans.selectors import plans_using_template
from tests.programs.factories import (
    ExerciseFactory,
    PhaseFactory,
    SlotFactory,
    TemplateFactory,
    load_library,
)

pytestmark = pytest.mark.django_db

QUERY_BOUND = 12


def test_spec_of_the_gluteal_template():
    load_library()
    spec = template_spec("gluteal-tendinopathy")
    assert isinstance(spec, specs.TemplateSpec)
    assert spec.condition == "gluteal_tendinopathy"
    assert [p.key for p in spec.phases] == ["gt-p1", "gt-p2", "gt-p3", "gt-p4"]
    assert spec.phases[0].early
    assert spec.phases[0].max_compression == "C0"
    assert spec.phases[0].exit_criteria[0] == specs.ExitCriterion(
        "consecutive_green_sessions", ">=", 3.0, "Three sessions in a row with exercise pain 0-2."
    )
    assert "tendon-compression" in spec.phases[0].education
    assert spec.phases[3].run.mode == "walk_run"
    assert spec.phases[3].run.walk_run_stage_max == 9
    assert "mellor2018_leap" in spec.source_keys
    bridge = spec.exercises["double-leg-bridge"]
    assert bridge.source_keys
    assert bridge.equipment == ("mat",)


def test_spec_holds_the_whole_regression_and_progression_chains():
    load_library()
    spec = template_spec("gluteal-tendinopathy")
    # every slot exercise, with every regression and progression reachable from it
    for phase in spec.phases:
        for slot in phase.slots:
            assert slot.exercise in spec.exercises
    for exercise in spec.exercises.values():
        if exercise.regression:
            assert exercise.regression in spec.exercises
    for slug in spec.exercises:
        for progression in Exercise.objects.filter(regression__slug=slug):
            assert progression.slug in spec.exercises
    # progressions beyond the slots are there for level changes (BR-3 -> HT-1 chain, HH-2)
    assert {"single-leg-bridge", "pelvic-drop", "crossover-step-up"} <= set(spec.exercises)


def test_ladder_block_spec():
    load_library()
    spec = template_spec(ProgramTemplate.objects.get(is_block=True))
    assert [s.number for s in spec.walk_run_ladder] == list(range(1, 11))
    assert spec.walk_run_ladder[1].total_run_minutes == 5
    assert spec.walk_run_ladder[8].total_run_minutes == 30


def test_query_count_is_bounded(django_assert_max_num_queries):
    load_library()
    for slug in ProgramTemplate.objects.values_list("slug", flat=True):
        with django_assert_max_num_queries(QUERY_BOUND):
            template_spec(slug)


def test_query_count_does_not_grow_with_template_size(django_assert_num_queries):
    small = SlotFactory().phase.template
    with django_assert_num_queries(QUERY_BOUND - 1) as small_ctx:
        template_spec(small)
    big = TemplateFactory()
    chain = None
    for number in range(6):
        phase = PhaseFactory(template=big, order=number + 1)
        for _ in range(5):
            chain = ExerciseFactory(regression=chain)
            SlotFactory(phase=phase, exercise=chain)
    with django_assert_num_queries(len(small_ctx.captured_queries)):
        spec = template_spec(big)
    assert len(spec.phases) == 6
    assert len(spec.exercises) == 30


def test_inactive_slots_and_phases_are_left_out():
    slot = SlotFactory()
    SlotFactory(phase=slot.phase, is_active=False)
    PhaseFactory(template=slot.phase.template, is_active=False)
    spec = template_spec(slot.phase.template)
    assert len(spec.phases) == 1
    assert [s.key for s in spec.phases[0].slots] == [slot.key]


def test_plans_using_template_is_empty_without_plans():
    load_library()
    assert plans_using_template(ProgramTemplate.objects.first()) == []


def test_the_database_specs_match_the_yaml_specs_the_pure_tests_use():
    """tests/programs/plans/content_specs.py reads the YAML without a database; the pure
    engine tests on the real templates rely on it giving what template_spec gives."""
    from tests.programs.engine.content_specs import content_templates

    load_library()
    for slug, from_yaml in content_templates().items():
        assert template_spec(slug) == from_yaml, slug


def test_a_template_without_its_own_ladder_runs_on_the_walk_run_block():
    load_library()
    spec = template_spec("gluteal-tendinopathy")
    block = template_spec(ProgramTemplate.objects.get(is_block=True))
    assert spec.walk_run_ladder == block.walk_run_ladder
    assert [s.number for s in spec.walk_run_ladder] == list(range(1, 11))
    assert "standing-isometric-abduction-floor" in spec.exercises  # a substitute link
