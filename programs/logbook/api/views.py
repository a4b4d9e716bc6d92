from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from programs.logbook.api.serializers import ScreeningInput, ScreeningOutput
from programs.logbook.screening import (
    GT_FEATURES,
    ITB_FEATURES,
    RED_FLAGS,
    ScreeningAnswers,
    reason_text,
)
from programs.logbook.services import screening_submit
from rehab.core.api import ApiView


def recommended_template_for(condition: str | None) -> str | None:
    """The template slug for a suggested condition (None until the content is loaded)."""
    if not condition:
        return None
    try:
        from programs.plans.selectors import recommended_template_slug
    except ImportError:
        return None
    return recommended_template_slug(condition)


class ScreeningView(ApiView):
    """Red flags and condition questions -> ok or refer, with reasons and a pathway."""

    @extend_schema(request=ScreeningInput, responses={201: ScreeningOutput})
    def post(self, request):
        if not request.user.is_runner:
            raise PermissionDenied()
        data = ScreeningInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        answers = ScreeningAnswers(
            red_flags=frozenset(code for code in RED_FLAGS if values[code]),
            pain_location=values["pain_location"],
            features=frozenset(code for code in {**GT_FEATURES, **ITB_FEATURES} if values[code]),
            baseline_pain=values["baseline_pain"],
        )
        screening = screening_submit(runner=request.user, answers=answers)
        body = {
            "id": screening.pk,
            "outcome": screening.outcome,
            "reasons": [{"code": c, "message": reason_text(c)} for c in screening.reasons],
            "condition": screening.condition or None,
            "irritability": screening.irritability or None,
            "recommended_template": recommended_template_for(screening.condition),
            "sources": screening.source_keys,
        }
        return Response(ScreeningOutput(body).data, status=status.HTTP_201_CREATED)
