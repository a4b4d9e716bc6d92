"""Database rows -> the record dicts of the YAML content files (export and snapshots).

The inverse of the loader: exporting and loading again changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import yaml
from django.db.models import Prefetch, QuerySet

from programs.content.models import (
    Condition,
    EducationTopic,
    EvidenceSource,
    Exercise,
    ExerciseMuscle,
    Phase,
    ProgramTemplate,
    Slot,
)


def trans(obj, field: str) -> dict[str, str]:
    return {lang: getattr(obj, f"{field}_{lang}") or "" for lang in ("en", "nl")}


def _keys(sources: Iterable[EvidenceSource]) -> list[str]:
    return sorted(s.key for s in sources)


def source_record(src: EvidenceSource) -> dict:
    return {
        "key": src.key,
        "authors": src.authors,
        "year": src.year,
        "title": src.title,
        "journal": src.journal,
        "doi": src.doi,
        "url": src.url,
        "study_type": src.study_type,
        "flag": src.flag,
        "finding": trans(src, "finding"),
    }


def exercise_record(ex: Exercise) -> dict:
    roles = list(ex.muscle_roles.all())
    return {
        "slug": ex.slug,
        "code": ex.code,
        "name": trans(ex, "name"),
        "family": ex.family,
        "movement_pattern": ex.movement_pattern,
        "position": ex.position,
        "compression": ex.compression,
        "level": ex.level,
        "equipment": list(ex.equipment),
        "dosage_type": ex.dosage_type,
        "default_sets": ex.default_sets,
        "default_reps": ex.default_reps,
        "default_hold_seconds": ex.default_hold_seconds,
        "default_rest_seconds": ex.default_rest_seconds,
        "tempo": ex.tempo,
        "loadable": ex.loadable,
        "isometric": ex.isometric,
        "regression": ex.regression.slug if ex.regression is not None else None,
        "substitute": ex.substitute.slug if ex.substitute is not None else None,
        "not_for_conditions": list(ex.not_for_conditions),
        "muscles": {
            role: sorted(m.muscle for m in roles if m.role == role)
            for role in ExerciseMuscle.Role.values
        },
        "emg": [
            {
                "muscle": f.muscle,
                "mvic_min": f.mvic_min,
                "mvic_max": f.mvic_max,
                "source": f.source.key,
                "flag": f.flag,
                "note": f.note,
            }
            for f in ex.emg_findings.all()
        ],
        "sources": _keys(ex.sources.all()),
        "setup": trans(ex, "setup"),
        "cues": trans(ex, "cues"),
        "common_errors": trans(ex, "common_errors"),
        "contraindications": trans(ex, "contraindications"),
        "video_url": ex.video_url,
        "figure": ex.figure,
    }


def topic_record(topic: EducationTopic) -> dict:
    return {
        "slug": topic.slug,
        "order": topic.order,
        "title": trans(topic, "title"),
        "summary": trans(topic, "summary"),
        "body": trans(topic, "body"),
        "sources": _keys(topic.sources.all()),
    }


def condition_record(condition: Condition) -> dict:
    return {
        "code": condition.code,
        "name": trans(condition, "name"),
        "description": trans(condition, "description"),
    }


def slot_record(slot: Slot) -> dict:
    return {
        "key": slot.key,
        "exercise": slot.exercise.slug,
        "sets": slot.sets,
        "reps_min": slot.reps_min,
        "reps_max": slot.reps_max,
        "hold_seconds": slot.hold_seconds,
        "hold_seconds_max": slot.hold_seconds_max,
        "rest_seconds": slot.rest_seconds,
        "per_week": slot.per_week,
        "daily": slot.daily,
        "scheme": slot.scheme,
        "min_level": slot.min_level,
        "max_level": slot.max_level,
        "heavy": slot.heavy,
        "order": slot.order,
    }


def phase_record(phase: Phase) -> dict:
    return {
        "key": phase.key,
        "order": phase.order,
        "name": trans(phase, "name"),
        "goal": trans(phase, "goal"),
        "entry_criteria": trans(phase, "entry_criteria"),
        "weeks_min": phase.weeks_min,
        "weeks_max": phase.weeks_max,
        "max_compression": phase.max_compression,
        "strength_days": phase.strength_days,
        "early": phase.early,
        "run": {
            "mode": phase.run_mode,
            "weekly_volume_pct": phase.run_weekly_volume_pct,
            "walk_run_stage_min": phase.run_walk_run_stage_min,
            "walk_run_stage_max": phase.run_walk_run_stage_max,
            "cadence_increase_pct": phase.run_cadence_increase_pct,
            "terrain_rules": list(phase.run_terrain_rules),
            "runs_per_week": phase.run_runs_per_week,
        },
        "education": sorted(t.slug for t in phase.education.all()),
        "sources": _keys(phase.sources.all()),
        "exit_criteria": [
            {"metric": c.metric, "op": c.op, "value": c.value, "text": trans(c, "text")}
            for c in phase.exit_criteria.all()
        ],
        "slots": [slot_record(s) for s in phase.slots.all() if s.is_active],
    }


def template_record(template: ProgramTemplate) -> dict:
    record = {
        "slug": template.slug,
        "condition": template.condition.code,
        "name": trans(template, "name"),
        "description": trans(template, "description"),
        "is_block": template.is_block,
        "sources": _keys(template.sources.all()),
        "phases": [phase_record(p) for p in template.phases.all() if p.is_active],
    }
    stages = list(template.walk_run_stages.all())
    if stages:
        record["walk_run_stages"] = [
            {
                "number": s.number,
                "repeats": s.repeats,
                "walk_minutes": s.walk_minutes,
                "run_minutes": s.run_minutes,
                "continuous_minutes": s.continuous_minutes,
                "description": trans(s, "description"),
            }
            for s in stages
        ]
    return record


# --- Querysets with everything a record needs, in a fixed number of queries -------------


def sources_qs():
    return EvidenceSource.objects.all()


def exercises_qs():
    return Exercise.objects.select_related("regression", "substitute").prefetch_related(
        "sources", "muscle_roles", "emg_findings__source"
    )


def topics_qs():
    return EducationTopic.objects.prefetch_related("sources")


def conditions_qs():
    return Condition.objects.all()


def templates_qs():
    return ProgramTemplate.objects.select_related("condition").prefetch_related(
        "sources",
        "walk_run_stages",
        Prefetch(
            "phases",
            queryset=Phase.objects.prefetch_related(
                "education",
                "sources",
                "exit_criteria",
                Prefetch("slots", queryset=Slot.objects.select_related("exercise")),
            ),
        ),
    )


# kind -> (the queryset of its rows, a row as a YAML record)
RECORDERS: dict[str, tuple[Callable[[], QuerySet[Any]], Callable[[Any], dict]]] = {
    "sources": (sources_qs, source_record),
    "exercises": (exercises_qs, exercise_record),
    "education": (topics_qs, topic_record),
    "conditions": (conditions_qs, condition_record),
    "templates": (templates_qs, template_record),
}


def records(kind: str, pks: Iterable[int] | None = None, *, active_only: bool = True) -> list[dict]:
    qs_factory, to_record = RECORDERS[kind]
    qs = qs_factory()
    if active_only:
        qs = qs.filter(is_active=True)
    if pks is not None:
        qs = qs.filter(pk__in=list(pks))
    return [to_record(obj) for obj in qs]


def dump_yaml(kind: str, items: list[dict]) -> str:
    return yaml.safe_dump(
        {kind: items}, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False
    )


def export_yaml(kind: str, pks: Iterable[int] | None = None) -> str:
    """The YAML content file for `kind` (all active records, or the given ones)."""
    return dump_yaml(kind, records(kind, pks))
