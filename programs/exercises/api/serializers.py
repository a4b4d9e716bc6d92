"""Output shapes of the content library (names and texts in the caller's language)."""

from __future__ import annotations

from rest_framework import serializers

from programs.exercises.models import EducationTopic, EvidenceSource, Exercise


class SourceOutput(serializers.ModelSerializer):
    class Meta:
        model = EvidenceSource
        fields = ["key", "authors", "year", "title", "journal", "doi", "url", "finding"]


class ExerciseOutput(serializers.ModelSerializer):
    regression = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    equipment = serializers.ListField(child=serializers.CharField())
    not_for_conditions = serializers.ListField(child=serializers.CharField())
    sources = serializers.SlugRelatedField(slug_field="key", many=True, read_only=True)

    class Meta:
        model = Exercise
        fields = [
            "id",
            "slug",
            "code",
            "name",
            "family",
            "movement_pattern",
            "position",
            "compression",
            "level",
            "equipment",
            "dosage_type",
            "default_sets",
            "default_reps",
            "default_hold_seconds",
            "default_rest_seconds",
            "tempo",
            "setup",
            "cues",
            "common_errors",
            "contraindications",
            "regression",
            "loadable",
            "isometric",
            "not_for_conditions",
            "video_url",
            "sources",
        ]


class EducationTopicOutput(serializers.ModelSerializer):
    sources = serializers.SlugRelatedField(slug_field="key", many=True, read_only=True)

    class Meta:
        model = EducationTopic
        fields = ["id", "slug", "order", "title", "summary", "body", "sources"]
