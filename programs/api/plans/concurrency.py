"""Optimistic concurrency for plan edits: ETag from plan.version, If-Match or a version field."""

from __future__ import annotations

from typing import Literal, overload

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException

from programs.plans.models import Plan


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The plan was changed in the meantime; reload and try again.")
    default_code = "precondition_failed"


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = _("Send the plan's ETag in If-Match, or its version, to change it.")
    default_code = "precondition_required"


def plan_etag(plan: Plan) -> str:
    return f'"plan-{plan.pk}-v{plan.version}"'


@overload
def expected_version(
    request, plan: Plan, version: int | None, *, required: Literal[True]
) -> int: ...
@overload
def expected_version(request, plan: Plan, version: int | None, *, required: bool) -> int | None: ...
def expected_version(request, plan: Plan, version: int | None, *, required: bool) -> int | None:
    """The version the caller read: If-Match must match the ETag (else 412); a version
    field is passed on to the service, which refuses a stale one (409)."""
    header = request.headers.get("If-Match")
    if header:
        tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
        if plan_etag(plan) not in tags:
            raise PreconditionFailed()
        return plan.version
    if version is not None:
        return version
    if required:
        raise PreconditionRequired()
    return None
