"""Strict parsing of ids from paths, query parameters and bodies.

`str.isdigit()` and `int()` accept far more than ASCII digits ('³' is a digit that `int()`
refuses, the Arabic-Indic one is one it reads as 1), and a 20-digit number is a valid Python int but not a
database id ("bigint out of range" on PostgreSQL). Every id the interfaces read goes
through here: ASCII digits only, within the bigint range; a slug by its own pattern.
"""

from __future__ import annotations

import re

from django.urls import register_converter

BIGINT_MAX = 2**63 - 1
_ID = re.compile(r"[0-9]{1,19}")
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,80}")


def parse_id(value) -> int | None:
    """A database id from text: ASCII digits within the bigint range, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= BIGINT_MAX else None
    if not isinstance(value, str) or not _ID.fullmatch(value):
        return None
    number = int(value)
    return number if number <= BIGINT_MAX else None


def parse_slug(value) -> str | None:
    """A slug (ASCII letters, digits, '-' and '_'), or None."""
    if isinstance(value, str) and _SLUG.fullmatch(value):
        return value
    return None


def parse_ref(value, slug_field: str = "slug") -> dict | None:
    """A lookup for "numeric id or slug": {"pk": 7}, {"slug": "..."} or None."""
    number = parse_id(value)
    if number is not None:
        return {"pk": number}
    slug = parse_slug(value)
    if slug is not None:
        return {slug_field: slug}
    return None


class IdConverter:
    """`<id:pk>` in URL patterns: ASCII digits within the bigint range (else 404)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(value)
        return number

    def to_url(self, value) -> str:
        return str(int(value))


register_converter(IdConverter, "id")
