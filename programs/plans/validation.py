"""Pure checks that protect runners, shared by the content loader and the admin forms.

Each function takes plain values and returns a list of problems (empty when fine).

Decision on exit criteria: every phase needs at least one exit criterion, except the
last phase of its template (a maintenance phase, or the single phase of a block),
which the runner stays in until a clinician or a new plan moves them on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _

from programs.plans import specs
from programs.plans.models import EXIT_METRICS, EXIT_OPS, RUN_MODES, TERRAIN_RULES

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
