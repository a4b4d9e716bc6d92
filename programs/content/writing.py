"""Writing a checked library to the database, record by record: created, updated,
unchanged or (records gone from a file) deactivated, never deleted."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from programs.content import records as content_records
from programs.content import schema
from programs.content.models import (
    Condition,
    EducationTopic,
    EmgFinding,
    EvidenceSource,
    Exercise,
    ExerciseMuscle,
    Phase,
    PhaseExitCriterion,
    ProgramTemplate,
    Slot,
    WalkRunStage,
)


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    deactivated: Counter = field(default_factory=Counter)

    @property
    def changed(self) -> int:
        return (
            sum(self.created.values()) + sum(self.updated.values()) + sum(self.deactivated.values())
        )

    def lines(self) -> list[str]:
        kinds = sorted(
            set(self.created) | set(self.updated) | set(self.unchanged) | set(self.deactivated)
        )
        return [
            f"{kind}: {self.created[kind]} created, {self.updated[kind]} updated, "
            f"{self.unchanged[kind]} unchanged, {self.deactivated[kind]} deactivated"
            for kind in kinds
        ]


def _split_trans(record: dict, fields: dict) -> dict:
    values = {}
    for name, (kind, _req) in fields.items():
        if kind == "trans":
            text = record.get(name) or {}
            for lang in ("en", "nl"):
                values[f"{name}_{lang}"] = str(text.get(lang) or "").strip()
    return values


def _differs(obj, values: dict) -> bool:
    return any(getattr(obj, name) != value for name, value in values.items())


def _save(
    model,
    existing: dict,
    key: str,
    lookup: dict,
    values: dict,
    m2m: dict,
    children_changed: bool = False,
):
    """Create or update one row; returns (obj, 'created'|'updated'|'unchanged')."""
    obj = existing.get(key)
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        for name, targets in m2m.items():
            getattr(obj, name).set(targets)
        return obj, "created"
    m2m_changed = {
        name
        for name, targets in m2m.items()
        if {t.pk for t in getattr(obj, name).all()} != {t.pk for t in targets}
    }
    if not (_differs(obj, values) or m2m_changed or children_changed):
        return obj, "unchanged"
    for name, value in values.items():
        setattr(obj, name, value)
    obj.save()
    for name in m2m_changed:
        getattr(obj, name).set(m2m[name])
    return obj, "updated"


class LibraryWriter:
    def __init__(self, report: LoadReport, prune: bool):
        self.report = report
        self.prune = prune
        self.now = timezone.now()

    def count(self, kind: str, status: str) -> None:
        getattr(self.report, status)[kind] += 1

    def deactivate(self, kind: str, qs) -> None:
        n = qs.filter(is_active=True).update(is_active=False, updated_at=self.now)
        self.report.deactivated[kind] += n

    def sources(self, records: list[dict]) -> None:
        existing = {s.key: s for s in EvidenceSource.objects.all()}
        for rec in records:
            values = {
                "authors": rec["authors"],
                "year": rec["year"],
                "title": rec["title"],
                "journal": rec["journal"],
                "doi": rec.get("doi") or "",
                "url": rec.get("url") or "",
                "study_type": rec["study_type"],
                "flag": rec.get("flag") or "V",
                "is_active": True,
                **_split_trans(rec, schema.SOURCE),
            }
            _obj, status = _save(
                EvidenceSource, existing, rec["key"], {"key": rec["key"]}, values, {}
            )
            self.count("sources", status)
        if self.prune:
            self.deactivate(
                "sources", EvidenceSource.objects.exclude(key__in=[r["key"] for r in records])
            )

    def exercises(self, records: list[dict]) -> None:
        sources = {s.key: s for s in EvidenceSource.objects.all()}
        existing = {e.slug: e for e in content_records.exercises_qs()}
        saved: dict[str, Exercise] = {}
        statuses: dict[str, str] = {}
        for rec in records:  # pass 1: everything but the regression and substitute links
            obj = existing.get(rec["slug"])
            values = self._exercise_values(rec)
            if obj is None:
                values["regression"] = None
                values["substitute"] = None
            muscles = sorted((m, role) for role, ms in rec["muscles"].items() for m in ms or [])
            emg = [self._emg_tuple(f) for f in rec.get("emg") or []]
            children_changed = obj is not None and (
                muscles != sorted((m.muscle, m.role) for m in obj.muscle_roles.all())
                or sorted(emg, key=repr)
                != sorted((self._emg_tuple_of(f) for f in obj.emg_findings.all()), key=repr)
            )
            obj, status = _save(
                Exercise,
                existing,
                rec["slug"],
                {"slug": rec["slug"]},
                values,
                {"sources": [sources[k] for k in rec["sources"]]},
                children_changed,
            )
            if status == "created" or children_changed:
                obj.muscle_roles.all().delete()
                ExerciseMuscle.objects.bulk_create(
                    ExerciseMuscle(exercise=obj, muscle=m, role=r) for m, r in muscles
                )
                obj.emg_findings.all().delete()
                EmgFinding.objects.bulk_create(
                    EmgFinding(
                        exercise=obj,
                        muscle=m,
                        mvic_min=lo,
                        mvic_max=hi,
                        source=sources[src],
                        flag=flag,
                        note=note,
                    )
                    for m, lo, hi, src, flag, note in emg
                )
            saved[rec["slug"]] = obj
            statuses[rec["slug"]] = status
        all_exercises = {e.slug: e for e in Exercise.objects.all()}
        for rec in records:  # pass 2: regression and substitute links, now every slug exists
            obj = saved[rec["slug"]]
            changed = []
            for link in ("regression", "substitute"):
                target = all_exercises[rec[link]] if rec.get(link) else None
                if getattr(obj, f"{link}_id") != (target.pk if target else None):
                    setattr(obj, link, target)
                    changed.append(link)
            if changed:
                obj.save(update_fields=[*changed, "updated_at"])
                if statuses[rec["slug"]] == "unchanged":
                    statuses[rec["slug"]] = "updated"
        for status in statuses.values():
            self.count("exercises", status)
        if self.prune:
            self.deactivate("exercises", Exercise.objects.exclude(slug__in=list(saved)))

    @staticmethod
    def _exercise_values(rec: dict) -> dict:
        return {
            "code": rec["code"],
            "family": rec["family"],
            "movement_pattern": rec["movement_pattern"],
            "position": rec["position"],
            "compression": rec["compression"],
            "level": rec["level"],
            "equipment": list(rec["equipment"]),
            "dosage_type": rec["dosage_type"],
            "default_sets": rec["default_sets"],
            "default_reps": rec.get("default_reps"),
            "default_hold_seconds": rec.get("default_hold_seconds"),
            "default_rest_seconds": rec.get("default_rest_seconds", 60),
            "tempo": rec.get("tempo") or "",
            "loadable": rec.get("loadable", False),
            "isometric": rec.get("isometric", False),
            "not_for_conditions": list(rec.get("not_for_conditions") or []),
            "video_url": rec.get("video_url") or "",
            "figure": rec.get("figure") or {},
            "is_active": True,
            **_split_trans(rec, schema.EXERCISE),
        }

    @staticmethod
    def _emg_tuple(f: dict) -> tuple:
        high = f.get("mvic_max")
        return (
            f["muscle"],
            float(f["mvic_min"]),
            None if high is None else float(high),
            f["source"],
            f.get("flag") or "V",
            f.get("note") or "",
        )

    @staticmethod
    def _emg_tuple_of(f: EmgFinding) -> tuple:
        return (f.muscle, f.mvic_min, f.mvic_max, f.source.key, f.flag, f.note)

    def topics(self, records: list[dict]) -> None:
        sources = {s.key: s for s in EvidenceSource.objects.all()}
        existing = {t.slug: t for t in EducationTopic.objects.prefetch_related("sources")}
        for rec in records:
            values = {"order": rec["order"], "is_active": True, **_split_trans(rec, schema.TOPIC)}
            _obj, status = _save(
                EducationTopic,
                existing,
                rec["slug"],
                {"slug": rec["slug"]},
                values,
                {"sources": [sources[k] for k in rec["sources"]]},
            )
            self.count("education", status)
        if self.prune:
            self.deactivate(
                "education", EducationTopic.objects.exclude(slug__in=[r["slug"] for r in records])
            )

    def conditions(self, records: list[dict]) -> None:
        existing = {c.code: c for c in Condition.objects.all()}
        for rec in records:
            values = {"is_active": True, **_split_trans(rec, schema.CONDITION)}
            _obj, status = _save(
                Condition, existing, rec["code"], {"code": rec["code"]}, values, {}
            )
            self.count("conditions", status)
        if self.prune:
            self.deactivate(
                "conditions", Condition.objects.exclude(code__in=[r["code"] for r in records])
            )

    def templates(self, records: list[dict]) -> None:
        refs: dict[str, dict[str, Any]] = {
            "sources": {s.key: s for s in EvidenceSource.objects.all()},
            "conditions": {c.code: c for c in Condition.objects.all()},
            "topics": {t.slug: t for t in EducationTopic.objects.all()},
            "exercises": {e.slug: e for e in Exercise.objects.all()},
        }
        existing = {t.slug: t for t in content_records.templates_qs()}
        for rec in records:
            values = {
                "condition": refs["conditions"][rec["condition"]],
                "is_block": rec.get("is_block", False),
                "is_active": True,
                **_split_trans(rec, schema.TEMPLATE),
            }
            obj = existing.get(rec["slug"])
            stages = [self._stage_values(s) for s in rec.get("walk_run_stages") or []]
            stages_changed = obj is not None and stages != [
                self._stage_values_of(s) for s in obj.walk_run_stages.all()
            ]
            obj, status = _save(
                ProgramTemplate,
                existing,
                rec["slug"],
                {"slug": rec["slug"]},
                values,
                {"sources": [refs["sources"][k] for k in rec["sources"]]},
                stages_changed,
            )
            if status == "created" or stages_changed:
                obj.walk_run_stages.all().delete()
                WalkRunStage.objects.bulk_create(WalkRunStage(template=obj, **s) for s in stages)
            if self._phases(obj, rec["phases"], refs) and status == "unchanged":
                status = "updated"
                obj.save(update_fields=["updated_at"])
            self.count("templates", status)
        if self.prune:
            self.deactivate(
                "templates", ProgramTemplate.objects.exclude(slug__in=[r["slug"] for r in records])
            )

    @staticmethod
    def _stage_values(s: dict) -> dict:
        return {
            "number": s["number"],
            "repeats": s.get("repeats", 0),
            "walk_minutes": float(s.get("walk_minutes", 0)),
            "run_minutes": float(s.get("run_minutes", 0)),
            "continuous_minutes": s.get("continuous_minutes", 0),
            **_split_trans(s, schema.STAGE),
        }

    @staticmethod
    def _stage_values_of(s: WalkRunStage) -> dict:
        return {
            "number": s.number,
            "repeats": s.repeats,
            "walk_minutes": s.walk_minutes,
            "run_minutes": s.run_minutes,
            "continuous_minutes": s.continuous_minutes,
            "description_en": s.description_en,
            "description_nl": s.description_nl,
        }

    def _phases(self, template: ProgramTemplate, records: list[dict], refs: dict) -> bool:
        """Upsert the phases of a template; True when anything changed."""
        existing = {p.key: p for p in template.phases.all()}
        changed = False
        for rec in records:
            run = rec["run"]
            values = {
                "order": rec["order"],
                "weeks_min": rec["weeks_min"],
                "weeks_max": rec["weeks_max"],
                "max_compression": rec["max_compression"],
                "strength_days": rec["strength_days"],
                "early": rec.get("early", False),
                "run_mode": run["mode"],
                "run_weekly_volume_pct": run.get("weekly_volume_pct"),
                "run_walk_run_stage_min": run.get("walk_run_stage_min"),
                "run_walk_run_stage_max": run.get("walk_run_stage_max"),
                "run_cadence_increase_pct": run.get("cadence_increase_pct", 0),
                "run_terrain_rules": list(run.get("terrain_rules") or []),
                "run_runs_per_week": run.get("runs_per_week", 3),
                "is_active": True,
                **_split_trans(rec, schema.PHASE),
            }
            criteria = [
                {
                    "order": i,
                    "metric": c["metric"],
                    "op": c["op"],
                    "value": float(c["value"]),
                    **_split_trans(c, schema.CRITERION),
                }
                for i, c in enumerate(rec.get("exit_criteria") or [])
            ]
            obj = existing.get(rec["key"])
            criteria_changed = obj is not None and criteria != [
                {
                    "order": c.order,
                    "metric": c.metric,
                    "op": c.op,
                    "value": c.value,
                    "text_en": c.text_en,
                    "text_nl": c.text_nl,
                }
                for c in obj.exit_criteria.all()
            ]
            m2m = {
                "sources": [refs["sources"][k] for k in rec["sources"]],
                "education": [refs["topics"][k] for k in rec.get("education") or []],
            }
            obj, status = _save(
                Phase,
                existing,
                rec["key"],
                {"template": template, "key": rec["key"]},
                values,
                m2m,
                criteria_changed,
            )
            if status == "created" or criteria_changed:
                obj.exit_criteria.all().delete()
                PhaseExitCriterion.objects.bulk_create(
                    PhaseExitCriterion(phase=obj, **c) for c in criteria
                )
            slots_changed = self._slots(obj, rec["slots"], refs["exercises"])
            changed = changed or status != "unchanged" or slots_changed
        gone = template.phases.exclude(key__in=[r["key"] for r in records])
        if self.prune and gone.filter(is_active=True).exists():
            gone.update(is_active=False, updated_at=self.now)
            changed = True
        return changed

    def _slots(self, phase: Phase, records: list[dict], exercises: dict) -> bool:
        existing = {s.key: s for s in phase.slots.all()}
        changed = False
        for rec in records:
            values = {
                "exercise": exercises[rec["exercise"]],
                "sets": rec["sets"],
                "reps_min": rec.get("reps_min"),
                "reps_max": rec.get("reps_max"),
                "hold_seconds": rec.get("hold_seconds"),
                "hold_seconds_max": rec.get("hold_seconds_max"),
                "rest_seconds": rec.get("rest_seconds", 60),
                "per_week": rec.get("per_week", 3),
                "daily": rec.get("daily", False),
                "scheme": rec.get("scheme", "reps_level_load"),
                "min_level": rec.get("min_level", 1),
                "max_level": rec.get("max_level", 5),
                "heavy": rec.get("heavy", False),
                "order": rec.get("order", 0),
                "is_active": True,
            }
            _obj, status = _save(
                Slot, existing, rec["key"], {"phase": phase, "key": rec["key"]}, values, {}
            )
            changed = changed or status != "unchanged"
        gone = phase.slots.exclude(key__in=[r["key"] for r in records]).filter(is_active=True)
        if self.prune and gone.exists():
            gone.update(is_active=False, updated_at=self.now)
            changed = True
        return changed
