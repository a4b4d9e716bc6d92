"""Constraint races as domain conflicts.

A service checks before it writes ("no open plan yet"), but two requests can pass the check
at the same moment; the unique constraint then refuses the second insert. That refusal is
the 409 the API documents, not a 500: wrap the insert in `unique_conflict(...)`.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import IntegrityError, transaction

from rehab.core.errors import ConflictError

UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE for unique_violation


def is_unique_violation(exc: IntegrityError) -> bool:
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate == UNIQUE_VIOLATION
    return "UNIQUE constraint failed" in str(exc)  # SQLite


@contextmanager
def unique_conflict(message: str, *, fields: dict[str, list[str]] | None = None):
    """Turn a unique-constraint violation inside the block into ConflictError (409).

    The block runs in a savepoint, so the surrounding transaction stays usable; any other
    integrity error (a check constraint) is not a race and is raised as it is."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        raise ConflictError(message, fields=fields) from None
