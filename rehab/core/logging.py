"""Structured logs: one JSON object per line, with the request id and the Celery task.

The request id lives in a context variable. `rehab.core.middleware.RequestIdMiddleware`
sets it for each web request; `rehab.core.tracing` carries it in the headers of every task
enqueued meanwhile and restores it in the worker, with the task's id and name, so a
worker's lines carry the id of the request that caused them.

Log lines never carry health data: messages name ids and counts, never what a runner
recorded (tests/rehab/core/test_logging.py checks a session log POST end to end).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import uuid
from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
task_id_var: ContextVar[str | None] = ContextVar("task_id", default=None)
task_name_var: ContextVar[str | None] = ContextVar("task_name", default=None)

# An incoming X-Request-ID is kept only when it is short and plain: letters, digits and
# a few separators, so it cannot forge a log line or smuggle data into one.
REQUEST_ID_MAX = 64
_REQUEST_ID_RE = re.compile(rf"[A-Za-z0-9._:-]{{8,{REQUEST_ID_MAX}}}")


# Words that mark text as possibly health data (English and Dutch). A log line, an
# exception message or a Sentry value that holds one is filtered (rehab.core.sentry too).
HEALTH_WORD = re.compile(
    r"pain|pijn|flare|opvlam|symptom|klacht|blessure|injur|tendin|\bstiff|stijf|"
    r"\bsore\b|\bhurt|\bache|red[ -]flag|referr|verwij[sz]|diagnos|trochant|bursitis",
    re.IGNORECASE,
)
FILTERED = "[Filtered]"


def redact_lines(text: str) -> str:
    """Each line that holds a health word becomes [Filtered] (an exception's message can
    carry what a runner typed; a traceback's other lines stay useful)."""
    if not HEALTH_WORD.search(text):
        return text
    return "\n".join(FILTERED if HEALTH_WORD.search(line) else line for line in text.split("\n"))


def valid_request_id(value: str | None) -> str | None:
    if value and _REQUEST_ID_RE.fullmatch(value):
        return value
    return None


def new_request_id() -> str:
    return uuid.uuid4().hex


# Attributes every LogRecord has; anything else was passed in `extra=` and is kept.
_RESERVED = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "taskName",
}


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, request_id (and task_id, task_name in a task)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": redact_lines(record.getMessage()),
            "request_id": request_id_var.get(),
        }
        task_id = task_id_var.get()
        if task_id:
            entry["task_id"] = task_id
            entry["task_name"] = task_name_var.get()
        # Plain values passed with `extra=` (status_code, ids, counts); objects such as
        # django.request's `request` (its repr holds the query string) stay out.
        for key, value in vars(record).items():
            if key in _RESERVED or key in entry or key.startswith("_"):
                continue
            if isinstance(value, str):
                entry[key] = redact_lines(value)
            elif value is None or isinstance(value, int | float | bool):
                entry[key] = value
        if record.exc_info:
            entry["exc_info"] = redact_lines(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class ContextFilter(logging.Filter):
    """Puts the request id on every record, for the plain (development) format."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get() or "-"
        return True
