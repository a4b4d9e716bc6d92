"""What a pending decision says to a physiotherapist, in English and Dutch.

The runner reads rules.RULES[...].en/.nl; a clinician reads this: the rule in plain
clinical words (thresholds named, the figures come from the decision's inputs), the
section of clinical-evidence.md it encodes, the inputs the rule looked at with their
labels, and each dose before -> after. Never the runner's text, never a bare rule code.

Pure module: no Django imports. Every rule id in rules.RULES has a row here (a test
checks it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from programs.engine import rules

LANGUAGES = ("en", "nl")

# rule id -> {"en": ..., "nl": ...}: the rule in plain words for a clinician.
RULE_TEXTS: dict[str, dict[str, str]] = {
    rules.RED_FLAG_REFER: {
        "en": "A red flag was reported in a log: the plan pauses and the runner is referred. "
        "A red flag is never used as a progression signal.",
        "nl": "In een log is een rode vlag gemeld: het schema pauzeert en de loper wordt "
        "doorverwezen. Een rode vlag telt nooit als signaal om op te bouwen.",
    },
    rules.MOVEMENT_REFER: {
        "en": "Pain changed the way the runner moved (e.g. a limp) during an exercise or run: "
        "pause and refer, handled like a red flag.",
        "nl": "Pijn veranderde hoe de loper bewoog (bijv. mank lopen) tijdens een oefening of "
        "loop: pauzeren en doorverwijzen, behandeld als een rode vlag.",
    },
    rules.RED_REGRESS: {
        "en": "Red zone on this exercise (pain during above the amber limit, or a red next "
        "morning): drop one level to its regression.",
        "nl": "Rode zone bij deze oefening (pijn tijdens boven de oranje grens, of een rode "
        "ochtend erna): één niveau terug naar de regressie.",
    },
    rules.RED_REDUCE: {
        "en": "Red zone on an exercise without an easier regression (or locked): keep the "
        "exercise and reduce its load or volume by the plan's regression percentage.",
        "nl": "Rode zone bij een oefening zonder lichtere regressie (of vastgezet): oefening "
        "houden en belasting of volume verlagen met het regressiepercentage van het schema.",
    },
    rules.MORNING_REGRESS: {
        "en": "Next-morning pain clearly above baseline after a strength session: each "
        "exercise of that session drops one level.",
        "nl": "Ochtendpijn duidelijk boven de uitgangswaarde na een krachttraining: elke "
        "oefening van die training gaat één niveau terug.",
    },
    rules.MORNING_REDUCE: {
        "en": "Next-morning pain clearly above baseline after a strength session, exercise "
        "without a regression (or locked): load or volume down by the regression percentage.",
        "nl": "Ochtendpijn duidelijk boven de uitgangswaarde na een krachttraining, oefening "
        "zonder regressie (of vastgezet): belasting of volume omlaag met het "
        "regressiepercentage.",
    },
    rules.AMBER_HOLD: {
        "en": "Amber zone (pain during 3-5, or next morning 1-2 points above baseline): "
        "repeat the same dose.",
        "nl": "Oranje zone (pijn tijdens 3-5, of de ochtend erna 1-2 punten boven de "
        "uitgangswaarde): dezelfde dosering herhalen.",
    },
    rules.WEEKLY_AMBER_HOLD: {
        "en": "Weekly mean pain rose, but less than the red weekly rise: no progression this week.",
        "nl": "De gemiddelde weekpijn steeg, maar minder dan de rode weekstijging: deze week "
        "geen opbouw.",
    },
    rules.RED_RUN_CUT: {
        "en": "A red day while running continuously: weekly running minutes down by the "
        "plan's run-cut percentage.",
        "nl": "Een rode dag tijdens doorlopend hardlopen: wekelijkse loopminuten omlaag met "
        "het loop-reductiepercentage van het schema.",
    },
    rules.RED_STAGE_DOWN: {
        "en": "A red day on the walk-run ladder: one stage down.",
        "nl": "Een rode dag op het wandel-hardloopschema: één stap terug.",
    },
    rules.TWO_REDS_DELOAD: {
        "en": "Red on two or more days in one week: a deload week (strength volume down by "
        "the deload percentage) and the physiotherapist is alerted.",
        "nl": "Op twee of meer dagen in één week rood: een herstelweek (krachtvolume omlaag "
        "met het herstelpercentage) en de fysiotherapeut krijgt een melding.",
    },
    rules.TREND_DELOAD: {
        "en": "Weekly mean pain rose by at least the red weekly rise, or rose several weeks "
        "running: a deload week and the physiotherapist is alerted.",
        "nl": "De gemiddelde weekpijn steeg minstens met de rode weekstijging, of meerdere "
        "weken op rij: een herstelweek en de fysiotherapeut krijgt een melding.",
    },
    rules.FLARE_DELOAD: {
        "en": "The runner reported a flare-up: the coming days are a deload (volume down by "
        "the deload percentage) and the physiotherapist is alerted.",
        "nl": "De loper meldde een opvlamming: de komende dagen zijn een herstelperiode "
        "(volume omlaag met het herstelpercentage) en de fysiotherapeut krijgt een melding.",
    },
    rules.MULTI_FLARE_DELOAD: {
        "en": "Two or more exercises in the red by their own pain during in one week: each "
        "drops a level and the week is a deload. Moving a phase back is left to you.",
        "nl": "Twee of meer oefeningen in één week rood door hun eigen pijn tijdens: elk gaat "
        "een niveau terug en de week wordt een herstelweek. Een fase terug laten we aan jou.",
    },
    rules.REP_BRACKET: {
        "en": "Green twice in a row, dose completed, effort within the limit: next value in "
        "the slot's repetition bracket.",
        "nl": "Twee keer op rij groen, dosering volledig gedaan, inspanning binnen de grens: "
        "volgende waarde in de herhalingsreeks van de plek.",
    },
    rules.ADD_SET: {
        "en": "At the top of the repetition bracket with fewer sets than the slot: one set "
        "back, repetitions back to the bottom of the bracket.",
        "nl": "Bovenaan de herhalingsreeks met minder sets dan de plek voorschrijft: één set "
        "erbij, herhalingen terug naar onderaan de reeks.",
    },
    rules.NEXT_LEVEL: {
        "en": "Top of the bracket (or of the hold time) and green: move to the next exercise "
        "in the progression tree, within the slot's levels, compression class and equipment.",
        "nl": "Bovenaan de reeks (of de houdtijd) en groen: door naar de volgende oefening in "
        "de progressieboom, binnen de niveaus, compressieklasse en materialen van de plek.",
    },
    rules.LOAD_2FOR2: {
        "en": "No next level available; two or more repetitions over target in the last set "
        "in two consecutive sessions (2-for-2): external load up by the load increment.",
        "nl": "Geen volgend niveau beschikbaar; in twee opeenvolgende trainingen twee of meer "
        "herhalingen boven doel in de laatste set (2-voor-2): externe belasting omhoog met "
        "de belastingstap.",
    },
    rules.HOLD_TIME: {
        "en": "Isometric hold, green twice in a row: hold time up by the hold increment, up "
        "to the slot's maximum.",
        "nl": "Isometrische houding, twee keer op rij groen: houdtijd omhoog met de "
        "houdtijdstap, tot het maximum van de plek.",
    },
    rules.LOCKED_HOLD: {
        "en": "The exercise would have progressed, but you locked it: it stays as prescribed.",
        "nl": "De oefening zou zijn opgebouwd, maar je hebt hem vastgezet: hij blijft zoals "
        "voorgeschreven.",
    },
    rules.PHASE_EXIT: {
        "en": "All exit criteria of the phase met, the minimum weeks in the phase done and "
        "no red or amber trend: move on to the next phase.",
        "nl": "Alle uitstapcriteria van de fase gehaald, het minimum aantal weken in de fase "
        "gedaan en geen rode of oranje trend: door naar de volgende fase.",
    },
    rules.RUN_STAGE_UP: {
        "en": "The required number of green runs at the current walk-run stage, none red or "
        "amber: next stage, up to the phase's maximum.",
        "nl": "Het vereiste aantal groene lopen op de huidige wandel-hardloopstap, geen rood "
        "of oranje: volgende stap, tot het maximum van de fase.",
    },
    rules.RUN_REBUILD: {
        "en": "Continuous running with green runs: weekly minutes up by the rebuild percentage.",
        "nl": "Doorlopend hardlopen met groene lopen: wekelijkse minuten omhoog met het "
        "opbouwpercentage.",
    },
    rules.NO_IMPROVEMENT_REVIEW: {
        "en": "After 12 weeks no meaningful improvement (pain not down by 2 points or 30 %, "
        "LEFS not up by 9, PSFS not up by 2.3): flagged for your review; no dose change.",
        "nl": "Na 12 weken geen betekenisvolle verbetering (pijn niet 2 punten of 30 % lager, "
        "LEFS niet 9 hoger, PSFS niet 2,3 hoger): gemarkeerd voor jouw beoordeling; geen "
        "wijziging in dosering.",
    },
}

# decision input key -> its label for a clinician.
INPUT_LABELS: dict[str, dict[str, str]] = {
    "exercise": {"en": "Exercise", "nl": "Oefening"},
    "pain_during": {"en": "Pain during (0-10)", "nl": "Pijn tijdens (0-10)"},
    "zones": {"en": "Zones", "nl": "Zones"},
    "dates": {"en": "Days", "nl": "Dagen"},
    "amber_max": {"en": "Amber limit", "nl": "Oranje grens"},
    "green_max": {"en": "Green limit", "nl": "Groene grens"},
    "locked": {"en": "Locked", "nl": "Vastgezet"},
    "morning_red": {"en": "Red next morning only", "nl": "Alleen de ochtend erna rood"},
    "regress_volume_pct": {"en": "Regression (%)", "nl": "Regressie (%)"},
    "red_days": {"en": "Red days", "nl": "Rode dagen"},
    "run_zones": {"en": "Run zones", "nl": "Zones van de lopen"},
    "run_stages": {"en": "Run stages", "nl": "Loopstappen"},
    "run_cut_pct": {"en": "Run cut (%)", "nl": "Loopreductie (%)"},
    "run_rebuild_pct": {"en": "Run rebuild (%)", "nl": "Loopopbouw (%)"},
    "run_green_repeats": {"en": "Green runs needed", "nl": "Benodigde groene lopen"},
    "weekly_mean": {"en": "Weekly mean pain", "nl": "Gemiddelde weekpijn"},
    "previous_weekly_pain": {"en": "Earlier weekly means", "nl": "Eerdere weekgemiddelden"},
    "weekly_rise": {"en": "Weekly rise", "nl": "Weekstijging"},
    "weekly_rise_red": {"en": "Red weekly rise", "nl": "Rode weekstijging"},
    "rising_weeks": {"en": "Weeks rising", "nl": "Weken stijgend"},
    "deload_volume_pct": {"en": "Deload (%)", "nl": "Herstelweek (%)"},
    "flaring_exercises": {"en": "Exercises in the red", "nl": "Oefeningen in het rood"},
    "flare_ups": {"en": "Flare-ups", "nl": "Opvlammingen"},
    "flare_severity": {"en": "Worst flare-up (0-10)", "nl": "Ergste opvlamming (0-10)"},
    "completed": {"en": "Dose completed", "nl": "Dosering voltooid"},
    "green_sessions_to_progress": {
        "en": "Green sessions needed",
        "nl": "Benodigde groene trainingen",
    },
    "last_set_reps": {"en": "Repetitions in the last set", "nl": "Herhalingen laatste set"},
    "metrics": {"en": "Measured", "nl": "Gemeten"},
    "criteria": {"en": "Exit criteria", "nl": "Uitstapcriteria"},
    "weeks_min": {"en": "Minimum weeks", "nl": "Minimum aantal weken"},
    "weeks_on_plan": {"en": "Weeks on the plan", "nl": "Weken in het schema"},
    "baseline_pain": {"en": "Baseline pain", "nl": "Uitgangspijn"},
    "weekly_pain": {"en": "Weekly pain", "nl": "Weekpijn"},
    "pain_now": {"en": "Pain now", "nl": "Pijn nu"},
    "pain_fall": {"en": "Pain fall", "nl": "Pijndaling"},
    "lefs_change": {"en": "LEFS change", "nl": "LEFS-verandering"},
    "psfs_change": {"en": "PSFS change", "nl": "PSFS-verandering"},
    "red_flags": {"en": "Red flags", "nl": "Rode vlaggen"},
    "pain_changed_movement_on": {
        "en": "Pain changed movement on",
        "nl": "Pijn veranderde beweging op",
    },
}

# Inputs shown elsewhere (thresholds of the MID, which the rule text states).
HIDDEN_INPUTS = frozenset({"pain_mid_points", "pain_mid_pct", "lefs_mid", "psfs_mid"})

_YES_NO = {"en": ("yes", "no"), "nl": ("ja", "nee")}
_NONE = {"en": "none", "nl": "geen"}


@dataclass(frozen=True)
class DoseLine:
    slot_key: str
    exercise_before: str
    exercise_after: str
    before: str  # "" when the slot is new
    after: str  # "" when the slot is dropped


@dataclass(frozen=True)
class ClinicianView:
    rule_text: str
    section: str
    inputs: tuple[tuple[str, str], ...]  # (label, value)
    doses: tuple[DoseLine, ...]


def _lang(language: str) -> str:
    code = (language or "en")[:2]
    return code if code in LANGUAGES else "en"


def _value(value: object, language: str, names: dict[str, str]) -> str:
    if isinstance(value, bool):
        yes, no = _YES_NO[language]
        return yes if value else no
    if value is None:
        return "\u2013"
    if isinstance(value, float):
        text = f"{value:g}"
        return text.replace(".", ",") if language == "nl" else text
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, list | tuple):
        if not value:
            return _NONE[language]
        return ", ".join(_value(v, language, names) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_value(v, language, names)}" for k, v in value.items())
    return str(value)


def dose_text(draft: dict[str, Any] | None, language: str = "en") -> str:
    """A stored prescription draft as a dose: '3 x 12', '2 x 30 s', '+ 10 kg', rest."""
    if not draft:
        return ""
    language = _lang(language)
    sets = draft.get("sets")
    parts = []
    if draft.get("reps"):
        parts.append(str(draft["reps"]))
    if draft.get("hold_seconds"):
        parts.append(f"{draft['hold_seconds']} s")
    amount = " \u00d7 ".join(parts)
    text = f"{sets} \u00d7 {amount}" if amount else f"{sets} sets"  # "sets" in Dutch too
    load = draft.get("load_kg")
    if load:
        kg = f"{float(load):g}"
        text += f" + {kg.replace('.', ',') if language == 'nl' else kg} kg"
    return text


def clinician_view(
    *,
    rule_id: str,
    inputs: dict[str, Any],
    changes: list[dict[str, Any]],
    language: str,
    names: dict[str, str] | None = None,
) -> ClinicianView:
    """The clinician's reading of a stored decision. `names` maps exercise slugs (and other
    codes) to display names in `language`; unknown codes are shown as they are."""
    language = _lang(language)
    names = names or {}
    rule = rules.RULES.get(rule_id)
    texts = RULE_TEXTS.get(rule_id)
    rule_text = texts[language] if texts else (rule.summary if rule else "")
    lines = []
    order = {key: index for index, key in enumerate(INPUT_LABELS)}
    for key, value in sorted(inputs.items(), key=lambda item: order.get(item[0], len(order))):
        if key in HIDDEN_INPUTS:
            continue
        label = INPUT_LABELS.get(key, {}).get(language) or key.replace("_", " ").capitalize()
        lines.append((label, _value(value, language, names)))
    doses = []
    for change in changes or ():
        before, after = change.get("before"), change.get("after")
        doses.append(
            DoseLine(
                slot_key=change.get("slot_key", ""),
                exercise_before=names.get(before["exercise"], before["exercise"]) if before else "",
                exercise_after=names.get(after["exercise"], after["exercise"]) if after else "",
                before=dose_text(before, language),
                after=dose_text(after, language),
            )
        )
    return ClinicianView(
        rule_text=rule_text,
        section=rule.section if rule else "",
        inputs=tuple(lines),
        doses=tuple(doses),
    )
