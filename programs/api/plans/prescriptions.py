"""A linked physiotherapist edits a plan through the API: prescriptions (dose, note, swap
with ranked alternatives) and planned sessions (add or move, remove).

Every write needs the plan's ETag in If-Match (428 without, 412 when stale) and calls the
one service the web editor uses (programs.plans.services.edits). Objects outside the
caller's scope answer 404; a runner may read their prescriptions but not edit them (403).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from programs.api.plans import selectors
from programs.api.plans.access import PhysioOnObject, audit_read
from programs.api.plans.concurrency import expected_version, plan_etag
from programs.api.plans.serializers import (
    AlternativeOutput,
    PlanNoteInput,
    PlanNoteOutput,
    PlanSessionOutput,
    PrescriptionEditInput,
    PrescriptionEditOutput,
    SessionCreateInput,
    SwapInput,
)
from programs.plans.models import Plan, PlanSession, Prescription
from programs.plans.services import edits
from rehab.accounts.api.requests import signed_in
from rehab.core.api import StrictLookupMixin, UserLanguageMixin
from rehab.core.idempotency import idempotent
from rehab.core.timeutils import local_today

IF_MATCH_REQUIRED = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="The plan's ETag as read (GET the plan or its prescriptions); a stale one "
    "is refused with 412, none with 428.",
)
EDIT_RESPONSES = {
    409: OpenApiResponse(description="The plan changed meanwhile, or is closed."),
    412: OpenApiResponse(description="If-Match does not match the plan's ETag."),
    428: OpenApiResponse(description="If-Match was not sent."),
}


def _with_etag(body, plan: Plan, http_status=status.HTTP_200_OK) -> Response:
    response = Response(body, status=http_status)
    response["ETag"] = plan_etag(plan)
    return response


def _version(request, plan: Plan) -> int:
    return expected_version(request, plan, None, required=True)


def standing_rows(plan: Plan) -> list[Prescription]:
    """One prescription row per slot in force: the first not-yet-logged one from the
    runner's today (its id is the one to PATCH)."""
    today = local_today(plan.runner.timezone)
    rows = (
        Prescription.objects.filter(
            session__plan=plan, session__date__gte=today, session__log__isnull=True
        )
        .select_related("exercise", "session")
        .order_by("session__date", "session__kind", "order", "pk")
    )
    first: dict[str, Prescription] = {}
    for row in rows:
        first.setdefault(row.slot_key, row)
    return list(first.values())


def _alternative_body(alternative) -> dict:
    from django.utils.translation import get_language

    dutch = (get_language() or "en").startswith("nl")
    exercise = alternative.exercise
    return {
        "exercise": exercise.slug,
        "name": (exercise.name_nl if dutch and exercise.name_nl else exercise.name),
        "level": exercise.level,
        "compression": exercise.compression,
        "family": exercise.family,
        "movement_pattern": exercise.movement_pattern,
        "allowed": alternative.allowed,
        "reasons": [
            {
                "code": code,
                "text": edits.reason_text(code),
                "section": edits.rules.REASONS[code][0],
            }
            for code in alternative.reasons
        ],
        "broken": [
            {
                "code": code,
                "text": edits.rule_text(code),
                "section": edits.rules.RULES[code].section,
            }
            for code in alternative.broken
        ],
    }


# The mixin is for PlanViewSet: to the type checker it is a GenericAPIView.
if TYPE_CHECKING:
    from rest_framework.generics import GenericAPIView

    _PlanViewBase = GenericAPIView
else:
    _PlanViewBase = object


class PlanPrescriptionsMixin(_PlanViewBase):
    """PlanViewSet's edit routes: GET plans/{id}/prescriptions/, PUT plans/{id}/note/ (POST plans/{id}/sessions/
    is mapped onto the sessions route in views.py and calls session_create below)."""

    @extend_schema(responses=PrescriptionEditOutput(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def prescriptions(self, request, pk=None):
        """The prescriptions in force, one per exercise slot, with the plan's ETag."""
        plan = self.get_object()
        audit_read(request, runner=plan.runner, object_type="plan_prescriptions", object_id=plan.pk)
        page = self.paginate_queryset(standing_rows(plan))
        response = self.get_paginated_response(PrescriptionEditOutput(page, many=True).data)
        response["ETag"] = plan_etag(plan)
        return response

    @extend_schema(
        request=PlanNoteInput,
        parameters=[IF_MATCH_REQUIRED],
        responses={200: PlanNoteOutput, **EDIT_RESPONSES},
        examples=[
            OpenApiExample(
                "A note on the whole plan",
                request_only=True,
                value={"text": "Keep the long run flat this month."},
            )
        ],
    )
    @action(detail=True, methods=["put"], url_path="note", filter_backends=[])
    def note(self, request, pk=None):
        """The physio's note to the runner on the whole plan, shown on "this week" and in the
        session player; an empty text removes it. A new revision, like every edit."""
        plan = self.get_object()
        version = _version(request, plan)
        data = PlanNoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        edit = edits.Edit(
            action=edits.PLAN_NOTE,
            text=data.validated_data["text"],
            reason=data.validated_data.get("reason", ""),
        )
        edits.plan_edit_apply(plan=plan, edit=edit, by=signed_in(request), expected_version=version)
        plan.refresh_from_db()
        return _with_etag({"text": plan.note}, plan)

    def session_create(self, request, pk=None):
        plan = self.get_object()
        version = _version(request, plan)
        data = SessionCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        moving = values.get("from_date") is not None
        edit = edits.Edit(
            action=edits.SESSION_MOVE if moving else edits.SESSION_ADD,
            kind=values["kind"],
            date=values["from_date"] if moving else values["date"],
            to_date=values["date"] if moving else None,
            reason=values.get("reason", ""),
        )
        edits.plan_edit_apply(plan=plan, edit=edit, by=signed_in(request), expected_version=version)
        plan.refresh_from_db()
        session = (
            selectors.plan_sessions(plan).filter(date=values["date"], kind=values["kind"]).first()
        )
        if session is None:  # laid out nowhere (e.g. the week has no such session kind)
            raise NotFound(_("No session was laid out on that date."))
        return _with_etag(PlanSessionOutput(session).data, plan, status.HTTP_201_CREATED)


class PrescriptionViewSet(StrictLookupMixin, UserLanguageMixin, viewsets.GenericViewSet):
    """A prescription of a planned session: its dose and note, its alternatives, a swap."""

    serializer_class = PrescriptionEditOutput
    lookup_url_kwarg = "id"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Prescription.objects.none()
        return Prescription.objects.filter(
            session__plan__in=selectors.plans_visible_to(signed_in(self.request))
        ).select_related("exercise", "session__plan__runner", "session__plan__template")

    def get_permissions(self):
        return [*super().get_permissions(), PhysioOnObject()]

    def _done(self, row: Prescription) -> Response:
        plan = Plan.objects.get(pk=row.session.plan_id)
        fresh = Prescription.objects.select_related("exercise", "session").filter(pk=row.pk).first()
        if fresh is None:
            fresh = next((r for r in standing_rows(plan) if r.slot_key == row.slot_key), None)
        body = PrescriptionEditOutput(fresh).data if fresh else None
        return _with_etag(body, plan)

    @extend_schema(
        request=PrescriptionEditInput,
        parameters=[IF_MATCH_REQUIRED],
        responses={200: PrescriptionEditOutput, **EDIT_RESPONSES},
        examples=[
            OpenApiExample(
                "One set less this week, with a note",
                request_only=True,
                value={"sets": 2, "scope": "week", "note": "Slow on the way down."},
            )
        ],
    )
    def partial_update(self, request, *args, **kwargs):
        """Change the dose (`scope`: "future" from now on, the default; "week": the plan
        week of this prescription only) and/or the note to the runner on this exercise."""
        row = self.get_object()
        plan = row.session.plan
        version = _version(request, plan)
        data = PrescriptionEditInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        note = values.pop("note", None)
        scope = values.pop("scope", "future")
        reason = values.pop("reason", "")
        changes = []
        if values:
            changes.append(
                edits.Edit(
                    action=edits.DOSE,
                    slot_key=row.slot_key,
                    dose=values,
                    scope=scope,
                    date=row.session.date,
                    reason=reason,
                )
            )
        if note is not None:
            changes.append(
                edits.Edit(action=edits.NOTE, slot_key=row.slot_key, text=note, reason=reason)
            )
        edits.plan_edits_apply(
            plan=plan, edits=changes, by=signed_in(request), expected_version=version
        )
        return self._done(row)

    @extend_schema(responses=AlternativeOutput(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def alternatives(self, request, id=None):
        """Exercises to swap in, ranked: same family or movement pattern, levels the slot
        allows, compression class, condition and the runner's equipment. `broken` lists the
        rules choosing one would override (a written reason is then required)."""
        row = self.get_object()
        plan = row.session.plan
        audit_read(request, runner=plan.runner, object_type="prescription", object_id=row.pk)
        ranked = edits.swap_alternatives(plan=plan, slot_key=row.slot_key)
        page = self.paginate_queryset([_alternative_body(a) for a in ranked])
        response = self.get_paginated_response(AlternativeOutput(page, many=True).data)
        response["ETag"] = plan_etag(plan)
        return response

    @extend_schema(
        request=SwapInput,
        parameters=[IF_MATCH_REQUIRED],
        responses={200: PrescriptionEditOutput, **EDIT_RESPONSES},
        examples=[
            OpenApiExample(
                "Swap with a reason (needed when a rule is overridden)",
                request_only=True,
                value={"exercise": "offset-bridge", "reason": "Ready for a single-leg bias."},
            )
        ],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def swap(self, request, id=None):
        """Swap the exercise from now on. Breaking a rule of the plan (see alternatives)
        without a `reason` is refused (400 `override_reason_required`, the rules in
        fields.reason); with one, the override is stored with the revision."""
        row = self.get_object()
        plan = row.session.plan
        version = _version(request, plan)
        data = SwapInput(data=request.data)
        data.is_valid(raise_exception=True)
        edit = edits.Edit(
            action=edits.SWAP,
            slot_key=row.slot_key,
            exercise=data.validated_data["exercise"],
            reason=data.validated_data.get("reason", ""),
        )
        edits.plan_edit_apply(plan=plan, edit=edit, by=signed_in(request), expected_version=version)
        return self._done(row)


class PlannedSessionViewSet(StrictLookupMixin, UserLanguageMixin, viewsets.GenericViewSet):
    """DELETE /api/v1/sessions/{id}/: a linked physiotherapist removes a planned session."""

    serializer_class = PlanSessionOutput
    lookup_url_kwarg = "id"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PlanSession.objects.none()
        return selectors.sessions_visible_to(signed_in(self.request))

    def get_permissions(self):
        return [*super().get_permissions(), PhysioOnObject()]

    @extend_schema(
        parameters=[IF_MATCH_REQUIRED],
        responses={204: None, **EDIT_RESPONSES},
    )
    def destroy(self, request, *args, **kwargs):
        """Remove a planned session that is not logged (409 once logged)."""
        session = self.get_object()
        plan = Plan.objects.select_related("runner").get(pk=session.plan_id)
        version = _version(request, plan)
        edit = edits.Edit(action=edits.SESSION_REMOVE, kind=session.kind, date=session.date)
        edits.plan_edit_apply(plan=plan, edit=edit, by=signed_in(request), expected_version=version)
        plan.refresh_from_db()
        response = Response(status=status.HTTP_204_NO_CONTENT)
        response["ETag"] = plan_etag(plan)
        return response
