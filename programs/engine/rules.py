"""The rule table: every automatic decision names one of these rules.

One row per rule: a stable id (stored on each decision), the section of
../shared/reference/clinical-evidence.md it encodes, the evidence keys it rests on
(from specs.SOURCE_KEYS), a one-line summary for physiotherapists, and the explanation
the runner reads, in English and Dutch. Figures in the explanations come from the
decision (e.g. {reps}); the thresholds themselves live on specs.Policy.

Pure module: no Django imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from programs.engine.specs import ExerciseSpec, PhaseSpec

# --- Rule ids ----------------------------------------------------------------------------
RED_FLAG_REFER = "G.red_flag_refer"
MOVEMENT_REFER = "G.movement_change_refer"
RED_REGRESS = "D2.red_regress"
RED_REDUCE = "D2.red_reduce"
MORNING_REGRESS = "C.morning_flare_regress"
MORNING_REDUCE = "C.morning_flare_reduce"
AMBER_HOLD = "D2.amber_hold"
WEEKLY_AMBER_HOLD = "D2.weekly_amber_hold"
RED_RUN_CUT = "D2.red_run_cut"
RED_STAGE_DOWN = "F1b.red_stage_down"
TWO_REDS_DELOAD = "D2.two_reds_deload"
TREND_DELOAD = "D2.weekly_trend_deload"
FLARE_DELOAD = "C.flare_deload"
MULTI_FLARE_DELOAD = "C.exercises_flare_deload"
REP_BRACKET = "E.rep_bracket"
ADD_SET = "E.add_set"
NEXT_LEVEL = "E.next_level"
LOAD_2FOR2 = "E.load_2for2"
HOLD_TIME = "E.hold_time"
LOCKED_HOLD = "E.locked_hold"
PHASE_EXIT = "C.phase_exit"
RUN_STAGE_UP = "F1b.stage_up"
RUN_REBUILD = "F1b.rebuild"
NO_IMPROVEMENT_REVIEW = "G.no_improvement_review"


@dataclass(frozen=True)
class Rule:
    id: str
    section: str  # in clinical-evidence.md
    sources: tuple[str, ...]
    summary: str  # for physiotherapists
    en: str  # runner explanation template
    nl: str


_PAIN_MODEL = ("silbernagel2007_pain_model", "thomee1997_pain_zones")

RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(
            RED_FLAG_REFER,
            "§G red flags; §D2 last bullet",
            ("robertson2017_fnsf", "lequesne2008_tests", "grimaldi2015_review"),
            "Any red flag in any log pauses the plan and refers; never a progression signal.",
            "You reported a sign that a physiotherapist or doctor should check before you go "
            "on. Your plan is paused until then: please stop running and strength training "
            "for now and make an appointment soon.",
            "Je hebt een signaal gemeld dat eerst door een fysiotherapeut of arts bekeken "
            "moet worden. Je schema staat daarom op pauze: stop voorlopig met hardlopen en "
            "krachttraining en maak snel een afspraak.",
        ),
        Rule(
            MOVEMENT_REFER,
            "§D2 red row (pain that changes movement, limp); §G limping / Trendelenburg",
            ("grimaldi2015_review", "lequesne2008_tests", "robertson2017_fnsf"),
            "Pain that changed the way the runner walked, ran or moved (a limp), in any "
            "exercise or run log -> pause and refer, like a red flag; never an ordinary red.",
            "You told us the pain changed the way you moved, for example that you limped. "
            "A limp can come from a torn tendon or a stress injury, so a physiotherapist or "
            "doctor should check your hip before you go on. Your plan is paused until then: "
            "please stop running and strength training for now and make an appointment soon.",
            "Je gaf aan dat de pijn veranderde hoe je bewoog, bijvoorbeeld dat je mank liep. "
            "Mank lopen kan komen door een gescheurde pees of een overbelastingsletsel van het "
            "bot. Laat je heup daarom eerst door een fysiotherapeut of arts bekijken. Je "
            "schema staat tot dan op pauze: stop voorlopig met hardlopen en krachttraining en "
            "maak snel een afspraak.",
        ),
        Rule(
            RED_REGRESS,
            "§D2 one red; §C regression rule",
            _PAIN_MODEL,
            "Red (pain during > amber_max, pain changing the movement, or a red next "
            "morning) -> the exercise drops one level to its regression.",
            "{exercise} hurt more than it should this week. Next time you do the easier "
            "{new_exercise} instead, so the tendon can settle.",
            "{exercise} deed deze week meer pijn dan de bedoeling is. De volgende keer doe "
            "je daarom de lichtere variant, {new_exercise}, zodat de pees tot rust kan komen.",
        ),
        Rule(
            RED_REDUCE,
            "§D2 one red (-20-30 % load/volume)",
            _PAIN_MODEL,
            "Red on an exercise at the root of its tree, or locked -> load (or reps/hold) "
            "down by policy.regress_volume_pct.",
            "{exercise} hurt more than it should this week. You keep the exercise, but next "
            "time it is about {pct}% lighter.",
            "{exercise} deed deze week meer pijn dan de bedoeling is. Je houdt deze oefening, "
            "maar de volgende keer is hij ongeveer {pct}% lichter.",
        ),
        Rule(
            MORNING_REGRESS,
            "§C regression rule (next-morning flare -> drop one level); §D2 next-morning row",
            _PAIN_MODEL,
            "A red next morning after a strength session -> each exercise of that session "
            "drops one level to its regression (once per window, however many red mornings).",
            "Your hip was clearly more sore the morning after the session with {exercise}, "
            "so that session was too much. Next time you do the easier {new_exercise} "
            "instead.",
            "Je heup was de ochtend na de training met {exercise} duidelijk gevoeliger, dus "
            "die training was te veel. De volgende keer doe je daarom de lichtere variant, "
            "{new_exercise}.",
        ),
        Rule(
            MORNING_REDUCE,
            "§C regression rule (next-morning flare); §D2 one red (-20-30 % load/volume)",
            _PAIN_MODEL,
            "A red next morning after a strength session, for an exercise at the root of its "
            "tree or locked -> load (or reps/hold) down by policy.regress_volume_pct.",
            "Your hip was clearly more sore the morning after the session with {exercise}, "
            "so that session was too much. You keep the exercise, but next time it is about "
            "{pct}% lighter.",
            "Je heup was de ochtend na de training met {exercise} duidelijk gevoeliger, dus "
            "die training was te veel. Je houdt deze oefening, maar de volgende keer is hij "
            "ongeveer {pct}% lichter.",
        ),
        Rule(
            AMBER_HOLD,
            "§D2 any amber -> repeat the same dose",
            _PAIN_MODEL,
            "Amber (pain during 3-5, or next morning +1..+2 over baseline) -> same dose.",
            "{exercise} was a little sore, or your hip was a bit more sensitive the next "
            "morning. That is fine: repeat the same dose until it feels easy again.",
            "{exercise} gaf wat pijn, of je heup was de ochtend erna wat gevoeliger. Dat mag: "
            "herhaal dezelfde dosering tot het weer makkelijk gaat.",
        ),
        Rule(
            WEEKLY_AMBER_HOLD,
            "§D2 weekly mean pain, amber row",
            _PAIN_MODEL,
            "Weekly mean pain rose, but by less than policy.weekly_rise_red -> no progression.",
            "Your average pain crept up a little this week. Nothing changes for now: keep the "
            "same doses for another week.",
            "Je gemiddelde pijn liep deze week iets op. Er verandert voorlopig niets: houd "
            "dezelfde doseringen nog een week aan.",
        ),
        Rule(
            RED_RUN_CUT,
            "§D2 one red while running; §F1 volume cut",
            (*_PAIN_MODEL, "trials2023_walk_run"),
            "Any red day while running continuously -> weekly run minutes down by "
            "policy.run_cut_pct.",
            "Because of the extra pain this week, your next runs are shorter: about {pct}% "
            "less running time, around {minutes} minutes in the week.",
            "Door de extra pijn deze week worden je volgende hardlooptrainingen korter: "
            "ongeveer {pct}% minder looptijd, rond de {minutes} minuten in de week.",
        ),
        Rule(
            RED_STAGE_DOWN,
            "§F1b red -> drop one stage; §D2 one red",
            ("trials2023_walk_run", *_PAIN_MODEL),
            "Any red day while on the walk-run ladder -> one stage down.",
            "Because of the extra pain this week, you go back one step on the walk-run "
            "schedule, to stage R{stage}.",
            "Door de extra pijn deze week ga je één stap terug in je wandel-hardloopschema, "
            "naar stap R{stage}.",
        ),
        Rule(
            TWO_REDS_DELOAD,
            "§D2 red on 2 sessions within 7 days -> deload, physio contact",
            _PAIN_MODEL,
            "Red on policy.deload_red_days days in the window -> strength volume down by "
            "policy.deload_volume_pct and the physio is alerted.",
            "Your hip was clearly sore on more than one day this week. The coming week is a "
            "lighter week, with about {pct}% less volume.",
            "Je heup was deze week op meer dan één dag duidelijk pijnlijk. De komende week is "
            "een lichtere week, met ongeveer {pct}% minder volume.",
        ),
        Rule(
            TREND_DELOAD,
            "§D2 weekly trend red (rise >= 1 point, or rising 2 weeks running)",
            _PAIN_MODEL,
            "Weekly mean pain rising by >= policy.weekly_rise_red, or rising "
            "policy.rising_weeks_red weeks running -> deload and alert the physio.",
            "Your average pain has been going up from week to week. The coming week is "
            "lighter, with about {pct}% less volume, so things can settle.",
            "Je gemiddelde pijn is van week tot week gestegen. De komende week is lichter, "
            "met ongeveer {pct}% minder volume, zodat het kan zakken.",
        ),
        Rule(
            FLARE_DELOAD,
            "§C regression rule (next-morning flare); §D2 red actions",
            ("cook2009_continuum", *_PAIN_MODEL),
            "A flare-up reported by the runner -> the coming days are a lighter week "
            "(volume down by policy.deload_volume_pct) and the physio is alerted.",
            "You reported a flare-up. Flare-ups happen and usually settle within a few days "
            "when the load comes down, so your plan is about {pct}% lighter for now.",
            "Je hebt een opvlamming gemeld. Dat gebeurt, en meestal zakt het binnen een paar "
            "dagen als de belasting omlaag gaat. Je plan is daarom voorlopig ongeveer {pct}% "
            "lichter.",
        ),
        Rule(
            MULTI_FLARE_DELOAD,
            "§C regression rule (>= 2 exercises flare in a week); §D2 deload (volume -30-50 %)",
            ("cook2009_continuum", *_PAIN_MODEL),
            "Two or more exercises red by their own pain during in the window -> each drops a "
            "level and the week is a deload (policy.deload_volume_pct), physio alerted. §C "
            "says drop a phase; the engine takes the lighter week and leaves moving a phase "
            "back to the physiotherapist.",
            "More than one exercise hurt clearly this week. Besides the easier versions, the "
            "coming week is a lighter week, with about {pct}% less volume.",
            "Deze week deed meer dan één oefening duidelijk pijn. Naast de lichtere varianten "
            "is de komende week een lichtere week, met ongeveer {pct}% minder volume.",
        ),
        Rule(
            REP_BRACKET,
            "§E bodyweight progression: next rep bracket (e.g. 8 -> 12 -> 15)",
            ("ratamess2009_acsm", *_PAIN_MODEL),
            "Green twice in a row, dose completed, effort <= policy.progress_max_rpe -> "
            "next value in the slot's rep bracket.",
            "{exercise} went well twice in a row without extra pain. Next time: {reps} "
            "repetitions per set.",
            "{exercise} ging twee keer achter elkaar goed, zonder extra pijn. De volgende "
            "keer: {reps} herhalingen per set.",
        ),
        Rule(
            ADD_SET,
            "§E bodyweight progression: restore the slot's sets at the top of the bracket",
            ("ratamess2009_acsm", *_PAIN_MODEL),
            "At the top of the bracket with fewer sets than the slot -> one set back, reps "
            "back to the bottom of the bracket.",
            "{exercise} went well twice in a row. Next time a set comes back: {sets} sets of "
            "{reps}.",
            "{exercise} ging twee keer achter elkaar goed. De volgende keer komt er een set "
            "bij: {sets} sets van {reps}.",
        ),
        Rule(
            NEXT_LEVEL,
            "§E then next level in the tree (§B2)",
            ("ebert2017_gmed_sr", "ratamess2009_acsm", *_PAIN_MODEL),
            "Top of the bracket (or of the hold time) and green -> the exercise whose "
            "regression is the current one, within max level, compression and equipment.",
            "{exercise} went well twice in a row at the top of its range. You are ready for "
            "the next step: {new_exercise}.",
            "{exercise} ging twee keer achter elkaar goed, ook met het hoogste aantal. Je bent "
            "klaar voor de volgende stap: {new_exercise}.",
        ),
        Rule(
            LOAD_2FOR2,
            "§E external load +2-10 % with the 2-for-2 rule",
            ("baechle_2for2", "ratamess2009_acsm"),
            "No next level; 2 or more reps over target in the last set in 2 consecutive "
            "sessions -> load up by policy.load_increment_pct.",
            "You managed extra repetitions in your last set twice in a row. Next time add a "
            "little weight: {load} kg.",
            "Je haalde in je laatste set twee keer achter elkaar extra herhalingen. Neem de "
            "volgende keer iets meer gewicht: {load} kg.",
        ),
        Rule(
            HOLD_TIME,
            "§E isometric dosage: longer holds, then next level",
            ("rio2015_isometric", "clifford2020_isometric_sr", *_PAIN_MODEL),
            "Hold-time slots: hold + policy.hold_increment_seconds up to hold_seconds_max.",
            "{exercise} went well twice in a row. Next time hold for {hold} seconds.",
            "{exercise} ging twee keer achter elkaar goed. Houd de volgende keer {hold} "
            "seconden vast.",
        ),
        Rule(
            LOCKED_HOLD,
            "§D2 green -> eligible to progress; the physiotherapist's lock decides "
            "(architecture: physios can lock an exercise)",
            _PAIN_MODEL,
            "Locked exercise would have progressed -> stays as prescribed.",
            "{exercise} went well. Your physiotherapist has set this exercise, so it stays "
            "as it is.",
            "{exercise} ging goed. Je fysiotherapeut heeft deze oefening vastgezet, dus hij "
            "blijft zoals hij is.",
        ),
        Rule(
            PHASE_EXIT,
            "§C phase exit criteria",
            (
                "mellor2016_leap_protocol",
                "ganderton2018_globe",
                "cook2009_continuum",
                "fredericson2006_itbs",
            ),
            "All exit criteria of the phase met, at least weeks_min weeks in the phase, and "
            "no red or amber trend -> next phase.",
            "You have reached the goals of this phase, with your hip settled after training. "
            "You now move on to the next phase: {phase}.",
            "Je hebt de doelen van deze fase gehaald en je heup blijft rustig na het trainen. "
            "Je gaat nu door naar de volgende fase: {phase}.",
        ),
        Rule(
            RUN_STAGE_UP,
            "§F1b each stage twice green before advancing",
            ("trials2023_walk_run", *_PAIN_MODEL),
            "policy.run_green_repeats green runs at the current stage, no red or amber "
            "-> next stage, up to the phase's maximum.",
            "You did stage R{old} twice without extra pain. Next up is stage R{stage}.",
            "Je hebt stap R{old} twee keer zonder extra pijn gedaan. Nu volgt stap R{stage}.",
        ),
        Rule(
            RUN_REBUILD,
            "§F1b R10 rebuild weekly volume ~10 %/week",
            ("trials2023_walk_run", *_PAIN_MODEL),
            "Continuous running, green runs -> weekly minutes up by policy.run_rebuild_pct.",
            "Your runs went well without extra pain. Next week you can run about {pct}% "
            "more: around {minutes} minutes in total.",
            "Je hardlooptrainingen gingen goed, zonder extra pijn. Volgende week mag je "
            "ongeveer {pct}% meer lopen: rond de {minutes} minuten in totaal.",
        ),
        Rule(
            NO_IMPROVEMENT_REVIEW,
            "§G no improvement after 8-12 weeks -> review; §h minimal important changes",
            ("clifford2019_isometric", "mellor2018_leap", "abbott2014_mid", "binkley1999_lefs"),
            "After 12 weeks on the plan, no meaningful improvement (weekly mean pain not "
            "down by 2 points or 30 % from baseline, LEFS not up by 9, PSFS not up by 2.3) "
            "-> flagged once for review; no dose change, physio alerted.",
            "You have followed your plan for {weeks} weeks, and your pain and function have "
            "not improved as much as we would expect by now. That is not your fault: about "
            "one in three people with this problem needs a different approach. Your plan "
            "goes on as it is, but please have it reviewed by a physiotherapist.",
            "Je volgt je schema nu {weeks} weken, en je pijn en functie zijn nog niet zo "
            "vooruitgegaan als we zouden verwachten. Dat ligt niet aan jou: ongeveer één op "
            "de drie mensen met deze klacht heeft een andere aanpak nodig. Je schema loopt "
            "gewoon door, maar laat het wel beoordelen door een fysiotherapeut.",
        ),
    )
}


@dataclass(frozen=True)
class Localized:
    """A value with an English and a Dutch form, e.g. an exercise or phase name."""

    en: str
    nl: str

    def __str__(self) -> str:
        return self.en


def localized(spec: ExerciseSpec | PhaseSpec) -> Localized:
    """The English and Dutch name of an exercise or phase spec."""
    return Localized(spec.name, spec.name_nl or spec.name)


# The closing sentence of an explanation whose decision alerts the physio (alert_physio).
# The engine cannot know whether the runner has linked a physiotherapist, so the service
# that stores the decision adds the sentence that is true (with_physio_note).
PHYSIO_TOLD = {
    "en": "We have asked your physiotherapist to get in touch.",
    "nl": "We hebben je fysiotherapeut gevraagd contact met je op te nemen.",
}
NO_PHYSIO = {
    "en": "You have not linked a physiotherapist here. If the pain does not settle within "
    "a few days, or you are worried, see a physiotherapist or your doctor.",
    "nl": "Je hebt hier geen fysiotherapeut gekoppeld. Zakt de pijn niet binnen een paar "
    "dagen, of maak je je zorgen, ga dan naar een fysiotherapeut of je huisarts.",
}


def with_physio_note(explanation: dict[str, str], *, told: bool) -> dict[str, str]:
    """The explanation with the sentence that says truthfully whether a physio was told."""
    note = PHYSIO_TOLD if told else NO_PHYSIO
    return {
        language: f"{text} {note.get(language, note['en'])}"
        for language, text in explanation.items()
    }


def explain(rule_id: str, **values: object) -> dict[str, str]:
    """The runner's explanation for a rule, in English and Dutch."""
    rule = RULES[rule_id]

    def pick(language: str) -> dict[str, object]:
        return {
            key: getattr(value, language) if isinstance(value, Localized) else value
            for key, value in values.items()
        }

    return {"en": rule.en.format(**pick("en")), "nl": rule.nl.format(**pick("nl"))}
