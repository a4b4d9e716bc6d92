"""Alternatives for a prescribed exercise, and the rules a physiotherapist's choice breaks.

Pure module: no Django imports. A physiotherapist swapping an exercise is offered a ranked
list of candidates: exercises of the same movement family or movement pattern, at the
levels the slot allows, that pass the plan's rules. Each candidate carries the reasons it
is suggested and the rules it breaks, each rule tied to its section of
/work/shared/reference/clinical-evidence.md, so a physiotherapist can check it there.

A choice that breaks a rule is an override: it needs a written reason (the service stores
it with the revision). A compressive (C2) exercise in an early phase under the
gluteal-tendinopathy rules is the rule the product refuses hardest: never without a reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from programs.engine.planner import compression_allowed, condition_allowed, gt_rules, has_equipment
from programs.engine.specs import ExerciseSpec, PhaseSpec, SlotSpec

COMPRESSION_RANK = {"C0": 0, "C1": 1, "C2": 2}


@dataclass(frozen=True)
class EditRule:
    code: str
    section: str  # in clinical-evidence.md
    summary_en: str  # for physiotherapists
    summary_nl: str


# --- The rules a swap is checked against -----------------------------------------------------
EARLY_GT_COMPRESSION = "early_gt_compression"
COMPRESSION = "compression"
CONDITION = "condition"
LEVEL = "level"
EQUIPMENT = "equipment"

RULES: dict[str, EditRule] = {
    rule.code: rule
    for rule in (
        EditRule(
            EARLY_GT_COMPRESSION,
            "§A1 plan rule 3; §B2 compression column (C2: exclude in GTPS until late stage); §C P1-P2",
            "A compressive (C2) exercise in an early phase of gluteal tendinopathy: it takes "
            "the hip into end-range adduction and compresses the tendon.",
            "Een compressieve (C2) oefening in een vroege fase van gluteale tendinopathie: "
            "de heup gaat in eindstandige adductie en de pees wordt samengedrukt.",
        ),
        EditRule(
            COMPRESSION,
            "§A1 plan rule 3; §A2 rule 1; §B2 compression column",
            "Compression class above what this phase allows for this condition.",
            "Compressieklasse hoger dan deze fase voor deze aandoening toestaat.",
        ),
        EditRule(
            CONDITION,
            "§A1 plan rule 4 (never an ITB or across-body stretch in GTPS); §A2 rule 2",
            "Marked as not for this runner's condition or screening features.",
            "Gemarkeerd als niet geschikt voor de aandoening of screeningskenmerken van deze hardloper.",
        ),
        EditRule(
            LEVEL,
            "§B2 level mapping; §C phase content (levels per phase)",
            "Level outside the levels this slot allows.",
            "Niveau buiten de niveaus die deze plek in het schema toestaat.",
        ),
        EditRule(
            EQUIPMENT,
            "§B2 equipment column",
            "Needs equipment the runner does not have.",
            "Vraagt materiaal dat de hardloper niet heeft.",
        ),
    )
}

# --- Why a candidate is suggested ------------------------------------------------------------
SAME_FAMILY = "same_family"
SAME_PATTERN = "same_pattern"
SAME_LEVEL = "same_level"
LESS_COMPRESSION = "less_compression"
NO_EQUIPMENT = "no_equipment"

REASONS: dict[str, tuple[str, str, str]] = {
    # code: (section, en, nl)
    SAME_FAMILY: (
        "§B2 regression -> progression chains",
        "Same movement family",
        "Zelfde bewegingsfamilie",
    ),
    SAME_PATTERN: ("§B1-§B2 target muscles", "Same movement pattern", "Zelfde bewegingspatroon"),
    SAME_LEVEL: ("§B2 level mapping", "Same level", "Zelfde niveau"),
    LESS_COMPRESSION: (
        "§A1 plan rule 3",
        "Less compression of the tendon",
        "Minder compressie van de pees",
    ),
    NO_EQUIPMENT: ("§B2 equipment column", "Needs no equipment", "Geen materiaal nodig"),
}


def broken_rules(
    exercise: ExerciseSpec,
    *,
    slot: SlotSpec | None,
    phase: PhaseSpec,
    condition: str,
    equipment: Iterable[str],
    features: Iterable[str] = (),
) -> tuple[str, ...]:
    """The rule codes (RULES) that prescribing `exercise` in this slot and phase breaks,
    most serious first. Empty: it passes the plan's rules.

    - early_gt_compression: a C2 exercise in an early phase under the gluteal-tendinopathy
      rules (planner.gt_rules: the condition, or its screening features in another pathway).
    - compression: otherwise above the phase's limit (planner.compression_allowed).
    - condition: marked not for the condition (planner.condition_allowed).
    - level: outside the slot's min_level..max_level (no slot: any level).
    - equipment: the runner lacks an item it needs (planner.has_equipment).
    """
    features = frozenset(features)
    broken = []
    if exercise.compression == "C2" and phase.early and gt_rules(condition, features):
        broken.append(EARLY_GT_COMPRESSION)
    elif not compression_allowed(exercise, phase, condition, features):
        broken.append(COMPRESSION)
    if not condition_allowed(exercise, condition, features):
        broken.append(CONDITION)
    if slot is not None and not slot.min_level <= exercise.level <= slot.max_level:
        broken.append(LEVEL)
    if not has_equipment(exercise, equipment):
        broken.append(EQUIPMENT)
    return tuple(broken)


@dataclass(frozen=True)
class Alternative:
    exercise: ExerciseSpec
    reasons: tuple[str, ...]  # REASONS codes: why it is suggested
    broken: tuple[str, ...]  # RULES codes: what choosing it would override

    @property
    def allowed(self) -> bool:
        return not self.broken


def related(current: ExerciseSpec, candidate: ExerciseSpec) -> bool:
    """Same movement family, or same movement pattern (when both have one)."""
    if candidate.family == current.family:
        return True
    return bool(current.movement_pattern) and candidate.movement_pattern == current.movement_pattern


def rank_alternatives(
    current: ExerciseSpec,
    candidates: Iterable[ExerciseSpec],
    *,
    slot: SlotSpec | None,
    phase: PhaseSpec,
    condition: str,
    equipment: Iterable[str],
    features: Iterable[str] = (),
    include_broken: bool = True,
) -> list[Alternative]:
    """The exercises related to `current` (same family or pattern), best first.

    Order: those that pass every rule first; then same family before same pattern only;
    then the level nearest the current one (the easier one first on a tie); then the lower
    compression class; then the slug, so the list is stable. With include_broken=False
    only the candidates that pass the rules are returned."""
    equipment = frozenset(equipment)
    out = []
    for candidate in candidates:
        if candidate.slug == current.slug or not related(current, candidate):
            continue
        broken = broken_rules(
            candidate,
            slot=slot,
            phase=phase,
            condition=condition,
            equipment=equipment,
            features=features,
        )
        if broken and not include_broken:
            continue
        reasons = []
        if candidate.family == current.family:
            reasons.append(SAME_FAMILY)
        if current.movement_pattern and candidate.movement_pattern == current.movement_pattern:
            reasons.append(SAME_PATTERN)
        if candidate.level == current.level:
            reasons.append(SAME_LEVEL)
        if COMPRESSION_RANK[candidate.compression] < COMPRESSION_RANK[current.compression]:
            reasons.append(LESS_COMPRESSION)
        if set(candidate.equipment) <= {"none"}:
            reasons.append(NO_EQUIPMENT)
        out.append(Alternative(candidate, tuple(reasons), broken))

    def key(alt: Alternative) -> tuple[bool, bool, int, int, int, str]:
        exercise = alt.exercise
        return (
            bool(alt.broken),
            exercise.family != current.family,
            abs(exercise.level - current.level),
            exercise.level,
            COMPRESSION_RANK[exercise.compression],
            exercise.slug,
        )

    return sorted(out, key=key)


def override_needs_reason(broken: Iterable[str], reason: str) -> bool:
    """True when the rules broken call for a written reason that was not given: any broken
    rule does (the warning step), the early compression rule above all (§A1 rule 3)."""
    return bool(tuple(broken)) and not reason.strip()


def dose_problems(
    *,
    sets: int | None,
    reps: int | None,
    hold_seconds: int | None,
    load_kg: float | None,
    rest_seconds: int | None,
    exercise: ExerciseSpec,
) -> dict[str, str]:
    """Impossible doses, by field (English codes the services translate): the bounds the
    stored prescriptions hold (1-10 sets, 1-100 reps, holds up to 5 minutes), load only on
    a loadable exercise (§E load rules), rest 0-600 s."""
    problems = {}
    if sets is not None and not 1 <= sets <= 10:
        problems["sets"] = "sets_range"
    if reps is not None and not 1 <= reps <= 100:
        problems["reps"] = "reps_range"
    if hold_seconds is not None and not 1 <= hold_seconds <= 300:
        problems["hold_seconds"] = "hold_range"
    if load_kg is not None and (load_kg < 0 or load_kg > 500):
        problems["load_kg"] = "load_range"
    elif load_kg and not exercise.loadable:
        problems["load_kg"] = "not_loadable"
    if rest_seconds is not None and not 0 <= rest_seconds <= 600:
        problems["rest_seconds"] = "rest_range"
    return problems
