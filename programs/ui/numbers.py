"""Numbers as pages show them, formatted in Python for rows that repeat.

`one_decimal` writes what the template filter `floatformat:1` writes in the active
language (half up, the language's decimal mark), at a fraction of its cost: the caseload
shows four weekly means on each of its rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats

TENTH = Decimal("0.1")
ARROW = " → "
NO_VALUE = "\u2013"  # an en dash


def one_decimal(value: float) -> str:
    rounded = Decimal(repr(value)).quantize(TENTH, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # floatformat writes 0.0, never -0.0
    return str(rounded).replace(".", formats.get_format("DECIMAL_SEPARATOR"))


def series(values: Iterable[float | None]) -> str:
    """Values oldest first, one decimal each, an en dash for a missing one."""
    return ARROW.join(NO_VALUE if v is None else one_decimal(v) for v in values)
