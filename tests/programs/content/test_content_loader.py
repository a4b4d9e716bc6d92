"""load_content: idempotent upsert, validation of everything first, nothing changed on error."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Max

from programs.content.loader import content_import, content_load_directory
from programs.content.models import (
    Condition,
    EducationTopic,
    EmgFinding,
    EvidenceSource,
    Exercise,
    Phase,
    PhaseExitCriterion,
    ProgramTemplate,
    Slot,
)
from programs.content.reading import ContentError
from programs.content.records import export_yaml
from programs.engine import specs
from tests.programs.factories import by_key, copy_library, edit_kind, load_library

MODELS = [
    EvidenceSource,
    Exercise,
    EmgFinding,
    EducationTopic,
    Condition,
    ProgramTemplate,
    Phase,
    PhaseExitCriterion,
    Slot,
]

pytestmark = pytest.mark.django_db


def state():
    """Row counts and the latest update per table: any write changes this."""
    out = {}
    for model in MODELS:
        latest = (
            model.objects.aggregate(m=Max("updated_at"))["m"]
            if hasattr(model, "updated_at")
            else None
        )
        out[model.__name__] = (model.objects.count(), latest)
    return out


def test_load_creates_the_library():
    load_library()
    assert Exercise.objects.count() >= 26
    assert ProgramTemplate.objects.count() >= 4
    assert EducationTopic.objects.count() >= 6
    assert set(EvidenceSource.objects.values_list("key", flat=True)) >= set(specs.SOURCE_KEYS)
    assert set(Condition.objects.values_list("code", flat=True)) == set(specs.CONDITIONS)
    codes = set(Exercise.objects.values_list("code", flat=True))
    for code in [
        "ISO-1",
        "ISO-3",
        "BR-3",
        "HT-1",
        "SQ-3",
        "DL-1",
        "SU-2",
        "LW-3",
        "HH-2",
        "SL-2",
        "SP-3",
        "ST-2",
        "QP-1",
        "FP-1",
        "PL-1",
        "STR-X",
    ]:
        assert code in codes
    stretch = Exercise.objects.get(code="STR-X")
    assert stretch.not_for_conditions == ["gluteal_tendinopathy"]
    assert stretch.compression == "C2"
    block = ProgramTemplate.objects.get(is_block=True)
    assert list(block.walk_run_stages.values_list("number", flat=True)) == list(range(1, 11))


def test_loading_twice_changes_nothing(capsys):
    call_command("load_content")
    before = state()
    call_command("load_content")
    assert state() == before
    out = capsys.readouterr().out
    assert "exercises: 0 created, 0 updated, 31 unchanged, 0 deactivated" in out


def test_reload_updates_only_the_changed_row(tmp_path):
    load_library()
    folder = copy_library(tmp_path)
    edit_kind(folder, "exercises", lambda rs: by_key(rs, "clamshell")["name"].update(nl="Schelp"))
    untouched = Exercise.objects.get(slug="double-leg-bridge").updated_at
    call_command("load_content", directory=folder)
    clam = Exercise.objects.get(slug="clamshell")
    assert clam.name_nl == "Schelp"
    assert Exercise.objects.get(slug="double-leg-bridge").updated_at == untouched
    assert Exercise.objects.filter(slug="clamshell").count() == 1


def test_every_record_has_a_source_and_both_languages():
    load_library()
    for model, fields in [
        (Exercise, ["name", "setup", "cues", "common_errors"]),
        (EducationTopic, ["title", "summary", "body"]),
        (ProgramTemplate, ["name", "description"]),
        (Phase, ["name", "goal", "entry_criteria"]),
        (EvidenceSource, ["finding"]),
        (Condition, ["name", "description"]),
    ]:
        for obj in model.objects.all():
            for field in fields:
                for lang in ("en", "nl"):
                    assert getattr(obj, f"{field}_{lang}").strip(), (obj, field, lang)
            if model in (Exercise, EducationTopic, ProgramTemplate, Phase):
                assert obj.sources.exists(), obj
    for criterion in PhaseExitCriterion.objects.all():
        assert criterion.text_en
        assert criterion.text_nl


def test_early_gluteal_phases_hold_no_compressive_exercise():
    load_library()
    phases = Phase.objects.filter(template__condition__code="gluteal_tendinopathy", early=True)
    assert phases.count() >= 2
    for phase in phases:
        assert phase.max_compression in ("C0", "C1")
        for slot in phase.slots.select_related("exercise"):
            assert slot.exercise.compression != "C2"
    weeks = Phase.objects.filter(template__slug="gluteal-tendinopathy")
    assert sum(p.weeks_min for p in weeks) == 8
    assert sum(p.weeks_max for p in weeks) == 12


def _refused(folder):
    before = state()
    with pytest.raises(CommandError):
        call_command("load_content", directory=folder)
    assert state() == before
    return before


def _problems(folder) -> str:
    with pytest.raises(ContentError) as exc:
        content_load_directory(directory=folder)
    return "\n".join(str(p) for p in exc.value.problems)


def _phase(records, template, key):
    return next(p for p in by_key(records, template)["phases"] if p["key"] == key)


BAD_EDITS = {
    "c2_in_early_gluteal_phase": (
        "templates",
        lambda rs: _phase(rs, "gluteal-tendinopathy", "gt-p2")["slots"].append(
            {
                "key": "gt-p2-drop",
                "exercise": "pelvic-drop",
                "sets": 3,
                "reps_min": 8,
                "reps_max": 12,
            }
        ),
        "compressive (C2)",
    ),
    "above_phase_compression": (
        "templates",
        lambda rs: _phase(rs, "gluteal-tendinopathy", "gt-p1")["slots"].append(
            {"key": "gt-p1-clam", "exercise": "clamshell", "sets": 2, "reps_min": 8, "reps_max": 12}
        ),
        "above this phase's maximum",
    ),
    "not_for_condition": (
        "templates",
        lambda rs: (
            _phase(rs, "gluteal-tendinopathy", "gt-p4").update(max_compression="C2")
            or _phase(rs, "gluteal-tendinopathy", "gt-p4")["slots"].append(
                {"key": "gt-p4-stretch", "exercise": "itb-stretch", "sets": 3, "hold_seconds": 30}
            )
        ),
        "must never be prescribed for gluteal_tendinopathy",
    ),
    "regression_cycle": (
        "exercises",
        lambda rs: by_key(rs, "double-leg-bridge").update(regression="single-leg-bridge"),
        "form a cycle",
    ),
    "zero_sets": (
        "templates",
        lambda rs: _phase(rs, "proximal-itbs", "itb-p1")["slots"][0].update(sets=0),
        "at least 1 set",
    ),
    "too_many_sets": (
        "templates",
        lambda rs: _phase(rs, "proximal-itbs", "itb-p1")["slots"][0].update(sets=11),
        "More than 10 sets",
    ),
    "reps_inverted": (
        "templates",
        lambda rs: _phase(rs, "proximal-itbs", "itb-p1")["slots"][0].update(
            reps_min=15, reps_max=8
        ),
        "exceed the highest reps",
    ),
    "hold_too_long": (
        "templates",
        lambda rs: _phase(rs, "gluteal-tendinopathy", "gt-p1")["slots"][1].update(
            hold_seconds_max=301
        ),
        "longer than 300 seconds",
    ),
    "reps_missing": (
        "templates",
        lambda rs: _phase(rs, "proximal-itbs", "itb-p1")["slots"][0].update(
            reps_min=None, reps_max=None
        ),
        "needs a rep range",
    ),
    "hold_missing": (
        "templates",
        lambda rs: _phase(rs, "gluteal-tendinopathy", "gt-p1")["slots"][1].update(
            hold_seconds=None, hold_seconds_max=None
        ),
        "needs a hold time",
    ),
    "phase_without_exit_criteria": (
        "templates",
        lambda rs: _phase(rs, "gluteal-tendinopathy", "gt-p2").update(exit_criteria=[]),
        "at least one exit criterion",
    ),
    "unknown_exit_metric": (
        "templates",
        lambda rs: _phase(rs, "gluteal-tendinopathy", "gt-p2")["exit_criteria"][0].update(
            metric="vibes"
        ),
        "Unknown exit metric",
    ),
    "exercise_without_source": (
        "exercises",
        lambda rs: by_key(rs, "clamshell").update(sources=[]),
        "At least one evidence source",
    ),
    "topic_without_source": (
        "education",
        lambda rs: by_key(rs, "flare-up-plan").update(sources=[]),
        "At least one evidence source",
    ),
    "template_without_source": (
        "templates",
        lambda rs: by_key(rs, "runner-prevention").update(sources=[]),
        "At least one evidence source",
    ),
    "phase_without_source": (
        "templates",
        lambda rs: _phase(rs, "runner-prevention", "prev-p1").update(sources=[]),
        "At least one evidence source",
    ),
    "unknown_source": (
        "exercises",
        lambda rs: by_key(rs, "clamshell")["sources"].append("nobody2099"),
        "Unknown evidence source 'nobody2099'",
    ),
    "missing_dutch": (
        "exercises",
        lambda rs: by_key(rs, "clamshell")["setup"].update(nl=""),
        "missing in Dutch",
    ),
    "missing_english": (
        "education",
        lambda rs: by_key(rs, "flare-up-plan")["body"].pop("en"),
        "missing in English",
    ),
    "missing_dutch_phase": (
        "templates",
        lambda rs: _phase(rs, "proximal-itbs", "itb-p2")["goal"].update(nl=" "),
        "missing in Dutch",
    ),
    "missing_rule_source_key": (
        "sources",
        lambda rs: rs.remove(by_key(rs, "baechle_2for2", "key")),
        "baechle_2for2",
    ),
    "unknown_field": (
        "exercises",
        lambda rs: by_key(rs, "clamshell").update(colour="red"),
        "Unknown field 'colour'",
    ),
    "substitute_needs_equipment": (
        "exercises",
        lambda rs: by_key(rs, "standing-isometric-abduction").update(
            substitute="supine-isometric-abduction"  # needs a belt
        ),
        "needs equipment; it must need none",
    ),
    "substitute_more_compressive": (
        "exercises",
        lambda rs: (
            by_key(rs, "standing-isometric-abduction-floor").update(compression="C1"),
            by_key(rs, "supine-isometric-abduction").update(
                substitute="standing-isometric-abduction-floor"
            ),
        ),
        "more compressive than this exercise",
    ),
    "substitute_unknown": (
        "exercises",
        lambda rs: by_key(rs, "side-plank").update(substitute="levitation"),
        "Unknown substitute 'levitation'",
    ),
    "substitute_harder": (
        "exercises",
        lambda rs: (
            by_key(rs, "supine-isometric-abduction-hands").update(level=2),
            by_key(rs, "standing-isometric-abduction").update(
                substitute="supine-isometric-abduction-hands"
            ),
        ),
        "harder than this exercise",
    ),
    "substitute_other_dosage": (
        "exercises",
        lambda rs: by_key(rs, "side-plank-knees").update(substitute="side-stepping"),
        "dosed the same way",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_EDITS))
def test_invalid_content_changes_nothing(tmp_path, case):
    load_library()
    kind, change, message = BAD_EDITS[case]
    folder = copy_library(tmp_path)
    edit_kind(folder, kind, change)
    _refused(folder)
    problems = _problems(folder)
    assert message in problems
    assert f"{kind}.yaml" in problems


def test_an_isometric_core_slot_needing_equipment_without_a_substitute_is_refused(tmp_path):
    """Missing equipment must never empty a core slot (the isometric holds), so the
    library refuses one whose exercise needs equipment and states no substitute."""
    load_library()
    folder = copy_library(tmp_path)
    edit_kind(
        folder,
        "exercises",
        lambda rs: by_key(rs, "supine-isometric-abduction").update(substitute=None),
    )
    _refused(folder)
    problems = _problems(folder)
    assert "templates.yaml: template 'gluteal-tendinopathy' > phase gt-p1" in problems
    assert "must state a substitute that needs none" in problems


def test_substitutes_are_stored_and_exported():
    load_library()
    standing = Exercise.objects.get(slug="standing-isometric-abduction")
    assert standing.substitute.slug == "standing-isometric-abduction-floor"
    assert standing.to_spec().substitute == "standing-isometric-abduction-floor"
    assert "substitute: standing-isometric-abduction-floor" in export_yaml(
        "exercises", [standing.pk]
    )


def test_invalid_content_into_an_empty_database_writes_nothing(tmp_path):
    folder = copy_library(tmp_path)
    edit_kind(folder, "exercises", BAD_EDITS["regression_cycle"][1])
    with pytest.raises(CommandError):
        call_command("load_content", directory=folder)
    assert EvidenceSource.objects.count() == 0
    assert Exercise.objects.count() == 0


def test_broken_yaml_is_reported_with_its_file(tmp_path):
    folder = copy_library(tmp_path)
    (folder / "education.yaml").write_text("education: [unclosed", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("load_content", directory=folder)
    assert "education.yaml" in _problems(folder)


def test_removed_records_are_deactivated_not_deleted(tmp_path):
    load_library()
    folder = copy_library(tmp_path)

    def drop_slot(records):
        slots = _phase(records, "proximal-itbs", "itb-p2")["slots"]
        slots.remove(next(s for s in slots if s["key"] == "itb-p2-stretch"))

    edit_kind(folder, "templates", drop_slot)
    edit_kind(folder, "exercises", lambda rs: rs.remove(by_key(rs, "itb-stretch")))
    edit_kind(folder, "education", lambda rs: rs.remove(by_key(rs, "what-to-expect")))

    def unlink_topic(records):
        for template in records:
            for phase in template["phases"]:
                if "what-to-expect" in phase.get("education", []):
                    phase["education"].remove("what-to-expect")

    edit_kind(folder, "templates", unlink_topic)
    call_command("load_content", directory=folder)
    stretch = Exercise.objects.get(slug="itb-stretch")
    assert stretch.is_active is False
    assert Slot.objects.get(key="itb-p2-stretch").is_active is False
    assert EducationTopic.objects.get(slug="what-to-expect").is_active is False
    # loading the full library again brings them back, without duplicates
    call_command("load_content")
    assert Exercise.objects.get(slug="itb-stretch").is_active is True
    assert Slot.objects.filter(key="itb-p2-stretch").count() == 1


def test_removing_an_exercise_still_used_by_a_template_is_refused(tmp_path):
    load_library()
    folder = copy_library(tmp_path)
    edit_kind(folder, "exercises", lambda rs: rs.remove(by_key(rs, "itb-stretch")))
    _refused(folder)
    assert "Unknown exercise 'itb-stretch'" in _problems(folder)


def test_export_then_import_round_trip_changes_nothing():
    load_library()
    files = [
        (f"{kind}.yaml", export_yaml(kind))
        for kind in ("sources", "exercises", "education", "conditions", "templates")
    ]
    before = state()
    report = content_import(files=files, prune=True)
    assert report.changed == 0
    assert state() == before


def test_import_of_an_edited_export_applies_it():
    load_library()
    text = export_yaml(
        "exercises", Exercise.objects.filter(slug="clamshell").values_list("pk", flat=True)
    )
    assert "clamshell" in text
    assert "double-leg-bridge:" not in text
    text = text.replace("Clamshell (schelpoefening)", "Schelpoefening")
    report = content_import(files=[("exercises.yaml", text)])
    assert report.updated["exercises"] == 1
    assert Exercise.objects.get(slug="clamshell").name_nl == "Schelpoefening"
    assert Exercise.objects.filter(is_active=True).count() == 31  # no pruning by default
