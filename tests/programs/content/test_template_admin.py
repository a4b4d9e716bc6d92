"""Template admin: preview, plans-in-use panel, and the runner-protecting form checks."""

from __future__ import annotations

import pytest
from django.urls import reverse

from programs.content.models import Phase, ProgramTemplate, Slot
from tests.programs.factories import load_library

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, admin_user):
    load_library()
    client.force_login(admin_user)
    return client


def test_preview_renders_the_weekly_plan(staff):
    template = ProgramTemplate.objects.get(slug="gluteal-tendinopathy")
    url = reverse("admin:content_programtemplate_preview", args=[template.pk])
    response = staff.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Week 1" in body
    assert "gt-p1" in body
    assert "Lying isometric hip abduction with a belt" in body
    response = staff.get(url + "?irritability=high&equipment=none")
    assert response.status_code == 200


@pytest.mark.parametrize("slug", ["proximal-itbs", "runner-prevention", "return-to-run-walk-run"])
def test_preview_renders_for_every_template(staff, slug):
    template = ProgramTemplate.objects.get(slug=slug)
    response = staff.get(reverse("admin:content_programtemplate_preview", args=[template.pk]))
    assert response.status_code == 200


def test_change_page_links_preview_and_lists_plans(staff):
    template = ProgramTemplate.objects.get(slug="proximal-itbs")
    response = staff.get(reverse("admin:content_programtemplate_change", args=[template.pk]))
    body = response.content.decode()
    assert reverse("admin:content_programtemplate_preview", args=[template.pk]) in body
    assert "No active plans use this template." in body


def _formset(prefix, rows, initial):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def phase_post(phase: Phase, *, slot_changes=None, drop_criteria=False, **changes) -> dict:
    data = {
        "template": phase.template_id,
        "key": phase.key,
        "order": phase.order,
        "weeks_min": phase.weeks_min,
        "weeks_max": phase.weeks_max,
        "max_compression": phase.max_compression,
        "strength_days": phase.strength_days,
        "run_mode": phase.run_mode,
        "run_weekly_volume_pct": phase.run_weekly_volume_pct or "",
        "run_walk_run_stage_min": phase.run_walk_run_stage_min or "",
        "run_walk_run_stage_max": phase.run_walk_run_stage_max or "",
        "run_cadence_increase_pct": phase.run_cadence_increase_pct,
        "run_terrain_rules": phase.run_terrain_rules,
        "run_runs_per_week": phase.run_runs_per_week,
        "education": [t.pk for t in phase.education.all()],
        "sources": [s.pk for s in phase.sources.all()],
        "is_active": "on",
    }
    if phase.early:
        data["early"] = "on"
    for field in ("name", "goal", "entry_criteria"):
        for lang in ("en", "nl"):
            data[f"{field}_{lang}"] = getattr(phase, f"{field}_{lang}")
    data.update(changes)
    criteria = [
        {
            "id": c.pk,
            "phase": phase.pk,
            "order": c.order,
            "metric": c.metric,
            "op": c.op,
            "value": c.value,
            "text_en": c.text_en,
            "text_nl": c.text_nl,
            **({"DELETE": "on"} if drop_criteria else {}),
        }
        for c in phase.exit_criteria.all()
    ]
    data.update(_formset("exit_criteria", criteria, len(criteria)))
    slots = []
    for s in phase.slots.all():
        row = {
            "id": s.pk,
            "phase": phase.pk,
            "order": s.order,
            "key": s.key,
            "exercise": s.exercise_id,
            "sets": s.sets,
            "reps_min": s.reps_min or "",
            "reps_max": s.reps_max or "",
            "hold_seconds": s.hold_seconds or "",
            "hold_seconds_max": s.hold_seconds_max or "",
            "rest_seconds": s.rest_seconds,
            "per_week": s.per_week,
            "scheme": s.scheme,
            "min_level": s.min_level,
            "max_level": s.max_level,
            "is_active": "on",
        }
        if s.daily:
            row["daily"] = "on"
        if s.heavy:
            row["heavy"] = "on"
        row.update((slot_changes or {}).get(s.key, {}))
        slots.append(row)
    data.update(_formset("slots", slots, len(slots)))
    return data


def post_phase(client, phase, **kwargs):
    url = reverse("admin:content_phase_change", args=[phase.pk])
    return client.post(url, phase_post(phase, **kwargs))


def test_unchanged_phase_saves(staff):
    phase = Phase.objects.get(key="gt-p2")
    response = post_phase(staff, phase, name_en="Build strength steadily")
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    phase.refresh_from_db()
    assert phase.name_en == "Build strength steadily"


def test_c2_slot_in_early_gluteal_phase_is_refused(staff):
    from programs.content.models import Exercise

    phase = Phase.objects.get(key="gt-p2")
    drop = Exercise.objects.get(slug="pelvic-drop")
    response = post_phase(staff, phase, slot_changes={"gt-p2-hip-hike": {"exercise": drop.pk}})
    assert response.status_code == 200
    assert "compressive (C2)" in response.content.decode()
    assert Slot.objects.get(key="gt-p2-hip-hike").exercise.slug == "dynamic-hip-hitch"


def test_lowering_phase_compression_below_its_slots_is_refused(staff):
    phase = Phase.objects.get(key="gt-p2")
    response = post_phase(staff, phase, max_compression="C0")
    assert response.status_code == 200
    assert "above this phase" in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"sets": 0}, "at least 1 set"),
        ({"sets": 11}, "More than 10 sets"),
        ({"reps_min": 15, "reps_max": 8}, "exceed the highest reps"),
        ({"reps_min": "", "reps_max": ""}, "needs a rep range"),
    ],
)
def test_impossible_slot_dosage_is_refused(staff, changes, fragment):
    phase = Phase.objects.get(key="gt-p2")
    response = post_phase(staff, phase, slot_changes={"gt-p2-bridge": changes})
    assert response.status_code == 200
    assert fragment in response.content.decode()


def test_hold_slot_without_hold_is_refused(staff):
    phase = Phase.objects.get(key="gt-p1")
    response = post_phase(
        staff,
        phase,
        slot_changes={"gt-p1-iso-standing": {"hold_seconds": "", "hold_seconds_max": ""}},
    )
    assert response.status_code == 200
    assert "needs a hold time" in response.content.decode()


def test_removing_all_exit_criteria_is_refused_except_in_the_last_phase(staff):
    response = post_phase(staff, Phase.objects.get(key="gt-p2"), drop_criteria=True)
    assert response.status_code == 200
    assert "at least one exit criterion" in response.content.decode()
    response = post_phase(staff, Phase.objects.get(key="gt-p4"), drop_criteria=True)
    assert response.status_code == 302


def test_phase_without_dutch_or_source_is_refused(staff):
    phase = Phase.objects.get(key="gt-p3")
    assert post_phase(staff, phase, goal_nl="").status_code == 200
    assert post_phase(staff, phase, sources=[]).status_code == 200
    phase.refresh_from_db()
    assert phase.goal_nl


def test_early_gluteal_phase_cannot_allow_c2(staff):
    response = post_phase(staff, Phase.objects.get(key="gt-p1"), max_compression="C2")
    assert response.status_code == 200
    assert "at most compression class C1" in response.content.decode()
