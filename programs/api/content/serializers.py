"""Output shapes of the content library (names and texts in the caller's language)."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from programs.content.models import EducationTopic, EvidenceSource, Exercise


class SourceOutput(serializers.ModelSerializer):
    class Meta:
        model = EvidenceSource
        fields = ["key", "authors", "year", "title", "journal", "doi", "url", "finding"]


class ExerciseOutput(serializers.ModelSerializer):
    regression: serializers.SlugRelatedField[Exercise] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    substitute: serializers.SlugRelatedField[Exercise] = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text="The exercise taken instead when the runner lacks the equipment.",
    )
    equipment = serializers.ListField(child=serializers.CharField())
    not_for_conditions = serializers.ListField(child=serializers.CharField())
    sources: serializers.SlugRelatedField[EvidenceSource] = serializers.SlugRelatedField(
        slug_field="key", many=True, read_only=True
    )
    figure_url = serializers.SerializerMethodField(
        help_text="Absolute URL of the exercise's animated figure (SVG); add ?tempo=3-1-1"
        "&hold=10&reps=12 for a dose."
    )

    @extend_schema_field(OpenApiTypes.URI)
    def get_figure_url(self, obj: Exercise) -> str:
        path = reverse("content:figure", kwargs={"slug": obj.slug})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

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
            "substitute",
            "loadable",
            "isometric",
            "not_for_conditions",
            "video_url",
            "sources",
            "figure_url",
        ]


class EducationTopicOutput(serializers.ModelSerializer):
    sources: serializers.SlugRelatedField[EvidenceSource] = serializers.SlugRelatedField(
        slug_field="key", many=True, read_only=True
    )

    class Meta:
        model = EducationTopic
        fields = ["id", "slug", "order", "title", "summary", "body", "sources"]
