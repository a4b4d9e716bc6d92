"""Pure data shapes shared by the content library, the planner and the progression engine.

No ORM imports here. The content models (programs/content/models, programs/plans/models.py)
convert themselves into these specs; planner.py and progression.py take and return
only these types, so the clinical rules can be read and tested without a database.

Codes (condition, compression class, equipment, dosage type) are plain strings so the
data files, the models and the rules all speak the same vocabulary.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# --- Vocabulary ------------------------------------------------------------------------

CONDITIONS = (
    "gluteal_tendinopathy",  # GTPS / gluteal tendinopathy
    "proximal_itbs",  # proximal iliotibial band syndrome
    "lateral_hip_pain",  # general lateral hip pain, not yet differentiated
    "prevention",  # healthy runner, prevention and maintenance
)

# C0 non-compressive, C1 conditional (compressive only if the hip drifts into adduction
# or is lain on), C2 compressive (excluded for gluteal tendinopathy until late phases).
COMPRESSION_CLASSES = ("C0", "C1", "C2")

DOSAGE_TYPES = ("reps", "hold", "distance")

EQUIPMENT = (
    "none",
    "mat",
    "belt",
    "wall",
    "chair",
    "step",
    "box",
    "bench",
    "mini_band",
    "long_band",
    "ankle_weight",
    "dumbbell",
    "kettlebell",
    "barbell",
    "cable",
)

# How a slot moves forward when the runner is green (see progression.py).
PROGRESSION_SCHEMES = (
    "reps_level_load",  # rep bracket, then next level in the tree, then +2-10 % load (2-for-2)
    "hold_time",  # longer holds up to the slot's maximum, then next level
    "fixed",  # never changes automatically (education drills, stretches)
)

IRRITABILITY = ("low", "moderate", "high")

# Screening feature codes (programs/engine/screening.py GT_FEATURES, plus a painful
# snapping hip, which sits under the same umbrella, §A4) that point to gluteal
# tendinopathy. In any pathway they bring the gluteal-tendinopathy rules: no ITB or
# across-body stretch, and the stricter compression limits (§A1 rules 3-4, §A2 rule 2).
GT_FEATURE_CODES = frozenset(
    {
        "lying_on_side_hurts",
        "stairs_hurt",
        "crossing_legs_hurts",
        "single_leg_stance_pain",
        "painful_snapping",
    }
)


# --- Content -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ExerciseSpec:
    slug: str
    name: str
    level: int  # 1..5
    compression: str  # one of COMPRESSION_CLASSES
    family: str  # movement family, e.g. "bridge", "side_plank"
    equipment: tuple[str, ...]  # all required; ("none",) for none
    dosage_type: str  # one of DOSAGE_TYPES
    default_sets: int
    default_reps: int | None = None
    default_hold_seconds: int | None = None
    default_rest_seconds: int = 60
    loadable: bool = False  # can take external load (kg)
    isometric: bool = False
    regression: str | None = None  # slug of the one easier exercise, None at the root
    # The stated substitute when the runner lacks this exercise's equipment: an exercise
    # that needs none, same dosage type, same or lower compression and level (checked by
    # load_content); the planner takes it before leaving a slot out.
    substitute: str | None = None
    not_for_conditions: tuple[str, ...] = ()  # e.g. the ITB stretch: ("gluteal_tendinopathy",)
    source_keys: tuple[str, ...] = ()
    name_nl: str = ""  # Dutch name for explanations; `name` is English
    movement_pattern: str = ""  # e.g. "hip_hitch": alternatives share a family or a pattern


@dataclass(frozen=True)
class SlotSpec:
    """One exercise position in a phase's session."""

    key: str  # stable within the template, e.g. "p2-bridge"
    exercise: str  # slug of the entry exercise for this slot
    sets: int
    reps_min: int | None = None  # rep bracket for dosage "reps", e.g. 8..15
    reps_max: int | None = None
    hold_seconds: int | None = None  # for dosage "hold"
    hold_seconds_max: int | None = None
    rest_seconds: int = 60
    per_week: int = 3  # how many sessions a week include this slot
    daily: bool = False  # isometrics allowed daily (first phase)
    scheme: str = "reps_level_load"
    min_level: int = 1
    max_level: int = 5
    heavy: bool = False  # counts as a heavy hip exercise for scheduling
    order: int = 0


@dataclass(frozen=True)
class RunGuidance:
    """Running prescription attached to a phase."""

    mode: str  # "pause" | "reduce" | "walk_run" | "continuous" | "rebuild"
    weekly_volume_pct: int | None = None  # of pre-injury weekly minutes, when mode is reduce
    walk_run_stage_min: int | None = None  # R1..R10 from the ladder
    walk_run_stage_max: int | None = None
    cadence_increase_pct: int = 0  # e.g. 5 for +5 % on easy runs
    terrain_rules: tuple[str, ...] = ()  # codes: "flat_only", "no_camber", "no_downhill", ...
    runs_per_week: int = 3


@dataclass(frozen=True)
class ExitCriterion:
    """A checkable phase-exit rule. `metric` names a figure progression.py computes."""

    metric: str  # e.g. "consecutive_green_sessions", "weekly_pain_not_rising_weeks"
    op: str  # "<=" | ">=" | "=="
    value: float
    text: str = ""


@dataclass(frozen=True)
class PhaseSpec:
    key: str  # e.g. "gt-p1"
    order: int
    name: str
    goal: str
    weeks_min: int
    weeks_max: int
    max_compression: str  # highest compression class allowed in this phase
    strength_days: int  # default strength sessions per week
    slots: tuple[SlotSpec, ...]
    exit_criteria: tuple[ExitCriterion, ...]
    run: RunGuidance
    education: tuple[str, ...] = ()  # education topic slugs due in this phase
    early: bool = False  # an early phase: no C2 for gluteal tendinopathy
    source_keys: tuple[str, ...] = ()
    name_nl: str = ""  # Dutch name for explanations; `name` is English


@dataclass(frozen=True)
class WalkRunStage:
    number: int  # 1..10 (R1..R10)
    repeats: int
    walk_minutes: float
    run_minutes: float
    continuous_minutes: int = 0  # for continuous stages
    description: str = ""

    @property
    def total_run_minutes(self) -> float:
        return self.continuous_minutes or self.repeats * self.run_minutes


@dataclass(frozen=True)
class TemplateSpec:
    slug: str
    condition: str
    name: str
    phases: tuple[PhaseSpec, ...]
    exercises: dict[str, ExerciseSpec]  # every exercise reachable from the slots, by slug
    walk_run_ladder: tuple[WalkRunStage, ...] = ()
    source_keys: tuple[str, ...] = ()


# --- Runner situation --------------------------------------------------------------------


@dataclass(frozen=True)
class RunningStatus:
    mode: str  # "not_running" | "walk_run" | "continuous"
    walk_run_stage: int | None = None
    weekly_minutes: int = 0


@dataclass(frozen=True)
class RunnerContext:
    condition: str
    irritability: str  # one of IRRITABILITY
    baseline_pain: float  # NPRS 0..10, 7-day mean at screening
    equipment: frozenset[str]
    strength_days_per_week: int
    preferred_weekdays: tuple[int, ...]  # 0 = Monday .. 6 = Sunday
    long_run_weekday: int | None
    hard_session_weekdays: tuple[int, ...]
    running: RunningStatus
    start_date: dt.date
    timezone: str
    # Screening feature codes answered "yes" (programs/engine/screening.py GT_FEATURES,
    # ITB_FEATURES, ...). Rules read them, e.g. gluteal-tendinopathy features in an ITB
    # pathway bring the stricter compression rules (§A2).
    features: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Policy:
    """Per-plan settings a physiotherapist may change. Defaults are documented proposals."""

    green_max: int = 2  # pain during 0..2 is green
    amber_max: int = 5  # 3..5 amber, above is red
    morning_amber_over_baseline: int = 2  # next-morning +1..+2 amber, >= +3 red
    weekly_rise_red: float = 1.0  # weekly mean pain rising >= 1 point is red
    green_sessions_to_progress: int = 2
    load_increment_pct: float = 5.0  # within the 2-10 % band
    deload_volume_pct: int = 40  # within the 30-50 % band
    require_approval: bool = False
    locked_exercises: frozenset[str] = field(default_factory=frozenset)
    # Added for the planner and the progression engine (all [I] proposals in the notes).
    regress_volume_pct: int = 25  # red at the root or on a locked exercise: -20-30 % load/volume
    run_cut_pct: int = 50  # red while running: cut the next run volume by ~50 % (§D2)
    run_green_repeats: int = 2  # a walk-run stage is repeated twice green before stepping up (§F1b)
    run_rebuild_pct: int = 10  # continuous running rebuilds ~10 % a week (§F1b R10)
    deload_red_days: int = 2  # red on this many days within the 7-day window -> deload (§D2)
    rising_weeks_red: int = 2  # weekly mean rising this many weeks running is red (§D2)
    max_weekly_volume_increase_pct: int = 25  # bound on one evaluation's strength-volume rise
    progress_max_rpe: float = 5.0  # progress only when effort at the target was <= 5/10 (§E)
    hold_increment_seconds: int = 5  # hold-time scheme step (§E isometrics)
    high_irritability_fewer_sets: int = 1  # sets removed in early phases when irritability is high


# --- Sources -----------------------------------------------------------------------------
# Canonical keys for the evidence the rules and the content rest on. The content library
# stores one EvidenceSource per key (with authors, year, DOI); rules cite these keys.
SOURCE_KEYS = (
    "mellor2018_leap",  # LEAP trial, BMJ 2018: education + exercise for gluteal tendinopathy
    "mellor2016_leap_protocol",  # LEAP protocol, BMC Musculoskelet Disord 2016
    "ganderton2018_globe",  # GLoBE vs sham RCT, J Womens Health 2018
    "ganderton2017_emg",  # GMin/GMed EMG in rehab exercises, JOSPT 2017
    "clifford2019_isometric",  # isometric vs isotonic for GTPS pilot RCT, 2019
    "clifford2020_isometric_sr",  # isometric exercise in tendinopathy SR/MA, 2020
    "grimaldi2015_review",  # gluteal tendinopathy mechanisms review, Sports Med 2015
    "grimaldi2017_tests",  # clinical tests for MRI-confirmed GT, BJSM 2017
    "fredericson2000_itbs",  # hip abductor weakness in runners with ITBS, 2000
    "fredericson2006_itbs",  # practical management of ITBS, 2006
    "beers2008_itbs",  # multimodal physio incl. abductor strengthening in ITBS, 2008
    "mckay2020_itbs",  # ITBS rehab in female runners, pilot RCT 2020
    "pegrum2019_itbs",  # ITBS, BMJ 2019
    "silbernagel2007_pain_model",  # pain-monitoring model RCT, AJSM 2007
    "thomee1997_pain_zones",  # pain zones, Phys Ther 1997
    "ratamess2009_acsm",  # ACSM progression models, 2009 (2-10 % load rule)
    "baechle_2for2",  # NSCA 2-for-2 rule
    "cook2009_continuum",  # tendon pathology continuum, BJSM 2009
    "rio2015_isometric",  # isometric analgesia, BJSM 2015
    "heiderscheit2011_cadence",  # step-rate manipulation, MSSE 2011
    "lenhart2014_cadence",  # hip muscle loads at step rates, JOSPT 2014
    "trials2023_walk_run",  # military walk-run protocol, Trials 2023
    "distefano2009_emg",  # gluteal activation in therapeutic exercises, JOSPT 2009
    "boren2011_emg",  # GMed/GMax EMG in rehab exercises, IJSPT 2011
    "selkowitz2013_emg",  # gluteal vs TFL activation, JOSPT 2013
    "ebert2017_gmed_sr",  # progressive GMed loading SR, J Sport Rehabil 2017
    "moore2019_gmin",  # gluteus minimus EMG, J Sport Rehabil 2019
    "lewis2018_band",  # band position in side stepping, J Athl Train 2018
    "contreras2015_thrust",  # hip thrust vs squat EMG, 2015
    "neto2020_gmax_sr",  # GMax activation SR, JSSM 2020
    "robertson2017_fnsf",  # femoral neck stress fractures, 2017
    "lequesne2008_tests",  # clinical tests in refractory GTPS, 2008
    "abbott2014_mid",  # minimal important differences PSFS/NPRS, JOSPT 2014
    "binkley1999_lefs",  # Lower Extremity Functional Scale, 1999
    "fearon2015_visag",  # VISA-G development, Man Ther 2015
    "messier1995_itbs",  # aetiology of ITBS, MSSE 1995
)


# --- Planner output ----------------------------------------------------------------------


@dataclass(frozen=True)
class PrescriptionDraft:
    slot_key: str
    exercise: str  # slug
    sets: int
    reps: int | None = None
    hold_seconds: int | None = None
    load_kg: float | None = None
    rest_seconds: int = 60
    notes: str = ""  # free text (e.g. a physiotherapist's); the planner leaves it empty
    substituted_for: str | None = None  # the template's exercise this one stands in for
    # Why it was substituted, as a code the pages translate (SUBSTITUTION_REASONS).
    substitution_reason: str | None = None
    tempo: str = ""  # e.g. "3-1-1", set by a physiotherapist; empty: the exercise's own


# Why the planner did not prescribe the template's own exercise (PrescriptionDraft).
SUBSTITUTION_REASONS = ("equipment", "compression", "condition")


@dataclass(frozen=True)
class SessionDraft:
    date: dt.date
    kind: str  # "strength" | "isometric" (light daily isometric top-up)
    prescriptions: tuple[PrescriptionDraft, ...]


@dataclass(frozen=True)
class RunPrescription:
    mode: str  # as RunGuidance.mode
    walk_run_stage: int | None
    weekly_minutes: int | None
    runs_per_week: int
    cadence_increase_pct: int
    terrain_rules: tuple[str, ...]
    run_weekdays: tuple[int, ...] = ()


@dataclass(frozen=True)
class WeekDraft:
    number: int  # 1-based
    phase_key: str
    starts_on: dt.date
    sessions: tuple[SessionDraft, ...]
    run: RunPrescription
    education: tuple[str, ...]
    deload: bool = False


@dataclass(frozen=True)
class PlanDraft:
    template_slug: str
    condition: str
    weeks: tuple[WeekDraft, ...]
    warnings: tuple[str, ...] = ()  # e.g. "no equipment for X; substituted Y"


# --- Progression input: what the runner logged -------------------------------------------
# Pain is NPRS 0..10. Red-flag codes are the screening codes (programs/engine/screening.py
# RED_FLAGS keys, e.g. "rest_or_night_pain", "limp_or_hip_drop"); any code stops the plan.


@dataclass(frozen=True)
class ExerciseLog:
    """One exercise as done in a session."""

    slot_key: str
    exercise: str  # slug actually done
    sets_done: int
    reps_done: tuple[int, ...] = ()  # per set; for holds, holds per set
    hold_seconds: int | None = None  # longest hold managed, for dosage "hold"
    load_kg: float | None = None
    rpe: float | None = None  # effort 0..10
    pain_during: float = 0.0
    pain_changed_movement: bool = False  # pain that changes the movement counts as red (§D2)


@dataclass(frozen=True)
class SessionLog:
    """A strength or isometric session as logged."""

    date: dt.date  # runner-local date
    exercises: tuple[ExerciseLog, ...]
    pain_after: float | None = None
    completed: bool = True
    single_leg_stance_pain: float | None = None  # 30-s single-leg stance test, when done
    red_flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class MorningCheckin:
    """Next-morning pain and stiffness. Applies to the sessions and runs of the day before."""

    date: dt.date
    pain: float
    stiffness_minutes: int = 0
    settled_by_midday: bool | None = None  # False with pain above baseline is red (§D2)
    red_flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunLog:
    date: dt.date
    minutes: float
    pain_during: float
    pain_after: float | None = None
    walk_run_stage: int | None = None  # the R-stage done, when on the walk-run ladder
    pain_changed_movement: bool = False
    red_flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class FlareUp:
    """A flare-up the runner reported outside a session: counts as a red day (§C, §D2)."""

    date: dt.date
    red_flags: tuple[str, ...] = ()
    note: str = ""
    severity: int | None = None  # how bad, 0..10, as the runner rated it


@dataclass(frozen=True)
class EvaluationWindow:
    """The logs one evaluation looks at, usually one plan week (7 local dates).

    `checkins` should include the morning after `ends_on`; pain rules read the mornings
    after the window's days (starts_on + 1 .. ends_on + 1), red flags are read from every
    check-in given. `planned_sessions` is the number
    of strength/isometric sessions the plan had in the window (for completed_sessions_pct).
    `previous_weekly_pain` holds the weekly pain means of earlier weeks, oldest first, as
    computed by progression.weekly_pain_mean for those weeks.
    """

    starts_on: dt.date
    ends_on: dt.date  # inclusive
    sessions: tuple[SessionLog, ...] = ()
    checkins: tuple[MorningCheckin, ...] = ()
    runs: tuple[RunLog, ...] = ()
    flare_ups: tuple[FlareUp, ...] = ()
    planned_sessions: int = 0
    previous_weekly_pain: tuple[float, ...] = ()
    plan_started_on: dt.date | None = None  # the plan's first day, for the 12-week review
    outcomes: tuple[OutcomeScore, ...] = ()  # questionnaire scores so far (§h), any week


@dataclass(frozen=True)
class OutcomeScore:
    """One questionnaire score at a plan week (0 = baseline): "lefs" 0-80 or "psfs" 0-10,
    higher is better (programs/engine/questionnaires.py)."""

    instrument: str
    week: int
    score: float


# --- Progression state and output --------------------------------------------------------


@dataclass(frozen=True)
class RunTarget:
    """Where the runner stands on running: the phase's mode plus stage or weekly minutes."""

    mode: str  # as RunGuidance.mode
    walk_run_stage: int | None = None
    weekly_minutes: int | None = None


@dataclass(frozen=True)
class PlanState:
    """The plan so far, as progression sees it.

    `prescriptions` holds the standing dose per slot of the current phase (one per slot
    key, in slot order). `applied` holds the ids of decisions already applied, which makes
    apply_decisions idempotent. `evaluated_through` is the last window end applied.
    """

    template_slug: str
    condition: str
    phase_key: str
    phase_started_on: dt.date
    baseline_pain: float
    equipment: frozenset[str]
    prescriptions: tuple[PrescriptionDraft, ...]
    run: RunTarget
    irritability: str = "moderate"
    features: frozenset[str] = field(default_factory=frozenset)  # as RunnerContext.features
    # The runner's running when the plan started (RunnerContext.running): a new walk-run
    # phase starts from it when it is above the phase's first stage (§F1b). States stored
    # before this field existed load with the default.
    running: RunningStatus = field(default_factory=lambda: RunningStatus("not_running"))
    paused: bool = False
    deload_from: dt.date | None = None  # first day of the latest deload week
    evaluated_through: dt.date | None = None
    review_flagged_on: dt.date | None = None  # the "needs review" decision took effect (§G)
    applied: tuple[str, ...] = ()
    # A physiotherapist's edits that are not a slot's standing dose (programs/engine/edits.py):
    # exercises added to a session kind, a dose for one week only, sessions moved, added
    # or removed on a date. The planner lays them over the phase's pattern.
    added: tuple[AddedExercise, ...] = ()
    week_doses: tuple[WeekDose, ...] = ()
    session_edits: tuple[SessionEdit, ...] = ()


@dataclass(frozen=True)
class AddedExercise:
    """An exercise a physiotherapist added to every session of one kind."""

    kind: str  # "strength" | "isometric"
    prescription: PrescriptionDraft


@dataclass(frozen=True)
class WeekDose:
    """A slot's dose for the one plan week starting on `week_starts_on` only."""

    week_starts_on: dt.date
    prescription: PrescriptionDraft


@dataclass(frozen=True)
class SessionEdit:
    """A session moved (from_date -> to_date), removed (to_date None) or added
    (from_date None) by a physiotherapist, for one date."""

    kind: str
    from_date: dt.date | None = None
    to_date: dt.date | None = None


class DecisionKind:
    """Decision kinds, as plain strings like the rest of the vocabulary."""

    PROGRESS = "progress"
    HOLD = "hold"
    REGRESS = "regress"
    DELOAD = "deload"
    ADVANCE_PHASE = "advance_phase"
    RUN_STEP_UP = "run_step_up"
    RUN_STEP_DOWN = "run_step_down"
    PAUSE_AND_REFER = "pause_and_refer"
    REVIEW = "review"  # no dose change: the plan needs a clinician's review (§G)


DECISION_KINDS = (
    DecisionKind.PROGRESS,
    DecisionKind.HOLD,
    DecisionKind.REGRESS,
    DecisionKind.DELOAD,
    DecisionKind.ADVANCE_PHASE,
    DecisionKind.RUN_STEP_UP,
    DecisionKind.RUN_STEP_DOWN,
    DecisionKind.PAUSE_AND_REFER,
    DecisionKind.REVIEW,
)


@dataclass(frozen=True)
class PrescriptionChange:
    slot_key: str
    before: PrescriptionDraft | None  # None: the slot is new (phase advance)
    after: PrescriptionDraft | None  # None: the slot is dropped (phase advance)


@dataclass(frozen=True)
class Decision:
    """One automatic change (or a deliberate non-change), with why and on what it rests.

    `explanation` holds {"en": ..., "nl": ...}; `inputs` is a small JSON-able dict of the
    figures the rule looked at. `id` is a fingerprint of the decision's content and window,
    so applying it twice is a no-op.
    """

    id: str
    kind: str  # one of DECISION_KINDS
    rule: str  # stable rule id, see programs/engine/rules.py
    sources: tuple[str, ...]  # keys from SOURCE_KEYS
    explanation: dict[str, str]
    inputs: dict[str, object]
    window_ends_on: dt.date
    effective_from: dt.date
    slot_key: str | None = None
    changes: tuple[PrescriptionChange, ...] = ()
    phase_before: str | None = None
    phase_after: str | None = None
    run_before: RunTarget | None = None
    run_after: RunTarget | None = None
    alert_physio: bool = False
    requires_approval: bool = False
