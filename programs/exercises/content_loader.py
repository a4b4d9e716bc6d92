"""Load the YAML content library into the database: validate everything, then upsert.

- Upserts are keyed on slugs/keys; a row is saved only when something changed, so a
  second load of the same files touches nothing.
- Rows are never deleted. With ``prune=True`` (the whole library, as ``load_content``
  does) a record missing from its file is deactivated; phases and slots likewise.
  Exit criteria, target muscles, EMG findings and walk-run stages are owned by their
  parent record and are replaced when they change (nothing else points at them).
- Any problem anywhere means nothing is written (`ContentError` lists them all).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.exercises import content_records
from programs.exercises import content_schema as schema
from programs.exercises.content_checks import Library, Problem, validate_library
from programs.exercises.models import (
    EducationTopic,
    EmgFinding,
    EvidenceSource,
    Exercise,
    ExerciseMuscle,
)
from programs.plans.models import (
    Condition,
    Phase,
    PhaseExitCriterion,
    ProgramTemplate,
    Slot,
    WalkRunStage,
)

CONTENT_DIR = Path(__file__).resolve().parent / "content"
FILE_NAMES = {kind: f"{kind}.yaml" for kind in schema.KINDS}
DATABASE = "database"

# kind -> (origin file name, records)
Documents = dict[str, tuple[str, list]]


class ContentError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


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


# --- Reading -------------------------------------------------------------------------------


def parse_document(text: str, origin: str) -> tuple[str, list]:
    """(kind, records) of one YAML file; raises ContentError when it is unreadable."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        message = _("Not valid YAML: %(error)s") % {"error": exc}
        raise ContentError([Problem(origin, "-", message)]) from exc
    if not isinstance(data, dict) or len(data) != 1 or next(iter(data)) not in schema.KINDS:
        raise ContentError(
            [
                Problem(
                    origin,
                    "-",
                    _("The file must have exactly one top-level key, one of: %(kinds)s.")
                    % {"kinds": ", ".join(schema.KINDS)},
                )
            ]
        )
    kind, records = next(iter(data.items()))
    if not isinstance(records, list):
        raise ContentError([Problem(origin, kind, _("Expected a list of records."))])
    return kind, records


def read_directory(directory: Path = CONTENT_DIR) -> Documents:
    documents: Documents = {}
    problems = []
    for kind, name in FILE_NAMES.items():
        path = Path(directory) / name
        if not path.exists():
            problems.append(Problem(name, "-", _("The file is missing.")))
            continue
        try:
            found, records = parse_document(path.read_text(encoding="utf-8"), name)
        except ContentError as exc:
            problems.extend(exc.problems)
            continue
        if found != kind:
            problems.append(
                Problem(name, "-", _("Expected the top-level key '%(kind)s'.") % {"kind": kind})
            )
            continue
        documents[kind] = (name, records)
    if problems:
        raise ContentError(problems)
    return documents


# --- Validation ----------------------------------------------------------------------------


def build_library(documents: Documents, *, prune: bool) -> Library:
    """Stored rows overlaid with the input; raises ContentError on shape problems."""
    problems: list[Problem] = []
    library: Library = {}
    for kind in schema.KINDS:
        key_field = schema.RECORD_KEYS[kind]
        entries: dict[str, tuple[str, dict]] = {}
        if kind not in documents or not prune:
            for rec in content_records.records(kind):
                entries[str(rec[key_field])] = (DATABASE, rec)
        if kind in documents:
            origin, records = documents[kind]
            seen: set[str] = set()
            for index, rec in enumerate(records, start=1):
                label = (
                    str(rec.get(key_field))
                    if isinstance(rec, dict) and rec.get(key_field)
                    else f"#{index}"
                )
                where = f"{kind[:-1] if kind != 'education' else 'topic'} '{label}'"
                shape = schema.shape_problems(rec, schema.RECORD_SCHEMAS[kind])
                if label in seen:
                    shape.append(_("Duplicate key '%(key)s'.") % {"key": label})
                seen.add(label)
                problems.extend(Problem(origin, where, str(m)) for m in shape)
                if not shape:
                    entries[label] = (origin, rec)
        library[kind] = entries
    if problems:
        raise ContentError(problems)
    return library


def validate_documents(documents: Documents, *, prune: bool) -> Library:
    library = build_library(documents, prune=prune)
    problems = validate_library(library)
    if problems:
        raise ContentError(problems)
    return library


# --- Writing -------------------------------------------------------------------------------


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


class _Writer:
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
        for rec in records:  # pass 1: everything but the regression link
            obj = existing.get(rec["slug"])
            values = self._exercise_values(rec)
            if obj is None:
                values["regression"] = None
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
        for rec in records:  # pass 2: regression links, now every slug exists
            obj = saved[rec["slug"]]
            target = all_exercises[rec["regression"]] if rec.get("regression") else None
            if obj.regression_id != (target.pk if target else None):
                obj.regression = target
                obj.save(update_fields=["regression", "updated_at"])
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
        refs = {
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


def content_load(*, documents: Documents, prune: bool) -> LoadReport:
    """Validate the documents against the whole library, then write them atomically."""
    report = LoadReport()
    writer = _Writer(report, prune)
    steps = [
        ("sources", writer.sources),
        ("exercises", writer.exercises),
        ("education", writer.topics),
        ("conditions", writer.conditions),
        ("templates", writer.templates),
    ]
    with transaction.atomic():
        validate_documents(documents, prune=prune)
        for kind, write in steps:
            if kind in documents:
                write(documents[kind][1])
    return report


def content_load_directory(*, directory: Path = CONTENT_DIR) -> LoadReport:
    """The whole library from its files; records missing from a file are deactivated."""
    return content_load(documents=read_directory(directory), prune=True)


def content_import(*, files: list[tuple[str, str]], prune: bool = False) -> LoadReport:
    """Import uploaded YAML texts [(name, text)]; by default records not in them stay."""
    documents: Documents = {}
    problems = []
    for name, text in files:
        try:
            kind, records = parse_document(text, name)
        except ContentError as exc:
            problems.extend(exc.problems)
            continue
        if kind in documents:
            problems.append(
                Problem(name, "-", _("Two files hold the same kind '%(kind)s'.") % {"kind": kind})
            )
        documents[kind] = (name, records)
    if problems:
        raise ContentError(problems)
    return content_load(documents=documents, prune=prune)
