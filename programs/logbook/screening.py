"""Screening before any plan: red flags refer, condition questions suggest a pathway.

Pure rules, no ORM. Sources: clinical-evidence §G (red flags and referral triggers),
§A1/§A2 (gluteal tendinopathy and proximal ITB syndrome features), §C (P0 screen).
When in doubt the rules are cautious: any red flag refers, and mixed features fall
back to the general lateral-hip pathway, which follows the compression-aware rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# --- Red flags (§G) ---------------------------------------------------------------------
# code -> (question shown to the runner, reason given when it is answered yes, sources)
RED_FLAGS: dict[str, tuple] = {
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
class ScreeningAnswers:
    red_flags: frozenset[str]  # codes answered "yes"
    pain_location: str  # key of PAIN_LOCATIONS
    features: frozenset[str]  # codes from GT_FEATURES / ITB_FEATURES answered "yes"
    baseline_pain: int  # NPRS 0..10, usual pain over the last week


@dataclass(frozen=True)
class ScreeningOutcome:
    outcome: str  # "ok" | "refer"
    reasons: tuple[str, ...]  # red-flag codes, or "hip_joint"
    condition: str | None  # suggested pathway when ok
    irritability: str | None  # "low" | "moderate" | "high" when ok
    source_keys: tuple[str, ...]


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
    """Pick the pathway the features point to; mixed or thin evidence stays general."""
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


def screen(answers: ScreeningAnswers) -> ScreeningOutcome:
    """Red flags first and always: any one refers and no plan is suggested (§G)."""
    flagged = tuple(code for code in RED_FLAGS if code in answers.red_flags)
    if flagged:
        sources = tuple(sorted({key for code in flagged for key in RED_FLAGS[code][2]}))
        return ScreeningOutcome("refer", flagged, None, None, sources)
    if answers.pain_location == "groin":
        return ScreeningOutcome("refer", ("hip_joint",), None, None, HIP_JOINT_REASON[1])
    condition = suggest_condition(answers)
    return ScreeningOutcome(
        "ok",
        (),
        condition,
        irritability_from(answers.baseline_pain, answers.features),
        CONDITION_SOURCES[condition],
    )


def reason_text(code: str) -> str:
    """The runner-facing explanation of a referral reason, in the active language."""
    if code == "hip_joint":
        return str(HIP_JOINT_REASON[0])
    return str(RED_FLAGS[code][1])


# The cautious general pathway follows the gluteal tendinopathy template (compression-aware).
TEMPLATE_FOR_CONDITION = {"lateral_hip_pain": "gluteal_tendinopathy"}
