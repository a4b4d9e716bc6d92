"""Progression engine: the plan so far and one window of logs in, decisions out.

Pure code over the dataclasses in specs.py (no ORM). Every decision names the rule that
fired (programs/plans/rules.py: id, section of the clinical notes, sources, runner text in
English and Dutch). Thresholds live on specs.Policy, which a physiotherapist can change
per plan; the defaults are the [I] proposals of clinical-evidence §D2/§E/§F1b.

How one evaluation runs (`evaluate`), in order:

1. Red flags (§G) in any log -> one pause_and_refer decision and nothing else.
2. Pain zones (§D2): pain during 0..green_max green, ..amber_max amber, above red (pain
   that changes the movement is red too); next morning <= baseline green,
   +1..+morning_amber_over_baseline amber (red if not settled by midday), above red.
   An exercise's result in a session is the worse of its pain during and the morning
   after (a red morning makes only the exercises red that were already sore during the
   session; the others hold); a session's is the worst of its exercises, its pain after
   and that morning. A red morning, a red run and a flare-up are red days.
3. Red exercise -> regress one level in the tree, or at the root / when locked reduce
   load or volume by policy.regress_volume_pct (§D2, §C regression rule).
4. Any red day while running -> one walk-run stage down, or minutes cut by
   policy.run_cut_pct (§D2, §F1b).
5. Red on policy.deload_red_days days in the window, or a red weekly trend (mean rising by
   >= weekly_rise_red, or rising policy.rising_weeks_red weeks running) -> deload: strength
   volume down by policy.deload_volume_pct, physio alerted (§D2).
6. Only in a window without any red day, deload or rising weekly mean:
   phase exit criteria (§C) -> advance_phase; otherwise per exercise: all sessions of the
   window green (at least green_sessions_to_progress), the dose completed and effort <=
   progress_max_rpe -> progress by the load rules (§E): rep bracket, a set back, next
   level, external load with the 2-for-2 rule (hold-time slots: longer holds, then next
   level); amber -> hold. Walk-run stages step up after run_green_repeats green runs at
   the stage (§F1b); rebuild adds run_rebuild_pct.

Bounded change: within a phase, one evaluation raises the planned weekly strength volume
(sets x reps, or sets x holds x seconds, times sessions a week, summed) by at most
policy.max_weekly_volume_increase_pct (default +25 %); progressions that would pass it wait.
It only falls through red reductions (-regress_volume_pct per exercise) and deloads
(-deload_volume_pct). A phase advance swaps in the next phase's entry doses, as the
template defines them.

Locked exercises (policy.locked_exercises) are never progressed or swapped; a red still
lightens them and a deload still applies (safety first).

Determinism: logs are sorted by date, slots by their order, decisions come out in a fixed
order, and each decision's id is a hash of its content and window. `apply_decisions` skips
ids it has already applied, so applying the same decisions twice is a no-op.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from programs.plans import rules
from programs.plans.planner import (
    MINUTES_MODES,
    entry_run_target,
    exercise_fits,
    next_phase,
    ordered_slots,
    phase_by_key,
    phase_prescriptions,
)
from programs.plans.serialize import PLAIN_TYPES, to_json
from programs.plans.specs import (
    Decision,
    DecisionKind,
    EvaluationWindow,
    ExerciseLog,
    ExerciseSpec,
    PhaseSpec,
    PlanState,
    Policy,
    PrescriptionChange,
    PrescriptionDraft,
    RunnerContext,
    RunningStatus,
    RunTarget,
    SlotSpec,
    TemplateSpec,
)

GREEN, AMBER, RED = "green", "amber", "red"
_ZONE_RANK = {GREEN: 0, AMBER: 1, RED: 2}
TWO_FOR_TWO_EXTRA_REPS = 2  # NSCA 2-for-2: >= 2 reps over target in the last set (§E)
MIN_REDUCED_REPS = 4  # a red or a deload never takes a rep dose below this (or reps_min)


# --- Pain zones (§D2) ----------------------------------------------------------------------


def worst(*zones: str) -> str:
    return max(zones, key=_ZONE_RANK.__getitem__, default=GREEN)


def pain_zone(pain: float | None, policy: Policy, *, changed_movement: bool = False) -> str:
    """Pain during (or after) an exercise or run: 0..green_max green, ..amber_max amber,
    above red; pain that changes the movement is red. §D2 row 1.
    Sources: thomee1997_pain_zones, silbernagel2007_pain_model."""
    if changed_movement:
        return RED
    if pain is None or pain <= policy.green_max:
        return GREEN
    if pain <= policy.amber_max:
        return AMBER
    return RED


def morning_zone(
    pain: float, baseline: float, policy: Policy, *, settled_by_midday: bool | None = None
) -> str:
    """Next-morning pain against baseline: <= baseline green; up to
    +morning_amber_over_baseline amber (red when not settled by midday); more is red.
    §D2 row 2. Sources: silbernagel2007_pain_model."""
    over = pain - baseline
    if over <= 0:
        return GREEN
    if over <= policy.morning_amber_over_baseline and settled_by_midday is not False:
        return AMBER
    return RED


def exercise_zone(during: str, morning_after: str) -> str:
    """An exercise's result in a session (§D2, §C regression rule): the worse of its pain
    during and the morning after, except that a red morning only makes the exercises red
    that were already sore during the session (amber or worse); the others hold (amber).
    The red morning itself still counts as a red day for the whole plan."""
    if morning_after == RED and during == GREEN:
        return AMBER
    return worst(during, morning_after)


def weekly_pain_mean(window: EvaluationWindow) -> float | None:
    """The week's mean pain: the mornings after the window's days (the most consistent
    daily reading), else the sessions' pain after, else pain during the exercises."""
    mornings = [c.pain for c in window.checkins if window.starts_on < c.date <= _after(window)]
    if mornings:
        return round(sum(mornings) / len(mornings), 2)
    after = [s.pain_after for s in window.sessions if s.pain_after is not None]
    if after:
        return round(sum(after) / len(after), 2)
    during = [e.pain_during for s in window.sessions for e in s.exercises]
    if during:
        return round(sum(during) / len(during), 2)
    return None


@dataclass(frozen=True)
class WeeklyTrend:
    zone: str
    rise: float | None  # this week's mean minus last week's
    rising_weeks: int  # weeks in a row the mean rose, ending this week
    not_rising_weeks: int  # weeks in a row the mean did not rise, ending this week


def weekly_trend(current: float | None, previous: Sequence[float], policy: Policy) -> WeeklyTrend:
    """Weekly mean pain against the weeks before: falling or stable green; rising a little
    amber; rising >= weekly_rise_red, or rising rising_weeks_red weeks running, red.
    §D2 row 3 ("pain must not increase week to week"). Source: silbernagel2007_pain_model."""
    if current is None:
        return WeeklyTrend(GREEN, None, 0, 0)
    series = [*previous, current]
    rising = not_rising = 0
    for index in range(len(series) - 1, 0, -1):
        if series[index] > series[index - 1]:
            if not_rising:
                break
            rising += 1
        else:
            if rising:
                break
            not_rising += 1
    if len(series) == 1:
        not_rising = 1
    rise = round(series[-1] - series[-2], 2) if len(series) > 1 else None
    if rise is not None and (rise >= policy.weekly_rise_red or rising >= policy.rising_weeks_red):
        zone = RED
    elif rise is not None and rise > 0:
        zone = AMBER
    else:
        zone = GREEN
    return WeeklyTrend(zone, rise, rising, not_rising)


# --- Facts from one window -----------------------------------------------------------------


def _after(window: EvaluationWindow) -> dt.date:
    return window.ends_on + dt.timedelta(days=1)


def red_flags_in(window: EvaluationWindow) -> tuple[str, ...]:
    """Every red-flag code reported in any log of the window (§G)."""
    codes: set[str] = set()
    for log in (*window.sessions, *window.checkins, *window.runs, *window.flare_ups):
        codes.update(log.red_flags)
    return tuple(sorted(codes))


@dataclass(frozen=True)
class ExerciseResult:
    date: dt.date
    slot_key: str
    exercise: str
    zone: str
    pain_during: float
    completed: bool
    effort_ok: bool
    last_set_reps: int | None
    load_kg: float | None


@dataclass(frozen=True)
class RunResult:
    date: dt.date
    zone: str
    stage: int | None
    minutes: float


@dataclass(frozen=True)
class Facts:
    """What one window says, computed once per evaluation."""

    exercise_results: dict[str, tuple[ExerciseResult, ...]]  # by slot key, by date
    session_zones: tuple[tuple[dt.date, str], ...]  # by date
    runs: tuple[RunResult, ...]
    red_days: tuple[dt.date, ...]
    morning_over_baseline: float | None  # the worst morning, minus baseline
    morning_red: bool
    trend: WeeklyTrend
    weekly_mean: float | None
    single_leg_stance_pain: float | None
    completed_sessions: int


def collect_facts(
    state: PlanState, window: EvaluationWindow, policy: Policy, prescriptions: dict
) -> Facts:
    baseline = state.baseline_pain
    # The mornings after the window's days: the morning of starts_on belongs to the window
    # before (its last day), so it is not counted twice. The worst reading of a date wins.
    mornings = {}
    for checkin in sorted(window.checkins, key=lambda c: (c.date, c.pain)):
        if window.starts_on < checkin.date <= _after(window):
            mornings[checkin.date] = checkin

    def morning_after(date: dt.date) -> str:
        checkin = mornings.get(date + dt.timedelta(days=1))
        if checkin is None:
            return GREEN
        return morning_zone(
            checkin.pain, baseline, policy, settled_by_midday=checkin.settled_by_midday
        )

    results: dict[str, list[ExerciseResult]] = {}
    session_zones = []
    red_days = set()
    stance = None
    completed = 0
    for session in sorted(window.sessions, key=lambda s: (s.date, s.pain_after or 0)):
        zones = [pain_zone(session.pain_after, policy), morning_after(session.date)]
        for log in sorted(session.exercises, key=lambda e: (e.slot_key, e.exercise)):
            zone = exercise_zone(
                pain_zone(log.pain_during, policy, changed_movement=log.pain_changed_movement),
                morning_after(session.date),
            )
            zones.append(zone)
            prescribed = prescriptions.get(log.slot_key)
            results.setdefault(log.slot_key, []).append(
                ExerciseResult(
                    date=session.date,
                    slot_key=log.slot_key,
                    exercise=log.exercise,
                    zone=zone,
                    pain_during=log.pain_during,
                    completed=session.completed and _dose_completed(log, prescribed),
                    effort_ok=log.rpe is None or log.rpe <= policy.progress_max_rpe,
                    last_set_reps=log.reps_done[-1] if log.reps_done else None,
                    load_kg=log.load_kg,
                )
            )
        session_zone = worst(*zones)
        session_zones.append((session.date, session_zone))
        if pain_zone(session.pain_after, policy) == RED:
            red_days.add(session.date)
        if any(
            pain_zone(e.pain_during, policy, changed_movement=e.pain_changed_movement) == RED
            for e in session.exercises
        ):
            red_days.add(session.date)
        if session.single_leg_stance_pain is not None:
            stance = session.single_leg_stance_pain
        completed += 1 if session.completed else 0

    runs = []
    for run in sorted(window.runs, key=lambda r: (r.date, r.minutes)):
        run_zone = worst(
            pain_zone(run.pain_during, policy, changed_movement=run.pain_changed_movement),
            pain_zone(run.pain_after, policy),
        )
        if run_zone == RED:
            red_days.add(run.date)
        runs.append(
            RunResult(
                run.date, worst(run_zone, morning_after(run.date)), run.walk_run_stage, run.minutes
            )
        )

    worst_over = None
    morning_red = False
    for date, checkin in sorted(mornings.items()):
        over = checkin.pain - baseline
        worst_over = over if worst_over is None else max(worst_over, over)
        zone = morning_zone(
            checkin.pain, baseline, policy, settled_by_midday=checkin.settled_by_midday
        )
        if zone == RED:
            morning_red = True
            red_days.add(date - dt.timedelta(days=1))
    red_days.update(flare.date for flare in window.flare_ups)

    mean = weekly_pain_mean(window)
    return Facts(
        exercise_results={key: tuple(value) for key, value in sorted(results.items())},
        session_zones=tuple(session_zones),
        runs=tuple(runs),
        red_days=tuple(sorted(red_days)),
        morning_over_baseline=None if worst_over is None else round(worst_over, 2),
        morning_red=morning_red,
        trend=weekly_trend(mean, window.previous_weekly_pain, policy),
        weekly_mean=mean,
        single_leg_stance_pain=stance,
        completed_sessions=completed,
    )


def _dose_completed(log: ExerciseLog, prescribed: PrescriptionDraft | None) -> bool:
    """The prescribed sets, reps (every set) and hold were all done."""
    if prescribed is None:
        return True
    if log.sets_done < prescribed.sets:
        return False
    held = log.hold_seconds
    if prescribed.hold_seconds and held is not None and held < prescribed.hold_seconds:
        return False
    target = prescribed.reps
    return not (target and log.reps_done and min(log.reps_done) < target)


# --- Phase exit metrics (§C) ---------------------------------------------------------------


def exit_metrics(
    state: PlanState, window: EvaluationWindow, facts: Facts
) -> dict[str, float | None]:
    """The figures ExitCriterion.metric can name, from this window's logs.

    consecutive_green_sessions: green sessions in a row, counted back from the latest.
    morning_pain_over_baseline: the worst next-morning pain minus baseline.
    weekly_pain_not_rising_weeks: weeks in a row (ending now) the weekly mean did not rise.
    single_leg_stance_pain: the latest 30-s single-leg stance pain logged.
    completed_sessions_pct: completed sessions / planned sessions in the window x 100.
    walk_run_stage: the current R-stage. weeks_in_phase: whole weeks in the phase so far.
    A metric without data is None and fails its criterion.
    """
    streak = 0
    for _date, zone in reversed(facts.session_zones):
        if zone != GREEN:
            break
        streak += 1
    planned = window.planned_sessions
    return {
        "consecutive_green_sessions": float(streak),
        "morning_pain_over_baseline": facts.morning_over_baseline,
        "weekly_pain_not_rising_weeks": float(facts.trend.not_rising_weeks),
        "single_leg_stance_pain": facts.single_leg_stance_pain,
        "completed_sessions_pct": (
            min(100.0, round(100 * facts.completed_sessions / planned, 1)) if planned else None
        ),
        "walk_run_stage": (
            float(state.run.walk_run_stage) if state.run.walk_run_stage is not None else None
        ),
        "weeks_in_phase": float(weeks_in_phase(state, window)),
    }


def weeks_in_phase(state: PlanState, window: EvaluationWindow) -> int:
    return max(0, ((window.ends_on - state.phase_started_on).days + 1) // 7)


def criterion_met(value: float | None, op: str, target: float) -> bool:
    if value is None:
        return False
    if op == "<=":
        return value <= target
    if op == ">=":
        return value >= target
    if op == "==":
        return value == target
    raise ValueError(f"unknown exit-criterion operator {op!r}")


# --- Volume ---------------------------------------------------------------------------------


def dose_volume(prescription: PrescriptionDraft) -> int:
    """One session's volume of a prescription: sets x reps, or sets x holds x seconds."""
    if prescription.hold_seconds:
        return prescription.sets * (prescription.reps or 1) * prescription.hold_seconds
    return prescription.sets * (prescription.reps or 0)


def slot_sessions_per_week(template: TemplateSpec, phase: PhaseSpec, slot: SlotSpec) -> int:
    first = min(p.order for p in template.phases) == phase.order
    return 7 if slot.daily and first else slot.per_week


def weekly_volume(
    prescriptions: Iterable[PrescriptionDraft], template: TemplateSpec, phase_key: str
) -> int:
    """Planned weekly strength volume: dose volume x sessions a week, summed over slots."""
    phase = phase_by_key(template, phase_key)
    slots = {slot.key: slot for slot in phase.slots}
    total = 0
    for prescription in prescriptions:
        slot = slots.get(prescription.slot_key)
        per_week = slot_sessions_per_week(template, phase, slot) if slot else 1
        total += per_week * dose_volume(prescription)
    return total


# --- Evaluation context ----------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    state: PlanState
    window: EvaluationWindow
    template: TemplateSpec
    policy: Policy
    phase: PhaseSpec
    facts: Facts

    @property
    def effective_from(self) -> dt.date:
        return self.window.ends_on + dt.timedelta(days=1)

    def exercise(self, slug: str) -> ExerciseSpec:
        return self.template.exercises[slug]

    def name(self, slug: str) -> rules.Localized | str:
        exercise = self.template.exercises.get(slug)
        return rules.localized(exercise) if exercise else slug

    def fits(self, exercise: ExerciseSpec) -> bool:
        return exercise_fits(
            exercise,
            phase=self.phase,
            condition=self.state.condition,
            equipment=self.state.equipment,
        )


def _jsonable(value: object) -> object:
    if type(value) in PLAIN_TYPES:  # most leaves: checked first, this runs per value
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def make_decision(
    ctx: Context,
    kind: str,
    rule: str,
    *,
    inputs: dict,
    values: dict | None = None,
    slot_key: str | None = None,
    changes: tuple[PrescriptionChange, ...] = (),
    phase_after: str | None = None,
    run_after: RunTarget | None = None,
    alert_physio: bool = False,
) -> Decision:
    """A decision with its sources, explanation, JSON-able inputs and content fingerprint.

    requires_approval follows policy.require_approval, except pause_and_refer: a safety
    stop applies at once and never waits for approval.
    """
    inputs = _jsonable(inputs)
    run_before = ctx.state.run if run_after is not None else None
    payload = {
        "template": ctx.template.slug,
        "phase": ctx.state.phase_key,
        "window": [ctx.window.starts_on.isoformat(), ctx.window.ends_on.isoformat()],
        "kind": kind,
        "rule": rule,
        "slot": slot_key,
        "changes": [
            [c.slot_key, c.before and to_json(c.before), c.after and to_json(c.after)]
            for c in changes
        ],
        "phase_after": phase_after,
        "run": [run_before and to_json(run_before), run_after and to_json(run_after)],
        "inputs": inputs,
    }
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:20]
    return Decision(
        id=digest,
        kind=kind,
        rule=rule,
        sources=rules.RULES[rule].sources,
        explanation=rules.explain(rule, **(values or {})),
        inputs=inputs,
        window_ends_on=ctx.window.ends_on,
        effective_from=ctx.effective_from,
        slot_key=slot_key,
        changes=changes,
        phase_before=ctx.state.phase_key if phase_after else None,
        phase_after=phase_after,
        run_before=run_before,
        run_after=run_after,
        alert_physio=alert_physio,
        requires_approval=ctx.policy.require_approval and kind != DecisionKind.PAUSE_AND_REFER,
    )


# --- Rules -----------------------------------------------------------------------------------


def rule_red_flag(ctx: Context, codes: tuple[str, ...]) -> Decision:
    """§G: any red flag reported in any log pauses the plan and refers. Never a progression
    signal, and nothing else is decided in that evaluation.
    Sources: robertson2017_fnsf, lequesne2008_tests, grimaldi2015_review."""
    return make_decision(
        ctx,
        DecisionKind.PAUSE_AND_REFER,
        rules.RED_FLAG_REFER,
        inputs={"red_flags": list(codes)},
        alert_physio=True,
    )


def _floor_reps(slot: SlotSpec | None) -> int:
    return min(MIN_REDUCED_REPS, slot.reps_min) if slot and slot.reps_min else MIN_REDUCED_REPS


def _lighter(
    prescription: PrescriptionDraft, pct: float, slot: SlotSpec | None, *, load_first: bool
) -> PrescriptionDraft:
    """The same exercise, lighter by pct: load if there is load (load_first), else reps or
    hold seconds. Reps never go below MIN_REDUCED_REPS (or the bracket bottom), holds not
    below 5 s, unless they already were."""
    factor = 1 - pct / 100
    if load_first and prescription.load_kg:
        return replace(prescription, load_kg=round(prescription.load_kg * factor, 1))
    if prescription.hold_seconds:
        floor = min(5, prescription.hold_seconds)
        return replace(
            prescription, hold_seconds=max(floor, int(prescription.hold_seconds * factor + 0.5))
        )
    if prescription.reps:
        floor = min(_floor_reps(slot), prescription.reps)
        return replace(prescription, reps=max(floor, int(prescription.reps * factor + 0.5)))
    return prescription


def _dose_like(
    exercise: ExerciseSpec,
    slot: SlotSpec,
    current: PrescriptionDraft,
    current_exercise: ExerciseSpec | None,
    *,
    reset_reps: bool,
) -> PrescriptionDraft:
    """A prescription for another exercise in the same slot: the current sets; the current
    reps/hold when the dosage type is the same (or the bracket bottom when reset_reps);
    the new exercise's defaults when the type differs. Load starts afresh."""
    same_type = current_exercise is not None and (
        current_exercise.dosage_type == exercise.dosage_type
    )
    if exercise.dosage_type == "hold":
        hold = (
            current.hold_seconds
            if same_type and not reset_reps
            else (slot.hold_seconds or exercise.default_hold_seconds or 10)
        )
        reps = current.reps if same_type else exercise.default_reps
    else:
        hold = None
        if same_type and not reset_reps:
            reps = current.reps
        else:
            reps = slot.reps_min or exercise.default_reps or 10
    return replace(
        current,
        exercise=exercise.slug,
        reps=reps,
        hold_seconds=hold,
        load_kg=None,
        notes="",
        substituted_for=None,
    )


def _fit_volume(prescription: PrescriptionDraft, limit: int) -> PrescriptionDraft:
    """Trim reps (or hold seconds), then sets, until the dose volume is within limit."""
    fitted = prescription
    while dose_volume(fitted) > limit:
        if fitted.hold_seconds and fitted.hold_seconds > 5:
            fitted = replace(fitted, hold_seconds=fitted.hold_seconds - 1)
        elif not fitted.hold_seconds and fitted.reps and fitted.reps > 1:
            fitted = replace(fitted, reps=fitted.reps - 1)
        elif fitted.sets > 1:
            fitted = replace(fitted, sets=fitted.sets - 1)
        else:
            break
    return fitted


def rule_red_exercise(ctx: Context, slot: SlotSpec, current: PrescriptionDraft) -> Decision | None:
    """§D2 one red, §C regression rule: a red result for an exercise in the window (pain
    during above amber_max, pain changing the movement, or a red next morning) drops it one
    level, to its regression in the tree (same sets, volume not above the current). At the
    root, below the slot's min level, without a fitting regression, or when the exercise
    is locked: reduce its load, else reps/hold, by policy.regress_volume_pct.
    Sources: silbernagel2007_pain_model, thomee1997_pain_zones."""
    results = ctx.facts.exercise_results.get(slot.key, ())
    reds = [r for r in results if r.zone == RED]
    if not reds:
        return None
    exercise = ctx.template.exercises.get(current.exercise)
    regression = (
        ctx.template.exercises.get(exercise.regression)
        if exercise and exercise.regression
        else None
    )
    locked = current.exercise in ctx.policy.locked_exercises
    inputs = {
        "exercise": current.exercise,
        "pain_during": [r.pain_during for r in results],
        "zones": [r.zone for r in results],
        "dates": [r.date for r in results],
        "amber_max": ctx.policy.amber_max,
        "locked": locked,
    }
    if (
        regression is not None
        and not locked
        and regression.level >= slot.min_level
        and ctx.fits(regression)
    ):
        after = _dose_like(regression, slot, current, exercise, reset_reps=False)
        after = _fit_volume(after, dose_volume(current))
        return make_decision(
            ctx,
            DecisionKind.REGRESS,
            rules.RED_REGRESS,
            inputs=inputs,
            values={
                "exercise": ctx.name(current.exercise),
                "new_exercise": rules.localized(regression),
            },
            slot_key=slot.key,
            changes=(PrescriptionChange(slot.key, current, after),),
        )
    after = _lighter(current, ctx.policy.regress_volume_pct, slot, load_first=True)
    if after == current:
        return None
    return make_decision(
        ctx,
        DecisionKind.REGRESS,
        rules.RED_REDUCE,
        inputs={**inputs, "regress_volume_pct": ctx.policy.regress_volume_pct},
        values={"exercise": ctx.name(current.exercise), "pct": ctx.policy.regress_volume_pct},
        slot_key=slot.key,
        changes=(PrescriptionChange(slot.key, current, after),),
    )


def rule_run_step_down(ctx: Context, reason_days: tuple[dt.date, ...]) -> Decision | None:
    """§D2 one red while running; §F1b red drops one stage: on the walk-run ladder one
    stage down (not below R1); running minutes cut by policy.run_cut_pct.
    Sources: trials2023_walk_run, silbernagel2007_pain_model."""
    run = ctx.state.run
    inputs = {"red_days": list(reason_days), "run_zones": [r.zone for r in ctx.facts.runs]}
    if run.mode == "walk_run" and run.walk_run_stage and run.walk_run_stage > 1:
        after = replace(run, walk_run_stage=run.walk_run_stage - 1)
        return make_decision(
            ctx,
            DecisionKind.RUN_STEP_DOWN,
            rules.RED_STAGE_DOWN,
            inputs=inputs,
            values={"stage": after.walk_run_stage},
            run_after=after,
        )
    if run.mode in MINUTES_MODES and run.weekly_minutes:
        minutes = round(run.weekly_minutes * (1 - ctx.policy.run_cut_pct / 100))
        return make_decision(
            ctx,
            DecisionKind.RUN_STEP_DOWN,
            rules.RED_RUN_CUT,
            inputs={**inputs, "run_cut_pct": ctx.policy.run_cut_pct},
            values={"pct": ctx.policy.run_cut_pct, "minutes": minutes},
            run_after=replace(run, weekly_minutes=minutes),
        )
    return None


def rule_deload(
    ctx: Context, prescriptions: dict[str, PrescriptionDraft], slots: dict[str, SlotSpec]
) -> Decision | None:
    """§D2: red on policy.deload_red_days days within the window, or a red weekly trend ->
    a deload week: every exercise's reps (or hold seconds) cut by policy.deload_volume_pct,
    and the physiotherapist is alerted. Source: silbernagel2007_pain_model.
    §C: a flare-up the runner reports is handled the same way (cook2009_continuum)."""
    facts = ctx.facts
    two_reds = len(facts.red_days) >= ctx.policy.deload_red_days
    flare = bool(ctx.window.flare_ups)
    if not two_reds and facts.trend.zone != RED and not flare:
        return None
    if two_reds:
        rule = rules.TWO_REDS_DELOAD
    elif facts.trend.zone == RED:
        rule = rules.TREND_DELOAD
    else:
        rule = rules.FLARE_DELOAD
    changes = []
    for key, current in prescriptions.items():
        after = _lighter(current, ctx.policy.deload_volume_pct, slots.get(key), load_first=False)
        if after != current:
            changes.append(PrescriptionChange(key, current, after))
    return make_decision(
        ctx,
        DecisionKind.DELOAD,
        rule,
        inputs={
            "red_days": list(facts.red_days),
            "weekly_mean": facts.weekly_mean,
            "previous_weekly_pain": list(ctx.window.previous_weekly_pain),
            "weekly_rise": facts.trend.rise,
            "rising_weeks": facts.trend.rising_weeks,
            "deload_volume_pct": ctx.policy.deload_volume_pct,
        },
        values={"pct": ctx.policy.deload_volume_pct},
        changes=tuple(changes),
        alert_physio=True,
    )


def rule_phase_exit(ctx: Context) -> Decision | None:
    """§C: all of the phase's exit criteria met, after at least weeks_min weeks in the
    phase -> the next phase, with its entry doses and running.
    Sources: mellor2016_leap_protocol, ganderton2018_globe, cook2009_continuum,
    fredericson2006_itbs."""
    target = next_phase(ctx.template, ctx.phase.key)
    if target is None or not ctx.phase.exit_criteria:
        return None
    metrics = exit_metrics(ctx.state, ctx.window, ctx.facts)
    if metrics["weeks_in_phase"] < ctx.phase.weeks_min:
        return None
    if not all(
        criterion_met(metrics.get(c.metric), c.op, c.value) for c in ctx.phase.exit_criteria
    ):
        return None
    entry, _warnings = phase_prescriptions(
        ctx.template,
        target,
        condition=ctx.state.condition,
        equipment=ctx.state.equipment,
        irritability=ctx.state.irritability,
        policy=ctx.policy,
    )
    changes = [PrescriptionChange(p.slot_key, p, None) for p in ctx.state.prescriptions]
    changes += [PrescriptionChange(p.slot_key, None, p) for p in entry]
    return make_decision(
        ctx,
        DecisionKind.ADVANCE_PHASE,
        rules.PHASE_EXIT,
        inputs={
            "metrics": metrics,
            "criteria": [[c.metric, c.op, c.value] for c in ctx.phase.exit_criteria],
            "weeks_min": ctx.phase.weeks_min,
        },
        values={"phase": rules.localized(target)},
        changes=tuple(changes),
        phase_after=target.key,
        run_after=_run_for_new_phase(ctx, target),
    )


def _run_for_new_phase(ctx: Context, target: PhaseSpec) -> RunTarget:
    run = ctx.state.run
    if target.run.mode == "reduce" and run.mode in MINUTES_MODES:
        return RunTarget("reduce", None, run.weekly_minutes)
    status = RunningStatus("not_running")
    return entry_run_target(ctx.template, target, running=status, previous=run)


def _ready_to_progress(ctx: Context, slot: SlotSpec) -> tuple[bool, tuple[ExerciseResult, ...]]:
    """§D2 first action: every session of the exercise in the window green (pain during
    and the morning after), at least green_sessions_to_progress of them, the dose done and
    the effort at or below progress_max_rpe (§E)."""
    results = ctx.facts.exercise_results.get(slot.key, ())
    ready = (
        len(results) >= ctx.policy.green_sessions_to_progress
        and all(r.zone == GREEN for r in results)
        and all(r.completed and r.effort_ok for r in results)
    )
    return ready, results


def _bracket(slot: SlotSpec) -> tuple[int, ...]:
    """The slot's rep bracket: bottom, middle (rounded up), top; e.g. 8..15 -> 8, 12, 15."""
    if not slot.reps_min or not slot.reps_max:
        return ()
    middle = (slot.reps_min + slot.reps_max + 1) // 2
    return tuple(sorted({slot.reps_min, middle, slot.reps_max}))


def _capped(value: int, current: int, policy: Policy) -> int:
    """At most +max_weekly_volume_increase_pct in one step, and at least +1."""
    limit = math.floor(current * (1 + policy.max_weekly_volume_increase_pct / 100))
    return max(current + 1, min(value, limit))


def _next_level(ctx: Context, slot: SlotSpec, exercise: ExerciseSpec) -> ExerciseSpec | None:
    """§E/§B2: the exercise whose regression is the current one, within the slot's max
    level and the phase's compression, condition and equipment rules. Same family first,
    then the lowest level, then by slug."""
    candidates = sorted(
        (
            e
            for e in ctx.template.exercises.values()
            if e.regression == exercise.slug and e.level <= slot.max_level and ctx.fits(e)
        ),
        key=lambda e: (e.family != exercise.family, e.level, e.slug),
    )
    return candidates[0] if candidates else None


def _two_for_two(results: Sequence[ExerciseResult], target: int | None) -> bool:
    """NSCA 2-for-2 (§E): >= 2 reps over target in the last set, in the last 2 sessions.
    Source: baechle_2for2."""
    if not target or len(results) < 2:
        return False
    return all(
        r.last_set_reps is not None and r.last_set_reps >= target + TWO_FOR_TWO_EXTRA_REPS
        for r in results[-2:]
    )


@dataclass(frozen=True)
class Step:
    rule: str
    after: PrescriptionDraft
    values: dict


def progression_step(
    ctx: Context, slot: SlotSpec, current: PrescriptionDraft, results: Sequence[ExerciseResult]
) -> Step | None:
    """The next step for a green exercise, by the load rules in order (§E):
    reps: rep bracket -> a set back -> next level -> +load_increment_pct (2-for-2);
    holds: hold + hold_increment_seconds up to hold_seconds_max -> next level.
    Each step raises the exercise's volume by at most max_weekly_volume_increase_pct."""
    exercise = ctx.template.exercises.get(current.exercise)
    if exercise is None or slot.scheme == "fixed":
        return None
    name = rules.localized(exercise)
    limit = math.floor(dose_volume(current) * (1 + ctx.policy.max_weekly_volume_increase_pct / 100))
    if current.hold_seconds:
        top = slot.hold_seconds_max or exercise.default_hold_seconds or current.hold_seconds
        if current.hold_seconds < top:
            hold = _capped(
                min(top, current.hold_seconds + ctx.policy.hold_increment_seconds),
                current.hold_seconds,
                ctx.policy,
            )
            return Step(
                rules.HOLD_TIME,
                replace(current, hold_seconds=hold),
                {"exercise": name, "hold": hold},
            )
    else:
        bracket = _bracket(slot)
        reps = current.reps or 0
        higher = [value for value in bracket if value > reps]
        if higher:
            new_reps = _capped(higher[0], reps, ctx.policy)
            return Step(
                rules.REP_BRACKET,
                replace(current, reps=new_reps),
                {"exercise": name, "reps": new_reps},
            )
        if current.sets < slot.sets and bracket:
            after = replace(current, sets=current.sets + 1, reps=bracket[0])
            if dose_volume(after) <= max(limit, dose_volume(current)):
                return Step(
                    rules.ADD_SET, after, {"exercise": name, "sets": after.sets, "reps": after.reps}
                )
    harder = _next_level(ctx, slot, exercise)
    if harder is not None:
        after = _dose_like(harder, slot, current, exercise, reset_reps=True)
        after = _fit_volume(after, max(limit, dose_volume(current)))
        return Step(
            rules.NEXT_LEVEL, after, {"exercise": name, "new_exercise": rules.localized(harder)}
        )
    load = current.load_kg or next((r.load_kg for r in reversed(results) if r.load_kg), None)
    if exercise.loadable and load and _two_for_two(results, current.reps):
        new_load = round(load * (1 + ctx.policy.load_increment_pct / 100), 1)
        if new_load > load:
            return Step(rules.LOAD_2FOR2, replace(current, load_kg=new_load), {"load": new_load})
    return None


def rule_progress(ctx: Context, slot: SlotSpec, current: PrescriptionDraft) -> Decision | None:
    """§D2 + §E: progress a green exercise one step; amber holds the dose; a locked
    exercise holds. Sources: silbernagel2007_pain_model, ratamess2009_acsm, baechle_2for2."""
    ready, results = _ready_to_progress(ctx, slot)
    inputs = {
        "exercise": current.exercise,
        "pain_during": [r.pain_during for r in results],
        "zones": [r.zone for r in results],
        "completed": [r.completed for r in results],
        "green_max": ctx.policy.green_max,
        "green_sessions_to_progress": ctx.policy.green_sessions_to_progress,
    }
    if any(r.zone == AMBER for r in results):
        return make_decision(
            ctx,
            DecisionKind.HOLD,
            rules.AMBER_HOLD,
            inputs=inputs,
            values={"exercise": ctx.name(current.exercise)},
            slot_key=slot.key,
        )
    if not ready:
        return None
    step = progression_step(ctx, slot, current, results)
    if step is None:
        return None
    if current.exercise in ctx.policy.locked_exercises:
        return make_decision(
            ctx,
            DecisionKind.HOLD,
            rules.LOCKED_HOLD,
            inputs={**inputs, "locked": True},
            values={"exercise": ctx.name(current.exercise)},
            slot_key=slot.key,
        )
    return make_decision(
        ctx,
        DecisionKind.PROGRESS,
        step.rule,
        inputs={**inputs, "last_set_reps": [r.last_set_reps for r in results]},
        values=step.values,
        slot_key=slot.key,
        changes=(PrescriptionChange(slot.key, current, step.after),),
    )


def rule_run_step_up(ctx: Context) -> Decision | None:
    """§F1b: a walk-run stage is done policy.run_green_repeats times green (pain during and
    after, and the morning after) with no amber or red run -> next stage, up to the phase's
    last stage. Rebuild phases add policy.run_rebuild_pct to the weekly minutes.
    Sources: trials2023_walk_run, silbernagel2007_pain_model."""
    run = ctx.state.run
    runs = ctx.facts.runs
    if not runs or any(r.zone != GREEN for r in runs):
        return None
    guidance = ctx.phase.run
    inputs = {
        "run_zones": [r.zone for r in runs],
        "run_stages": [r.stage for r in runs],
        "run_green_repeats": ctx.policy.run_green_repeats,
    }
    if run.mode == "walk_run" and run.walk_run_stage is not None:
        at_stage = [r for r in runs if r.stage == run.walk_run_stage]
        top = guidance.walk_run_stage_max or max(
            (s.number for s in ctx.template.walk_run_ladder), default=run.walk_run_stage
        )
        if len(at_stage) < ctx.policy.run_green_repeats or run.walk_run_stage >= top:
            return None
        after = replace(run, walk_run_stage=run.walk_run_stage + 1)
        return make_decision(
            ctx,
            DecisionKind.RUN_STEP_UP,
            rules.RUN_STAGE_UP,
            inputs=inputs,
            values={"old": run.walk_run_stage, "stage": after.walk_run_stage},
            run_after=after,
        )
    if run.mode == "rebuild" and run.weekly_minutes:
        if len(runs) < ctx.policy.run_green_repeats:
            return None
        minutes = round(run.weekly_minutes * (1 + ctx.policy.run_rebuild_pct / 100))
        return make_decision(
            ctx,
            DecisionKind.RUN_STEP_UP,
            rules.RUN_REBUILD,
            inputs={**inputs, "run_rebuild_pct": ctx.policy.run_rebuild_pct},
            values={"pct": ctx.policy.run_rebuild_pct, "minutes": minutes},
            run_after=replace(run, weekly_minutes=minutes),
        )
    return None


def rule_weekly_amber(ctx: Context) -> Decision | None:
    """§D2 weekly trend amber: the weekly mean rose a little -> no progression this week.
    Source: silbernagel2007_pain_model."""
    if ctx.facts.trend.zone != AMBER:
        return None
    return make_decision(
        ctx,
        DecisionKind.HOLD,
        rules.WEEKLY_AMBER_HOLD,
        inputs={
            "weekly_mean": ctx.facts.weekly_mean,
            "previous_weekly_pain": list(ctx.window.previous_weekly_pain),
            "weekly_rise": ctx.facts.trend.rise,
            "weekly_rise_red": ctx.policy.weekly_rise_red,
        },
    )


def _cap_volume(
    ctx: Context, decisions: list[Decision], prescriptions: dict[str, PrescriptionDraft]
) -> list[Decision]:
    """Bounded change: progressions that together would raise the planned weekly volume by
    more than policy.max_weekly_volume_increase_pct wait, the last slots first."""
    before = weekly_volume(prescriptions.values(), ctx.template, ctx.phase.key)
    limit = before * (1 + ctx.policy.max_weekly_volume_increase_pct / 100)
    kept = list(decisions)
    while True:
        after = dict(prescriptions)
        for decision in kept:
            for change in decision.changes:
                if change.after is not None:
                    after[change.slot_key] = change.after
        if weekly_volume(after.values(), ctx.template, ctx.phase.key) <= limit:
            return kept
        progressions = [i for i, d in enumerate(kept) if d.kind == DecisionKind.PROGRESS]
        if not progressions:
            return kept
        del kept[progressions[-1]]


# --- Entry points -----------------------------------------------------------------------------


def initial_state(
    template: TemplateSpec, runner: RunnerContext, policy: Policy | None = None
) -> PlanState:
    """The state at the start of a plan: first phase, entry doses, entry running."""
    first = min(template.phases, key=lambda phase: phase.order)
    prescriptions, _warnings = phase_prescriptions(
        template,
        first,
        condition=runner.condition,
        equipment=runner.equipment,
        irritability=runner.irritability,
        policy=policy,
    )
    return PlanState(
        template_slug=template.slug,
        condition=runner.condition,
        phase_key=first.key,
        phase_started_on=runner.start_date,
        baseline_pain=runner.baseline_pain,
        equipment=frozenset(runner.equipment),
        prescriptions=prescriptions,
        run=entry_run_target(template, first, running=runner.running),
        irritability=runner.irritability,
    )


def evaluate(
    state: PlanState,
    window: EvaluationWindow,
    template: TemplateSpec,
    policy: Policy | None = None,
) -> list[Decision]:
    """All decisions for one window of logs, in a fixed order (see the module docstring).

    Returns [] for a paused plan or a window already evaluated and applied.
    """
    policy = policy or Policy()
    if state.paused or (state.evaluated_through and window.ends_on <= state.evaluated_through):
        return []
    phase = phase_by_key(template, state.phase_key)
    prescriptions = {p.slot_key: p for p in state.prescriptions}
    facts = collect_facts(state, window, policy, prescriptions)
    ctx = Context(state, window, template, policy, phase, facts)

    codes = red_flags_in(window)
    if codes:
        return [rule_red_flag(ctx, codes)]

    slots = {slot.key: slot for slot in phase.slots}
    ordered = [slot for slot in ordered_slots(phase) if slot.key in prescriptions]
    decisions: list[Decision] = []
    working = dict(prescriptions)
    for slot in ordered:
        decision = rule_red_exercise(ctx, slot, working[slot.key])
        if decision:
            decisions.append(decision)
            working[slot.key] = decision.changes[0].after

    deload = rule_deload(ctx, working, slots)
    if facts.red_days or deload:
        step_down = rule_run_step_down(ctx, facts.red_days)
        if step_down:
            decisions.append(step_down)
    if deload:
        decisions.append(deload)
        return decisions
    if facts.red_days:
        return decisions
    weekly_hold = rule_weekly_amber(ctx)
    if weekly_hold:
        decisions.append(weekly_hold)
        return decisions

    advance = rule_phase_exit(ctx)
    if advance:
        decisions.append(advance)
        return decisions
    progress = [d for slot in ordered if (d := rule_progress(ctx, slot, working[slot.key]))]
    decisions.extend(_cap_volume(ctx, progress, prescriptions))
    run_up = rule_run_step_up(ctx)
    if run_up:
        decisions.append(run_up)
    return decisions


def apply_decisions(state: PlanState, decisions: Iterable[Decision]) -> PlanState:
    """The state after the decisions, in the order given. Pure and idempotent: a decision
    whose id is already in state.applied is skipped, and every change sets an absolute
    value (before -> after), never a relative one. Which decisions to pass (e.g. only the
    approved ones when policy.require_approval) is the caller's choice."""
    applied = set(state.applied)
    for decision in decisions:
        if decision.id in applied:
            continue
        state = _apply_one(state, decision)
        applied.add(decision.id)
    return replace(state, applied=tuple(sorted(applied)))


def _apply_one(state: PlanState, decision: Decision) -> PlanState:
    prescriptions = list(state.prescriptions)
    for change in decision.changes:
        index = next(
            (i for i, p in enumerate(prescriptions) if p.slot_key == change.slot_key), None
        )
        if change.after is None:
            if index is not None:
                del prescriptions[index]
        elif index is None:
            prescriptions.append(change.after)
        else:
            prescriptions[index] = change.after
    updates: dict = {"prescriptions": tuple(prescriptions)}
    if decision.kind == DecisionKind.PAUSE_AND_REFER:
        updates["paused"] = True
    if decision.kind == DecisionKind.DELOAD:
        updates["deload_from"] = decision.effective_from
    if decision.phase_after:
        updates["phase_key"] = decision.phase_after
        updates["phase_started_on"] = decision.effective_from
    if decision.run_after is not None:
        updates["run"] = decision.run_after
    through = state.evaluated_through
    updates["evaluated_through"] = (
        decision.window_ends_on if through is None else max(through, decision.window_ends_on)
    )
    return replace(state, **updates)
