"""Plans, templates and decisions. Each command calls the one service the web pages use."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from programs.api.content.filters import (
    REF_PARAMETER,
    content_filters,
    filter_parameters,
    get_by_ref,
)
from programs.api.plans import selectors
from programs.api.plans.access import (
    IsPhysio,
    IsRunner,
    LogWriteThrottleMixin,
    PhysioOnObject,
    RunnerOnObject,
    audit_read,
    audit_rows,
)
from programs.api.plans.concurrency import expected_version, plan_etag
from programs.api.plans.inputs import plan_generate_from_input
from programs.api.plans.prescriptions import (
    EDIT_RESPONSES,
    IF_MATCH_REQUIRED,
    PlanPrescriptionsMixin,
)
from programs.api.plans.serializers import (
    CurrentWeekOutput,
    DecisionOutput,
    DecisionsBulkInput,
    FlareUpInput,
    FlareUpOutput,
    PlanCreateInput,
    PlanDetailOutput,
    PlanOutput,
    PlanPolicyInput,
    PlanSessionOutput,
    SessionCreateInput,
    TemplateDetailOutput,
    TemplateOutput,
    VersionInput,
)
from programs.content.selectors import walk_run_ladder
from programs.logbook.selectors import (
    checkin_due,
    flare_outcome_message,
    flare_up_outcome,
)
from programs.logbook.services import flare_up_report, plan_resume
from programs.plans.models import Decision, Plan
from programs.plans.selectors import plan_outlook
from programs.plans.services.approvals import (
    decision_approve,
    decision_reject,
    decisions_decide,
    plan_revision_undo,
)
from programs.plans.services.lifecycle import plan_policy_update, plan_set_status
from programs.ui.running import run_view, usual_weekly_minutes
from rehab.accounts.api.requests import signed_in
from rehab.accounts.selectors import runner_ids_visible_to
from rehab.core.api import StrictLookupMixin, UserLanguageMixin
from rehab.core.idempotency import idempotent
from rehab.core.params import DATE_RANGE, choice_param, date_param
from rehab.core.serializing import represent
from rehab.core.timeutils import local_today

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="The plan's ETag as read; a stale one is refused with 412.",
)


@extend_schema_view(
    list=extend_schema(
        parameters=filter_parameters("condition", "level", "equipment", "compression")
    ),
    retrieve=extend_schema(parameters=[REF_PARAMETER], responses=TemplateDetailOutput),
)
class TemplateViewSet(StrictLookupMixin, UserLanguageMixin, viewsets.ReadOnlyModelViewSet):
    """Programme templates. Filters: condition, and level, equipment or compression of an
    exercise the template uses."""

    mfa_exempt = True  # the content library holds no runner data
    serializer_class = TemplateOutput
    lookup_url_kwarg = "id"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False) or self.action != "list":
            return selectors.templates_list()
        return selectors.templates_list(**content_filters(self.request))

    def get_serializer_class(self):
        return TemplateDetailOutput if self.action == "retrieve" else TemplateOutput

    def get_object(self):
        return get_by_ref(selectors.template_detail_qs(), self.kwargs["id"])


def _plan_response(plan: Plan, *, http_status=status.HTTP_200_OK, detail=False) -> Response:
    if detail:
        plan.weeks_list = list(selectors.plan_weeks(plan))
        plan.outlook = plan_outlook(plan=plan, today=local_today(plan.runner.timezone))
    body = (PlanDetailOutput if detail else PlanOutput)(plan).data
    response = Response(body, status=http_status)
    response["ETag"] = plan_etag(plan)
    return response


@extend_schema_view(
    list=extend_schema(
        description="Runner: own plans. Physio: the plans of linked runners.",
        parameters=[OpenApiParameter("status", str, enum=Plan.Status.values)],
    ),
    retrieve=extend_schema(responses=PlanDetailOutput),
)
class PlanViewSet(
    StrictLookupMixin,
    UserLanguageMixin,
    LogWriteThrottleMixin,
    PlanPrescriptionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """A runner's plans, their sessions and decisions, and the commands on them."""

    serializer_class = PlanOutput
    filter_backends = [OrderingFilter]
    ordering_fields = ["created_at", "start_date", "status"]
    log_write_actions = ("flare_up",)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Plan.objects.none()
        queryset = selectors.plans_visible_to(signed_in(self.request))
        status_filter = choice_param(self.request, "status", Plan.Status.values)
        if self.action == "list" and status_filter:
            queryset = queryset.filter(status=status_filter)
        return queryset

    def get_permissions(self):
        extras: dict[str, list[BasePermission]] = {
            "partial_update": [PhysioOnObject()],
            "undo": [PhysioOnObject()],
            "session_create": [PhysioOnObject()],
            "note": [PhysioOnObject()],
            "flare_up": [RunnerOnObject()],
            "current_week": [IsRunner()],
        }
        extra = extras.get(self.action or "", [])
        return [*super().get_permissions(), *extra]

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if self.action == "list" and page is not None:
            audit_rows(self.request, page, object_type="plan")
        return page

    def retrieve(self, request, *args, **kwargs):
        plan = self.get_object()
        audit_read(request, runner=plan.runner, object_type="plan", object_id=plan.pk)
        return _plan_response(plan, detail=True)

    @extend_schema(
        request=PlanCreateInput,
        responses={201: PlanDetailOutput},
        examples=[
            OpenApiExample(
                "Runner starts a plan",
                request_only=True,
                value={
                    "template": "gluteal-tendinopathy",
                    "equipment": ["mat", "mini_band", "step"],
                    "strength_days_per_week": 3,
                    "preferred_weekdays": [0, 2, 4],
                    "long_run_weekday": 6,
                    "running": {"mode": "walk_run", "walk_run_stage": 2},
                },
            )
        ],
    )
    @idempotent
    def create(self, request):
        data = PlanCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        plan = plan_generate_from_input(user=request.user, data=data.validated_data)
        return _plan_response(plan, http_status=status.HTTP_201_CREATED, detail=True)

    @extend_schema(
        request=PlanPolicyInput,
        parameters=[IF_MATCH],
        responses={
            200: PlanDetailOutput,
            409: OpenApiResponse(description="The version sent is stale."),
            412: OpenApiResponse(description="If-Match does not match the plan's ETag."),
            428: OpenApiResponse(description="Neither If-Match nor version was sent."),
        },
        examples=[
            OpenApiExample(
                "Stricter green zone, approval required",
                request_only=True,
                value={"version": 3, "green_max": 1, "require_approval": True},
            )
        ],
    )
    def partial_update(self, request, *args, **kwargs):
        plan = self.get_object()
        data = PlanPolicyInput(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        version = expected_version(request, plan, changes.pop("version", None), required=True)
        plan = plan_policy_update(
            plan=plan, changes=changes, by=request.user, expected_version=version
        )
        return _plan_response(plan, detail=True)

    def _set_status(self, request, new_status: str) -> Response:
        plan = self.get_object()
        data = VersionInput(data=request.data)
        data.is_valid(raise_exception=True)
        version = expected_version(
            request, plan, data.validated_data.get("version"), required=False
        )
        if new_status == Plan.Status.ACTIVE:
            plan = plan_resume(plan=plan, by=request.user, expected_version=version)
        else:
            plan = plan_set_status(plan=plan, status=new_status, expected_version=version)
        return _plan_response(plan)

    @extend_schema(request=VersionInput, parameters=[IF_MATCH], responses={200: PlanOutput})
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        """Pause the plan (the runner or a linked physiotherapist)."""
        return self._set_status(request, Plan.Status.PAUSED)

    @extend_schema(request=VersionInput, parameters=[IF_MATCH], responses={200: PlanOutput})
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        """Resume a paused plan (the runner or a linked physiotherapist). A plan paused for a
        warning sign resumes only after its referral is cleared (409 referral_open before)."""
        return self._set_status(request, Plan.Status.ACTIVE)

    @extend_schema(request=None, responses={200: PlanOutput})
    @action(detail=True, methods=["post"])
    def undo(self, request, pk=None):
        """Undo the latest change to the plan from today on (linked physiotherapist)."""
        plan = self.get_object()
        plan_revision_undo(plan=plan, by=request.user, today=local_today(plan.runner.timezone))
        return _plan_response(self.get_object())

    @extend_schema(request=FlareUpInput, responses={201: FlareUpOutput})
    @action(detail=True, methods=["post"], url_path="flare-up")
    @idempotent
    def flare_up(self, request, pk=None):
        """Report a flare-up and how bad it is: the plan eases off at once (or the lighter
        plan waits for approval, when the physiotherapist asks for it: plan_change
        "pending") and the physiotherapist is told."""
        plan = self.get_object()
        data = FlareUpInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        flare = flare_up_report(
            runner=request.user,
            date=values.get("date") or local_today(request.user.timezone),
            severity=values["severity"],
            note=values["note"],
            red_flags=values["red_flags"],
        )
        plan.refresh_from_db(fields=["status"])
        outcome = flare_up_outcome(flare=flare, language=get_language())
        body = {
            "id": flare.pk,
            "date": flare.date,
            "severity": flare.severity,
            "note": flare.note,
            "red_flags": flare.red_flags,
            "plan_status": plan.status,
            "plan_change": outcome.state,
            "message": flare_outcome_message(outcome.state),
        }
        return Response(FlareUpOutput(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=DATE_RANGE, responses=PlanSessionOutput(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def sessions(self, request, pk=None):
        """Planned sessions with their prescriptions, optionally between two dates."""
        plan = self.get_object()
        queryset = selectors.plan_sessions(
            plan, date_from=date_param(request, "from"), date_to=date_param(request, "to")
        )
        audit_read(request, runner=plan.runner, object_type="plan_sessions", object_id=plan.pk)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(PlanSessionOutput(page, many=True).data)

    @extend_schema(
        request=SessionCreateInput,
        parameters=[IF_MATCH_REQUIRED],
        responses={201: PlanSessionOutput, **EDIT_RESPONSES},
        examples=[
            OpenApiExample(
                "Move Monday's session to Tuesday",
                request_only=True,
                value={"date": "2026-12-08", "kind": "strength", "from_date": "2026-12-07"},
            )
        ],
    )
    @sessions.mapping.post
    @idempotent
    def session_create(self, request, pk=None):
        """A linked physiotherapist adds a planned session on `date`, or moves the one of
        `from_date` there (programs/api/plans/prescriptions.py)."""
        return PlanPrescriptionsMixin.session_create(self, request, pk)

    @extend_schema(responses=DecisionOutput(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def decisions(self, request, pk=None):
        """Progression decisions with the rule, its sources and an explanation."""
        plan = self.get_object()
        audit_read(request, runner=plan.runner, object_type="plan_decisions", object_id=plan.pk)
        page = self.paginate_queryset(selectors.plan_decisions(plan))
        return self.get_paginated_response(DecisionOutput(page, many=True).data)

    @extend_schema(responses={200: CurrentWeekOutput})
    @action(detail=False, methods=["get"], url_path="current/week", filter_backends=[])
    def current_week(self, request):
        """The runner's plan week holding today, with its sessions and prescriptions."""
        found = selectors.current_week(request.user)
        if found is None:
            raise NotFound(_("You have no open plan."))
        plan, week = found.plan, found.week
        today = local_today(request.user.timezone)
        running = run_view(
            week.run,
            walk_run_ladder(plan.template_id),
            today=today,
            week_starts_on=week.starts_on,
            usual_weekly_minutes=usual_weekly_minutes(plan.context),
        )
        body = {
            "plan": plan.pk,
            "plan_status": plan.status,
            "week": week,
            "week_count": found.weeks[-1].number,
            "ends_on": week.starts_on + dt.timedelta(days=6),
            "today": today,
            "sessions": found.sessions,
            "outlook": plan_outlook(
                plan=plan, today=today, weeks=found.weeks, pending=found.pending_phase
            ),
            "running": running.as_api(),
            "checkin_due": checkin_due(plan=plan, today=today, checked_in=found.checked_in_today),
        }
        return Response(represent(CurrentWeekOutput, body))


class DecisionViewSet(StrictLookupMixin, UserLanguageMixin, viewsets.GenericViewSet):
    """A linked physiotherapist approves or rejects a pending decision."""

    serializer_class = DecisionOutput
    permission_classes = [*viewsets.GenericViewSet.permission_classes, PhysioOnObject]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Decision.objects.none()
        return selectors.decisions_visible_to(signed_in(self.request))

    @extend_schema(request=None, responses={200: DecisionOutput})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Apply a pending decision from its effective date."""
        decision = decision_approve(decision=self.get_object(), physio=request.user)
        return Response(DecisionOutput(decision).data)

    @extend_schema(request=None, responses={200: DecisionOutput})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Refuse a pending decision; the plan stays as it is."""
        decision = decision_reject(decision=self.get_object(), physio=request.user)
        return Response(DecisionOutput(decision).data)

    @extend_schema(
        request=DecisionsBulkInput,
        responses={
            200: DecisionOutput(many=True),
            400: OpenApiResponse(description="No decision, too many, or a message too long."),
            404: OpenApiResponse(description="A decision outside your linked runners."),
            409: OpenApiResponse(description="A decision was already decided; none is saved."),
        },
    )
    @action(detail=False, methods=["post"], permission_classes=[IsPhysio])
    def bulk(self, request):
        """Approve or reject many pending decisions at once, all or nothing, with an
        optional message to the runner. Approved decisions of one plan apply together as
        one revision."""
        body = DecisionsBulkInput(data=request.data)
        body.is_valid(raise_exception=True)
        decided = decisions_decide(
            decision_ids=body.validated_data["decisions"],
            verdict=body.validated_data["verdict"],
            message=body.validated_data["message"],
            physio=request.user,
            runner_ids=runner_ids_visible_to(request.user),
        )
        return Response(DecisionOutput(decided, many=True).data)
