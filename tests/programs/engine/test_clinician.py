"""The clinician's reading of a decision: every rule has plain words in both languages,
inputs carry labels, doses read before -> after; never the runner's text."""

from __future__ import annotations

from programs.engine import clinician, rules

X = "\u00d7"  # the multiplication sign of a dose


def test_every_rule_has_a_clinician_text_in_english_and_dutch():
    assert set(clinician.RULE_TEXTS) == set(rules.RULES)
    for rule_id, texts in clinician.RULE_TEXTS.items():
        assert texts["en"], rule_id
        assert texts["nl"], rule_id
        assert texts["en"] != texts["nl"], rule_id
        # Never the runner-facing explanation.
        assert texts["en"] != rules.RULES[rule_id].en
        assert texts["nl"] != rules.RULES[rule_id].nl


def test_the_view_names_inputs_section_and_dose_before_after():
    view = clinician.clinician_view(
        rule_id=rules.RED_REGRESS,
        inputs={
            "exercise": "side-plank",
            "pain_during": [6, 7],
            "dates": ["2026-12-01", "2026-12-03"],
            "amber_max": 5,
            "locked": False,
        },
        changes=[
            {
                "slot_key": "p2-plank",
                "before": {"exercise": "side-plank", "sets": 3, "hold_seconds": 30},
                "after": {"exercise": "side-plank-knees", "sets": 3, "hold_seconds": 30},
            }
        ],
        language="nl",
        names={"side-plank": "Zijplank", "side-plank-knees": "Zijplank op de knieën"},
    )
    assert view.rule_text.startswith("Rode zone")
    assert view.section == rules.RULES[rules.RED_REGRESS].section
    assert ("Pijn tijdens (0-10)", "6, 7") in view.inputs
    assert ("Dagen", "2026-12-01, 2026-12-03") in view.inputs
    assert ("Oefening", "Zijplank") in view.inputs
    assert ("Vastgezet", "nee") in view.inputs
    assert view.inputs[0] == ("Oefening", "Zijplank")  # the exercise first, then the figures
    (dose,) = view.doses
    assert (dose.exercise_before, dose.before) == ("Zijplank", f"3 {X} 30 s")
    assert (dose.exercise_after, dose.after) == ("Zijplank op de knieën", f"3 {X} 30 s")


def test_dose_text_reads_reps_holds_and_load():
    assert clinician.dose_text({"sets": 3, "reps": 12}) == f"3 {X} 12"
    assert clinician.dose_text({"sets": 2, "reps": 8, "load_kg": 7.5}, "nl") == f"2 {X} 8 + 7,5 kg"
    assert clinician.dose_text({"sets": 5, "hold_seconds": 45}) == f"5 {X} 45 s"
    assert clinician.dose_text({"sets": 2, "reps": 10, "hold_seconds": 5}) == f"2 {X} 10 {X} 5 s"
    assert clinician.dose_text(None) == ""


def test_an_unknown_input_key_still_gets_a_readable_label():
    view = clinician.clinician_view(
        rule_id=rules.AMBER_HOLD, inputs={"new_thing": 2}, changes=[], language="en"
    )
    assert view.inputs == (("New thing", "2"),)
