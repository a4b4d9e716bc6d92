"""The one API router, mounted at /api/v1/. Each app registers its viewsets here."""

from django.core.exceptions import ImproperlyConfigured
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from programs.api.content import views as content_views
from programs.api.logbook import views as logbook_views
from programs.api.plans import prescriptions as prescription_views
from programs.api.plans import views as plan_views
from rehab.accounts.api import views as account_views
from rehab.core.api import StrictLookupMixin
from rehab.notifications.api import PushSubscriptionView


class Router(DefaultRouter):
    """Any path segment reaches the view, so a malformed id is the API's JSON 404; every
    viewset with detail routes parses the id strictly (rehab.core.ids).

    No `.json` suffix routes: the API speaks JSON only, and the suffix reached actions
    that take no `format` argument (a 500)."""

    include_format_suffixes = False

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if not issubclass(viewset, StrictLookupMixin):
            raise ImproperlyConfigured(
                f"{viewset.__name__} has detail routes: base it on StrictLookupMixin"
            )
        viewset.lookup_value_regex = "[^/]+"
        return super().get_lookup_regex(viewset, lookup_prefix)


router = Router()
router.register("auth/devices", account_views.DeviceViewSet, basename="device")
router.register("invitations", account_views.InvitationViewSet, basename="invitation")
router.register("exercises", content_views.ExerciseViewSet, basename="exercise")
router.register("education", content_views.EducationTopicViewSet, basename="education")
router.register("templates", plan_views.TemplateViewSet, basename="template")
router.register("plans", plan_views.PlanViewSet, basename="plan")
router.register("decisions", plan_views.DecisionViewSet, basename="decision")
router.register("sessions", logbook_views.SessionViewSet, basename="session")
router.register("checkins", logbook_views.CheckinViewSet, basename="checkin")
router.register("runs", logbook_views.RunViewSet, basename="run")
router.register("patients", logbook_views.PatientViewSet, basename="patient")
router.register("referrals", logbook_views.ReferralViewSet, basename="referral")
# A physiotherapist's plan edits (#13): prescriptions, and removing a planned session (the
# same `sessions` prefix as logging; this viewset only adds the detail route's DELETE).
router.register("prescriptions", prescription_views.PrescriptionViewSet, basename="prescription")
router.register("sessions", prescription_views.PlannedSessionViewSet, basename="planned-session")

urlpatterns = [
    path("auth/register/", account_views.RegisterView.as_view(), name="register"),
    path("auth/token/", account_views.TokenView.as_view(), name="token"),
    path(
        "auth/sign-out-everywhere/",
        account_views.SignOutEverywhereView.as_view(),
        name="sign-out-everywhere",
    ),
    path("me/", account_views.MeView.as_view(), name="me"),
    path("me/password/", account_views.PasswordChangeView.as_view(), name="me-password"),
    path("me/export/", account_views.MeExportView.as_view(), name="me-export"),
    path("me/erase/", account_views.MeEraseView.as_view(), name="me-erase"),
    path("screening/", logbook_views.ScreeningView.as_view(), name="screening"),
    path("push/subscriptions/", PushSubscriptionView.as_view(), name="push-subscriptions"),
    path("", include(router.urls)),
]

ERROR_ENVELOPE = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "example": "invalid"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    "example": {"pain": ["Ensure this value is less than or equal to 10."]},
                },
            },
        }
    },
}
# Every operation can answer these; 409, 412, 422 and 429 are documented only where they
# can occur (rehab.core.schema.AutoSchema), 428 on the route that requires a precondition.
ERROR_STATUSES = {
    "400": "Invalid input; `fields` holds the messages per field.",
    "401": "Not signed in (token authentication).",
    "403": "Not signed in, or not allowed for this role; `mfa_required` when a "
    "physiotherapist has not set up two-factor authentication yet.",
    "404": "Not found, or outside the caller's scope.",
    "405": "Method not allowed.",
}


def _link(operation_id: str, id_from: str = "$response.body#/id", **parameters) -> dict:
    return {"operationId": operation_id, "parameters": {"id": id_from, **parameters}}


FIRST = "$response.body#/results/0/id"
# OpenAPI links: where the answer of one operation leads (the id of what it created or
# listed), so a client, and schemathesis's stateful phase, can follow created objects.
LINKS = {
    ("v1_plans_create", "201"): {
        "GetPlan": _link("v1_plans_retrieve"),
        "PlanSessions": _link("v1_plans_sessions_list"),
        "PlanDecisions": _link("v1_plans_decisions_list"),
        "PausePlan": _link("v1_plans_pause_create"),
        "ReportFlareUp": _link("v1_plans_flare_up_create"),
    },
    ("v1_plans_list", "200"): {
        "GetPlan": _link("v1_plans_retrieve", FIRST),
        "PlanSessions": _link("v1_plans_sessions_list", FIRST),
        "PlanDecisions": _link("v1_plans_decisions_list", FIRST),
    },
    ("v1_plans_retrieve", "200"): {
        "PlanSessions": _link("v1_plans_sessions_list"),
        "PlanDecisions": _link("v1_plans_decisions_list"),
        "ChangePolicy": _link(
            "v1_plans_partial_update", **{"header.If-Match": "$response.header.ETag"}
        ),
        "PausePlan": _link("v1_plans_pause_create", **{"header.If-Match": "$response.header.ETag"}),
        "ResumePlan": _link(
            "v1_plans_resume_create", **{"header.If-Match": "$response.header.ETag"}
        ),
        "UndoChange": _link("v1_plans_undo_create"),
        "PlanPrescriptions": _link("v1_plans_prescriptions_list"),
        "ReportFlareUp": _link("v1_plans_flare_up_create"),
    },
    ("v1_plans_prescriptions_list", "200"): {
        "EditPrescription": _link(
            "v1_prescriptions_partial_update",
            FIRST,
            **{"header.If-Match": "$response.header.ETag"},
        ),
        "Alternatives": _link("v1_prescriptions_alternatives_list", FIRST),
        "SwapExercise": _link(
            "v1_prescriptions_swap_create", FIRST, **{"header.If-Match": "$response.header.ETag"}
        ),
    },
    ("v1_plans_pause_create", "200"): {"ResumePlan": _link("v1_plans_resume_create")},
    ("v1_plans_sessions_list", "200"): {"LogSession": _link("v1_sessions_log_create", FIRST)},
    ("v1_plans_current_week_retrieve", "200"): {
        "GetPlan": _link("v1_plans_retrieve", "$response.body#/plan"),
        "LogSession": _link("v1_sessions_log_create", "$response.body#/sessions/0/id"),
    },
    ("v1_plans_decisions_list", "200"): {
        "ApproveDecision": _link("v1_decisions_approve_create", FIRST),
        "RejectDecision": _link("v1_decisions_reject_create", FIRST),
    },
    ("v1_invitations_create", "201"): {"WithdrawInvitation": _link("v1_invitations_destroy")},
    ("v1_invitations_list", "200"): {"WithdrawInvitation": _link("v1_invitations_destroy", FIRST)},
    ("v1_exercises_list", "200"): {"GetExercise": _link("v1_exercises_retrieve", FIRST)},
    ("v1_templates_list", "200"): {"GetTemplate": _link("v1_templates_retrieve", FIRST)},
    ("v1_education_list", "200"): {"GetTopic": _link("v1_education_retrieve", FIRST)},
}


def error_responses_hook(result, generator, request, public):
    """drf-spectacular postprocessing: every operation documents the shared error envelope."""
    result.setdefault("components", {}).setdefault("schemas", {})["ErrorEnvelope"] = ERROR_ENVELOPE
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code, text in ERROR_STATUSES.items():
                responses.setdefault(code, {"description": text})
            for (operation_id, code), links in LINKS.items():
                if operation.get("operationId") == operation_id:
                    responses[code]["links"] = links
            for code, response in responses.items():
                if code[0] == "4" and "content" not in response:
                    response["content"] = ref
    return result
