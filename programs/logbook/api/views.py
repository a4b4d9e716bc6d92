from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from programs.logbook.api.selectors import checkins_visible_to, runs_visible_to
from programs.logbook.api.serializers import (
    CheckinInput,
    CheckinOutput,
    PatientOutput,
    RunInput,
    RunOutput,
    ScreeningInput,
    ScreeningOutput,
    SessionLogInput,
    SessionLogOutput,
)
from programs.logbook.caseload import caseload, caseload_runners
from programs.logbook.screening import (
    GT_FEATURES,
    ITB_FEATURES,
    RED_FLAGS,
    ScreeningAnswers,
    reason_text,
)
from programs.logbook.services import (
    checkin_create,
    run_log_create,
    screening_submit,
    session_log_create,
)
from programs.plans.api.access import (
    IsPhysio,
    IsRunner,
    LogWriteThrottleMixin,
    RunnerOnObject,
    audit_rows,
)
from programs.plans.api.selectors import sessions_visible_to
from programs.plans.api.views import DATE_RANGE, date_param
from programs.plans.plan_models import PlanSession
from rehab.accounts.models import User
from rehab.accounts.services import access_log_record_many
from rehab.core.api import ApiView, UserLanguageMixin
from rehab.core.timeutils import local_today


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


# --- Logs --------------------------------------------------------------------------------

LIST_FILTERS = [
    *DATE_RANGE,
    OpenApiParameter("runner", int, description="Physios: one linked runner's entries."),
]


def _int_param(request, name: str) -> int | None:
    value = request.query_params.get(name)
    if not value:
        return None
    if not value.isdigit() or len(value) > 12:
        raise ValidationError({name: [_("Use a whole number.")]})
    return int(value)


class SessionViewSet(UserLanguageMixin, LogWriteThrottleMixin, viewsets.GenericViewSet):
    """Planned sessions; the owner logs one as done."""

    serializer_class = SessionLogOutput
    log_write_actions = ("log",)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PlanSession.objects.none()
        return sessions_visible_to(self.request.user)

    def get_permissions(self):
        return [*super().get_permissions(), RunnerOnObject()]

    @extend_schema(
        request=SessionLogInput,
        responses={201: SessionLogOutput},
        examples=[
            OpenApiExample(
                "A green session",
                request_only=True,
                value={
                    "exercises": [
                        {
                            "slot_key": "p1-side-lying-abduction",
                            "sets_done": 3,
                            "reps_done": [12, 12, 10],
                            "rpe": 4,
                            "pain_during": 1,
                        }
                    ],
                    "pain_after": 1,
                    "notes": "Felt fine.",
                },
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def log(self, request, pk=None):
        """Log the session: per exercise sets, reps, load, hold, effort and pain; pain after."""
        session = self.get_object()
        data = SessionLogInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        log = session_log_create(
            runner=request.user,
            session=session,
            exercises=values["exercises"],
            pain_after=values.get("pain_after"),
            single_leg_stance_pain=values.get("single_leg_stance_pain"),
            red_flags=tuple(values["red_flags"]),
            notes=values["notes"],
            completed=values["completed"],
        )
        return Response(SessionLogOutput(log).data, status=status.HTTP_201_CREATED)


class _LogListCreate(
    UserLanguageMixin,
    LogWriteThrottleMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    log_write_actions = ("create",)
    filter_backends = [OrderingFilter]
    ordering_fields = ["date", "created_at"]
    audit_type = ""

    def get_permissions(self):
        extra = [IsRunner()] if self.action == "create" else []
        return [*super().get_permissions(), *extra]

    def scoped(self, **filters):
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.serializer_class.Meta.model.objects.none()
        return self.scoped(
            runner_id=_int_param(self.request, "runner"),
            date_from=date_param(self.request, "from"),
            date_to=date_param(self.request, "to"),
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            audit_rows(self.request, page, object_type=self.audit_type)
        return page


@extend_schema_view(list=extend_schema(parameters=LIST_FILTERS))
class CheckinViewSet(_LogListCreate):
    """Next-morning pain and stiffness. Runners list their own; physios their runners'."""

    serializer_class = CheckinOutput
    audit_type = "checkins"

    def scoped(self, **filters):
        return checkins_visible_to(self.request.user, **filters)

    @extend_schema(
        request=CheckinInput,
        responses={201: CheckinOutput},
        examples=[
            OpenApiExample(
                "Morning check-in",
                request_only=True,
                value={"date": "2026-12-01", "pain": 2, "stiffness_minutes": 10},
            )
        ],
    )
    def create(self, request):
        data = CheckinInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        checkin = checkin_create(
            runner=request.user,
            date=values.get("date") or local_today(request.user.timezone),
            pain=values["pain"],
            stiffness_minutes=values["stiffness_minutes"],
            red_flags=values["red_flags"],
        )
        return Response(CheckinOutput(checkin).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(parameters=LIST_FILTERS))
class RunViewSet(_LogListCreate):
    """Runs with pain during and after. Runners list their own; physios their runners'."""

    serializer_class = RunOutput
    audit_type = "runs"

    def scoped(self, **filters):
        return runs_visible_to(self.request.user, **filters)

    @extend_schema(
        request=RunInput,
        responses={201: RunOutput},
        examples=[
            OpenApiExample(
                "Walk-run stage 3",
                request_only=True,
                value={"minutes": 24, "walk_run_stage": 3, "pain_during": 1, "pain_after": 1},
            )
        ],
    )
    def create(self, request):
        data = RunInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["date"] = values.get("date") or local_today(request.user.timezone)
        run = run_log_create(runner=request.user, **values)
        return Response(RunOutput(run).data, status=status.HTTP_201_CREATED)


class PatientViewSet(UserLanguageMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """A physiotherapist's caseload: adherence (2 weeks), pain trend (4 weeks) and flags."""

    serializer_class = PatientOutput
    permission_classes = [IsPhysio]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return User.objects.none()
        return caseload_runners(self.request.user)

    def list(self, request):
        runners = self.paginate_queryset(self.get_queryset())
        rows = caseload(request.user, runners)
        access_log_record_many(
            actor=request.user,
            entries=[(row.runner, "caseload", row.runner.pk) for row in rows],
            path=request.get_full_path(),
        )
        return self.get_paginated_response(PatientOutput(rows, many=True).data)
