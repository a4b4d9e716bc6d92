"""The content rules for the admin forms: their cleaned data or unsaved rows, reshaped into
the YAML-record shape that programs.content.checks reads, so that the admin and
`load_content` run one implementation of each rule."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from programs.content.checks import exercise_rule_problems, phase_rule_problems, slot_rule_problems

SLOT_FIELDS = (
    "sets",
    "reps_min",
    "reps_max",
    "hold_seconds",
    "hold_seconds_max",
    "min_level",
    "max_level",
    "scheme",
)


def _reader(values: Any):
    if isinstance(values, Mapping):
        return values.get
    return lambda name, default=None: getattr(values, name, default)


def exercise_values(values: Any, *, slug: str = "?") -> dict:
    """An Exercise row or an exercise form's cleaned data, as a library record."""
    get = _reader(values)
    substitute = get("substitute")
    return {
        "slug": get("slug") or slug,
        "level": get("level"),
        "compression": get("compression"),
        "equipment": list(get("equipment") or []),
        "dosage_type": get("dosage_type"),
        "default_sets": get("default_sets"),
        "default_reps": get("default_reps"),
        "default_hold_seconds": get("default_hold_seconds"),
        "not_for_conditions": list(get("not_for_conditions") or []),
        "isometric": bool(get("isometric")),
        "substitute": getattr(substitute, "slug", substitute),
    }


def phase_values(values: Any) -> dict:
    """A Phase row (saved or not) or a phase form's cleaned data, as a library record."""
    get = _reader(values)
    return {
        "weeks_min": get("weeks_min"),
        "weeks_max": get("weeks_max"),
        "max_compression": get("max_compression"),
        "early": bool(get("early")),
        "run": {
            "mode": get("run_mode") or "",
            "walk_run_stage_min": get("run_walk_run_stage_min"),
            "walk_run_stage_max": get("run_walk_run_stage_max"),
            "terrain_rules": list(get("run_terrain_rules") or []),
        },
    }


def exercise_problems(values: Any) -> list[str]:
    return exercise_rule_problems(exercise_values(values))


def phase_problems(values: Any, *, condition: str) -> list[str]:
    return phase_rule_problems(phase_values(values), condition=condition)


def slot_problems(slot: Any, *, exercise: Any, phase: Any, condition: str) -> list[str]:
    """`slot` is a Slot row or a slot form's cleaned data; `exercise` a row or an exercise
    form's cleaned data (then with its slug); `phase` a row or a phase form's data."""
    get = _reader(slot)
    return slot_rule_problems(
        {name: get(name) for name in SLOT_FIELDS},
        exercise=exercise if isinstance(exercise, dict) else exercise_values(exercise),
        phase=phase_values(phase),
        condition=condition,
    )
