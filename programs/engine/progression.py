"""Progression engine: the plan so far and one window of logs in, decisions out.

Pure code over the dataclasses in specs.py (no ORM). Every decision names the rule that
fired (programs/engine/rules.py: id, section of the clinical notes, sources, runner text in
English and Dutch). Thresholds live on specs.Policy, which a physiotherapist can change
per plan; the defaults are the [I] proposals of clinical-evidence §D2/§E/§F1b.

How one evaluation runs (`evaluate`), in order:

1. Warning signs (§G), read from every log of the window, even one already evaluated:
   a red-flag code -> one pause_and_refer decision and nothing else; pain that changed
   the movement (a limp) in any exercise or run log -> likewise one pause_and_refer, with
   its own explanation (rules.MOVEMENT_REFER), never an ordinary red.
2. A window that ends on or before state.evaluated_through gives nothing more. Otherwise
   the pain rules read only the logs after evaluated_through (`unevaluated`), so a red a
   flare-up evaluation already acted on is not counted again: one red, one regression.
   The weekly mean pain still reads the whole window.
3. Pain zones (§D2): pain during 0..green_max green, ..amber_max amber, above red; next
   morning <= baseline green, +1..+morning_amber_over_baseline amber (red if not settled
   by midday), above red. An exercise's result in a session is the worse of its pain
   during and the morning after: a red next morning makes every exercise of the session
   before it red (§C "next-morning flare -> drop one level"). A session's result is the
   worst of its exercises, its pain after and that morning. A red morning, a red run and
   a flare-up are red days; a red morning on a flare-up's day is that flare-up.
4. Red exercise -> regress one level in the tree, or at the root / when locked reduce
   load or volume by policy.regress_volume_pct (§D2, §C regression rule); once per window.
5. Any red day while running -> one walk-run stage down, or minutes cut by
   policy.run_cut_pct (§D2, §F1b).
6. Red on policy.deload_red_days days in the window, a red weekly trend (mean rising by
   >= weekly_rise_red, or rising policy.rising_weeks_red weeks running), a flare-up, or
   two or more exercises red by their own pain during (§C) -> deload: the session volume
   of every exercise, isometric holds included, down by policy.deload_volume_pct; physio
   alerted (§D2). A flare-up deload records the runner's worst severity.
7. Only in a window without any red day, deload or rising weekly mean:
   phase exit criteria (§C) -> advance_phase (the next phase's exercises chosen with the
   runner's screening features and equipment; its running from the runner's own stage or
   volume, §F1b); otherwise per exercise: the last green_sessions_to_progress sessions
   green, the dose completed and effort <= progress_max_rpe -> progress by the load rules
   (§E): rep bracket, a set back, next level, external load with the 2-for-2 rule
   (hold-time slots: longer holds, then next level); an amber among those sessions ->
   hold. Walk-run stages step up after run_green_repeats green runs at the stage (§F1b);
   rebuild adds run_rebuild_pct.
8. From the first evaluation 12 or more weeks into the plan (window.plan_started_on, set
   by the weekly evaluation), once per plan: no meaningful improvement (§h: weekly mean
   pain not down 2 points or 30 %, LEFS not up 9, PSFS not up 2.3) -> a review decision
   with no dose change, physio alerted (§G).

The gluteal-tendinopathy rules (planner.gt_rules) follow the runner's screening features
(state.features) in every choice of exercise here too: next level, regression, phase
advance.

Bounded change: within a phase, one evaluation raises the planned weekly strength volume
(sets x reps, or sets x holds x seconds, times sessions a week, summed) by at most
policy.max_weekly_volume_increase_pct (default +25 %); progressions that would pass it wait.
It only falls through red reductions (-regress_volume_pct per exercise) and deloads
(-deload_volume_pct of the planned weekly volume, within the 30-50 % band). A phase advance swaps in the next phase's entry doses, as the
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
from typing import Any

from programs.engine import rules
from programs.engine.planner import (
    MINUTES_MODES,
    entry_run_target,
    exercise_fits,
    next_phase,
    ordered_slots,
    phase_by_key,
    phase_prescriptions,
)
from programs.engine.serialize import PLAIN_TYPES, to_json
from programs.engine.specs import (
    Decision,
    DecisionKind,
    EvaluationWindow,
    ExerciseLog,
    ExerciseSpec,
    FlareUp,
    MorningCheckin,
    OutcomeScore,
    PhaseSpec,
    PlanState,
    Policy,
    PrescriptionChange,
    PrescriptionDraft,
    RunLog,
    RunnerContext,
    RunTarget,
    SessionLog,
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
    """An exercise's result in a session (§D2, §C regression rule "next-morning flare ->
    drop one level"): the worse of its pain during and the morning after. A red next
    morning means the session as a whole was too much, so every exercise of it is red,
    including those that did not hurt during the session; rule_red_exercise then lightens
    each one once."""
    return worst(during, morning_after)


def weekly_pain_mean(window: EvaluationWindow) -> float | None:
    """The week's mean pain: the mornings after the window's days (the most consistent
    daily reading), else the sessions' pain after, else pain during the exercises."""
    during = [e.pain_during for s in window.sessions for e in s.exercises]
    return pain_mean(
        mornings=[c.pain for c in window.checkins if window.starts_on < c.date <= _after(window)],
        after=[s.pain_after for s in window.sessions if s.pain_after is not None],
        during_total=sum(during),
        during_count=len(during),
    )


def pain_mean(
    *,
    mornings: Sequence[float],
    after: Sequence[float],
    during_total: float,
    during_count: int,
) -> float | None:
    """weekly_pain_mean's rule on plain figures: the mornings' mean, else the sessions'
    pain after, else pain during the exercises (their total and count)."""
    return pain_mean_of_totals(
        mornings=(sum(mornings), len(mornings)),
        after=(sum(after), len(after)),
        during=(during_total, during_count),
    )


def pain_mean_of_totals(
    *,
    mornings: tuple[float, int],
    after: tuple[float, int],
    during: tuple[float, int],
) -> float | None:
    """The same rule on (total, count) pairs, as a database sums them (the caseload): the
    first source with a reading gives the mean, rounded to two places."""
    for total, count in (mornings, after, during):
        if count:
            return round(total / count, 2)
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
    logs: tuple[SessionLog | MorningCheckin | RunLog | FlareUp, ...] = (
        *window.sessions,
        *window.checkins,
        *window.runs,
        *window.flare_ups,
    )
    for log in logs:
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
    during_zone: str = GREEN  # the zone of the pain during alone (a red morning aside)


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
    flare_ups: tuple[FlareUp, ...] = ()  # the flare-ups not yet evaluated


def unevaluated(window: EvaluationWindow, through: dt.date | None) -> EvaluationWindow:
    """The window's logs an earlier evaluation has not read yet: the days after `through`
    (the state's evaluated_through), and the mornings after those days. Pain rules read
    only these, so a red that a flare-up evaluation already acted on gives no second
    regression and no second red day ("one red, one regression", §D2). The weekly mean
    pain still reads the whole window: it compares weeks, it does not act on one red."""
    if through is None or through < window.starts_on:
        return window
    morning_from = through + dt.timedelta(days=1)
    return replace(
        window,
        sessions=tuple(s for s in window.sessions if s.date > through),
        checkins=tuple(c for c in window.checkins if c.date > morning_from),
        runs=tuple(r for r in window.runs if r.date > through),
        flare_ups=tuple(f for f in window.flare_ups if f.date > through),
    )


def movement_changes_in(window: EvaluationWindow) -> tuple[str, ...]:
    """Dates of every exercise or run logged with pain that changed the movement (a limp):
    a warning sign (§D2 red row, §G), read from every log of the window like red flags."""
    dates = {s.date for s in window.sessions if any(e.pain_changed_movement for e in s.exercises)}
    dates.update(r.date for r in window.runs if r.pain_changed_movement)
    return tuple(sorted(d.isoformat() for d in dates))


def collect_facts(
    state: PlanState,
    window: EvaluationWindow,
    policy: Policy,
    prescriptions: dict[str, PrescriptionDraft],
) -> Facts:
    """The figures the rules read. Pain rules read only the logs not yet evaluated
    (`unevaluated`); the weekly mean and the sessions done read the whole window."""
    baseline = state.baseline_pain
    full = window
    window = unevaluated(full, state.evaluated_through)
    flare_dates = {flare.date for flare in window.flare_ups}
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
    for session in sorted(window.sessions, key=lambda s: (s.date, s.pain_after or 0)):
        zones = [pain_zone(session.pain_after, policy), morning_after(session.date)]
        for log in sorted(session.exercises, key=lambda e: (e.slot_key, e.exercise)):
            during = pain_zone(log.pain_during, policy, changed_movement=log.pain_changed_movement)
            zone = exercise_zone(during, morning_after(session.date))
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
                    during_zone=during,
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
            # A red morning on the day of a reported flare-up is that flare-up, not a red
            # day of its own: the flare's day is counted once.
            if date not in flare_dates:
                red_days.add(date - dt.timedelta(days=1))
    red_days.update(flare_dates)

    mean = weekly_pain_mean(full)
    return Facts(
        exercise_results={key: tuple(value) for key, value in sorted(results.items())},
        session_zones=tuple(session_zones),
        runs=tuple(runs),
        red_days=tuple(sorted(red_days)),
        morning_over_baseline=None if worst_over is None else round(worst_over, 2),
        morning_red=morning_red,
        trend=weekly_trend(mean, full.previous_weekly_pain, policy),
        weekly_mean=mean,
        single_leg_stance_pain=stance,
        completed_sessions=sum(1 for session in full.sessions if session.completed),
        flare_ups=window.flare_ups,
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
            features=self.state.features,
        )


def _jsonable(value: object) -> Any:
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


# json.dumps(payload, sort_keys=True), without building an encoder on every call: the same
# text, so the same decision ids as before.
_FINGERPRINT_TEXT = json.JSONEncoder(sort_keys=True).encode


def make_decision(
    ctx: Context,
    kind: str,
    rule: str,
    *,
    inputs: dict[str, Any],
    values: dict[str, Any] | None = None,
    slot_key: str | None = None,
    changes: tuple[PrescriptionChange, ...] = (),
    phase_after: str | None = None,
    run_after: RunTarget | None = None,
    alert_physio: bool = False,
) -> Decision:
    """A decision with its sources, explanation, JSON-able inputs and content fingerprint.

    requires_approval follows policy.require_approval, except pause_and_refer (a safety
    stop applies at once and never waits for approval) and review (no dose change: a
    flag for the runner and the physiotherapist).
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
    digest = hashlib.sha256(_FINGERPRINT_TEXT(payload).encode()).hexdigest()[:20]
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
        requires_approval=ctx.policy.require_approval and kind not in _NO_APPROVAL,
    )


_NO_APPROVAL = (DecisionKind.PAUSE_AND_REFER, DecisionKind.REVIEW)


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


def rule_movement_change(ctx: Context, dates: tuple[str, ...]) -> Decision:
    """§D2 red row and §G: pain that changed the way the runner walked, ran or moved (a
    limp), in any exercise or run log, is a warning sign, not an ordinary red: pause and
    refer, with its own explanation, and nothing else decided.
    Sources: grimaldi2015_review, lequesne2008_tests, robertson2017_fnsf."""
    return make_decision(
        ctx,
        DecisionKind.PAUSE_AND_REFER,
        rules.MOVEMENT_REFER,
        inputs={"pain_changed_movement_on": list(dates)},
        alert_physio=True,
    )


def _floor_reps(slot: SlotSpec | None) -> int:
    return min(MIN_REDUCED_REPS, slot.reps_min) if slot and slot.reps_min else MIN_REDUCED_REPS


def _lighter(
    prescription: PrescriptionDraft, pct: float, slot: SlotSpec | None, *, load_first: bool
) -> PrescriptionDraft:
    """The same exercise, lighter by pct: load if there is load (load_first), else its
    session volume, holds included (`_deloaded`: reps, holds and sets with their floors)."""
    if load_first and prescription.load_kg:
        return replace(prescription, load_kg=round(prescription.load_kg * (1 - pct / 100), 1))
    return _deloaded(prescription, pct, slot)


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
    during above amber_max, or a red next morning after a session it was in) drops it one
    level, to its regression in the tree (same sets, volume not above the current). At the
    root, below the slot's min level, without a fitting regression, or when the exercise
    is locked: reduce its load, else reps/hold, by policy.regress_volume_pct. One step per
    window, however many reds. When only the morning after was red, the explanation says
    so (rules.MORNING_REGRESS / MORNING_REDUCE).
    Sources: silbernagel2007_pain_model, thomee1997_pain_zones."""
    results = ctx.facts.exercise_results.get(slot.key, ())
    reds = [r for r in results if r.zone == RED]
    if not reds:
        return None
    morning_only = all(r.during_zone != RED for r in reds)
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
        "morning_red": morning_only,
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
            rules.MORNING_REGRESS if morning_only else rules.RED_REGRESS,
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
        rules.MORNING_REDUCE if morning_only else rules.RED_REDUCE,
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


DELOAD_BAND_PCT = (30, 50)  # §D2: a deload week takes 30-50 % off the volume


def _deloaded(
    prescription: PrescriptionDraft, pct: float, slot: SlotSpec | None, *, band: bool = False
) -> PrescriptionDraft:
    """The same exercise with its session volume (dose_volume) cut by pct, isometric holds
    included (§D2 deload: volume -30-50 %). Sets, reps (holds per set) and hold seconds
    may each only go down; reps stay at or above MIN_REDUCED_REPS (or the bracket bottom),
    holds at or above 5 s, sets at or above 1, unless they already were lower. Of the
    doses within those bounds the one nearest the target wins (for a deload, `band`, first
    the doses whose cut stays inside DELOAD_BAND_PCT); ties keep more sets, then longer
    holds. Load is left as it is: a deload sheds volume, not intensity."""
    volume = dose_volume(prescription)
    if not volume:
        return prescription
    target = volume * (1 - pct / 100)
    candidates = []
    for sets in range(prescription.sets, 0, -1):
        if prescription.hold_seconds:
            floor = min(5, prescription.hold_seconds)
            for holds in range(prescription.reps or 1, 0, -1):
                seconds = round(target / (sets * holds))
                seconds = max(floor, min(prescription.hold_seconds, seconds))
                reps = holds if prescription.reps else None
                candidates.append(replace(prescription, sets=sets, reps=reps, hold_seconds=seconds))
        elif prescription.reps:
            floor = min(_floor_reps(slot), prescription.reps)
            reps = max(floor, min(prescription.reps, round(target / sets)))
            candidates.append(replace(prescription, sets=sets, reps=reps))
    if not candidates:
        return prescription

    def off_band(candidate: PrescriptionDraft) -> float:
        """How far the candidate's cut falls outside DELOAD_BAND_PCT (0 inside it)."""
        cut = 100 * (1 - dose_volume(candidate) / volume)
        low, high = DELOAD_BAND_PCT
        return max(0.0, low - cut, cut - high) if band else 0.0

    return min(
        candidates,
        key=lambda c: (off_band(c), abs(dose_volume(c) - target), -c.sets, -(c.hold_seconds or 0)),
    )


def rule_deload(
    ctx: Context, prescriptions: dict[str, PrescriptionDraft], slots: dict[str, SlotSpec]
) -> Decision | None:
    """§D2: red on policy.deload_red_days days within the window, or a red weekly trend ->
    a deload week: every exercise's session volume cut by policy.deload_volume_pct
    (`_deloaded`, holds included), and the physiotherapist is alerted.
    Source: silbernagel2007_pain_model.
    §C: a flare-up the runner reports is handled the same way (cook2009_continuum); its
    inputs hold the flare-ups' dates and the worst severity the runner gave. §C ">= 2
    exercises flare in a week": two or more exercises red by their own pain during ->
    the same lighter week (the engine does not move a plan back a phase by itself)."""
    facts = ctx.facts
    two_reds = len(facts.red_days) >= ctx.policy.deload_red_days
    flare = bool(facts.flare_ups)
    flaring = sorted(
        key
        for key, results in facts.exercise_results.items()
        if any(r.during_zone == RED for r in results)
    )
    many = len(flaring) >= 2
    if not two_reds and facts.trend.zone != RED and not flare and not many:
        return None
    if two_reds:
        rule = rules.TWO_REDS_DELOAD
    elif facts.trend.zone == RED:
        rule = rules.TREND_DELOAD
    elif flare:
        rule = rules.FLARE_DELOAD
    else:
        rule = rules.MULTI_FLARE_DELOAD
    changes = []
    for key, current in prescriptions.items():
        after = _deloaded(current, ctx.policy.deload_volume_pct, slots.get(key), band=True)
        if after != current:
            changes.append(PrescriptionChange(key, current, after))
    inputs: dict[str, object] = {
        "red_days": list(facts.red_days),
        "weekly_mean": facts.weekly_mean,
        "previous_weekly_pain": list(ctx.window.previous_weekly_pain),
        "weekly_rise": facts.trend.rise,
        "rising_weeks": facts.trend.rising_weeks,
        "deload_volume_pct": ctx.policy.deload_volume_pct,
    }
    if many:
        inputs["flaring_exercises"] = flaring
    if flare:
        severities = [f.severity for f in facts.flare_ups if f.severity is not None]
        inputs["flare_ups"] = sorted(f.date for f in facts.flare_ups)
        inputs["flare_severity"] = max(severities) if severities else None
    return make_decision(
        ctx,
        DecisionKind.DELOAD,
        rule,
        inputs=inputs,
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
    if weeks_in_phase(ctx.state, ctx.window) < ctx.phase.weeks_min:
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
        features=ctx.state.features,
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
    """Running in the next phase (§F1b): a reduce phase keeps the minutes run now; a
    walk-run phase starts at the runner's own stage or volume (the stage reached, the
    minutes run now, else their running when the plan started, state.running) when it is
    above the phase's first stage, never above its last."""
    run = ctx.state.run
    if target.run.mode == "reduce" and run.mode in MINUTES_MODES:
        return RunTarget("reduce", None, run.weekly_minutes)
    return entry_run_target(ctx.template, target, running=ctx.state.running, previous=run)


def _ready_to_progress(ctx: Context, slot: SlotSpec) -> tuple[bool, tuple[ExerciseResult, ...]]:
    """§D2 first action, "all green for 2 consecutive sessions of an exercise -> eligible
    to progress": the LAST green_sessions_to_progress sessions of the exercise green (pain
    during and the morning after), with the dose done and the effort at or below
    progress_max_rpe (§E). An amber earlier in the window no longer blocks it. Returns
    those last sessions."""
    results = ctx.facts.exercise_results.get(slot.key, ())
    last = results[-ctx.policy.green_sessions_to_progress :]
    ready = (
        len(last) >= ctx.policy.green_sessions_to_progress
        and all(r.zone == GREEN for r in last)
        and all(r.completed and r.effort_ok for r in last)
    )
    return ready, last


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
    values: dict[str, Any]


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
    """§D2 + §E: progress an exercise whose last sessions were green one step; an amber
    among those last sessions (the latest above all) holds the dose; a locked exercise
    holds. Sources: silbernagel2007_pain_model, ratamess2009_acsm, baechle_2for2."""
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


# --- Review after 12 weeks (§G, §h) -----------------------------------------------------------

REVIEW_AFTER_WEEKS = 12  # §G: no improvement after 8-12 weeks of rehab -> review
PAIN_MID_POINTS = 2.0  # §h NPRS: a fall of about 2 points ...
PAIN_MID_FRACTION = 0.30  # ... or about 30 % is meaningful (abbott2014_mid)
LEFS_MID = 9.0  # §h LEFS MCID 9 (binkley1999_lefs)
PSFS_MID = 2.3  # §h PSFS medium MID 2.3 (abbott2014_mid)
NOT_REVIEWED = ("prevention",)  # plans for healthy runners: no pain to improve


@dataclass(frozen=True)
class Improvement:
    """Whether a plan shows a meaningful improvement (§h), and the figures behind it."""

    meaningful: bool
    pain_now: float | None  # mean of the last two weekly means (or the one there is)
    pain_fall: float | None  # baseline minus pain_now
    lefs_change: float | None  # latest LEFS minus the baseline (week 0) LEFS
    psfs_change: float | None  # latest PSFS minus the baseline (week 0) PSFS


def _outcome_change(outcomes: Sequence[OutcomeScore], instrument: str) -> float | None:
    scores = sorted((o.week, o.score) for o in outcomes if o.instrument == instrument)
    baseline = next((score for week, score in scores if week == 0), None)
    if baseline is None or len(scores) < 2 or scores[-1][0] == 0:
        return None
    return round(scores[-1][1] - baseline, 2)


def meaningful_improvement(
    baseline_pain: float, weekly_pain: Sequence[float], outcomes: Sequence[OutcomeScore] = ()
) -> Improvement:
    """§h minimal important changes, any one of which counts as a meaningful improvement:
    the weekly mean pain (NPRS 0-10; the mean of the last two weeks, so one good or bad
    week does not decide) at least PAIN_MID_POINTS below the baseline, or at least
    PAIN_MID_FRACTION of it; the LEFS up by LEFS_MID or more since week 0; the PSFS up by
    PSFS_MID or more since week 0. Without any of these figures there is no evidence of
    improvement, so the answer is no (cautious: review rather than guess).
    Sources: abbott2014_mid (NPRS, PSFS), binkley1999_lefs (LEFS)."""
    recent = list(weekly_pain)[-2:]
    pain_now = round(sum(recent) / len(recent), 2) if recent else None
    fall = None if pain_now is None else round(baseline_pain - pain_now, 2)
    lefs = _outcome_change(outcomes, "lefs")
    psfs = _outcome_change(outcomes, "psfs")
    pain_met = fall is not None and (
        fall >= PAIN_MID_POINTS or (baseline_pain > 0 and fall >= PAIN_MID_FRACTION * baseline_pain)
    )
    meaningful = (
        pain_met
        or (lefs is not None and lefs >= LEFS_MID)
        or (psfs is not None and psfs >= PSFS_MID)
    )
    return Improvement(bool(meaningful), pain_now, fall, lefs, psfs)


def weeks_on_plan(window: EvaluationWindow) -> int | None:
    if window.plan_started_on is None:
        return None
    return max(0, ((window.ends_on - window.plan_started_on).days + 1) // 7)


def rule_review(ctx: Context) -> Decision | None:
    """§G "no improvement after 8-12 weeks of adherent rehab -> suggest physio review":
    from the first evaluation that ends 12 or more weeks into the plan, a plan without a
    meaningful improvement (`meaningful_improvement`) is flagged "needs review" for the
    runner and the physiotherapist. No dose changes; once per plan (state.review_flagged_on).
    Needs window.plan_started_on, which the weekly evaluation sets.
    Sources: clifford2019_isometric (>35 % non-responders), mellor2018_leap,
    abbott2014_mid, binkley1999_lefs."""
    weeks = weeks_on_plan(ctx.window)
    if (
        weeks is None
        or weeks < REVIEW_AFTER_WEEKS
        or ctx.state.review_flagged_on is not None
        or ctx.state.condition in NOT_REVIEWED
    ):
        return None
    weekly = [*ctx.window.previous_weekly_pain]
    if ctx.facts.weekly_mean is not None:
        weekly.append(ctx.facts.weekly_mean)
    found = meaningful_improvement(ctx.state.baseline_pain, weekly, ctx.window.outcomes)
    if found.meaningful:
        return None
    return make_decision(
        ctx,
        DecisionKind.REVIEW,
        rules.NO_IMPROVEMENT_REVIEW,
        inputs={
            "weeks_on_plan": weeks,
            "baseline_pain": ctx.state.baseline_pain,
            "weekly_pain": weekly,
            "pain_now": found.pain_now,
            "pain_fall": found.pain_fall,
            "lefs_change": found.lefs_change,
            "psfs_change": found.psfs_change,
            "pain_mid_points": PAIN_MID_POINTS,
            "pain_mid_pct": round(PAIN_MID_FRACTION * 100),
            "lefs_mid": LEFS_MID,
            "psfs_mid": PSFS_MID,
        },
        values={"weeks": weeks},
        alert_physio=True,
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
        features=runner.features,
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
        features=frozenset(runner.features),
        running=runner.running,
    )


def evaluate(
    state: PlanState,
    window: EvaluationWindow,
    template: TemplateSpec,
    policy: Policy | None = None,
) -> list[Decision]:
    """All decisions for one window of logs, in a fixed order (see the module docstring).

    Returns [] for a paused plan, and for a window already evaluated and applied unless
    one of its logs holds a warning sign (a red flag or pain that changed the movement),
    which always pauses and refers.
    """
    policy = policy or Policy()
    if state.paused:
        return []
    phase = phase_by_key(template, state.phase_key)
    prescriptions = {p.slot_key: p for p in state.prescriptions}
    facts = collect_facts(state, window, policy, prescriptions)
    ctx = Context(state, window, template, policy, phase, facts)

    codes = red_flags_in(window)
    if codes:
        return [rule_red_flag(ctx, codes)]
    limped = movement_changes_in(window)
    if limped:
        return [rule_movement_change(ctx, limped)]
    if state.evaluated_through and window.ends_on <= state.evaluated_through:
        return []
    decisions = _pain_and_load_decisions(ctx, prescriptions)
    review = rule_review(ctx)
    if review:
        decisions.append(review)
    return decisions


def _pain_and_load_decisions(
    ctx: Context, prescriptions: dict[str, PrescriptionDraft]
) -> list[Decision]:
    """Steps 3-6 of the module docstring, in order."""
    phase, facts = ctx.phase, ctx.facts
    slots = {slot.key: slot for slot in phase.slots}
    ordered = [slot for slot in ordered_slots(phase) if slot.key in prescriptions]
    decisions: list[Decision] = []
    working = dict(prescriptions)
    for slot in ordered:
        decision = rule_red_exercise(ctx, slot, working[slot.key])
        if decision:
            decisions.append(decision)
            regressed = decision.changes[0].after
            if regressed is not None:  # a red exercise is regressed or lightened, never dropped
                working[slot.key] = regressed

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
    approved ones when policy.require_approval) is the caller's choice.

    The decisions' updates are gathered first and the state is copied once: a later
    decision's value for a field wins, as if each had been applied in turn."""
    applied = set(state.applied)
    prescriptions = list(state.prescriptions)
    updates: dict[str, Any] = {}
    through = state.evaluated_through
    for decision in decisions:
        if decision.id in applied:
            continue
        _apply_changes(prescriptions, decision.changes)
        if decision.kind == DecisionKind.PAUSE_AND_REFER:
            updates["paused"] = True
        if decision.kind == DecisionKind.DELOAD:
            updates["deload_from"] = decision.effective_from
        if decision.kind == DecisionKind.REVIEW:
            updates["review_flagged_on"] = decision.effective_from
        if decision.phase_after:
            updates["phase_key"] = decision.phase_after
            updates["phase_started_on"] = decision.effective_from
        if decision.run_after is not None:
            updates["run"] = decision.run_after
        through = (
            decision.window_ends_on if through is None else max(through, decision.window_ends_on)
        )
        updates["evaluated_through"] = through
        applied.add(decision.id)
    if updates:  # a decision was applied
        updates["prescriptions"] = tuple(prescriptions)
    return replace(state, **updates, applied=tuple(sorted(applied)))


def _apply_changes(
    prescriptions: list[PrescriptionDraft], changes: Iterable[PrescriptionChange]
) -> None:
    """Each change in place: a slot's dose replaced, added, or (after None) removed."""
    for change in changes:
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
