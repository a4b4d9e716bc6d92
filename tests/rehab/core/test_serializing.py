"""represent(): an output serializer's fields built once, its answers unchanged."""

from __future__ import annotations

import pytest
from django.utils import translation
from rest_framework import serializers

from programs.content.models import Exercise
from rehab.core.serializing import represent
from tests.programs.factories import load_library


class ExerciseBrief(serializers.ModelSerializer):
    tags = serializers.ListField(child=serializers.CharField(), source="cue_words")

    class Meta:
        model = Exercise
        fields = ["slug", "name", "tags"]


class Holder:
    def __init__(self, exercise, words):
        self.exercise, self.words = exercise, words


class Outer(serializers.Serializer):
    exercise = ExerciseBrief()
    words = serializers.ListField(child=serializers.CharField())


@pytest.mark.django_db
def test_each_instance_gets_its_own_answer_in_the_active_language():
    load_library()
    clam = Exercise.objects.get(slug="clamshell")
    bridge = Exercise.objects.get(slug="double-leg-bridge")
    clam.cue_words, bridge.cue_words = ["knees"], ["hips", "glutes"]

    with translation.override("nl"):
        first = represent(Outer, Holder(clam, ["a"]))
        second = represent(Outer, Holder(bridge, ["b", "c"]))
        assert first == Outer(Holder(clam, ["a"])).data
        assert second == Outer(Holder(bridge, ["b", "c"])).data
    with translation.override("en"):
        english = represent(Outer, Holder(clam, []))

    assert first["exercise"] == {"slug": "clamshell", "name": clam.name_nl, "tags": ["knees"]}
    assert second["words"] == ["b", "c"]
    assert english["exercise"]["name"] == clam.name_en != clam.name_nl
