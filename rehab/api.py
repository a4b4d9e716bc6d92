"""The one API router, mounted at /api/v1/. Each app registers its viewsets here."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from programs.exercises.api import views as content_views
from programs.logbook.api import views as logbook_views
from programs.plans.api import views as plan_views
from rehab.accounts.api import views as account_views


class Router(DefaultRouter):
    """Any path segment reaches the view, so a malformed id is the API's JSON 404."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        viewset.lookup_value_regex = "[^/]+"
        return super().get_lookup_regex(viewset, lookup_prefix)


router = Router()
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

urlpatterns = [
    path("auth/register/", account_views.RegisterView.as_view(), name="register"),
    path("auth/token/", account_views.TokenView.as_view(), name="token"),
    path("me/", account_views.MeView.as_view(), name="me"),
    path("me/export/", account_views.MeExportView.as_view(), name="me-export"),
    path("me/erase/", account_views.MeEraseView.as_view(), name="me-erase"),
    path("screening/", logbook_views.ScreeningView.as_view(), name="screening"),
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
ERROR_STATUSES = {
    "400": "Invalid input; `fields` holds the messages per field.",
    "401": "Not signed in (token authentication).",
    "403": "Not signed in, or not allowed for this role.",
    "404": "Not found, or outside the caller's scope.",
    "405": "Method not allowed.",
    "409": "Conflict with the current state.",
    "429": "Too many requests.",
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
            for code, response in responses.items():
                if code[0] == "4" and "content" not in response:
                    response["content"] = ref
    return result
