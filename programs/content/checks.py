"""Whole-library validation of content records before anything is written.

`library` maps each kind to {record key: (origin, record)}; the origin is the file the
record came from (or "database" for rows already stored that the input leaves alone).
Every problem names the file, the record and what is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from programs.content import schema
from programs.content.figures import figure_problems
from programs.content.models import EvidenceFlag, MovementPattern, Muscle, Position, StudyType
from programs.engine import specs
from programs.engine import validation as plan_rules
from programs.engine.validation import (
    cycle_problems,
    exercise_problems,
    regression_level_problems,
    source_problems,
    substitute_problems,
    translation_problems,
)

Library = dict[str, dict[str, tuple[str, dict]]]


@dataclass(frozen=True)
class Problem:
    file: str
    record: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.record}: {self.message}"


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, origin: str, record: str, messages: list[str]) -> None:
        self.problems.extend(Problem(origin, record, str(m)) for m in messages)


def _texts(record: dict, fields: dict) -> list[str]:
    return translation_problems(
        schema.translated(record, fields), optional=schema.optional_translated(fields)
    )


def _choice(value, allowed, label: str) -> list[str]:
    if value is not None and value not in allowed:
        return [_("Unknown %(label)s '%(value)s'.") % {"label": label, "value": value}]
    return []


# --- The rules one record must meet, shared by the loader and the admin forms ---------------
# Each takes plain mappings shaped like the YAML records (programs/content/schema.py); the
# admin builds them from its cleaned data, so both paths refuse exactly the same content.


def exercise_rule_problems(exercise: Mapping) -> list[str]:
    """Level, compression, equipment and default dose of one exercise."""
    return exercise_problems(
        level=exercise["level"],
        compression=exercise["compression"],
        equipment=exercise["equipment"],
        dosage_type=exercise["dosage_type"],
        default_sets=exercise["default_sets"],
        default_reps=exercise.get("default_reps"),
        default_hold_seconds=exercise.get("default_hold_seconds"),
        not_for_conditions=exercise.get("not_for_conditions") or [],
    )


def phase_rule_problems(phase: Mapping, *, condition: str) -> list[str]:
    """Length, compression ceiling and running rules of one phase for its condition."""
    run = phase.get("run") or {}
    return plan_rules.phase_problems(
        condition=condition,
        weeks_min=phase["weeks_min"],
        weeks_max=phase.get("weeks_max") or 0,
        max_compression=phase["max_compression"],
        early=phase.get("early", False),
        run_mode=run.get("mode") or "",
        walk_run_stage_min=run.get("walk_run_stage_min"),
        walk_run_stage_max=run.get("walk_run_stage_max"),
        terrain_rules=run.get("terrain_rules") or [],
    )


def slot_rule_problems(
    slot: Mapping, *, exercise: Mapping, phase: Mapping, condition: str
) -> list[str]:
    """The exercise fits the condition and the phase, the dose fits the exercise, and an
    isometric core hold that needs equipment states a substitute that needs none."""
    problems = []
    needs = set(exercise.get("equipment") or ["none"]) - {"none"}
    if exercise.get("isometric") and needs and not exercise.get("substitute"):
        problems.append(
            _(
                "'%(slug)s' is an isometric hold (a core slot) that needs equipment: it "
                "must state a substitute that needs none."
            )
            % {"slug": exercise["slug"]}
        )
    problems += plan_rules.slot_fit_problems(
        exercise=exercise["slug"],
        compression=exercise["compression"],
        not_for_conditions=exercise.get("not_for_conditions") or [],
        condition=condition,
        max_compression=phase["max_compression"],
        early=phase.get("early", False),
    )
    problems += plan_rules.slot_dosage_problems(
        dosage_type=exercise["dosage_type"],
        sets=slot["sets"],
        reps_min=slot.get("reps_min"),
        reps_max=slot.get("reps_max"),
        hold_seconds=slot.get("hold_seconds"),
        hold_seconds_max=slot.get("hold_seconds_max"),
        min_level=slot.get("min_level") or 1,
        max_level=slot.get("max_level") or 5,
        scheme=slot.get("scheme") or "reps_level_load",
    )
    return problems


def validate_library(library: Library) -> list[Problem]:
    out = _Collector()
    source_keys = set(library["sources"])
    _check_sources(library, out)
    _check_exercises(library, out, source_keys)
    topics = set(library["education"])
    for slug, (origin, rec) in library["education"].items():
        where = _("topic '%(key)s'") % {"key": slug}
        out.add(origin, where, _texts(rec, schema.TOPIC))
        out.add(origin, where, source_problems(rec.get("sources") or [], source_keys))
    for code, (origin, rec) in library["conditions"].items():
        where = _("condition '%(key)s'") % {"key": code}
        out.add(origin, where, _choice(code, specs.CONDITIONS, _("condition")))
        out.add(origin, where, _texts(rec, schema.CONDITION))
    for slug, (origin, rec) in library["templates"].items():
        _check_template(slug, origin, rec, library, topics, source_keys, out)
    return out.problems


def _check_sources(library: Library, out: _Collector) -> None:
    for key, (origin, rec) in library["sources"].items():
        where = _("source '%(key)s'") % {"key": key}
        problems = _texts(rec, schema.SOURCE)
        problems += _choice(rec.get("study_type"), StudyType.values, _("study type"))
        problems += _choice(rec.get("flag"), EvidenceFlag.values, _("evidence flag"))
        if not (rec.get("doi") or rec.get("url")):
            problems.append(_("A source needs a DOI or a URL."))
        out.add(origin, where, problems)
    missing = [key for key in specs.SOURCE_KEYS if key not in library["sources"]]
    if missing:
        out.add(
            "sources.yaml",
            _("sources"),
            [_("Sources the rules cite are missing: %(keys)s.") % {"keys": ", ".join(missing)}],
        )


def _check_exercises(library: Library, out: _Collector, source_keys: set[str]) -> None:
    exercises = library["exercises"]
    codes: dict[str, str] = {}
    for slug, (origin, rec) in exercises.items():
        where = _("exercise '%(key)s'") % {"key": slug}
        problems = _texts(rec, schema.EXERCISE)
        problems += exercise_rule_problems({"slug": slug, **rec})
        problems += _choice(rec["movement_pattern"], MovementPattern.values, _("movement pattern"))
        problems += _choice(rec["position"], Position.values, _("position"))
        problems += source_problems(rec["sources"], source_keys)
        if rec["code"] in codes:
            problems.append(
                _("Catalogue code %(code)s is also used by '%(other)s'.")
                % {"code": rec["code"], "other": codes[rec["code"]]}
            )
        codes[rec["code"]] = slug
        problems += _muscle_problems(rec["muscles"])
        problems += figure_problems(rec.get("figure"))
        for finding in rec.get("emg") or []:
            problems += _emg_problems(finding, source_keys)
        regression = rec.get("regression")
        if regression:
            if regression not in exercises:
                problems.append(_("Unknown regression '%(slug)s'.") % {"slug": regression})
            else:
                problems += regression_level_problems(
                    level=rec["level"],
                    regression_slug=regression,
                    regression_level=exercises[regression][1]["level"],
                )
        substitute = rec.get("substitute")
        if substitute:
            target = exercises.get(substitute)
            problems += substitute_problems(
                slug=slug,
                substitute_slug=substitute,
                substitute=target[1] if target else None,
                compression=rec["compression"],
                level=rec["level"],
                dosage_type=rec["dosage_type"],
            )
        out.add(origin, where, problems)
    links = {slug: rec.get("regression") for slug, (_o, rec) in exercises.items()}
    origin = next(iter(exercises.values()))[0] if exercises else "exercises.yaml"
    out.add(origin, _("exercises"), cycle_problems(links))


def _muscle_problems(muscles: dict) -> list[str]:
    problems = []
    if set(muscles) - {"primary", "secondary"}:
        problems.append(_("Muscles are listed under 'primary' and 'secondary' only."))
    primary = muscles.get("primary") or []
    if not primary:
        problems.append(_("At least one primary target muscle is required."))
    seen: set[str] = set()
    for muscle in [*primary, *(muscles.get("secondary") or [])]:
        problems += _choice(muscle, Muscle.values, _("muscle"))
        if muscle in seen:
            problems.append(_("Muscle '%(value)s' is listed twice.") % {"value": muscle})
        seen.add(muscle)
    return problems


def _emg_problems(finding, source_keys: set[str]) -> list[str]:
    problems = [
        _("EMG finding: %(problem)s") % {"problem": p}
        for p in schema.shape_problems(finding, schema.EMG)
    ]
    if problems:
        return problems
    problems += _choice(finding["muscle"], Muscle.values, _("muscle"))
    problems += _choice(finding.get("flag"), EvidenceFlag.values, _("evidence flag"))
    if finding["source"] not in source_keys:
        problems.append(
            _("EMG finding cites unknown source '%(key)s'.") % {"key": finding["source"]}
        )
    high = finding.get("mvic_max")
    if finding["mvic_min"] < 0 or (high is not None and high < finding["mvic_min"]):
        problems.append(_("EMG finding: the %MVIC range is invalid."))
    return problems


def _check_template(slug, origin, rec, library, topics, source_keys, out: _Collector) -> None:
    where = _("template '%(key)s'") % {"key": slug}
    problems = _texts(rec, schema.TEMPLATE)
    problems += source_problems(rec["sources"], source_keys)
    condition = rec["condition"]
    if condition not in library["conditions"]:
        problems.append(_("Unknown condition '%(value)s'.") % {"value": condition})
    if not rec["phases"]:
        problems.append(_("A template needs at least one phase."))
    out.add(origin, where, problems)

    phases = [p for p in rec["phases"] if isinstance(p, dict)]
    shape_ok = []
    for index, phase in enumerate(rec["phases"], start=1):
        pwhere = f"{where} > " + _("phase %(key)s") % {"key": _label(phase, "key", index)}
        shape = schema.shape_problems(phase, schema.PHASE)
        if isinstance(phase, dict) and isinstance(phase.get("run"), dict):
            shape += schema.shape_problems(phase["run"], schema.RUN)
        out.add(origin, pwhere, shape)
        if not shape:
            shape_ok.append(phase)
    keys = [p.get("key") for p in phases]
    orders = [p.get("order") for p in phases]
    if len(set(keys)) != len(keys) or len(set(orders)) != len(orders):
        out.add(origin, where, [_("Phase keys and phase orders must be unique in a template.")])
    last_order = max((o for o in orders if isinstance(o, int)), default=None)
    slot_keys: set[str] = set()
    for phase in shape_ok:
        _check_phase(
            where,
            origin,
            phase,
            condition,
            phase["order"] == last_order,
            library,
            topics,
            source_keys,
            slot_keys,
            out,
        )
    stages = rec.get("walk_run_stages") or []
    numbers = []
    for index, stage in enumerate(stages, start=1):
        swhere = f"{where} > " + _("stage %(key)s") % {"key": _label(stage, "number", index)}
        problems = schema.shape_problems(stage, schema.STAGE)
        if not problems:
            problems += _texts(stage, schema.STAGE)
            if not 1 <= stage["number"] <= 10:
                problems.append(_("Walk-run stages are numbered 1 to 10."))
            numbers.append(stage["number"])
        out.add(origin, swhere, problems)
    if len(set(numbers)) != len(numbers):
        out.add(origin, where, [_("Walk-run stage numbers must be unique.")])


def _label(record, field: str, index: int) -> str:
    if isinstance(record, dict) and record.get(field) is not None:
        return str(record[field])
    return f"#{index}"


def _check_phase(
    twhere,
    origin,
    phase,
    condition,
    is_last,
    library,
    topics,
    source_keys,
    slot_keys,
    out: _Collector,
) -> None:
    where = f"{twhere} > " + _("phase %(key)s") % {"key": phase["key"]}
    problems = _texts(phase, schema.PHASE)
    problems += source_problems(phase["sources"], source_keys)
    problems += phase_rule_problems(phase, condition=condition)
    for topic in phase.get("education") or []:
        if topic not in topics:
            problems.append(_("Unknown education topic '%(slug)s'.") % {"slug": topic})
    criteria = phase.get("exit_criteria") or []
    rows = []
    for criterion in criteria:
        shape = schema.shape_problems(criterion, schema.CRITERION)
        if shape:
            problems += [_("Exit criterion: %(problem)s") % {"problem": p} for p in shape]
            continue
        problems += _texts(criterion, schema.CRITERION)
        rows.append((criterion["metric"], criterion["op"], criterion["value"]))
    problems += plan_rules.exit_criteria_problems(rows, is_last_phase=is_last)
    if not phase["slots"]:
        problems.append(_("A phase needs at least one slot."))
    out.add(origin, where, problems)

    exercises = library["exercises"]
    for index, slot in enumerate(phase["slots"], start=1):
        swhere = f"{where} > " + _("slot %(key)s") % {"key": _label(slot, "key", index)}
        problems = schema.shape_problems(slot, schema.SLOT)
        if problems:
            out.add(origin, swhere, problems)
            continue
        if slot["key"] in slot_keys:
            problems.append(_("Slot key '%(key)s' is used twice in this template.") % slot)
        slot_keys.add(slot["key"])
        if slot["exercise"] not in exercises:
            problems.append(_("Unknown exercise '%(slug)s'.") % {"slug": slot["exercise"]})
            out.add(origin, swhere, problems)
            continue
        exercise = {"slug": slot["exercise"], **exercises[slot["exercise"]][1]}
        problems += slot_rule_problems(slot, exercise=exercise, phase=phase, condition=condition)
        out.add(origin, swhere, problems)
