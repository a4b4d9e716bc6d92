"""Who may do what through the API, and the audit of physiotherapists' reads.

Scoping happens in the querysets (selectors): an object outside the caller's scope is
never found (404). These permissions are the second layer, for objects in scope: a
runner reads their own plan but may not change its policy (403).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework import permissions
from rest_framework.throttling import ScopedRateThrottle

from rehab.accounts.services import access_log_record, access_log_record_many


def _role(request) -> str | None:
    user = request.user
    if not (user and user.is_authenticated):
        return None
    return "physio" if user.is_physio else "runner" if user.is_runner else None


class PhysioOnObject(permissions.BasePermission):
    """The linked physiotherapist acts on an object in scope; its runner may not."""

    def has_object_permission(self, request, view, obj):
        return _role(request) == "physio"


class RunnerOnObject(permissions.BasePermission):
    """The runner who owns an object in scope acts on it; their physiotherapist may not."""

    def has_object_permission(self, request, view, obj):
        return _role(request) == "runner"


class IsRunner(permissions.BasePermission):
    def has_permission(self, request, view):
        return _role(request) == "runner"


class IsPhysio(permissions.BasePermission):
    def has_permission(self, request, view):
        return _role(request) == "physio"


def audit_read(request, *, runner, object_type: str, object_id="") -> None:
    """Record a physiotherapist's read of a runner's data (a runner's own reads are not)."""
    if request.user.is_authenticated and request.user.is_physio:
        access_log_record(
            actor=request.user,
            runner=runner,
            object_type=object_type,
            object_id=str(object_id),
            path=request.get_full_path(),
        )


def audit_rows(request, rows, *, object_type: str, runner_attr: str = "runner") -> None:
    """Audit a page a physiotherapist reads: one entry per runner seen, naming the rows."""
    if not (request.user.is_authenticated and request.user.is_physio):
        return
    by_runner: dict[int, tuple] = {}
    for row in rows:
        runner = getattr(row, runner_attr)
        by_runner.setdefault(runner.pk, (runner, []))[1].append(str(row.pk))
    access_log_record_many(
        actor=request.user,
        entries=[(runner, object_type, ",".join(ids)) for runner, ids in by_runner.values()],
        path=request.get_full_path(),
    )


# A mixin for API views: to the type checker it is one.
if TYPE_CHECKING:
    from rest_framework.generics import GenericAPIView

    _ViewBase = GenericAPIView
else:
    _ViewBase = object


class LogWriteThrottleMixin(_ViewBase):
    """Log writes (sessions, check-ins, runs, flare-ups) share the "logs" rate limit."""

    log_write_actions: tuple[str, ...] = ()

    def get_throttles(self):
        if (
            self.request.method in ("POST", "PATCH")
            and getattr(self, "action", None) in self.log_write_actions
        ):
            self.throttle_scope = "logs"
            return [ScopedRateThrottle()]
        return super().get_throttles()
