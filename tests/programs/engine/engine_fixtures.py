"""Small TemplateSpec fixtures mirroring the real templates (clinical-evidence §B2, §C, §F1b).

The exercises follow the B2 catalogue (ids in comments): compression class, level,
equipment and regression chain. Gluteal tendinopathy phases P1-P5 keep C2 out of the early
phases; proximal ITBS allows C2 (ITB stretch, crossover step-up) from P2. The walk-run
ladder is R1..R10. Pure data: no database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from programs.engine.planner import week_from_state
from programs.engine.progression import apply_decisions, evaluate, initial_state, weekly_pain_mean
from programs.engine.specs import (
    Decision,
    EvaluationWindow,
    ExerciseLog,
    ExerciseSpec,
    ExitCriterion,
    MorningCheckin,
    PhaseSpec,
    PlanState,
    Policy,
    RunGuidance,
    RunLog,
    RunnerContext,
    RunningStatus,
    SessionLog,
    SlotSpec,
    TemplateSpec,
    WalkRunStage,
    WeekDraft,
)

GT = "gluteal_tendinopathy"
ITBS = "proximal_itbs"


def _ex(slug, name, level, compression, family, equipment, dosage="reps", **kw) -> ExerciseSpec:
    defaults = {"default_sets": 3, "default_reps": 10 if dosage == "reps" else None}
    if dosage == "hold":
        defaults.update(default_reps=5, default_hold_seconds=30)
    defaults.update(kw)
    return ExerciseSpec(
        slug=slug,
        name=name,
        level=level,
        compression=compression,
        family=family,
        equipment=tuple(equipment),
        dosage_type=dosage,
        **defaults,
    )


EXERCISES: dict[str, ExerciseSpec] = {
    e.slug: e
    for e in (
        # ISO-1..3: isometric abduction
        _ex(
            "iso-supine",
            "Supine static abduction",
            1,
            "C0",
            "iso_abduction",
            ["belt"],
            "hold",
            isometric=True,
            default_reps=10,
            default_hold_seconds=10,
            source_keys=("mellor2016_leap_protocol",),
        ),
        _ex(
            "iso-standing",
            "Standing static abduction",
            2,
            "C0",
            "iso_abduction",
            ["wall"],
            "hold",
            isometric=True,
            regression="iso-supine",
            default_hold_seconds=15,
            source_keys=("mellor2016_leap_protocol",),
        ),
        _ex(
            "iso-hip-hitch",
            "Isometric hip hitch",
            2,
            "C0",
            "iso_abduction",
            ["step"],
            "hold",
            isometric=True,
            regression="iso-standing",
            source_keys=("ganderton2018_globe",),
        ),
        # BR-1..3, HT-1
        _ex("bridge", "Double-leg bridge", 1, "C0", "bridge", ["mat"]),
        _ex("offset-bridge", "Offset bridge", 2, "C0", "bridge", ["mat"], regression="bridge"),
        _ex(
            "single-leg-bridge",
            "Single-leg bridge",
            3,
            "C0",
            "bridge",
            ["mat"],
            regression="offset-bridge",
            source_keys=("moore2019_gmin",),
        ),
        _ex(
            "hip-thrust",
            "Hip thrust",
            4,
            "C0",
            "bridge",
            ["bench", "barbell"],
            loadable=True,
            regression="single-leg-bridge",
            source_keys=("contreras2015_thrust",),
        ),
        # SQ-1..3
        _ex("sit-to-stand", "Sit-to-stand", 1, "C0", "squat", ["chair"]),
        _ex(
            "split-squat",
            "Split-stance squat",
            2,
            "C1",
            "squat",
            ["none"],
            regression="sit-to-stand",
        ),
        _ex(
            "single-leg-squat",
            "Single-leg squat to box",
            4,
            "C1",
            "squat",
            ["box"],
            loadable=True,
            regression="split-squat",
        ),
        # DL-1
        _ex("sl-deadlift", "Single-leg deadlift", 4, "C1", "hinge", ["dumbbell"], loadable=True),
        # SU-1, SU-2
        _ex("lateral-step-up", "Lateral step-up", 3, "C0", "step_up", ["step"], loadable=True),
        _ex(
            "crossover-step-up",
            "Crossover step-up",
            5,
            "C2",
            "step_up",
            ["step"],
            regression="lateral-step-up",
        ),
        # LW-1..3
        _ex("side-step", "Side-stepping", 1, "C0", "lateral_walk", ["none"]),
        _ex(
            "band-walk",
            "Lateral band walk",
            2,
            "C0",
            "lateral_walk",
            ["mini_band"],
            regression="side-step",
            source_keys=("lewis2018_band",),
        ),
        _ex(
            "monster-walk",
            "Monster walk",
            3,
            "C0",
            "lateral_walk",
            ["mini_band"],
            regression="band-walk",
        ),
        # HH-1, HH-2 (dynamic hip hitch regresses to the isometric one: hold -> reps)
        _ex(
            "hip-hitch",
            "Dynamic hip hitch",
            3,
            "C1",
            "hip_hitch",
            ["step"],
            regression="iso-hip-hitch",
        ),
        _ex(
            "pelvic-drop",
            "Full pelvic drop",
            4,
            "C2",
            "hip_hitch",
            ["step"],
            regression="hip-hitch",
        ),
        # SL-2 clamshell, SL-1 side-lying abduction
        _ex("clamshell", "Clamshell", 2, "C1", "side_lying", ["mat"]),
        _ex(
            "side-lying-abduction",
            "Side-lying hip abduction",
            3,
            "C1",
            "side_lying",
            ["mat"],
            loadable=True,
            regression="clamshell",
            source_keys=("distefano2009_emg",),
        ),
        # SP-1..3
        _ex("side-plank-knees", "Side plank from knees", 3, "C1", "side_plank", ["mat"], "hold"),
        _ex(
            "side-plank",
            "Side plank",
            4,
            "C1",
            "side_plank",
            ["mat"],
            "hold",
            regression="side-plank-knees",
        ),
        _ex(
            "side-plank-abduction",
            "Side plank with leg lift",
            5,
            "C1",
            "side_plank",
            ["mat"],
            regression="side-plank",
            source_keys=("boren2011_emg",),
        ),
        # ST-1
        _ex(
            "standing-band-abduction",
            "Standing band abduction",
            2,
            "C0",
            "standing_abduction",
            ["long_band"],
        ),
        # PL-1
        _ex(
            "hops", "Single-leg hops", 5, "C1", "plyometric", ["none"], regression="lateral-step-up"
        ),
        # STR-X: never in gluteal tendinopathy
        _ex(
            "itb-stretch",
            "ITB stretch",
            1,
            "C2",
            "stretch",
            ["none"],
            "hold",
            not_for_conditions=(GT,),
            default_reps=3,
            default_hold_seconds=30,
        ),
    )
}

LADDER = (
    WalkRunStage(1, 1, 30, 0, description="brisk walk 30 min"),
    WalkRunStage(2, 5, 4, 1),
    WalkRunStage(3, 5, 3, 2),
    WalkRunStage(4, 5, 2, 3),
    WalkRunStage(5, 4, 1, 4),
    WalkRunStage(6, 3, 1, 7),
    WalkRunStage(7, 2, 1, 11),
    WalkRunStage(8, 1, 0, 0, continuous_minutes=20),
    WalkRunStage(9, 1, 0, 0, continuous_minutes=30),
    WalkRunStage(10, 1, 0, 0, continuous_minutes=30, description="rebuild ~10 %/week"),
)

TERRAIN = ("flat_only", "no_camber", "no_downhill", "alternate_track_direction")
PAUSE = RunGuidance(mode="pause", runs_per_week=0)


def _slot(key, exercise, sets, order, **kw) -> SlotSpec:
    return SlotSpec(key=key, exercise=exercise, sets=sets, order=order, **kw)


def _iso(key, exercise, sets, order, hold, hold_max, daily=True) -> SlotSpec:
    return _slot(
        key,
        exercise,
        sets,
        order,
        hold_seconds=hold,
        hold_seconds_max=hold_max,
        scheme="hold_time",
        daily=daily,
        max_level=2,
    )


P1_EXIT = (
    ExitCriterion("consecutive_green_sessions", ">=", 3),
    ExitCriterion("morning_pain_over_baseline", "<=", 0),
    ExitCriterion("single_leg_stance_pain", "<=", 2),
)
STRENGTH_EXIT = (
    ExitCriterion("weekly_pain_not_rising_weeks", ">=", 2),
    ExitCriterion("consecutive_green_sessions", ">=", 3),
    ExitCriterion("morning_pain_over_baseline", "<=", 0),
    ExitCriterion("completed_sessions_pct", ">=", 75),
)


def gluteal_template() -> TemplateSpec:
    """Gluteal tendinopathy, LEAP/GLoBE shaped: 12 weeks at moderate irritability."""
    phases = (
        PhaseSpec(
            key="gt-p1",
            order=1,
            name="Settle and isometrics",
            goal="calm the tendon",
            weeks_min=1,
            weeks_max=3,
            max_compression="C0",
            strength_days=3,
            early=True,
            slots=(
                _iso("p1-iso-supine", "iso-supine", 2, 1, 10, 20),
                _iso("p1-iso-standing", "iso-standing", 1, 2, 15, 30),
                _slot("p1-bridge", "bridge", 2, 3, reps_min=8, reps_max=12, max_level=1),
                _slot(
                    "p1-sit-to-stand", "sit-to-stand", 2, 4, reps_min=8, reps_max=12, max_level=1
                ),
                _slot("p1-side-step", "side-step", 2, 5, reps_min=10, reps_max=15, max_level=1),
            ),
            exit_criteria=P1_EXIT,
            run=PAUSE,
            education=("tendon-compression", "load-and-pain"),
            source_keys=("mellor2018_leap",),
        ),
        PhaseSpec(
            key="gt-p2",
            order=2,
            name="Isotonic strength",
            goal="build capacity",
            weeks_min=3,
            weeks_max=5,
            max_compression="C1",
            strength_days=3,
            early=True,
            slots=(
                _slot("p2-bridge", "offset-bridge", 3, 1, reps_min=8, reps_max=15, max_level=3),
                _slot("p2-squat", "split-squat", 3, 2, reps_min=8, reps_max=15, max_level=2),
                _slot("p2-hip-hitch", "hip-hitch", 3, 3, reps_min=8, reps_max=15, max_level=4),
                _slot("p2-band-walk", "band-walk", 3, 4, reps_min=10, reps_max=15, max_level=3),
                _slot("p2-side-lying", "clamshell", 3, 5, reps_min=10, reps_max=15, max_level=3),
                _iso("p2-iso", "iso-hip-hitch", 3, 6, 30, 45, daily=True),
            ),
            exit_criteria=STRENGTH_EXIT,
            run=PAUSE,
            education=("sitting-and-sleeping",),
            source_keys=("mellor2016_leap_protocol", "ganderton2018_globe"),
        ),
        PhaseSpec(
            key="gt-p3",
            order=3,
            name="Heavy and functional",
            goal="high-load single-leg work",
            weeks_min=2,
            weeks_max=4,
            max_compression="C1",
            strength_days=3,
            slots=(
                _slot("p3-thrust", "hip-thrust", 3, 1, reps_min=8, reps_max=12, heavy=True),
                _slot("p3-sl-squat", "single-leg-squat", 3, 2, reps_min=5, reps_max=12, heavy=True),
                _slot("p3-deadlift", "sl-deadlift", 3, 3, reps_min=8, reps_max=10, heavy=True),
                _slot(
                    "p3-side-plank",
                    "side-plank",
                    3,
                    4,
                    hold_seconds=20,
                    hold_seconds_max=40,
                    scheme="hold_time",
                ),
                _slot("p3-step-up", "lateral-step-up", 3, 5, reps_min=8, reps_max=12, max_level=5),
            ),
            exit_criteria=STRENGTH_EXIT,
            run=PAUSE,
            source_keys=("cook2009_continuum",),
        ),
        PhaseSpec(
            key="gt-p4",
            order=4,
            name="Return to running",
            goal="graded running",
            weeks_min=2,
            weeks_max=3,
            max_compression="C1",
            strength_days=2,
            slots=(
                _slot(
                    "p4-thrust", "hip-thrust", 3, 1, reps_min=8, reps_max=12, heavy=True, per_week=2
                ),
                _slot("p4-sl-squat", "single-leg-squat", 3, 2, reps_min=5, reps_max=12, per_week=2),
                _slot(
                    "p4-side-plank",
                    "side-plank",
                    3,
                    3,
                    hold_seconds=30,
                    hold_seconds_max=45,
                    scheme="hold_time",
                    per_week=2,
                ),
            ),
            exit_criteria=(
                ExitCriterion("walk_run_stage", ">=", 9),
                ExitCriterion("consecutive_green_sessions", ">=", 2),
            ),
            run=RunGuidance(
                mode="walk_run",
                walk_run_stage_min=2,
                walk_run_stage_max=9,
                cadence_increase_pct=5,
                terrain_rules=TERRAIN,
                runs_per_week=3,
            ),
            education=("cadence",),
            source_keys=("trials2023_walk_run",),
        ),
        PhaseSpec(
            key="gt-p5",
            order=5,
            name="Maintenance",
            goal="prevent recurrence",
            weeks_min=1,
            weeks_max=1,
            max_compression="C2",
            strength_days=2,
            slots=(
                _slot(
                    "p5-thrust", "hip-thrust", 3, 1, reps_min=6, reps_max=10, heavy=True, per_week=2
                ),
                _slot("p5-step-up", "crossover-step-up", 3, 2, reps_min=8, reps_max=12, per_week=2),
            ),
            exit_criteria=(),
            run=RunGuidance(
                mode="rebuild",
                walk_run_stage_min=10,
                walk_run_stage_max=10,
                cadence_increase_pct=10,
                terrain_rules=("alternate_track_direction",),
                runs_per_week=3,
            ),
        ),
    )
    return TemplateSpec(
        slug="gt-standard",
        condition=GT,
        name="Gluteal tendinopathy",
        phases=phases,
        exercises=EXERCISES,
        walk_run_ladder=LADDER,
        source_keys=("mellor2018_leap", "ganderton2018_globe"),
    )


def itbs_template() -> TemplateSpec:
    """Proximal ITBS, Fredericson / Beers / McKay shaped: earlier running, softer filter."""
    run_reduce = RunGuidance(
        mode="reduce",
        weekly_volume_pct=50,
        cadence_increase_pct=5,
        terrain_rules=TERRAIN,
        runs_per_week=3,
    )
    phases = (
        PhaseSpec(
            key="it-p1",
            order=1,
            name="Settle",
            goal="calm symptoms",
            weeks_min=1,
            weeks_max=2,
            max_compression="C2",
            strength_days=3,
            early=True,
            slots=(
                _iso("i1-iso", "iso-standing", 2, 1, 15, 30),
                _slot("i1-side-lying", "side-lying-abduction", 2, 2, reps_min=10, reps_max=15),
                _slot("i1-bridge", "bridge", 2, 3, reps_min=8, reps_max=12, max_level=2),
                _slot("i1-stretch", "itb-stretch", 3, 4, hold_seconds=30, scheme="fixed"),
            ),
            exit_criteria=(ExitCriterion("consecutive_green_sessions", ">=", 3),),
            run=run_reduce,
            source_keys=("fredericson2006_itbs",),
        ),
        PhaseSpec(
            key="it-p2",
            order=2,
            name="Abductor strength",
            goal="capacity",
            weeks_min=2,
            weeks_max=4,
            max_compression="C2",
            strength_days=3,
            early=True,
            slots=(
                _slot("i2-side-lying", "side-lying-abduction", 3, 1, reps_min=10, reps_max=15),
                _slot("i2-pelvic-drop", "pelvic-drop", 3, 2, reps_min=10, reps_max=15),
                _slot("i2-band-walk", "monster-walk", 3, 3, reps_min=10, reps_max=15),
                _slot(
                    "i2-side-plank",
                    "side-plank-knees",
                    2,
                    4,
                    hold_seconds=30,
                    hold_seconds_max=40,
                    scheme="hold_time",
                ),
            ),
            exit_criteria=STRENGTH_EXIT,
            run=RunGuidance(
                mode="walk_run",
                walk_run_stage_min=2,
                walk_run_stage_max=6,
                cadence_increase_pct=5,
                terrain_rules=TERRAIN,
            ),
            source_keys=("beers2008_itbs",),
        ),
        PhaseSpec(
            key="it-p3",
            order=3,
            name="Functional",
            goal="single-leg control",
            weeks_min=2,
            weeks_max=3,
            max_compression="C2",
            strength_days=3,
            slots=(
                _slot("i3-sl-squat", "single-leg-squat", 3, 1, reps_min=6, reps_max=12, heavy=True),
                _slot("i3-step-up", "crossover-step-up", 3, 2, reps_min=8, reps_max=12),
                _slot("i3-side-plank", "side-plank-abduction", 3, 3, reps_min=8, reps_max=12),
            ),
            exit_criteria=STRENGTH_EXIT,
            run=RunGuidance(
                mode="walk_run",
                walk_run_stage_min=5,
                walk_run_stage_max=9,
                cadence_increase_pct=7,
                terrain_rules=TERRAIN,
            ),
            source_keys=("mckay2020_itbs",),
        ),
        PhaseSpec(
            key="it-p4",
            order=4,
            name="Return to running",
            goal="continuous running",
            weeks_min=1,
            weeks_max=2,
            max_compression="C2",
            strength_days=2,
            slots=(
                _slot(
                    "i4-sl-squat",
                    "single-leg-squat",
                    3,
                    1,
                    reps_min=6,
                    reps_max=12,
                    heavy=True,
                    per_week=2,
                ),
                _slot("i4-hops", "hops", 2, 2, reps_min=10, reps_max=15, per_week=2),
            ),
            exit_criteria=(ExitCriterion("consecutive_green_sessions", ">=", 2),),
            run=RunGuidance(
                mode="walk_run",
                walk_run_stage_min=8,
                walk_run_stage_max=9,
                cadence_increase_pct=7,
                terrain_rules=TERRAIN,
            ),
        ),
        PhaseSpec(
            key="it-p5",
            order=5,
            name="Maintenance",
            goal="prevent recurrence",
            weeks_min=1,
            weeks_max=2,
            max_compression="C2",
            strength_days=2,
            slots=(
                _slot(
                    "i5-sl-squat",
                    "single-leg-squat",
                    3,
                    1,
                    reps_min=6,
                    reps_max=12,
                    heavy=True,
                    per_week=2,
                ),
            ),
            exit_criteria=(),
            run=RunGuidance(
                mode="rebuild",
                walk_run_stage_min=10,
                walk_run_stage_max=10,
                cadence_increase_pct=10,
                terrain_rules=("alternate_track_direction",),
            ),
        ),
    )
    return TemplateSpec(
        slug="itbs-standard",
        condition=ITBS,
        name="Proximal ITB syndrome",
        phases=phases,
        exercises=EXERCISES,
        walk_run_ladder=LADDER,
        source_keys=("fredericson2006_itbs", "beers2008_itbs"),
    )


FULL_KIT = frozenset(
    {
        "mat",
        "belt",
        "wall",
        "chair",
        "step",
        "box",
        "bench",
        "barbell",
        "mini_band",
        "long_band",
        "dumbbell",
    }
)


def runner(
    *,
    condition: str = GT,
    irritability: str = "moderate",
    baseline_pain: float = 3.0,
    equipment: frozenset[str] = FULL_KIT,
    strength_days: int = 3,
    preferred: tuple[int, ...] = (0, 2, 4),
    long_run: int | None = 6,
    hard: tuple[int, ...] = (3,),
    running: RunningStatus | None = None,
    start: dt.date = dt.date(2026, 3, 2),
    timezone: str = "Europe/Amsterdam",
) -> RunnerContext:
    return RunnerContext(
        condition=condition,
        irritability=irritability,
        baseline_pain=baseline_pain,
        equipment=equipment,
        strength_days_per_week=strength_days,
        preferred_weekdays=preferred,
        long_run_weekday=long_run,
        hard_session_weekdays=hard,
        running=running or RunningStatus(mode="not_running"),
        start_date=start,
        timezone=timezone,
    )


# --- Logging a planned week, for scenario tests and the benchmark ------------------------


def logs_for_week(
    week: WeekDraft,
    *,
    baseline: float,
    pain: float = 1.0,
    morning: float | None = None,
    rpe: float = 4.0,
    extra_reps: int = 2,
    run_pain: float = 0.0,
    stance: float | None = 1.0,
    exercise_pain: dict[tuple[int, str], float] | None = None,
    mornings: dict[int, float] | None = None,
    previous_weekly_pain: tuple[float, ...] = (),
    red_flags: tuple[str, ...] = (),
) -> EvaluationWindow:
    """Log every planned session, morning and run of a week as done.

    `exercise_pain[(day_offset, slot_key)]` and `mornings[day_offset]` override single
    readings (day_offset 0 = the week's first day; a morning's offset is the day it follows).
    """
    exercise_pain = exercise_pain or {}
    mornings = mornings or {}
    morning = baseline - 1 if morning is None else morning
    sessions = []
    for session in week.sessions:
        offset = (session.date - week.starts_on).days
        logs = []
        for p in session.prescriptions:
            reps = p.reps or 0
            reps_done = (reps,) * (p.sets - 1) + (reps + extra_reps,) if reps else ()
            logs.append(
                ExerciseLog(
                    slot_key=p.slot_key,
                    exercise=p.exercise,
                    sets_done=p.sets,
                    reps_done=reps_done,
                    hold_seconds=p.hold_seconds,
                    load_kg=p.load_kg,
                    rpe=rpe,
                    pain_during=exercise_pain.get((offset, p.slot_key), pain),
                )
            )
        sessions.append(
            SessionLog(
                date=session.date,
                exercises=tuple(logs),
                pain_after=pain,
                single_leg_stance_pain=stance,
                red_flags=red_flags if offset == 0 else (),
            )
        )
    checkins = tuple(
        MorningCheckin(
            date=week.starts_on + dt.timedelta(days=offset + 1),
            pain=mornings.get(offset, morning),
            stiffness_minutes=5,
        )
        for offset in range(7)
    )
    runs = tuple(
        RunLog(
            date=week.starts_on + dt.timedelta(days=offset),
            minutes=20,
            pain_during=run_pain,
            pain_after=run_pain,
            walk_run_stage=week.run.walk_run_stage,
        )
        for offset in range(7)
        if (week.starts_on + dt.timedelta(days=offset)).weekday() in week.run.run_weekdays
    )
    return EvaluationWindow(
        starts_on=week.starts_on,
        ends_on=week.starts_on + dt.timedelta(days=6),
        sessions=tuple(sessions),
        checkins=checkins,
        runs=runs,
        planned_sessions=len(week.sessions),
        previous_weekly_pain=previous_weekly_pain,
    )


@dataclass(frozen=True)
class SimulatedWeek:
    week: WeekDraft
    window: EvaluationWindow
    decisions: tuple[Decision, ...]
    state_after: PlanState


def simulate(
    template: TemplateSpec,
    who: RunnerContext,
    weeks: int,
    *,
    policy: Policy | None = None,
    log_options: Callable[[int, WeekDraft], dict] = lambda number, week: {},
) -> list[SimulatedWeek]:
    """Week by week: plan the week from the state, log it, evaluate, apply."""
    state = initial_state(template, who, policy)
    history: list[float] = []
    out = []
    for number in range(1, weeks + 1):
        starts_on = who.start_date + dt.timedelta(weeks=number - 1)
        week = week_from_state(template, who, state, number=number, starts_on=starts_on)
        options = {"baseline": who.baseline_pain, **log_options(number, week)}
        window = logs_for_week(week, previous_weekly_pain=tuple(history), **options)
        mean = weekly_pain_mean(window)
        if mean is not None:
            history.append(mean)
        decisions = evaluate(state, window, template, policy)
        state = apply_decisions(state, decisions)
        out.append(SimulatedWeek(week, window, tuple(decisions), state))
    return out
