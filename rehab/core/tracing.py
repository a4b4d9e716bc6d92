"""The request id, carried from a web request into the Celery tasks it enqueues.

`before_task_publish` writes the current request id into the message headers;
`task_prerun` restores it in the worker (with the task's id and name, for the log lines)
and `task_postrun` puts the worker's context back, so one task's id never reaches the
next. Connected once, from CoreConfig.ready, in web and worker processes alike.
"""

from __future__ import annotations

from contextvars import Token
from typing import Any

from celery import signals

from rehab.core.logging import request_id_var, task_id_var, task_name_var, valid_request_id

HEADER = "request_id"
# task id -> the tokens to reset after it ran (a worker thread runs one task at a time,
# but an eager task runs inside its caller, so restore rather than clear).
_tokens: dict[str, tuple[Token, Token, Token]] = {}


def _add_request_id(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    request_id = request_id_var.get()
    if headers is not None and request_id and HEADER not in headers:
        headers[HEADER] = request_id


def _request_id_of(task: Any) -> str | None:
    request = getattr(task, "request", None)
    if request is None:
        return None
    found = getattr(request, HEADER, None)
    if not found:
        headers = getattr(request, "headers", None) or {}
        found = headers.get(HEADER) if isinstance(headers, dict) else None
    return valid_request_id(found) if isinstance(found, str) else None


def _enter_task(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    if not task_id:
        return
    request_id = _request_id_of(task) or request_id_var.get()
    _tokens[task_id] = (
        request_id_var.set(request_id),
        task_id_var.set(task_id),
        task_name_var.set(getattr(task, "name", None)),
    )


def _leave_task(task_id: str | None = None, **kwargs: Any) -> None:
    tokens = _tokens.pop(task_id or "", None)
    if tokens is None:
        return
    request_token, id_token, name_token = tokens
    for var, token in (
        (task_name_var, name_token),
        (task_id_var, id_token),
        (request_id_var, request_token),
    ):
        try:
            var.reset(token)
        except ValueError:  # set in another context (a thread pool): just clear it
            var.set(None)


def connect() -> None:
    signals.before_task_publish.connect(_add_request_id, dispatch_uid="rehab.request_id.publish")
    signals.task_prerun.connect(_enter_task, dispatch_uid="rehab.request_id.prerun")
    signals.task_postrun.connect(_leave_task, dispatch_uid="rehab.request_id.postrun")
