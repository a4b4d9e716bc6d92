"""The process's content memo (programs.content.outline): read once, forgotten on any
write of the library, and read again after MEMO_SECONDS for another process's edits."""

from __future__ import annotations

import pytest
from django.utils import translation

from programs.content import outline
from programs.content.loader import content_load_directory
from programs.content.models import Phase, PhaseExitCriterion, ProgramTemplate, WalkRunStage
from programs.content.selectors import walk_run_ladder
from tests.programs.factories import by_key, copy_library, edit_kind, load_library

pytestmark = pytest.mark.django_db


@pytest.fixture
def gluteal():
    load_library()
    return ProgramTemplate.objects.get(slug="gluteal-tendinopathy")


def test_a_second_read_asks_the_database_nothing(gluteal, django_assert_num_queries):
    with django_assert_num_queries(2):  # the phases, then their exit criteria
        first = outline.template_phases(gluteal.pk)
    with django_assert_num_queries(0):
        again = outline.template_phases(gluteal.pk)
    assert [p.key for p in again] == [p.key for p in first]
    assert [p.key for p in first] == list(
        Phase.objects.filter(template=gluteal, is_active=True)
        .order_by("order")
        .values_list("key", flat=True)
    )


def test_the_remembered_rows_speak_the_active_language(gluteal):
    phases = outline.template_phases(gluteal.pk)
    with translation.override("en"):
        english = phases[0].name
    with translation.override("nl"):
        dutch = outline.template_phases(gluteal.pk)[0].name
    assert (english, dutch) == (
        "Settle and start isometrics",
        "Tot rust brengen en starten met isometrie",
    )


def test_an_admin_save_is_seen_at_once(gluteal):
    outline.template_phases(gluteal.pk)
    phase = Phase.objects.get(template=gluteal, key="gt-p1")
    phase.name_en = "Calm it down"
    phase.save()
    criterion = PhaseExitCriterion.objects.filter(phase=phase).first()
    criterion.text_en = "Four green sessions."
    criterion.save()

    with translation.override("en"):
        fresh = outline.template_phases(gluteal.pk)[0]
        assert fresh.name == "Calm it down"
        assert fresh.exit_criteria.all()[0].text == "Four green sessions."


def test_a_deleted_stage_is_gone_at_once(gluteal):
    before = walk_run_ladder(gluteal.pk)  # the walk-run block's ladder: no stages of its own
    WalkRunStage.objects.get(template__slug="return-to-run-walk-run", number=10).delete()
    after = walk_run_ladder(gluteal.pk)
    assert [s.number for s in before] == list(range(1, 11))
    assert [s.number for s in after] == list(range(1, 10))


def test_a_content_load_empties_the_memo(gluteal, tmp_path):
    """The loader replaces a template's walk-run stages when they change."""
    assert walk_run_ladder(gluteal.pk)[1].run_minutes == 1
    folder = copy_library(tmp_path)

    def longer_jogs(records):
        by_key(records, "return-to-run-walk-run")["walk_run_stages"][1]["run_minutes"] = 2

    edit_kind(folder, "templates", longer_jogs)
    content_load_directory(directory=folder)

    assert walk_run_ladder(gluteal.pk)[1].run_minutes == 2


def test_another_processs_edit_is_read_after_the_memo_time(gluteal, monkeypatch):
    """A queryset update sends no signal, as an edit in another process reaches this one
    with none: the memo reads it again once MEMO_SECONDS have passed."""
    clock = [1000.0]
    monkeypatch.setattr(outline, "_clock", lambda: clock[0])
    outline.template_phases(gluteal.pk)
    Phase.objects.filter(template=gluteal, key="gt-p1").update(name_en="Renamed elsewhere")

    clock[0] += outline.MEMO_SECONDS - 1
    with translation.override("en"):
        assert outline.template_phases(gluteal.pk)[0].name == "Settle and start isometrics"
        clock[0] += 2
        assert outline.template_phases(gluteal.pk)[0].name == "Renamed elsewhere"


def test_a_deactivated_phase_leaves_the_outline(gluteal):
    keys = [p.key for p in outline.template_phases(gluteal.pk)]
    phase = Phase.objects.get(template=gluteal, key=keys[-1])
    phase.is_active = False
    phase.save()
    assert [p.key for p in outline.template_phases(gluteal.pk)] == keys[:-1]


def test_a_phase_pruned_by_a_load_leaves_the_outline(gluteal, tmp_path):
    """A load deactivates a phase missing from its file: the outline forgets it."""
    keys = [p.key for p in outline.template_phases(gluteal.pk)]
    folder = copy_library(tmp_path)

    def drop_last_phase(records):
        by_key(records, "gluteal-tendinopathy")["phases"].pop()

    edit_kind(folder, "templates", drop_last_phase)
    content_load_directory(directory=folder)

    assert [p.key for p in outline.template_phases(gluteal.pk)] == keys[:-1]


def test_the_exercise_library_is_read_once_and_again_for_an_unknown_id(
    gluteal, django_assert_num_queries
):
    from programs.content.models import Exercise

    known = list(Exercise.objects.values_list("pk", flat=True)[:3])
    with django_assert_num_queries(1):
        first = outline.exercises_by_id(known)
    with django_assert_num_queries(0):
        assert outline.exercises_by_id(known[:1]).keys() == {known[0]}
    assert first.keys() == set(known)

    # Another process adds an exercise: no signal reaches this one (bulk_create sends none).
    template = Exercise.objects.get(pk=known[0])
    template.pk, template.slug, template.code = None, "added-elsewhere", "ZZ-99"
    (added,) = Exercise.objects.bulk_create([template])
    with django_assert_num_queries(1):
        found = outline.exercises_by_id([added.pk, known[1]])
    assert found[added.pk].slug == "added-elsewhere"
