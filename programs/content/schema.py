"""The shape of the YAML content files, and a small checker for it.

Each file has one top-level key naming its kind (``sources:``, ``exercises:``,
``education:``, ``conditions:``, ``templates:``) holding a list of records. Text shown
to runners carries both languages: ``name: {en: ..., nl: ...}``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

KINDS = ("sources", "exercises", "education", "conditions", "templates")

# field -> (type, required). Types: str, int, num, bool, list, dict, trans, opt_int, opt_str
SOURCE = {
    "key": ("str", True),
    "authors": ("str", True),
    "year": ("int", True),
    "title": ("str", True),
    "journal": ("str", True),
    "doi": ("str", False),
    "url": ("str", False),
    "study_type": ("str", True),
    "flag": ("str", False),
    "finding": ("trans", True),
}

EXERCISE = {
    "slug": ("str", True),
    "code": ("str", True),
    "name": ("trans", True),
    "family": ("str", True),
    "movement_pattern": ("str", True),
    "position": ("str", True),
    "compression": ("str", True),
    "level": ("int", True),
    "equipment": ("list", True),
    "dosage_type": ("str", True),
    "default_sets": ("int", True),
    "default_reps": ("opt_int", False),
    "default_hold_seconds": ("opt_int", False),
    "default_rest_seconds": ("int", False),
    "tempo": ("str", False),
    "loadable": ("bool", False),
    "isometric": ("bool", False),
    "regression": ("opt_str", False),
    "substitute": ("opt_str", False),
    "not_for_conditions": ("list", False),
    "muscles": ("dict", True),
    "emg": ("list", False),
    "sources": ("list", True),
    "setup": ("trans", True),
    "cues": ("trans", True),
    "common_errors": ("trans", True),
    "contraindications": ("trans", False),
    "video_url": ("str", False),
    "figure": ("dict", False),  # required for every exercise; checks.py says so clearly
}

EMG = {
    "muscle": ("str", True),
    "mvic_min": ("num", True),
    "mvic_max": ("num", False),
    "source": ("str", True),
    "flag": ("str", False),
    "note": ("str", False),
}

TOPIC = {
    "slug": ("str", True),
    "order": ("int", True),
    "title": ("trans", True),
    "summary": ("trans", True),
    "body": ("trans", True),
    "sources": ("list", True),
}

CONDITION = {"code": ("str", True), "name": ("trans", True), "description": ("trans", True)}

TEMPLATE = {
    "slug": ("str", True),
    "condition": ("str", True),
    "name": ("trans", True),
    "description": ("trans", True),
    "is_block": ("bool", False),
    "sources": ("list", True),
    "phases": ("list", True),
    "walk_run_stages": ("list", False),
}

PHASE = {
    "key": ("str", True),
    "order": ("int", True),
    "name": ("trans", True),
    "goal": ("trans", True),
    "entry_criteria": ("trans", True),
    "weeks_min": ("int", True),
    "weeks_max": ("int", True),
    "max_compression": ("str", True),
    "strength_days": ("int", True),
    "early": ("bool", False),
    "run": ("dict", True),
    "education": ("list", False),
    "sources": ("list", True),
    "exit_criteria": ("list", False),
    "slots": ("list", True),
}

RUN = {
    "mode": ("str", True),
    "weekly_volume_pct": ("opt_int", False),
    "walk_run_stage_min": ("opt_int", False),
    "walk_run_stage_max": ("opt_int", False),
    "cadence_increase_pct": ("int", False),
    "terrain_rules": ("list", False),
    "runs_per_week": ("int", False),
}

CRITERION = {
    "metric": ("str", True),
    "op": ("str", True),
    "value": ("num", True),
    "text": ("trans", True),
}

SLOT = {
    "key": ("str", True),
    "exercise": ("str", True),
    "sets": ("int", True),
    "reps_min": ("opt_int", False),
    "reps_max": ("opt_int", False),
    "hold_seconds": ("opt_int", False),
    "hold_seconds_max": ("opt_int", False),
    "rest_seconds": ("int", False),
    "per_week": ("int", False),
    "daily": ("bool", False),
    "scheme": ("str", False),
    "min_level": ("int", False),
    "max_level": ("int", False),
    "heavy": ("bool", False),
    "order": ("int", False),
}

STAGE = {
    "number": ("int", True),
    "repeats": ("int", False),
    "walk_minutes": ("num", False),
    "run_minutes": ("num", False),
    "continuous_minutes": ("int", False),
    "description": ("trans", True),
}

RECORD_SCHEMAS = {
    "sources": SOURCE,
    "exercises": EXERCISE,
    "education": TOPIC,
    "conditions": CONDITION,
    "templates": TEMPLATE,
}
RECORD_KEYS = {
    "sources": "key",
    "exercises": "slug",
    "education": "slug",
    "conditions": "code",
    "templates": "slug",
}


def _type_ok(kind: str, value: Any) -> bool:
    if kind == "str":
        return isinstance(value, str)
    if kind == "opt_str":
        return value is None or isinstance(value, str)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "opt_int":
        return value is None or (isinstance(value, int) and not isinstance(value, bool))
    if kind == "num":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "list":
        return isinstance(value, list)
    if kind in ("dict", "trans"):
        return isinstance(value, dict)
    raise ValueError(kind)


def shape_problems(record: Any, schema: dict[str, tuple[str, bool]]) -> list[str]:
    """Missing, unknown or mistyped fields of one record."""
    if not isinstance(record, dict):
        return [_("A record must be a mapping of field names to values.")]
    problems = []
    for name in record:
        if name not in schema:
            problems.append(_("Unknown field '%(field)s'.") % {"field": name})
    for name, (kind, required) in schema.items():
        if name not in record or record[name] is None:
            if required:
                problems.append(_("Missing field '%(field)s'.") % {"field": name})
            continue
        if not _type_ok(kind, record[name]):
            problems.append(
                _("Field '%(field)s' has the wrong type (expected %(type)s).")
                % {"field": name, "type": kind}
            )
        elif kind == "trans" and set(record[name]) - {"en", "nl"}:
            problems.append(
                _("Field '%(field)s' may only hold the languages en and nl.") % {"field": name}
            )
    return problems


def translated(record: dict, schema: dict[str, tuple[str, bool]]) -> dict[str, dict | None]:
    """The translated texts of a record, for translation_problems()."""
    return {name: record.get(name) for name, (kind, _req) in schema.items() if kind == "trans"}


def optional_translated(schema: dict[str, tuple[str, bool]]) -> list[str]:
    return [name for name, (kind, required) in schema.items() if kind == "trans" and not required]
