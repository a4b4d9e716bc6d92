"""The pure checks shared by the loader and the admin."""

from __future__ import annotations

import pytest

from programs.engine import validation as rules
from programs.engine.validation import (
    cycle_problems,
    regression_cycle,
    source_problems,
    translation_problems,
)


def test_regression_links_without_cycle():
    assert regression_cycle({"a": None, "b": "a", "c": "b", "d": "a"}) is None


@pytest.mark.parametrize(
    ("links", "cycle"),
    [
        ({"a": "a"}, ["a", "a"]),
        ({"a": "b", "b": "a"}, ["a", "b", "a"]),
        ({"root": None, "a": "root", "b": "c", "c": "d", "d": "b"}, ["b", "c", "d", "b"]),
    ],
)
def test_regression_cycles_are_found(links, cycle):
    assert regression_cycle(links) == cycle
    assert "cycle" in cycle_problems(links)[0]


def test_c2_in_early_gluteal_phase_is_refused_even_if_the_phase_allows_c2():
    problems = rules.slot_fit_problems(
        exercise="pelvic-drop",
        compression="C2",
        not_for_conditions=[],
        condition="gluteal_tendinopathy",
        max_compression="C2",
        early=True,
    )
    assert problems
    assert "C2" in problems[0]


def test_c2_allowed_in_late_itbs_phase():
    assert not rules.slot_fit_problems(
        exercise="pelvic-drop",
        compression="C2",
        not_for_conditions=[],
        condition="proximal_itbs",
        max_compression="C2",
        early=False,
    )


def test_compression_above_phase_maximum_and_excluded_condition():
    assert rules.slot_fit_problems(
        exercise="x",
        compression="C1",
        not_for_conditions=[],
        condition="prevention",
        max_compression="C0",
        early=False,
    )
    assert rules.slot_fit_problems(
        exercise="x",
        compression="C0",
        not_for_conditions=["prevention"],
        condition="prevention",
        max_compression="C2",
        early=False,
    )


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"sets": 0}, "at least 1 set"),
        ({"sets": 11}, "More than 10"),
        ({"reps_min": 12, "reps_max": 8}, "exceed"),
        ({"reps_min": None, "reps_max": None}, "rep range"),
        ({"dosage_type": "hold", "hold_seconds": None}, "hold time"),
        ({"dosage_type": "hold", "hold_seconds": 301}, "300 seconds"),
        ({"min_level": 4, "max_level": 2}, "lowest level"),
    ],
)
def test_impossible_dosage(kwargs, fragment):
    dose = {
        "dosage_type": "reps",
        "sets": 3,
        "reps_min": 8,
        "reps_max": 12,
        "hold_seconds": None,
        "hold_seconds_max": None,
        **kwargs,
    }
    problems = rules.slot_dosage_problems(**dose)
    assert any(fragment in p for p in problems), problems


def test_sensible_dosage_passes():
    assert not rules.slot_dosage_problems(
        dosage_type="hold",
        sets=5,
        reps_min=None,
        reps_max=None,
        hold_seconds=30,
        hold_seconds_max=45,
    )


def test_exit_criteria_required_except_in_the_last_phase():
    assert rules.exit_criteria_problems([], is_last_phase=False)
    assert not rules.exit_criteria_problems([], is_last_phase=True)
    assert not rules.exit_criteria_problems(
        [("consecutive_green_sessions", ">=", 3)], is_last_phase=False
    )
    assert rules.exit_criteria_problems([("feeling_good", ">=", 3)], is_last_phase=True)


def test_early_gluteal_phase_may_not_allow_c2():
    problems = rules.phase_problems(
        condition="gluteal_tendinopathy",
        weeks_min=1,
        weeks_max=2,
        max_compression="C2",
        early=True,
        run_mode="reduce",
        walk_run_stage_min=None,
        walk_run_stage_max=None,
        terrain_rules=[],
    )
    assert problems


def test_translations_and_sources():
    assert translation_problems({"name": {"en": "Bridge", "nl": ""}}) == [
        "Text 'name' is missing in Dutch."
    ]
    assert not translation_problems({"note": {}}, optional=["note"])
    assert translation_problems({"note": {"en": "x"}}, optional=["note"])
    assert source_problems([], ["a"]) == ["At least one evidence source is required."]
    assert source_problems(["b"], ["a"])
