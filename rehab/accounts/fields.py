from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from rehab.core.timeutils import is_valid_timezone


def validate_timezone(value: str) -> None:
    if not is_valid_timezone(value):
        raise ValidationError(
            _("%(value)s is not a known time zone (use an IANA name such as Europe/Amsterdam)."),
            code="invalid_timezone",
            params={"value": value},
        )


class TimeZoneField(models.CharField):
    """An IANA time zone name. An unknown name is refused before it reaches the database."""

    default_validators = [validate_timezone]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 64)
        super().__init__(*args, **kwargs)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is not None:
            validate_timezone(value)
        return value
