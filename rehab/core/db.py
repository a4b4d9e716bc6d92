"""Constraint races as domain conflicts, and commits that need not wait for the disk.

A service checks before it writes ("no open plan yet"), but two requests can pass the check
at the same moment; the unique constraint then refuses the second insert. That refusal is
the 409 the API documents, not a 500: wrap the insert in `unique_conflict(...)`.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager

from django.db import DatabaseError, IntegrityError, connection, transaction

from rehab.core.errors import ConflictError

logger = logging.getLogger(__name__)

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


@contextmanager
def commits_without_waiting():
    """Commit the block's transactions without waiting for the write-ahead log to reach
    the disk (PostgreSQL's synchronous_commit off, for this connection only).

    For bookkeeping that may be lost in a database crash but never half-applied: a commit
    either survives whole or is undone whole, and a crash loses at most the last fraction
    of a second. The reminder outbox uses it: an undone claim or sent marker makes the row
    due again, the at-least-once resend the crash window already allows (with the same
    Message-ID). Never for a runner's logs, plans or decisions. Outside PostgreSQL, and
    inside a transaction already open, the block runs as it is.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except DatabaseError:  # a broken connection: the next use opens a fresh session
            logger.warning("could not reset synchronous_commit; closing the connection")
            connection.close()
