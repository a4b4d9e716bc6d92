"""Read-only content library: exercises and education topics, for any signed-in user."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from programs.api.content.filters import (
    REF_PARAMETER,
    content_filters,
    filter_parameters,
    get_by_ref,
)
from programs.api.content.selectors import education_topics_list, exercises_list
from programs.api.content.serializers import EducationTopicOutput, ExerciseOutput
from rehab.core.api import StrictLookupMixin, UserLanguageMixin


@extend_schema_view(
    list=extend_schema(
        parameters=filter_parameters("condition", "level", "equipment", "compression")
    ),
    retrieve=extend_schema(parameters=[REF_PARAMETER]),
)
class ExerciseViewSet(StrictLookupMixin, UserLanguageMixin, viewsets.ReadOnlyModelViewSet):
    """Exercises of the library. Filters: condition (suitable for), level, equipment, compression."""

    mfa_exempt = True  # the content library holds no runner data
    serializer_class = ExerciseOutput
    lookup_url_kwarg = "id"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False) or self.action != "list":
            return exercises_list()
        return exercises_list(**content_filters(self.request))

    def get_object(self):
        return get_by_ref(self.get_queryset(), self.kwargs["id"])


@extend_schema_view(retrieve=extend_schema(parameters=[REF_PARAMETER]))
class EducationTopicViewSet(StrictLookupMixin, UserLanguageMixin, viewsets.ReadOnlyModelViewSet):
    """Education topics (why load helps, compression, pain monitoring, ...)."""

    mfa_exempt = True  # the content library holds no runner data
    serializer_class = EducationTopicOutput
    lookup_url_kwarg = "id"

    def get_queryset(self):
        return education_topics_list()

    def get_object(self):
        return get_by_ref(self.get_queryset(), self.kwargs["id"])
