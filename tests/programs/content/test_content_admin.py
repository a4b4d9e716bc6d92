"""The content admin: pages render, forms refuse what the loader refuses, YAML import/export."""

from __future__ import annotations

import json

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from programs.content.admin.library import ExerciseAdminForm
from programs.content.models import EvidenceSource, Exercise, Slot
from programs.content.records import export_yaml
from tests.programs.factories import load_library

pytestmark = pytest.mark.django_db

CONTENT_APPS = {"content"}


def content_models():
    return [
        m
        for m in admin.site._registry
        if m._meta.app_label in CONTENT_APPS
        and m._meta.model_name
        not in {
            "plan",
            "planrevision",
            "planweek",
            "plansession",
            "prescription",
            "decision",
            "progressionrun",
        }
    ]


@pytest.fixture
def library():
    load_library()


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


def test_every_content_model_is_registered():
    names = {m._meta.model_name for m in content_models()}
    assert {
        "evidencesource",
        "exercise",
        "emgfinding",
        "educationtopic",
        "condition",
        "programtemplate",
        "phase",
        "slot",
    } <= names


@pytest.mark.parametrize("view", ["changelist", "add", "change"])
def test_admin_pages_render_for_every_model(staff, library, view):
    for model in content_models():
        opts = model._meta
        if view == "change":
            obj = model.objects.first()
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        else:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}")
        response = staff.get(url)
        assert response.status_code == 200, (model, view)


@pytest.mark.parametrize(
    "query",
    [
        "level__exact=3",
        "compression__exact=C2",
        "equipment=step",
        "muscle=gluteus_medius",
        "condition=gluteal_tendinopathy",
        "q=bridge",
    ],
)
def test_exercise_filters(staff, library, query):
    response = staff.get(reverse("admin:content_exercise_changelist") + "?" + query)
    assert response.status_code == 200
    if query == "condition=gluteal_tendinopathy":
        assert "STR-X" not in response.content.decode()
    if query == "compression__exact=C2":
        assert "HH-2" in response.content.decode()


def exercise_form_data(exercise: Exercise, **changes) -> dict:
    data = {
        "slug": exercise.slug,
        "code": exercise.code,
        "family": exercise.family,
        "movement_pattern": exercise.movement_pattern,
        "position": exercise.position,
        "compression": exercise.compression,
        "level": exercise.level,
        "equipment": exercise.equipment,
        "dosage_type": exercise.dosage_type,
        "default_sets": exercise.default_sets,
        "default_reps": exercise.default_reps or "",
        "default_hold_seconds": exercise.default_hold_seconds or "",
        "default_rest_seconds": exercise.default_rest_seconds,
        "tempo": exercise.tempo,
        "regression": exercise.regression_id or "",
        "not_for_conditions": exercise.not_for_conditions,
        "sources": [s.pk for s in exercise.sources.all()],
        "is_active": True,
        "figure": json.dumps(exercise.figure),
    }
    for field in ("name", "setup", "cues", "common_errors", "contraindications"):
        for lang in ("en", "nl"):
            data[f"{field}_{lang}"] = getattr(exercise, f"{field}_{lang}")
    data.update(changes)
    return data


def admin_exercise_form(rf, admin_user, exercise, **changes):
    request = rf.get("/")
    request.user = admin_user
    form_class = admin.site._registry[Exercise].get_form(request, exercise)
    assert issubclass(form_class, ExerciseAdminForm)
    return form_class(data=exercise_form_data(exercise, **changes), instance=exercise)


def test_unchanged_exercise_form_is_valid(rf, admin_user, library):
    form = admin_exercise_form(rf, admin_user, Exercise.objects.get(slug="clamshell"))
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    ("slug", "changes", "fragment"),
    [
        ("double-leg-bridge", {"regression": "single-leg-bridge"}, "cycle"),
        ("clamshell", {"name_nl": ""}, "required"),
        ("clamshell", {"setup_en": ""}, "required"),
        ("clamshell", {"sources": []}, "required"),
        ("double-leg-bridge", {"compression": "C2"}, "C2"),
        ("side-stepping", {"not_for_conditions": ["gluteal_tendinopathy"]}, "never"),
        ("double-leg-bridge", {"dosage_type": "hold"}, "hold"),
        ("offset-bridge", {"regression": "hip-thrust"}, "harder"),
    ],
)
def test_exercise_form_refuses(rf, admin_user, library, slug, changes, fragment):
    exercise = Exercise.objects.get(slug=slug)
    if "regression" in changes:
        changes["regression"] = Exercise.objects.get(slug=changes["regression"]).pk
    form = admin_exercise_form(rf, admin_user, exercise, **changes)
    assert not form.is_valid()
    assert fragment in str(form.errors)


def test_export_action_downloads_yaml(staff, library):
    pks = list(Exercise.objects.filter(code__in=["BR-1", "BR-2"]).values_list("pk", flat=True))
    response = staff.post(
        reverse("admin:content_exercise_changelist"),
        {"action": "export_yaml", "_selected_action": pks},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="exercises.yaml"'
    text = response.content.decode()
    assert text.startswith("exercises:")
    assert "offset-bridge" in text
    assert "clamshell" not in text


def test_import_view_applies_a_valid_file(staff, library):
    text = export_yaml("sources").replace("Introduced pain zones", "Defined pain zones")
    response = staff.post(
        reverse("admin:content_evidencesource_import"),
        {"file": SimpleUploadedFile("sources.yaml", text.encode())},
    )
    assert response.status_code == 302
    assert EvidenceSource.objects.get(key="thomee1997_pain_zones").finding_en.startswith("Defined")


def test_import_view_shows_problems_and_changes_nothing(staff, library):
    text = export_yaml("exercises").replace("regression: null", "regression: monster-walk", 1)
    before = list(Exercise.objects.values_list("slug", "regression_id", "updated_at"))
    response = staff.post(
        reverse("admin:content_exercise_import"),
        {"file": SimpleUploadedFile("exercises.yaml", text.encode())},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "nothing was changed" in body
    assert "exercises.yaml" in body
    assert list(Exercise.objects.values_list("slug", "regression_id", "updated_at")) == before


def test_import_view_rejects_a_file_that_is_not_content(staff, library):
    response = staff.post(
        reverse("admin:content_exercise_import"),
        {"file": SimpleUploadedFile("x.yaml", b"hello: world")},
    )
    assert response.status_code == 200
    assert "exactly one top-level key" in response.content.decode()
    assert Slot.objects.count() > 0


def test_import_view_needs_staff(client, runner, library):
    client.force_login(runner)
    response = client.get(reverse("admin:content_exercise_import"))
    assert response.status_code == 302
