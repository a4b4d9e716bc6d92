from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from programs.api.logbook.selectors import checkins_visible_to, runs_visible_to
from programs.api.logbook.serializers import (
    CheckinInput,
    CheckinOutput,
    CheckinUpdateInput,
    PatientCountsOutput,
    PatientOutput,
    PatientQueryInput,
    ReferralClearInput,
    ReferralOutput,
    RunImportInput,
    RunImportOutput,
    RunInput,
    RunOutput,
    RunUpdateInput,
    ScreeningInput,
    ScreeningOutput,
    SessionLogInput,
    SessionLogOutput,
)
from programs.api.plans.access import (
    IsPhysio,
    IsRunner,
    LogWriteThrottleMixin,
    RunnerOnObject,
    audit_read,
    audit_rows,
)
from programs.api.plans.selectors import sessions_visible_to
from programs.engine.screening import (
    GT_FEATURES,
    HIP_JOINT_QUESTIONS,
    ITB_FEATURES,
    RED_FLAGS,
    ScreeningAnswers,
    reason_text,
)
from programs.logbook import caseload_filters
from programs.logbook.caseload import caseload, caseload_runners
from programs.logbook.models import Referral, RunLog
from programs.logbook.selectors import open_referrals, recommended_template, referrals_visible_to
from programs.logbook.services import (
    checkin_create,
    checkin_update,
    referral_clear_by_physio,
    referral_clear_by_runner,
    run_import,
    run_log_create,
    run_log_delete,
    run_log_update,
    screening_submit,
    session_log_create,
)
from programs.plans.models import PlanSession
from programs.ui.uploads import request_too_large, too_large_message
from rehab.accounts.api.requests import signed_in
from rehab.accounts.models import User
from rehab.accounts.services import access_log_record_many
from rehab.core.api import ApiView, StrictLookupMixin, UserLanguageMixin
from rehab.core.errors import ApplicationError
from rehab.core.idempotency import idempotent
from rehab.core.params import DATE_RANGE, bool_param, date_param, id_param
from rehab.core.timeutils import local_today


class ScreeningView(ApiView):
    """Red flags, signs of the hip joint, snapping and condition questions -> ok or refer,
    with reasons, a pathway and the template to start from. Referrals still open from an
    earlier screening or log are listed: a new screening does not clear them."""

    @extend_schema(request=ScreeningInput, responses={201: ScreeningOutput})
    @idempotent
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
            hip_signs=frozenset(code for code in HIP_JOINT_QUESTIONS if values[code]),
            snapping=values["hip_snapping"],
            snapping_persistent=bool(values.get("snapping_persistent")),
        )
        screening = screening_submit(runner=request.user, answers=answers)
        still_open = open_referrals(runner=request.user)
        opened = next(
            (r for r in still_open if r.source == "screening" and r.source_id == screening.pk), None
        )
        template = recommended_template(condition=screening.condition)
        body = {
            "id": screening.pk,
            "outcome": screening.outcome,
            "reasons": [{"code": c, "message": reason_text(c)} for c in screening.reasons],
            "condition": screening.condition or None,
            "irritability": screening.irritability or None,
            "recommended_template": template.slug if template else None,
            "sources": screening.source_keys,
            "features": screening.features,
            "referral": opened.pk if opened else None,
            "earlier_referrals": [r for r in still_open if r is not opened],
            "can_start_plan": screening.outcome == "ok" and not still_open,
        }
        return Response(ScreeningOutput(body).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("runner", int, description="Physios: one linked runner's referrals."),
            OpenApiParameter("open", bool, description="Only open (true) or cleared (false)."),
        ]
    )
)
class ReferralViewSet(
    StrictLookupMixin,
    UserLanguageMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Referrals on a runner's record: the runner's own, or a linked physio's runners'.
    While one is open no plan starts or resumes. Physio reads are audited."""

    serializer_class = ReferralOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Referral.objects.none()
        queryset = referrals_visible_to(signed_in(self.request))
        if self.action == "list":
            runner_id = id_param(self.request, "runner")
            if runner_id is not None:
                queryset = queryset.filter(runner_id=runner_id)
            wanted = bool_param(self.request, "open")
            if wanted is not None:
                queryset = queryset.filter(cleared_at__isnull=wanted)
        return queryset

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            audit_rows(self.request, page, object_type="referrals")
        return page

    def retrieve(self, request, *args, **kwargs):
        referral = self.get_object()
        audit_read(request, runner=referral.runner, object_type="referral", object_id=referral.pk)
        return Response(ReferralOutput(referral).data)

    @extend_schema(
        request=ReferralClearInput,
        responses={200: ReferralOutput},
        examples=[
            OpenApiExample(
                "A linked physiotherapist clears it",
                request_only=True,
                value={"note": "Assessed today: lumbar cause ruled out, fine to load the hip."},
            ),
            OpenApiExample(
                "The runner reports a clinician's all-clear",
                request_only=True,
                value={
                    "clinician": "Dr. Jansen, GP",
                    "assessed_on": "2026-12-03",
                    "confirmed": True,
                },
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def clear(self, request, pk=None):
        """Clear the referral: a linked physio with a note, or the runner with whom they saw,
        when, and a confirmation. A plan a warning sign paused then resumes on request."""
        referral = self.get_object()
        data = ReferralClearInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if request.user.is_physio:
            referral = referral_clear_by_physio(
                referral=referral, physio=request.user, note=values.get("note", "")
            )
        else:
            referral = referral_clear_by_runner(
                referral=referral,
                runner=request.user,
                clinician=values.get("clinician", ""),
                assessed_on=values.get("assessed_on"),
                confirmed=values.get("confirmed", False),
            )
        return Response(ReferralOutput(referral).data)


# --- Logs --------------------------------------------------------------------------------

LIST_FILTERS = [
    *DATE_RANGE,
    OpenApiParameter("runner", int, description="Physios: one linked runner's entries."),
]


class SessionViewSet(
    StrictLookupMixin, UserLanguageMixin, LogWriteThrottleMixin, viewsets.GenericViewSet
):
    """Planned sessions; the owner logs one as done."""

    serializer_class = SessionLogOutput
    log_write_actions = ("log",)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PlanSession.objects.none()
        return sessions_visible_to(signed_in(self.request))

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
    @idempotent
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
    StrictLookupMixin,
    UserLanguageMixin,
    LogWriteThrottleMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class: type[serializers.ModelSerializer[Any]]
    log_write_actions: tuple[str, ...] = ("create",)
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
            # The stub types ModelSerializer.Meta.model with an unbound type variable.
            return self.serializer_class.Meta.model.objects.none()  # type: ignore[attr-defined]
        return self.scoped(
            runner_id=id_param(self.request, "runner"),
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
    """Next-morning pain and stiffness. Runners list their own; physios their runners'.
    Runners change their own (PATCH)."""

    serializer_class = CheckinOutput
    audit_type = "checkins"
    log_write_actions = ("create", "partial_update")

    def get_permissions(self):
        extra = [RunnerOnObject()] if self.action == "partial_update" else []
        return [*super().get_permissions(), *extra]

    def scoped(self, **filters):
        return checkins_visible_to(signed_in(self.request), **filters)

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
    @idempotent
    def create(self, request):
        data = CheckinInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        checkin = checkin_create(
            runner=request.user,
            date=values.get("date") or local_today(request.user.timezone),
            pain=values["pain"],
            stiffness_minutes=values["stiffness_minutes"],
            settled_by_midday=values["settled_by_midday"],
            red_flags=values["red_flags"],
        )
        return Response(CheckinOutput(checkin).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=CheckinUpdateInput,
        responses={200: CheckinOutput},
        examples=[
            OpenApiExample(
                "Settled by midday",
                request_only=True,
                value={"settled_by_midday": True},
            )
        ],
    )
    def partial_update(self, request, pk=None):
        """Change your own check-in (a second check-in for the same day is a 409: change
        the first one here). A warning sign added now pauses the plan at once."""
        checkin = self.get_object()
        data = CheckinUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        checkin = checkin_update(runner=request.user, checkin=checkin, **data.validated_data)
        return Response(CheckinOutput(checkin).data)


@extend_schema_view(list=extend_schema(parameters=LIST_FILTERS))
class RunViewSet(mixins.DestroyModelMixin, _LogListCreate):
    """Runs with pain during and after, and effort. Runners list their own; physios their
    runners'. Runners import runs from watch files, change and delete their own runs
    (anyone else's run is 404, a linked physio's included)."""

    serializer_class = RunOutput
    audit_type = "runs"
    log_write_actions = ("create", "import_files", "partial_update")
    OWN_ONLY = ("partial_update", "destroy")

    def get_permissions(self):
        extra = [IsRunner()] if self.action == "import_files" else []
        return [*super().get_permissions(), *extra]

    def scoped(self, **filters):
        return runs_visible_to(signed_in(self.request), **filters)

    def get_queryset(self):
        if self.action in self.OWN_ONLY and not getattr(self, "swagger_fake_view", False):
            return RunLog.objects.filter(runner=signed_in(self.request))
        return super().get_queryset()

    @extend_schema(
        request=RunUpdateInput,
        responses={200: RunOutput},
        examples=[
            OpenApiExample(
                "Pain of an imported run",
                request_only=True,
                value={"pain_during": 1, "pain_after": 2, "rpe": 4},
            )
        ],
    )
    def partial_update(self, request, pk=None):
        """Change your own run: send only what changes. An imported run gets its pain during
        and after, and its effort, here. A warning sign added now pauses the plan at once."""
        run = self.get_object()
        data = RunUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        run = run_log_update(runner=request.user, run=run, **data.validated_data)
        return Response(RunOutput(run).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        """Delete your own run."""
        run_log_delete(runner=request.user, run=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request={"multipart/form-data": RunImportInput},
        responses={201: RunImportOutput, 200: RunImportOutput},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser],
    )
    def import_files(self, request):
        """Import runs from GPX, TCX or FIT files, one or several at a time (multipart, the
        field `files`). The date is the runner's local day the run started; duration,
        distance and climb come from the file; a hilly run is flagged (§F3). All or nothing:
        one empty, damaged, oversized (over 20 MB) or unknown file is a 400 naming it, and no
        run is added. A file imported before is reported under `existing`, not added again.
        201 when a run was added, 200 when every file was imported before. Then PATCH each
        new run with its pain during and after."""
        if request_too_large(request):
            raise ApplicationError(too_large_message(), fields={"files": [too_large_message()]})
        data = RunImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        files = [(upload.name, upload.read()) for upload in data.validated_data["files"]]
        result = run_import(runner=request.user, files=files)
        body = {
            "created": RunOutput(result.created, many=True).data,
            "existing": RunOutput(result.existing, many=True).data,
            "hilly_against_plan": sorted(result.against_terrain),
        }
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(body, status=code)

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
    @idempotent
    def create(self, request):
        data = RunInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["date"] = values.get("date") or local_today(request.user.timezone)
        run = run_log_create(runner=request.user, **values)
        return Response(RunOutput(run).data, status=status.HTTP_201_CREATED)


class PatientViewSet(
    StrictLookupMixin, UserLanguageMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """A physiotherapist's caseload: adherence (2 weeks), pain trend (4 weeks) and flags."""

    serializer_class = PatientOutput
    permission_classes = [IsPhysio]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return User.objects.none()
        return caseload_runners(signed_in(self.request))

    @extend_schema(parameters=[PatientQueryInput])
    def list(self, request):
        """The caseload filtered, searched and sorted as the caseload page does; every row is
        computed in a fixed number of queries, and the page returned is audited."""
        query = PatientQueryInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = caseload_filters.apply(caseload(request.user), query.query())
        page = self.paginate_queryset(rows) or []
        access_log_record_many(
            actor=request.user,
            entries=[(row.runner, "caseload", row.runner.pk) for row in page],
            path=request.get_full_path(),
        )
        return self.get_paginated_response(PatientOutput(page, many=True).data)

    @extend_schema(responses=PatientCountsOutput)
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def counts(self, request):
        """How many runners need attention, wait for approval or logged nothing for 7 days,
        of the whole caseload (the figures at the top of the caseload page). Only numbers:
        no runner's data is read out, so nothing is written to the access log."""
        return Response(PatientCountsOutput(caseload_filters.counts(caseload(request.user))).data)
