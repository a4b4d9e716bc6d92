"""Pure checks that protect runners, shared by the content loader and the admin forms:
library records (exercises, sources, translations, regression links, substitutes) and
templates (slots, doses, phases, exit criteria).

Each function takes plain values and returns a list of problems (empty when fine).
Nothing here touches the database.

Decision on exit criteria: every phase needs at least one exit criterion, except the
last phase of its template (a maintenance phase, or the single phase of a block),
which the runner stays in until a clinician or a new plan moves them on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from programs.engine import specs
from programs.engine.vocabulary import EXIT_METRICS, EXIT_OPS, RUN_MODES, TERRAIN_RULES

MAX_SETS = 10
MAX_HOLD_SECONDS = 300
GLUTEAL_TENDINOPATHY = "gluteal_tendinopathy"


def compression_rank(code: str) -> int:
    return specs.COMPRESSION_CLASSES.index(code)


def slot_fit_problems(
    *,
    exercise: str,
    compression: str,
    not_for_conditions: Iterable[str],
    condition: str,
    max_compression: str,
    early: bool,
) -> list[str]:
    """Can this exercise appear in this phase of a template for this condition?"""
    problems = []
    if compression == "C2" and early and condition == GLUTEAL_TENDINOPATHY:
        problems.append(
            _(
                "'%(exercise)s' is compressive (C2) and cannot be used in an early phase of a "
                "gluteal tendinopathy template."
            )
            % {"exercise": exercise}
        )
    elif compression_rank(compression) > compression_rank(max_compression):
        problems.append(
            _(
                "'%(exercise)s' has compression class %(compression)s, above this phase's "
                "maximum %(maximum)s."
            )
            % {"exercise": exercise, "compression": compression, "maximum": max_compression}
        )
    if condition in set(not_for_conditions):
        problems.append(
            _("'%(exercise)s' must never be prescribed for %(condition)s.")
            % {"exercise": exercise, "condition": condition}
        )
    return problems


def slot_dosage_problems(
    *,
    dosage_type: str,
    sets: int | None,
    reps_min: int | None,
    reps_max: int | None,
    hold_seconds: int | None,
    hold_seconds_max: int | None,
    min_level: int = 1,
    max_level: int = 5,
    scheme: str = "reps_level_load",
) -> list[str]:
    """Is this a dose a runner could actually do?"""
    problems = []
    if not sets or sets < 1:
        problems.append(_("A slot needs at least 1 set."))
    elif sets > MAX_SETS:
        problems.append(_("More than %(max)s sets is not a sensible dose.") % {"max": MAX_SETS})
    if reps_min is not None and reps_max is not None and reps_min > reps_max:
        problems.append(
            _("The lowest reps (%(low)s) exceed the highest reps (%(high)s).")
            % {"low": reps_min, "high": reps_max}
        )
    if (reps_min is not None and reps_min < 1) or (reps_max is not None and reps_max < 1):
        problems.append(_("Reps must be at least 1."))
    for hold in (hold_seconds, hold_seconds_max):
        if hold is not None and hold > MAX_HOLD_SECONDS:
            problems.append(
                _("A hold longer than %(max)s seconds is not a sensible dose.")
                % {"max": MAX_HOLD_SECONDS}
            )
            break
    if (
        hold_seconds is not None
        and hold_seconds_max is not None
        and hold_seconds > hold_seconds_max
    ):
        problems.append(_("The hold time exceeds the longest hold."))
    if dosage_type == "reps" and (reps_min is None or reps_max is None):
        problems.append(_("A repetition exercise needs a rep range (lowest and highest reps)."))
    if dosage_type == "hold" and not hold_seconds:
        problems.append(_("A hold exercise needs a hold time."))
    if not 1 <= min_level <= max_level <= 5:
        problems.append(_("Levels must satisfy 1 <= lowest level <= highest level <= 5."))
    if scheme not in specs.PROGRESSION_SCHEMES:
        problems.append(_("Unknown progression scheme '%(value)s'.") % {"value": scheme})
    return problems


def exit_criteria_problems(
    criteria: Sequence[tuple[str, str, float]], *, is_last_phase: bool
) -> list[str]:
    """Exit criteria are required except in the last phase; each must be checkable."""
    problems = []
    if not criteria and not is_last_phase:
        problems.append(
            _("A phase needs at least one exit criterion (only the last phase may have none).")
        )
    for metric, op, _value in criteria:
        if metric not in EXIT_METRICS:
            problems.append(_("Unknown exit metric '%(value)s'.") % {"value": metric})
        if op not in EXIT_OPS:
            problems.append(_("Unknown comparison '%(value)s'.") % {"value": op})
    return problems


def phase_problems(
    *,
    condition: str,
    weeks_min: int,
    weeks_max: int,
    max_compression: str,
    early: bool,
    run_mode: str,
    walk_run_stage_min: int | None,
    walk_run_stage_max: int | None,
    terrain_rules: Iterable[str],
) -> list[str]:
    problems = []
    if weeks_min < 1 or weeks_max < weeks_min:
        problems.append(_("Weeks must satisfy 1 <= minimum weeks <= maximum weeks."))
    if max_compression not in specs.COMPRESSION_CLASSES:
        problems.append(_("Unknown compression class '%(value)s'.") % {"value": max_compression})
    elif early and condition == GLUTEAL_TENDINOPATHY and max_compression == "C2":
        problems.append(
            _("An early gluteal tendinopathy phase must allow at most compression class C1.")
        )
    if run_mode not in RUN_MODES:
        problems.append(_("Unknown running mode '%(value)s'.") % {"value": run_mode})
    if run_mode == "walk_run" and not (walk_run_stage_min and walk_run_stage_max):
        problems.append(_("A walk-run phase needs its first and last walk-run stage."))
    if (
        walk_run_stage_min
        and walk_run_stage_max
        and not 1 <= walk_run_stage_min <= walk_run_stage_max <= 10
    ):
        problems.append(_("Walk-run stages must satisfy 1 <= first <= last <= 10."))
    for rule in terrain_rules:
        if rule not in TERRAIN_RULES:
            problems.append(_("Unknown terrain rule '%(value)s'.") % {"value": rule})
    return problems


# --- Library records ---------------------------------------------------------------------

LANGUAGES = ("en", "nl")


def regression_cycle(links: Mapping[str, str | None]) -> list[str] | None:
    """The first cycle in the regression links (slug -> easier slug), or None.

    The links form a forest when every chain of regressions ends at a root. A
    cycle is returned as the path that closes it, e.g. ["a", "b", "a"].
    """
    finished: set[str] = set()
    for start in sorted(links):
        path: list[str] = []
        on_path: set[str] = set()
        node: str | None = start
        while node is not None and node not in finished:
            if node in on_path:
                return [*path[path.index(node) :], node]
            path.append(node)
            on_path.add(node)
            node = links.get(node)
        finished.update(path)
    return None


def cycle_problems(links: Mapping[str, str | None]) -> list[str]:
    cycle = regression_cycle(links)
    if cycle is None:
        return []
    return [
        _("Regression links form a cycle: %(path)s. Every chain must end at a root exercise.")
        % {"path": " -> ".join(cycle)}
    ]


def translation_problems(
    texts: Mapping[str, Mapping[str, str] | None], *, optional: Iterable[str] = ()
) -> list[str]:
    """Every text needs English and Dutch; optional texts may be empty in both."""
    problems = []
    optional = set(optional)
    for field, value in texts.items():
        value = value or {}
        filled = {lang for lang in LANGUAGES if str(value.get(lang) or "").strip()}
        if field in optional and not filled:
            continue
        for lang in LANGUAGES:
            if lang not in filled:
                problems.append(
                    _("Text '%(field)s' is missing in %(language)s.")
                    % {"field": field, "language": _language_name(lang)}
                )
    return problems


def _language_name(code: str) -> str:
    return {"en": _("English"), "nl": _("Dutch")}[code]


def source_problems(keys: Iterable[str], known: Iterable[str]) -> list[str]:
    """At least one source, and every key must be a known source."""
    keys = list(keys)
    if not keys:
        return [_("At least one evidence source is required.")]
    known = set(known)
    return [
        _("Unknown evidence source '%(key)s'.") % {"key": key} for key in keys if key not in known
    ]


def exercise_problems(
    *,
    level: int,
    compression: str,
    equipment: Iterable[str],
    dosage_type: str,
    default_sets: int,
    default_reps: int | None,
    default_hold_seconds: int | None,
    not_for_conditions: Iterable[str],
) -> list[str]:
    """The exercise's own fields, against the shared vocabularies of specs.py."""
    problems = []
    if not 1 <= int(level) <= 5:
        problems.append(_("Level must be between 1 and 5."))
    if compression not in specs.COMPRESSION_CLASSES:
        problems.append(_("Unknown compression class '%(value)s'.") % {"value": compression})
    equipment = list(equipment)
    if not equipment:
        problems.append(_("List the equipment, or 'none'."))
    for code in equipment:
        if code not in specs.EQUIPMENT:
            problems.append(_("Unknown equipment '%(value)s'.") % {"value": code})
    if "none" in equipment and len(equipment) > 1:
        problems.append(_("'none' cannot be combined with other equipment."))
    if dosage_type not in specs.DOSAGE_TYPES:
        problems.append(_("Unknown dosage type '%(value)s'.") % {"value": dosage_type})
    if not 1 <= int(default_sets) <= 10:
        problems.append(_("Default sets must be between 1 and 10."))
    if dosage_type == "reps" and not default_reps:
        problems.append(_("A repetition exercise needs default reps."))
    if dosage_type == "hold" and not default_hold_seconds:
        problems.append(_("A hold exercise needs a default hold time."))
    if default_hold_seconds and default_hold_seconds > 300:
        problems.append(_("A hold longer than 300 seconds is not a sensible dose."))
    for code in not_for_conditions:
        if code not in specs.CONDITIONS:
            problems.append(_("Unknown condition '%(value)s'.") % {"value": code})
    return problems


def regression_level_problems(
    *, level: int, regression_slug: str, regression_level: int
) -> list[str]:
    if regression_level > level:
        return [
            _(
                "The regression '%(slug)s' (level %(easier)s) is harder than this exercise (level %(level)s)."
            )
            % {"slug": regression_slug, "easier": regression_level, "level": level}
        ]
    return []


def substitute_problems(
    *,
    slug: str,
    substitute_slug: str,
    substitute: Mapping[str, Any] | None,
    compression: str,
    level: int,
    dosage_type: str,
) -> list[str]:
    """A stated substitute (taken when the runner lacks the equipment) must exist, need no
    equipment, be no more compressive and no harder than the exercise, and be dosed the
    same way (holds for holds, repetitions for repetitions), so the slot keeps its
    purpose. `substitute` holds the substitute's compression, level, equipment and
    dosage_type, or None when it does not exist."""
    if substitute_slug == slug:
        return [_("An exercise cannot be its own substitute.")]
    if substitute is None:
        return [_("Unknown substitute '%(slug)s'.") % {"slug": substitute_slug}]
    problems = []
    values = {"slug": substitute_slug}
    if set(substitute.get("equipment") or ["none"]) - {"none"}:
        problems.append(_("The substitute '%(slug)s' needs equipment; it must need none.") % values)
    ranks = specs.COMPRESSION_CLASSES
    known = substitute.get("compression") in ranks and compression in ranks
    if known and ranks.index(substitute["compression"]) > ranks.index(compression):
        problems.append(
            _("The substitute '%(slug)s' is more compressive than this exercise.") % values
        )
    if isinstance(substitute.get("level"), int) and substitute["level"] > level:
        problems.append(_("The substitute '%(slug)s' is harder than this exercise.") % values)
    if substitute.get("dosage_type") != dosage_type:
        problems.append(
            _("The substitute '%(slug)s' must be dosed the same way (hold or repetitions).")
            % values
        )
    return problems
