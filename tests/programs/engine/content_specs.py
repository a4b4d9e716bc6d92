"""The shipped content library (programs/content/library/*.yaml) as pure TemplateSpecs.

For engine tests on the real templates without a database. It mirrors the models'
to_spec() conversions and programs.plans.selectors.template_spec (the exercises a
template can reach through regression and substitute links; the walk-run block's ladder
for a template without its own); tests/programs/plans/test_content_selectors.py checks
the database path against it.
"""

from __future__ import annotations

from functools import cache

import yaml

from programs.content.reading import CONTENT_DIR
from programs.engine import specs


def _records(kind: str) -> list[dict]:
    text = (CONTENT_DIR / f"{kind}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)[kind]


def _exercise(rec: dict) -> specs.ExerciseSpec:
    return specs.ExerciseSpec(
        slug=rec["slug"],
        name=rec["name"]["en"],
        name_nl=rec["name"].get("nl", ""),
        level=rec["level"],
        compression=rec["compression"],
        family=rec["family"],
        equipment=tuple(rec["equipment"]) or ("none",),
        dosage_type=rec["dosage_type"],
        default_sets=rec["default_sets"],
        default_reps=rec.get("default_reps"),
        default_hold_seconds=rec.get("default_hold_seconds"),
        default_rest_seconds=rec.get("default_rest_seconds", 60),
        loadable=rec.get("loadable", False),
        isometric=rec.get("isometric", False),
        regression=rec.get("regression"),
        substitute=rec.get("substitute"),
        not_for_conditions=tuple(rec.get("not_for_conditions") or ()),
        source_keys=tuple(sorted(rec["sources"])),
        movement_pattern=rec.get("movement_pattern") or "",
    )


def _slot(rec: dict) -> specs.SlotSpec:
    names = [
        "reps_min",
        "reps_max",
        "hold_seconds",
        "hold_seconds_max",
        "rest_seconds",
        "per_week",
        "daily",
        "scheme",
        "min_level",
        "max_level",
        "heavy",
        "order",
    ]
    return specs.SlotSpec(
        key=rec["key"],
        exercise=rec["exercise"],
        sets=rec["sets"],
        **{name: rec[name] for name in names if name in rec},
    )


def _run(rec: dict) -> specs.RunGuidance:
    return specs.RunGuidance(
        mode=rec["mode"],
        weekly_volume_pct=rec.get("weekly_volume_pct"),
        walk_run_stage_min=rec.get("walk_run_stage_min"),
        walk_run_stage_max=rec.get("walk_run_stage_max"),
        cadence_increase_pct=rec.get("cadence_increase_pct", 0),
        terrain_rules=tuple(rec.get("terrain_rules") or ()),
        runs_per_week=rec.get("runs_per_week", 3),
    )


@cache
def _topic_order() -> dict[str, tuple]:
    return {rec["slug"]: (rec["order"], rec["slug"]) for rec in _records("education")}


def _phase(rec: dict) -> specs.PhaseSpec:
    return specs.PhaseSpec(
        key=rec["key"],
        order=rec["order"],
        name=rec["name"]["en"],
        name_nl=rec["name"].get("nl", ""),
        goal=rec["goal"]["en"],
        weeks_min=rec["weeks_min"],
        weeks_max=rec["weeks_max"],
        max_compression=rec["max_compression"],
        strength_days=rec["strength_days"],
        slots=tuple(
            sorted((_slot(s) for s in rec["slots"]), key=lambda slot: (slot.order, slot.key))
        ),
        exit_criteria=tuple(
            specs.ExitCriterion(c["metric"], c["op"], float(c["value"]), c["text"]["en"])
            for c in rec.get("exit_criteria") or ()
        ),
        run=_run(rec["run"]),
        education=tuple(sorted(rec.get("education") or (), key=_topic_order().__getitem__)),
        early=rec.get("early", False),
        source_keys=tuple(sorted(rec["sources"])),
    )


def _reachable(start: set[str], exercises: dict[str, specs.ExerciseSpec]) -> set[str]:
    """Every exercise linked to the start set by regression or substitute links."""
    links: dict[str, set[str]] = {slug: set() for slug in exercises}
    for slug, exercise in exercises.items():
        for target in (exercise.regression, exercise.substitute):
            if target:
                links[slug].add(target)
                links.setdefault(target, set()).add(slug)
    seen: set[str] = set()
    todo = list(start)
    while todo:
        slug = todo.pop()
        if slug in seen:
            continue
        seen.add(slug)
        todo.extend(links.get(slug, ()))
    return seen


@cache
def content_templates() -> dict[str, specs.TemplateSpec]:
    """Every template of the shipped library, by slug."""
    exercises = {rec["slug"]: _exercise(rec) for rec in _records("exercises")}
    records = _records("templates")
    block = next((rec for rec in records if rec.get("is_block")), {})
    out = {}
    for rec in records:
        phases = tuple(sorted((_phase(p) for p in rec["phases"]), key=lambda p: p.order))
        start = {slot.exercise for phase in phases for slot in phase.slots}
        out[rec["slug"]] = specs.TemplateSpec(
            slug=rec["slug"],
            condition=rec["condition"],
            name=rec["name"]["en"],
            phases=phases,
            exercises={slug: exercises[slug] for slug in sorted(_reachable(start, exercises))},
            walk_run_ladder=tuple(
                specs.WalkRunStage(
                    number=s["number"],
                    repeats=s.get("repeats", 0),
                    walk_minutes=float(s.get("walk_minutes", 0)),
                    run_minutes=float(s.get("run_minutes", 0)),
                    continuous_minutes=s.get("continuous_minutes", 0),
                    description=s["description"]["en"],
                )
                for s in rec.get("walk_run_stages") or block.get("walk_run_stages") or ()
            ),
            source_keys=tuple(sorted(rec["sources"])),
        )
    return out


def content_template(slug: str) -> specs.TemplateSpec:
    return content_templates()[slug]
