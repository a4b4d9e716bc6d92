"""Screening before any plan: red flags refer, condition questions suggest a pathway.

Pure rules, no ORM. Sources: clinical-evidence §G (red flags and referral triggers,
signs of the hip joint), §A1/§A2 (gluteal tendinopathy and proximal ITB syndrome
features), §A4 (snapping hip), §C (P0 screen). When in doubt the rules are cautious:
any red flag or sign of the hip joint refers, and mixed features fall back to the
general lateral-hip pathway, which follows the compression-aware rules.

Every question that can refer needs an explicit answer (the form and the API refuse a
missing one); the pathway hints count as "no" when left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # a lazy translation's type, for the checker only
    from django_stubs_ext import StrPromise


@dataclass(frozen=True)
class ScreeningAnswers:
    red_flags: frozenset[str]  # codes answered "yes"
    pain_location: str  # key of PAIN_LOCATIONS
    features: frozenset[str]  # codes from GT_FEATURES / ITB_FEATURES answered "yes"
    baseline_pain: int  # NPRS 0..10, usual pain over the last week
    hip_signs: frozenset[str] = frozenset()  # codes from HIP_JOINT_QUESTIONS answered "yes"
    snapping: str = "none"  # key of SNAPPING_CHOICES
    snapping_persistent: bool = False  # painful snapping for weeks, or back after rest


# --- Red flags (§G) ---------------------------------------------------------------------
# code -> (question shown to the runner, reason given when it is answered yes, sources)
RED_FLAGS: dict[str, tuple[StrPromise, StrPromise, tuple[str, ...]]] = {
    "rest_or_night_pain": (
        _("Do you have hip pain at rest, or pain that wakes you at night?"),
        _(
            "Pain at rest or at night needs a doctor's assessment before you train: it can "
            "come from a bone stress injury or a problem outside the tendon."
        ),
        ("robertson2017_fnsf",),
    ),
    "groin_pain_hop_pain": (
        _(
            "Do you have groin or front-of-hip pain that gets worse with running, or pain when hopping?"
        ),
        _(
            "Groin pain that builds with running or hurts when you hop can be a stress "
            "fracture of the hip. Please see a doctor soon and do not hop or run until then."
        ),
        ("robertson2017_fnsf",),
    ),
    "limp_or_hip_drop": (
        _("Do you limp, or does your pelvis drop to one side when you walk?"),
        _(
            "A limp or a dropping pelvis can mean a torn tendon; that needs an assessment "
            "(often a scan) before strength training."
        ),
        ("grimaldi2015_review",),
    ),
    "new_weakness": (
        _("Is your leg newly weak, or can you not stand on the painful leg for 30 seconds?"),
        _(
            "New weakness, or not managing 30 seconds on one leg, can mean a tendon tear. "
            "A physiotherapist or doctor should check this first."
        ),
        ("lequesne2008_tests", "grimaldi2017_tests"),
    ),
    "sudden_tearing_onset": (
        _("Did the pain start suddenly with a tearing or popping feeling?"),
        _(
            "A sudden start with a tearing feeling can be an acute tear; please get it checked promptly."
        ),
        ("grimaldi2015_review",),
    ),
    "fever_or_unwell": (
        _(
            "Do you have a fever, feel unwell, have lost weight without trying, have a history "
            "of cancer, or a hot swollen joint?"
        ),
        _(
            "Fever, feeling unwell, unexplained weight loss, a history of cancer or a hot "
            "swollen joint need an urgent medical review."
        ),
        ("mellor2016_leap_protocol",),
    ),
    "numbness_or_pins_needles": (
        _("Do you have numbness, pins and needles, or back pain spreading into your leg?"),
        _(
            "Numbness, pins and needles or back pain into the leg can come from the lower "
            "back; a clinician should assess that before a hip plan."
        ),
        ("mellor2016_leap_protocol",),
    ),
    "bone_stress_risk": (
        _(
            "Do any of these apply: missed periods, very low body weight, restricted eating, "
            "osteoporosis or a previous stress fracture?"
        ),
        _(
            "These raise the risk of bone stress injuries in runners. Please see a sports "
            "doctor before loading the hip."
        ),
        ("robertson2017_fnsf",),
    ),
}

# Groin pain as the main complaint points to the hip joint (LEAP exclusions): the plan
# is not designed for it.
HIP_JOINT_REASON = (
    _(
        "Pain mainly in the groin or the front of the hip points to the hip joint itself. "
        "This plan is built for tendon and ITB pain, so please have the hip assessed first."
    ),
    ("mellor2016_leap_protocol",),
)

# --- Signs of the hip joint (§G) --------------------------------------------------------
# The LEAP trial left out runners whose pain came from the hip joint: groin pain as the
# main complaint, hip flexion under 90 degrees or reduced internal rotation, morning
# stiffness, and (for groin pain) age 50 or over (mellor2016_leap_protocol). The plan is
# not designed for hip osteoarthritis or other joint problems, so each of these refers
# for an assessment. Groin pain as the main complaint is the "groin" pain location.
HIP_JOINT_QUESTIONS = {
    "hip_stiff_or_restricted": _(
        "Is your hip stiff, or does it no longer bend up or turn inwards as far as it used "
        "to (for example when you put on socks or shoes)?"
    ),
    "hip_morning_stiffness": _("Is your hip stiff when you get up in the morning?"),
    "groin_pain": _("Do you also have pain in the groin or at the front of the hip?"),
    "age_50_or_over": _("Are you 50 or older?"),
}

# reason code -> (reason given to the runner, sources)
HIP_JOINT_REASONS: dict[str, tuple[StrPromise, tuple[str, ...]]] = {
    "hip_stiff_or_restricted": (
        _(
            "A stiff hip, or one that no longer bends or turns as far as it did, points to "
            "the hip joint itself. This plan is built for tendon and ITB pain, not for a worn "
            "or stiff hip joint, so please have the hip assessed first."
        ),
        ("mellor2016_leap_protocol",),
    ),
    "hip_morning_stiffness": (
        _(
            "Morning stiffness of the hip points to the hip joint rather than the tendons on "
            "the outside of the hip. Please have the hip assessed before you start this plan."
        ),
        ("mellor2016_leap_protocol",),
    ),
    "groin_pain_age_50": (
        _(
            "From the age of 50, pain in the groin or the front of the hip often comes from "
            "the hip joint. This plan is not designed for that, so please have the hip "
            "assessed first."
        ),
        ("mellor2016_leap_protocol",),
    ),
}


def hip_joint_reasons(answers: ScreeningAnswers) -> tuple[str, ...]:
    """§G: signs that the pain comes from the hip joint; each one refers."""
    signs = answers.hip_signs
    reasons: list[str] = [
        code for code in ("hip_stiff_or_restricted", "hip_morning_stiffness") if code in signs
    ]
    groin = "groin_pain" in signs or answers.pain_location == "groin"
    if groin and "age_50_or_over" in signs:
        reasons.append("groin_pain_age_50")
    return tuple(reasons)


# --- Snapping hip (§A4) ------------------------------------------------------------------
# No protocol for the external snapping hip was found; the notes' rule [I]: painless
# snapping changes nothing, painful snapping is treated as gluteal tendinopathy (the
# snapping hip sits under the greater trochanteric pain syndrome umbrella: compression
# education and abductor loading), persistent painful snapping refers.
#
# "Persistent" is our own cautious threshold [I]: painful snapping for 6 weeks or more,
# or snapping that keeps coming back after a rest. Load management settles an irritated
# tendon within weeks; a painful snap that has lasted longer, or returns as soon as the
# runner trains again, needs someone to examine the hip (a thickened band, a bursa or a
# joint problem can snap too) before an unsupervised plan. Source keys: grimaldi2015_review
# (gluteal tendinopathy and its compression mechanism).
PERSISTENT_SNAPPING_WEEKS = 6
PAINFUL_SNAPPING = "painful_snapping"  # the feature code the planner receives
SNAPPING_QUESTION = _(
    "Do you feel or hear a snap or clunk on the outside of the hip when you walk, run or "
    "climb stairs?"
)
SNAPPING_CHOICES = {
    "none": _("No"),
    "painless": _("Yes, but it does not hurt"),
    "painful": _("Yes, and it hurts"),
}
SNAPPING_PERSISTENT_QUESTION = _(
    "If the snapping hurts: has it gone on for %(weeks)s weeks or more, or does it keep "
    "coming back after a rest?"
)
SNAPPING_REASON = (
    _(
        "Painful snapping at the hip that has lasted for weeks, or keeps coming back after "
        "rest, should be examined by a physiotherapist or doctor before you start a plan."
    ),
    ("grimaldi2015_review",),
)
SNAPPING_SOURCES = ("grimaldi2015_review",)


def snapping_refers(answers: ScreeningAnswers) -> bool:
    """§A4: persistent painful snapping refers; painless snapping never does."""
    return answers.snapping == "painful" and answers.snapping_persistent


# --- Condition questions (§A1, §A2) -----------------------------------------------------
PAIN_LOCATIONS = {
    "outer_hip": _("On the outside of the hip, over the bony point"),
    "outer_thigh": _("Along the outside of the thigh, between hip and knee"),
    "outer_knee": _("On the outside of the knee"),
    "groin": _("In the groin or the front of the hip"),
    "none": _("I have no pain now (prevention)"),
}

# Features that point towards gluteal tendinopathy: compression positions aggravate it,
# and pain within 30 s of single-leg stance has high diagnostic value (Grimaldi 2017).
GT_FEATURES = {
    "lying_on_side_hurts": _("Does lying on the painful side hurt?"),
    "stairs_hurt": _("Do stairs or climbing slopes hurt?"),
    "crossing_legs_hurts": _("Does sitting with crossed legs, or in a low chair, hurt?"),
    "single_leg_stance_pain": _(
        "Does standing on the painful leg for 30 seconds bring on the pain?"
    ),
}
# Features that point towards ITB syndrome: pain at a fixed distance, worse downhill
# (Pegrum 2019; Fredericson & Weir 2006).
ITB_FEATURES = {
    "fixed_distance_pain": _("Does the pain start at about the same distance into every run?"),
    "downhill_hurts": _("Is it worse running downhill?"),
}

CONDITION_LABELS = {
    "gluteal_tendinopathy": _("Gluteal tendinopathy (greater trochanteric pain syndrome)"),
    "proximal_itbs": _("Iliotibial band syndrome, hip end"),
    "lateral_hip_pain": _("Lateral hip pain, cautious general pathway"),
    "prevention": _("Prevention and maintenance for healthy runners"),
}

CONDITION_SOURCES = {
    "gluteal_tendinopathy": ("grimaldi2015_review", "grimaldi2017_tests"),
    "proximal_itbs": ("pegrum2019_itbs", "fredericson2006_itbs"),
    "lateral_hip_pain": ("grimaldi2015_review",),
    "prevention": ("mckay2020_itbs",),
}


@dataclass(frozen=True)
class ScreeningOutcome:
    outcome: str  # "ok" | "refer"
    reasons: tuple[str, ...]  # red-flag codes, "hip_joint", HIP_JOINT_REASONS, snapping
    condition: str | None  # suggested pathway when ok
    irritability: str | None  # "low" | "moderate" | "high" when ok
    source_keys: tuple[str, ...]
    # Feature codes for the planner (RunnerContext.features): the GT/ITB features
    # answered "yes", plus PAINFUL_SNAPPING. Recorded whatever the outcome.
    features: tuple[str, ...] = ()


def irritability_from(baseline_pain: int, features: frozenset[str]) -> str:
    """Irritability from usual pain (§C P0): >= 6 high, 3-5 moderate, 0-2 low.

    Pain lying on the side bumps low to moderate: the tendon is loaded even at rest.
    """
    if baseline_pain >= 6:
        return "high"
    if baseline_pain >= 3 or "lying_on_side_hurts" in features:
        return "moderate"
    return "low"


def suggest_condition(answers: ScreeningAnswers) -> str:
    """Pick the pathway the features point to; mixed or thin evidence stays general.

    Painful snapping is treated as gluteal tendinopathy (§A4), whatever else was answered.
    """
    if answers.snapping == "painful":
        return "gluteal_tendinopathy"
    if answers.pain_location == "none" and answers.baseline_pain == 0:
        return "prevention"
    gt = len(answers.features & GT_FEATURES.keys())
    itb = len(answers.features & ITB_FEATURES.keys())
    if answers.pain_location == "outer_hip":
        gt += 1
    elif answers.pain_location in {"outer_thigh", "outer_knee"}:
        itb += 1
    if gt >= 2 and gt > itb:
        return "gluteal_tendinopathy"
    if itb >= 2 and itb > gt:
        return "proximal_itbs"
    return "lateral_hip_pain"


FEATURE_CODES = frozenset({*GT_FEATURES, *ITB_FEATURES, PAINFUL_SNAPPING})


def screening_features(answers: ScreeningAnswers) -> tuple[str, ...]:
    """The feature codes the planner receives (RunnerContext.features), sorted."""
    codes = set(answers.features & (GT_FEATURES.keys() | ITB_FEATURES.keys()))
    if answers.snapping == "painful":
        codes.add(PAINFUL_SNAPPING)
    return tuple(sorted(codes))


def _reason_sources(code: str) -> tuple[str, ...]:
    if code in RED_FLAGS:
        return RED_FLAGS[code][2]
    if code in HIP_JOINT_REASONS:
        return HIP_JOINT_REASONS[code][1]
    if code == "persistent_painful_snapping":
        return SNAPPING_REASON[1]
    return HIP_JOINT_REASON[1]


def screen(answers: ScreeningAnswers) -> ScreeningOutcome:
    """Referral triggers first and always: any one refers and no plan is suggested.

    The reasons are every trigger that applied, in a fixed order: red flags (§G), groin
    pain as the main complaint and the other signs of the hip joint (§G), persistent
    painful snapping (§A4). Otherwise the condition questions suggest a pathway.
    """
    features = screening_features(answers)
    reasons = [code for code in RED_FLAGS if code in answers.red_flags]
    if answers.pain_location == "groin":
        reasons.append("hip_joint")
    reasons.extend(hip_joint_reasons(answers))
    if snapping_refers(answers):
        reasons.append("persistent_painful_snapping")
    if reasons:
        referral_sources = tuple(sorted({key for code in reasons for key in _reason_sources(code)}))
        return ScreeningOutcome("refer", tuple(reasons), None, None, referral_sources, features)
    condition = suggest_condition(answers)
    sources = set(CONDITION_SOURCES[condition])
    if answers.snapping == "painful":
        sources.update(SNAPPING_SOURCES)
    return ScreeningOutcome(
        "ok",
        (),
        condition,
        irritability_from(answers.baseline_pain, answers.features),
        tuple(sorted(sources)),
        features,
    )


# A log with pain that changed the way the runner walked or ran (a limp) refers like a
# red flag (§D2 last bullet, §G limp / Trendelenburg row). Not a screening question: the
# code a referral opened from such a log carries.
MOVEMENT_CHANGE_CODE = "pain_changed_movement"
MOVEMENT_CHANGE_REASON = (
    _(
        "You logged pain that changed the way you walked or ran. A limp can mean the tendon "
        "needs an assessment (sometimes a scan) before you load it further."
    ),
    ("grimaldi2015_review", "lequesne2008_tests"),
)


def reason_text(code: str) -> str:
    """The runner-facing explanation of a referral reason, in the active language."""
    if code == MOVEMENT_CHANGE_CODE:
        return str(MOVEMENT_CHANGE_REASON[0])
    if code == "hip_joint":
        return str(HIP_JOINT_REASON[0])
    if code in HIP_JOINT_REASONS:
        return str(HIP_JOINT_REASONS[code][0])
    if code == "persistent_painful_snapping":
        return str(SNAPPING_REASON[0])
    return str(RED_FLAGS[code][1])


# The cautious general pathway follows the gluteal tendinopathy template (compression-aware).
TEMPLATE_FOR_CONDITION = {"lateral_hip_pain": "gluteal_tendinopathy"}
