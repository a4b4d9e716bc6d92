"""One error envelope for every API error: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from rehab.core.errors import ApplicationError


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error detail into {"field.sub": ["message", ...]}."""
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            fields.update(_flatten(value, name))
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            fields[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                fields.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        fields[prefix or "non_field_errors"] = [str(detail)]
    return fields


def error_response(code: str, message: str, fields: dict | None, http_status: int) -> Response:
    return Response(
        {"error": {"code": code, "message": message, "fields": fields or {}}},
        status=http_status,
    )


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return error_response(exc.code, exc.message, exc.fields, exc.status_code)
    if isinstance(exc, ValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        message = _("Some fields are not valid.")
    else:
        fields = {}
        message = str(exc.detail) if hasattr(exc, "detail") else str(exc)
    code = getattr(exc, "default_code", "error")
    if response.status_code == status.HTTP_400_BAD_REQUEST and code == "error":
        code = "invalid"
    response.data = {"error": {"code": code, "message": message, "fields": fields}}
    return response


class UserLanguageMixin:
    """Answer in the signed-in user's language.

    DRF authenticates inside the view, after the middleware ran, so the profile's
    language is activated here; anonymous callers get their Accept-Language.
    """

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        user = request.user
        if user is not None and user.is_authenticated:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language


class ApiView(UserLanguageMixin, APIView):
    """Base class for the project's API views."""
