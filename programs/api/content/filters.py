"""Query-parameter parsing shared by the content endpoints (no rules, only input)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import NotFound, ValidationError

from programs.content.models import Compression, ConditionCode, Equipment
from rehab.core.ids import parse_ref
from rehab.core.params import choice_param

REF_PARAMETER = OpenApiParameter(
    "id", str, OpenApiParameter.PATH, description="Numeric id or slug."
)


LEVELS = frozenset("12345")


def level_param(request) -> int | None:
    value = request.query_params.get("level")
    if value in (None, ""):
        return None
    if value not in LEVELS:
        raise ValidationError({"level": [_("Use a level from 1 to 5.")]})
    return int(value)


def content_filters(request) -> dict:
    """condition, level, equipment and compression, validated."""
    return {
        "condition": choice_param(request, "condition", ConditionCode.values),
        "level": level_param(request),
        "equipment": choice_param(request, "equipment", Equipment.values),
        "compression": choice_param(request, "compression", Compression.values),
    }


def filter_parameters(*names: str) -> list[OpenApiParameter]:
    enums = {
        "condition": ConditionCode.values,
        "equipment": Equipment.values,
        "compression": Compression.values,
    }
    params = []
    for name in names:
        if name == "level":
            params.append(OpenApiParameter("level", int, enum=[1, 2, 3, 4, 5]))
        else:
            params.append(OpenApiParameter(name, str, enum=enums[name]))
    return params


def get_by_ref(queryset: QuerySet, ref: str, slug_field: str = "slug"):
    """One row by numeric id (ASCII digits) or slug; anything else is a 404."""
    lookup = parse_ref(ref, slug_field)
    if lookup is None:
        raise NotFound()
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise NotFound()
    return obj
