"""Query parameters of the API, parsed once: each answers None when absent and raises a
400 with a field message when malformed. No rules here, only input."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

from rehab.core.ids import parse_id

DATE_RANGE = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First date (inclusive)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last date (inclusive)."),
]


def _raw(request, name: str) -> str | None:
    value = request.query_params.get(name)
    return None if value in (None, "") else value


def date_param(request, name: str) -> dt.date | None:
    value = _raw(request, name)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError({name: [_("Use a date as YYYY-MM-DD.")]}) from None


def id_param(request, name: str) -> int | None:
    """An object id, parsed as strictly as ids in paths (rehab.core.ids)."""
    value = _raw(request, name)
    if value is None:
        return None
    number = parse_id(value)
    if number is None:
        raise ValidationError({name: [_("Use a whole number.")]})
    return number


def choice_param(request, name: str, choices: Iterable) -> str | None:
    value = _raw(request, name)
    if value is None:
        return None
    if value not in {str(c) for c in choices}:
        raise ValidationError({name: [_("Not a valid choice.")]})
    return value


def bool_param(request, name: str) -> bool | None:
    value = _raw(request, name)
    if value is None:
        return None
    if value not in ("true", "false"):
        raise ValidationError({name: [_("Use true or false.")]})
    return value == "true"
