"""One error envelope for every API error: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from rehab.core.errors import ApplicationError
from rehab.core.ids import BIGINT_MAX, parse_id


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


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    """The envelope itself, for answers built outside DRF (middleware, django-axes)."""
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def error_response(code: str, message: str, fields: dict | None, http_status: int) -> Response:
    return Response(error_body(code, message, fields), status=http_status)


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
    response.data = error_body(code, message, fields)
    return response


class MfaRequired(exceptions.PermissionDenied):
    default_code = "mfa_required"
    default_detail = gettext_lazy(
        "Turn on two-factor authentication (in your account settings on the website) "
        "before you can see runners' data."
    )


# The mixins below are for API views: to the type checker they are one.
if TYPE_CHECKING:
    from rest_framework.generics import GenericAPIView

    _APIViewBase = APIView
    _GenericAPIViewBase = GenericAPIView
else:
    _APIViewBase = _GenericAPIViewBase = object


class UserLanguageMixin(_APIViewBase):
    """Answer in the signed-in user's language, and keep runner data from physiotherapists
    without a second factor while PHYSIO_MFA_REQUIRED is on.

    DRF authenticates inside the view, after the middleware ran, so the profile's
    language is activated here; anonymous callers get their Accept-Language. Views
    that hold no runner data set `mfa_exempt = True`.
    """

    mfa_exempt = False

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        user = request.user
        if user is not None and user.is_authenticated:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        if not self.mfa_exempt and any(gate(user) for gate in _access_gates()):
            raise MfaRequired()


@functools.cache
def _access_gates():
    """The checks that keep a signed-in user from runner data (settings.API_ACCESS_GATES):
    the accounts app supplies them (e.g. a physio without two-factor authentication), so
    this platform module needs no import of it."""
    return tuple(import_string(path) for path in settings.API_ACCESS_GATES)


class ApiView(UserLanguageMixin, APIView):
    """Base class for the project's API views."""


MAX_PAGE_SIZE = 200
_DIGITS = re.compile(r"[0-9]{1,100}")


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """limit/offset pages of at most MAX_PAGE_SIZE rows.

    A larger limit is capped; a limit or offset that is not a whole number written in
    ASCII digits (negative, decimal, '³', Arabic-Indic digits, ...), a limit of 0 or an offset beyond the
    database's integer range is a 400 with a field message, never a 500.
    """

    max_limit = MAX_PAGE_SIZE

    def get_limit(self, request):
        raw = request.query_params.get(self.limit_query_param, "")
        if raw == "":
            return self.default_limit
        if not _DIGITS.fullmatch(raw) or int(raw) < 1:
            raise exceptions.ValidationError(
                {
                    self.limit_query_param: [
                        _("Use a whole number from 1 to %(max)s.") % {"max": self.max_limit}
                    ]
                }
            )
        return min(int(raw), self.max_limit)

    def get_offset(self, request):
        raw = request.query_params.get(self.offset_query_param, "")
        if raw == "":
            return 0
        offset = parse_id(raw)
        if offset is None:
            raise exceptions.ValidationError(
                {self.offset_query_param: [_("Use a whole number of 0 or more.")]}
            )
        return offset

    def get_schema_operation_parameters(self, view):
        limit, offset = super().get_schema_operation_parameters(view)
        limit["schema"] = {"type": "integer", "minimum": 1}
        limit["description"] = (
            f"Number of results to return per page (at most {self.max_limit}; a larger "
            "value is taken as the maximum)."
        )
        offset["schema"] = {"type": "integer", "minimum": 0}
        return [limit, offset]


class StrictLookupMixin(_GenericAPIViewBase):
    """Detail routes take ASCII-digit ids within the bigint range; anything else is 404.

    The router hands any path segment to the view (so a malformed id gets the API's JSON
    404 rather than Django's page); the id is parsed here before any query runs."""

    def get_object(self):
        kwarg = self.lookup_url_kwarg or self.lookup_field
        if parse_id(self.kwargs.get(kwarg)) is None:
            raise NotFound()
        return super().get_object()


class IdField(serializers.IntegerField):
    """A row id in a request body: a JSON integer, or ASCII digits, within the bigint range."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and parse_id(data) is None:
            self.fail("invalid")
        return super().to_internal_value(data)
