"""Plan generator: a template and a runner's situation in, a dated week-by-week plan out.

Pure code over the dataclasses in specs.py (no ORM), so a physiotherapist can read each
rule next to its source in /work/shared/reference/clinical-evidence.md ("the notes").

What the planner decides, and where the rule comes from:

* Exercise choice per slot (`choose_exercise`): never above the phase's compression class,
  never an exercise marked not for the condition (notes §A1 rules 3-4, §B2 compression
  column), and only exercises the runner has the equipment for. The gluteal-tendinopathy
  rules (`gt_rules`) apply to a gluteal-tendinopathy plan and to any other plan whose
  runner has gluteal-tendinopathy features at screening (specs.GT_FEATURE_CODES, notes
  §A2 rules 1-2): no exercise marked not for gluteal tendinopathy (the ITB / across-body
  stretch), no C2 in an early phase, and in a pathway that is not built around the
  tendon's stages no C2 in any phase. When the template's exercise does not fit, the
  planner walks its regression chain, then takes its stated substitute
  (ExerciseSpec.substitute: no equipment, same dosage type, same or lower compression and
  level), then the same family at the same or a lower level, and records the
  substitution on the prescription (substituted_for + a reason code the pages translate)
  and in PlanDraft.warnings; only if nothing fits is the slot left out, with a warning.
  Core slots (`core_slot`: the isometric holds, the entry and analgesic loading of the
  tendon, notes §C P1 and §E) are never left out for want of equipment: every isometric
  exercise a template uses needs no equipment, or has a substitute that needs none
  (load_content checks it).
* Dose (`prescription_for`): the slot's sets and the bottom of its rep bracket (or its
  hold time). High irritability removes `policy.high_irritability_fewer_sets` sets in the
  early phases [I].
* Timeline (`planned_phase_weeks`): each phase lasts weeks_min weeks for low
  irritability, the midpoint (weeks_min + weeks_max) // 2 for moderate, and weeks_max for
  high. This is the expected timeline; progression.py moves the runner on when the exit
  criteria are met, whatever this plan expected, so the weeks after the current phase's
  expected end are provisional (`provisional_from_week`, notes §C).
* Week days (`choose_strength_weekdays`): strength on non-consecutive days whenever the
  count fits (3 or fewer in 7 days; notes §E "3 non-consecutive days"), no heavy hip slot on
  the day before the long run or a hard session (notes §F3, [I]), preferred weekdays where
  possible. Daily isometric slots also appear on the other days, as light "isometric"
  sessions, in the first phase only (notes §E "isometrics daily in P1").
* Running (`entry_run_target`, `run_prescription`): the phase's RunGuidance: pause, a
  reduced share of the runner's weekly minutes, the R1..R10 walk-run ladder (planned at one
  stage a week: two repeats per stage at three runs a week, §F1b) or continuous minutes
  rebuilt by `policy.run_rebuild_pct` a week. Runs go on alternate days (§F3, Trials 2023).
* Education: each phase's topics in its first week; for gluteal tendinopathy compression
  education is always due in week 1 (notes §A1 rule 1).

Dates are the runner's local dates: `runner.start_date` is already local, and every date
in the plan is start_date plus whole days, so no timezone arithmetic is needed here.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from programs.engine.edits import overlay_week
from programs.engine.specs import (
    GT_FEATURE_CODES,
    ExerciseSpec,
    PhaseSpec,
    PlanDraft,
    PlanState,
    Policy,
    PrescriptionDraft,
    RunGuidance,
    RunnerContext,
    RunningStatus,
    RunPrescription,
    RunTarget,
    SessionDraft,
    SlotSpec,
    TemplateSpec,
    WeekDraft,
)

GLUTEAL_TENDINOPATHY = "gluteal_tendinopathy"
COMPRESSION_RANK = {"C0": 0, "C1": 1, "C2": 2}
# Education topic slug due in week 1 for gluteal tendinopathy (notes §A1 rule 1).
GT_COMPRESSION_TOPIC = "tendon-compression"  # slug in programs/content/library/education.yaml
# Run modes in which the runner actually runs a weekly number of minutes.
MINUTES_MODES = ("reduce", "continuous", "rebuild")


# --- Exercise choice -----------------------------------------------------------------------


def gt_rules(condition: str, features: Iterable[str] = ()) -> bool:
    """Whether the gluteal-tendinopathy rules apply: a gluteal-tendinopathy plan, or any
    plan whose runner reported gluteal-tendinopathy features at screening (notes §A2
    "unless GTPS features co-exist": trochanteric pain on single-leg stance, pain lying on
    the side, ...). Sources: grimaldi2015_review, grimaldi2017_tests."""
    return condition == GLUTEAL_TENDINOPATHY or not GT_FEATURE_CODES.isdisjoint(features)


def compression_allowed(
    exercise: ExerciseSpec, phase: PhaseSpec, condition: str, features: Iterable[str] = ()
) -> bool:
    """Compression filter (notes §A1 rule 3, §A2 rule 1, §B2 compression column, §C).

    Never above the phase's max_compression. Under the gluteal-tendinopathy rules never a
    C2 exercise in an early phase, whatever the template says; and when those rules come
    from screening features in another pathway (proximal ITB, general lateral hip), never
    a C2 exercise at all: that template's later phases open up adduction for the ITB, not
    for a compressed gluteal tendon, and the product's own gluteal-tendinopathy pathway
    never goes above C1. Sources: grimaldi2015_review, mellor2018_leap.
    """
    if COMPRESSION_RANK[exercise.compression] > COMPRESSION_RANK[phase.max_compression]:
        return False
    if exercise.compression != "C2" or not gt_rules(condition, features):
        return True
    return not phase.early and condition == GLUTEAL_TENDINOPATHY


def condition_allowed(exercise: ExerciseSpec, condition: str, features: Iterable[str] = ()) -> bool:
    """Exercises marked not for the condition never appear (notes §A1 rule 4: no ITB or
    across-body stretch in gluteal tendinopathy); under the gluteal-tendinopathy rules the
    exercises marked not for gluteal tendinopathy stay out in every pathway (§A2 rule 2).
    Source: grimaldi2015_review."""
    if condition in exercise.not_for_conditions:
        return False
    return not (
        gt_rules(condition, features) and GLUTEAL_TENDINOPATHY in exercise.not_for_conditions
    )


def has_equipment(exercise: ExerciseSpec, equipment: Iterable[str]) -> bool:
    """All of the exercise's equipment must be available; "none" always is."""
    available = set(equipment) | {"none"}
    return all(item in available for item in exercise.equipment)


def exercise_fits(
    exercise: ExerciseSpec,
    *,
    phase: PhaseSpec,
    condition: str,
    equipment: Iterable[str],
    features: Iterable[str] = (),
) -> bool:
    return (
        compression_allowed(exercise, phase, condition, features)
        and condition_allowed(exercise, condition, features)
        and has_equipment(exercise, equipment)
    )


def _why_not(
    exercise: ExerciseSpec,
    *,
    phase: PhaseSpec,
    condition: str,
    equipment: Iterable[str],
    features: Iterable[str] = (),
) -> str:
    """The reason code (specs.SUBSTITUTION_REASONS) an exercise does not fit."""
    if not condition_allowed(exercise, condition, features):
        return "condition"
    if not compression_allowed(exercise, phase, condition, features):
        return "compression"
    return "equipment"


def _reason_text(exercise: ExerciseSpec, reason: str, equipment: Iterable[str]) -> str:
    """The reason in words, for the warnings an editor or a physiotherapist reads."""
    if reason == "condition":
        return "not for this runner's condition or screening features"
    if reason == "compression":
        return f"compression class {exercise.compression} not allowed in this phase"
    if reason == "unknown":
        return "unknown exercise"
    needs = ", ".join(sorted(set(exercise.equipment) - set(equipment) - {"none"}))
    return f"needs {needs}"


@dataclass(frozen=True)
class ExerciseChoice:
    exercise: ExerciseSpec | None  # None: nothing fits, leave the slot out
    substituted_for: str | None = None  # the template's exercise, when it did not fit
    reason: str = ""  # why it did not fit: a specs.SUBSTITUTION_REASONS code, or "unknown"


def choose_exercise(
    template: TemplateSpec,
    slot: SlotSpec,
    phase: PhaseSpec,
    condition: str,
    equipment: Iterable[str],
    features: Iterable[str] = (),
) -> ExerciseChoice:
    """The slot's exercise, or the nearest easier one the runner can do here.

    Order: the slot's own exercise; then down its regression chain; then its stated
    substitute (ExerciseSpec.substitute: needs no equipment, same purpose); then the
    highest level exercise of the same family at the same or a lower level (ties by
    slug). Every candidate must fit the phase, condition, features and equipment.
    """
    equipment = frozenset(equipment)
    features = frozenset(features)
    entry = template.exercises.get(slot.exercise)
    if entry is None:
        return ExerciseChoice(None, slot.exercise, "unknown")

    def fits(exercise: ExerciseSpec) -> bool:
        return exercise_fits(
            exercise, phase=phase, condition=condition, equipment=equipment, features=features
        )

    if fits(entry):
        return ExerciseChoice(entry)
    reason = _why_not(
        entry, phase=phase, condition=condition, equipment=equipment, features=features
    )
    seen = {entry.slug}
    current = entry
    while current.regression and current.regression not in seen:
        easier = template.exercises.get(current.regression)
        if easier is None:
            break
        current = easier
        seen.add(current.slug)
        if fits(current):
            return ExerciseChoice(current, entry.slug, reason)
    substitute = template.exercises.get(entry.substitute or "")
    if substitute is not None and substitute.slug not in seen and fits(substitute):
        return ExerciseChoice(substitute, entry.slug, reason)
    family = sorted(
        (
            exercise
            for exercise in template.exercises.values()
            if exercise.family == entry.family
            and exercise.level <= entry.level
            and exercise.slug not in seen
            and fits(exercise)
        ),
        key=lambda exercise: (-exercise.level, exercise.slug),
    )
    if family:
        return ExerciseChoice(family[0], entry.slug, reason)
    return ExerciseChoice(None, entry.slug, reason)


def prescription_for(
    slot: SlotSpec,
    exercise: ExerciseSpec,
    *,
    template: TemplateSpec,
    phase: PhaseSpec,
    irritability: str = "moderate",
    policy: Policy | None = None,
    substituted_for: str | None = None,
    reason: str | None = None,
) -> PrescriptionDraft:
    """Entry dose for a slot (notes §B2 default dosage, §E).

    Sets from the slot (minus policy.high_irritability_fewer_sets in early phases when
    irritability is high, never below 1); reps at the bottom of the slot's bracket, or the
    slot's hold time. A substitute with another dosage type takes its own defaults.
    """
    policy = policy or Policy()
    sets = slot.sets
    if irritability == "high" and phase.early:
        sets = max(1, sets - policy.high_irritability_fewer_sets)
    entry = template.exercises.get(slot.exercise, exercise)
    same_type = entry.dosage_type == exercise.dosage_type
    if exercise.dosage_type == "hold":
        hold = (slot.hold_seconds if same_type else None) or exercise.default_hold_seconds or 10
        reps = exercise.default_reps
    else:
        hold = None
        reps = (slot.reps_min if same_type else None) or exercise.default_reps or 10
    return PrescriptionDraft(
        slot_key=slot.key,
        exercise=exercise.slug,
        sets=sets,
        reps=reps,
        hold_seconds=hold,
        load_kg=None,
        rest_seconds=slot.rest_seconds,
        substituted_for=substituted_for,
        substitution_reason=(reason or None) if substituted_for else None,
    )


def core_slot(template: TemplateSpec, slot: SlotSpec) -> bool:
    """A core slot: its exercise is an isometric hold (ISO-1..3, side planks). These carry
    the entry and analgesic loading of the tendon (notes §C P1, §E isometric dosage), so
    missing equipment must never leave them out. Sources: mellor2016_leap_protocol,
    rio2015_isometric."""
    exercise = template.exercises.get(slot.exercise)
    return exercise is not None and exercise.isometric


def ordered_slots(phase: PhaseSpec) -> tuple[SlotSpec, ...]:
    return tuple(sorted(phase.slots, key=lambda slot: (slot.order, slot.key)))


def phase_prescriptions(
    template: TemplateSpec,
    phase: PhaseSpec,
    *,
    condition: str,
    equipment: Iterable[str],
    irritability: str = "moderate",
    policy: Policy | None = None,
    features: Iterable[str] = (),
) -> tuple[tuple[PrescriptionDraft, ...], tuple[str, ...]]:
    """Entry prescriptions for every slot of a phase, and the warnings they raise."""
    prescriptions: list[PrescriptionDraft] = []
    warnings: list[str] = []
    equipment = frozenset(equipment)
    for slot in ordered_slots(phase):
        choice = choose_exercise(template, slot, phase, condition, equipment, features)
        entry = template.exercises.get(slot.exercise)
        why = _reason_text(entry, choice.reason, equipment) if entry else "unknown exercise"
        if choice.exercise is None:
            warnings.append(
                f"{phase.key}: slot {slot.key} left out: no suitable exercise for "
                f"{slot.exercise} ({why})."
            )
            continue
        if choice.substituted_for:
            warnings.append(
                f"{phase.key}: {choice.substituted_for} not possible ({why}); "
                f"substituted {choice.exercise.slug}."
            )
        prescriptions.append(
            prescription_for(
                slot,
                choice.exercise,
                template=template,
                phase=phase,
                irritability=irritability,
                policy=policy,
                substituted_for=choice.substituted_for,
                reason=choice.reason,
            )
        )
    return tuple(prescriptions), tuple(warnings)


# --- Timeline ------------------------------------------------------------------------------


def planned_phase_weeks(phase: PhaseSpec, irritability: str) -> int:
    """Expected weeks in a phase: weeks_min (low), midpoint rounded down (moderate),
    weeks_max (high irritability: a longer settling phase). Notes §C, §A1 rule 6."""
    if irritability == "low":
        return phase.weeks_min
    if irritability == "high":
        return phase.weeks_max
    return (phase.weeks_min + phase.weeks_max) // 2


def provisional_from_week(
    template: TemplateSpec, state: PlanState, *, plan_start: dt.date, settled_through: dt.date
) -> int | None:
    """The first plan week whose content depends on the current phase's exit criteria.

    Notes §C: a runner moves on only when every exit criterion of the phase is met, so
    the weeks after the phase's expected end (phase_started_on plus its planned weeks)
    are provisional: they hold the next phase only if the criteria are met by then, and
    more of the current phase otherwise. The week holding `settled_through` (the runner's
    today, or the first day being laid out if later) is in force, never provisional.
    None when the current phase is the last one or has no exit criteria (nothing to wait
    for). Sources: mellor2016_leap_protocol, ganderton2018_globe.
    """
    phase = phase_by_key(template, state.phase_key)
    if next_phase(template, phase.key) is None or not phase.exit_criteria:
        return None
    length = max(1, planned_phase_weeks(phase, state.irritability))
    expected_end = state.phase_started_on + dt.timedelta(weeks=length)
    planned = (expected_end - plan_start).days // 7 + 1
    settled = (settled_through - plan_start).days // 7 + 1
    return max(planned, settled + 1, 1)


# --- Week days -----------------------------------------------------------------------------


def adjacent_pairs(weekdays: Iterable[int]) -> int:
    """How many chosen weekdays are followed by another chosen day (Sunday -> Monday too)."""
    chosen = set(weekdays)
    return sum(1 for day in chosen if (day + 1) % 7 in chosen)


def days_before(weekdays: Iterable[int]) -> frozenset[int]:
    return frozenset((day - 1) % 7 for day in weekdays)


def heavy_blocked_weekdays(runner: RunnerContext) -> frozenset[int]:
    """Weekdays on which no heavy hip slot goes: the day before the long run or a hard
    session (notes §F3 recovery, [I]). Source: messier1995_itbs."""
    key_days = list(runner.hard_session_weekdays)
    if runner.long_run_weekday is not None:
        key_days.append(runner.long_run_weekday)
    return days_before(key_days)


def choose_strength_weekdays(
    count: int,
    *,
    preferred: Iterable[int] = (),
    heavy_blocked: Iterable[int] = (),
    has_heavy: bool = False,
    first_weekday: int = 0,
) -> tuple[int, ...]:
    """Strength weekdays, best first by: fewest back-to-back days (none when count <= 3,
    notes §E "3 non-consecutive days/wk"); then, if the phase has heavy slots, fewest days
    before the long run or a hard session; then most preferred weekdays; then earliest
    counted from `first_weekday` (the plan's first day), so a runner who leaves every day
    free starts on the day the plan starts."""
    count = max(0, min(7, count))
    preferred = frozenset(preferred)
    blocked = frozenset(heavy_blocked)

    def score(days: tuple[int, ...]) -> tuple[int, int, int, tuple[int, ...]]:
        conflicts = len(blocked.intersection(days)) if has_heavy else 0
        from_start = tuple(sorted((day - first_weekday) % 7 for day in days))
        return (adjacent_pairs(days), conflicts, -len(preferred.intersection(days)), from_start)

    return min(itertools.combinations(range(7), count), key=score)


def choose_run_weekdays(count: int, *, habitual: Iterable[int] = ()) -> tuple[int, ...]:
    """Run weekdays on alternate days (at least one rest day between runs, notes §F3,
    trials2023_walk_run), keeping the runner's usual run days where possible."""
    count = max(0, min(7, count))
    habitual = frozenset(habitual)
    return min(
        itertools.combinations(range(7), count),
        key=lambda days: (adjacent_pairs(days), -len(habitual.intersection(days)), days),
    )


def _spread(per_week: int, sessions: int) -> frozenset[int]:
    """Which of the week's strength sessions include a slot done per_week times."""
    if per_week >= sessions:
        return frozenset(range(sessions))
    return frozenset((index * sessions) // per_week for index in range(per_week))


# --- Running -------------------------------------------------------------------------------


def _ladder_minutes(template: TemplateSpec, stage: int | None, runs: int) -> int | None:
    for step in template.walk_run_ladder:
        if step.number == stage:
            return round(step.total_run_minutes * runs)
    return None


def stage_for_minutes(
    template: TemplateSpec, weekly_minutes: float, runs_per_week: int
) -> int | None:
    """The highest walk-run stage the runner's weekly minutes already cover, or None
    (notes §F1b): every stage up to it has a weekly running time (the stage's run minutes
    x runs_per_week) within those minutes. Counting up from the bottom keeps it cautious
    where the ladder's running time dips (R7 runs 22 minutes, R8 20 continuous)."""
    stage = None
    for step in sorted(template.walk_run_ladder, key=lambda s: s.number):
        if step.total_run_minutes * max(1, runs_per_week) > weekly_minutes:
            break
        stage = step.number
    return stage


def _own_stage(
    template: TemplateSpec,
    guidance: RunGuidance,
    running: RunningStatus,
    previous: RunTarget | None,
) -> int | None:
    """The runner's own stage on entering a walk-run phase (notes §F1b): the stage reached
    in the plan so far; none after a phase without running; else the stage their current
    running volume covers (the minutes run in the plan so far, else their weekly minutes
    at the start if they ran continuously); else the walk-run stage they were on at the
    start."""
    if previous is not None:
        if previous.mode == "walk_run" and previous.walk_run_stage:
            return previous.walk_run_stage
        if previous.mode == "pause":
            return None  # no running in the phase before: start at the bottom
        if previous.mode in MINUTES_MODES and previous.weekly_minutes:
            return stage_for_minutes(template, previous.weekly_minutes, guidance.runs_per_week)
    if running.mode == "continuous" and running.weekly_minutes:
        return stage_for_minutes(template, running.weekly_minutes, guidance.runs_per_week)
    return running.walk_run_stage if running.mode == "walk_run" else None


def entry_run_target(
    template: TemplateSpec,
    phase: PhaseSpec,
    *,
    running: RunningStatus,
    previous: RunTarget | None = None,
) -> RunTarget:
    """Where running starts in a phase (notes §F1, §F1b).

    pause: no running. reduce: weekly_volume_pct of the runner's current weekly minutes.
    walk_run: the runner's own stage (`_own_stage`: reached in the plan, or covered by the
    minutes they run now) when it is above the phase's first stage, never above the
    phase's last stage; otherwise the first stage. continuous/rebuild: the minutes
    reached so far, else the runner's weekly minutes, else the last continuous stage of
    the ladder at runs_per_week.
    """
    guidance = phase.run
    if guidance.mode == "pause":
        return RunTarget("pause", None, 0)
    if guidance.mode == "reduce":
        base = running.weekly_minutes if running.mode == "continuous" else 0
        return RunTarget("reduce", None, round(base * (guidance.weekly_volume_pct or 100) / 100))
    if guidance.mode == "walk_run":
        low = guidance.walk_run_stage_min or 1
        high = guidance.walk_run_stage_max or low
        stage = _own_stage(template, guidance, running, previous) or low
        return RunTarget("walk_run", max(low, min(high, stage)), None)
    minutes = previous.weekly_minutes if previous and previous.mode in MINUTES_MODES else None
    if not minutes and previous and previous.walk_run_stage:
        minutes = _ladder_minutes(template, previous.walk_run_stage, guidance.runs_per_week)
    if not minutes and running.mode == "continuous":
        minutes = running.weekly_minutes
    if not minutes:
        continuous = [step for step in template.walk_run_ladder if step.continuous_minutes]
        minutes = continuous[-1].continuous_minutes * guidance.runs_per_week if continuous else 0
    return RunTarget(guidance.mode, guidance.walk_run_stage_min, minutes)


def planned_run_target(
    phase: PhaseSpec, entry: RunTarget, week_in_phase: int, policy: Policy
) -> RunTarget:
    """Expected running in the phase's n-th week (0-based): one walk-run stage a week up to
    the phase's last stage (§F1b: two repeats per stage, three runs a week); rebuild adds
    policy.run_rebuild_pct a week (§F1b R10). The real steps come from progression.py."""
    guidance = phase.run
    if guidance.mode == "walk_run" and entry.walk_run_stage is not None:
        high = guidance.walk_run_stage_max or entry.walk_run_stage
        return RunTarget("walk_run", min(high, entry.walk_run_stage + week_in_phase), None)
    if guidance.mode == "rebuild" and entry.weekly_minutes:
        factor = (1 + policy.run_rebuild_pct / 100) ** week_in_phase
        return RunTarget("rebuild", entry.walk_run_stage, round(entry.weekly_minutes * factor))
    return entry


def run_prescription(
    template: TemplateSpec,
    guidance: RunGuidance,
    target: RunTarget,
    run_weekdays: tuple[int, ...],
) -> RunPrescription:
    """The week's running: mode, stage or weekly minutes, cadence and terrain (§F1b-F3)."""
    runs = guidance.runs_per_week
    if guidance.mode == "pause" or (guidance.mode == "reduce" and not target.weekly_minutes):
        runs, run_weekdays = 0, ()
    minutes = target.weekly_minutes
    if guidance.mode == "walk_run":
        minutes = _ladder_minutes(template, target.walk_run_stage, runs)
    return RunPrescription(
        mode=guidance.mode,
        walk_run_stage=target.walk_run_stage,
        weekly_minutes=minutes if runs else 0,
        runs_per_week=runs,
        cadence_increase_pct=guidance.cadence_increase_pct,
        terrain_rules=guidance.terrain_rules,
        run_weekdays=run_weekdays,
    )


# --- Weeks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhaseSchedule:
    """The weekly pattern of a phase for one runner: computed once, used for every week."""

    phase: PhaseSpec
    first_phase: bool
    strength_weekdays: tuple[int, ...]
    run_weekdays: tuple[int, ...]
    heavy_blocked: frozenset[int]
    slots: tuple[SlotSpec, ...]


def strength_sessions_per_week(phase: PhaseSpec, runner: RunnerContext) -> int:
    """The phase's strength days, capped by what the runner said they can do (0 = no cap)."""
    if runner.strength_days_per_week > 0:
        return min(phase.strength_days, runner.strength_days_per_week)
    return phase.strength_days


def phase_schedule(
    template: TemplateSpec, phase: PhaseSpec, runner: RunnerContext
) -> PhaseSchedule:
    blocked = heavy_blocked_weekdays(runner)
    habitual = set(runner.hard_session_weekdays)
    if runner.long_run_weekday is not None:
        habitual.add(runner.long_run_weekday)
    first_order = min(p.order for p in template.phases)
    return PhaseSchedule(
        phase=phase,
        first_phase=phase.order == first_order,
        strength_weekdays=choose_strength_weekdays(
            strength_sessions_per_week(phase, runner),
            preferred=runner.preferred_weekdays,
            heavy_blocked=blocked,
            has_heavy=any(slot.heavy for slot in phase.slots),
            first_weekday=runner.start_date.weekday(),
        ),
        run_weekdays=choose_run_weekdays(phase.run.runs_per_week, habitual=habitual),
        heavy_blocked=blocked,
        slots=ordered_slots(phase),
    )


_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def build_week(
    template: TemplateSpec,
    schedule: PhaseSchedule,
    prescriptions: tuple[PrescriptionDraft, ...],
    *,
    number: int,
    starts_on: dt.date,
    run: RunPrescription,
    education: tuple[str, ...],
    deload: bool = False,
) -> tuple[WeekDraft, tuple[str, ...]]:
    """Dated sessions for one week from a phase's pattern and the standing prescriptions."""
    by_slot = {p.slot_key: p for p in prescriptions}
    slots = [slot for slot in schedule.slots if slot.key in by_slot]
    strength_days = schedule.strength_weekdays
    daily = [slot for slot in slots if slot.daily] if schedule.first_phase else []
    sessions: list[SessionDraft] = []
    warnings: list[str] = []
    for offset in range(7):
        date = starts_on + dt.timedelta(days=offset)
        weekday = date.weekday()
        if weekday in strength_days:
            rank = strength_days.index(weekday)
            chosen = []
            for slot in slots:
                if rank not in _spread(slot.per_week, len(strength_days)) and not (
                    slot.daily and schedule.first_phase
                ):
                    continue
                if slot.heavy and weekday in schedule.heavy_blocked:
                    warnings.append(
                        f"{schedule.phase.key}: heavy slot {slot.key} left out on "
                        f"{_WEEKDAY_NAMES[weekday]}s (day before the long run or a hard session)."
                    )
                    continue
                chosen.append(by_slot[slot.key])
            if chosen:
                sessions.append(SessionDraft(date, "strength", tuple(chosen)))
        elif daily:
            sessions.append(
                SessionDraft(date, "isometric", tuple(by_slot[slot.key] for slot in daily))
            )
    week = WeekDraft(
        number=number,
        phase_key=schedule.phase.key,
        starts_on=starts_on,
        sessions=tuple(sessions),
        run=run,
        education=education,
        deload=deload,
    )
    return week, tuple(warnings)


def _education_for(
    template: TemplateSpec, phase: PhaseSpec, *, first_week_of_phase: bool, plan_week: int
) -> tuple[str, ...]:
    """The phase's topics in its first week; compression education in week 1 for gluteal
    tendinopathy, first of all (notes §A1 rule 1; mellor2018_leap, ganderton2018_globe)."""
    topics = list(phase.education) if first_week_of_phase else []
    if (
        plan_week == 1
        and template.condition == GLUTEAL_TENDINOPATHY
        and not any("compression" in topic for topic in topics)
    ):
        topics.insert(0, GT_COMPRESSION_TOPIC)
    return tuple(topics)


def _dedupe(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def generate_plan(
    template: TemplateSpec,
    runner: RunnerContext,
    policy: Policy | None = None,
    *,
    weeks: int | None = None,
) -> PlanDraft:
    """The planned (expected) timeline for a runner, week by week from runner.start_date.

    `weeks` cuts the plan to that many weeks, or stretches the last phase to reach it;
    without it the plan lasts the sum of the planned phase weeks.
    """
    policy = policy or Policy()
    condition = runner.condition
    phases = sorted(template.phases, key=lambda phase: phase.order)
    lengths = [max(1, planned_phase_weeks(phase, runner.irritability)) for phase in phases]
    if weeks is not None:
        lengths = _fit_lengths(lengths, weeks)
    out_weeks: list[WeekDraft] = []
    warnings: list[str] = []
    previous_run: RunTarget | None = None
    number = 0
    for phase, length in zip(phases, lengths, strict=True):
        if length == 0:
            continue
        schedule = phase_schedule(template, phase, runner)
        prescriptions, phase_warnings = phase_prescriptions(
            template,
            phase,
            condition=condition,
            equipment=runner.equipment,
            irritability=runner.irritability,
            policy=policy,
            features=runner.features,
        )
        warnings.extend(phase_warnings)
        entry = entry_run_target(template, phase, running=runner.running, previous=previous_run)
        target = entry
        for week_in_phase in range(length):
            number += 1
            target = planned_run_target(phase, entry, week_in_phase, policy)
            week, week_warnings = build_week(
                template,
                schedule,
                prescriptions,
                number=number,
                starts_on=runner.start_date + dt.timedelta(weeks=number - 1),
                run=run_prescription(template, phase.run, target, schedule.run_weekdays),
                education=_education_for(
                    template, phase, first_week_of_phase=week_in_phase == 0, plan_week=number
                ),
            )
            warnings.extend(week_warnings)
            out_weeks.append(week)
        previous_run = target
    return PlanDraft(
        template_slug=template.slug,
        condition=condition,
        weeks=tuple(out_weeks),
        warnings=_dedupe(warnings),
    )


def _fit_lengths(lengths: list[int], weeks: int) -> list[int]:
    """Cut the phase lengths to `weeks` in total, or stretch the last phase to reach it."""
    fitted: list[int] = []
    left = max(0, weeks)
    for length in lengths:
        take = min(length, left)
        fitted.append(take)
        left -= take
    if left and fitted:
        fitted[-1] += left
    return fitted


def week_from_state(
    template: TemplateSpec,
    runner: RunnerContext,
    state: PlanState,
    *,
    number: int,
    starts_on: dt.date,
) -> WeekDraft:
    """One week built from the current plan state (after progression decisions):
    the phase's weekly pattern with the standing prescriptions and running target."""
    phase = phase_by_key(template, state.phase_key)
    schedule = phase_schedule(template, phase, runner)
    deload = state.deload_from is not None and starts_on <= state.deload_from < (
        starts_on + dt.timedelta(days=7)
    )
    first_week_of_phase = starts_on <= state.phase_started_on < starts_on + dt.timedelta(days=7)
    week, _ = build_week(
        template,
        schedule,
        state.prescriptions,
        number=number,
        starts_on=starts_on,
        run=run_prescription(template, phase.run, state.run, schedule.run_weekdays),
        education=_education_for(
            template, phase, first_week_of_phase=first_week_of_phase, plan_week=number
        ),
        deload=deload,
    )
    return overlay_week(week, state)


def phase_by_key(template: TemplateSpec, key: str) -> PhaseSpec:
    for phase in template.phases:
        if phase.key == key:
            return phase
    raise KeyError(f"template {template.slug} has no phase {key!r}")


def next_phase(template: TemplateSpec, key: str) -> PhaseSpec | None:
    phases = sorted(template.phases, key=lambda phase: phase.order)
    for index, phase in enumerate(phases):
        if phase.key == key:
            return phases[index + 1] if index + 1 < len(phases) else None
    raise KeyError(f"template {template.slug} has no phase {key!r}")
