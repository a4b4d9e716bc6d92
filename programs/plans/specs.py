"""Pure data shapes shared by the content library, the planner and the progression engine.

No ORM imports here. The content models (programs/exercises, programs/plans/models.py)
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
    not_for_conditions: tuple[str, ...] = ()  # e.g. the ITB stretch: ("gluteal_tendinopathy",)
    source_keys: tuple[str, ...] = ()


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
    notes: str = ""  # e.g. the stated substitute when equipment is missing
    substituted_for: str | None = None  # slug the runner lacked equipment for


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
