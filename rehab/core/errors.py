"""Domain errors raised by services and turned into 4xx answers by the interfaces."""

from __future__ import annotations


class ApplicationError(Exception):
    """A request that the domain refuses, with a message fit for the user."""

    code = "invalid"
    status_code = 400

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class ConflictError(ApplicationError):
    code = "conflict"
    status_code = 409


class NotFoundError(ApplicationError):
    code = "not_found"
    status_code = 404
