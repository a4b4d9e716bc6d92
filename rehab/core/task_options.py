"""Celery task options, defined once: every task in the project takes one of these sets.

A task takes its options from the set of the kind of job it does, so retries, back-off,
late acks and time limits are decided here and nowhere else (`@shared_task(**SEND)`).
Any layer may import this module: rehab.core sits below every app that has tasks, and
it imports nothing from Celery, so models (rehab.notifications.leasing) can share its
numbers.

- SEND: one delivery of a claimed outbox row (email, reminder). Late ack is safe
  because the service claims the row before sending; transient transport errors retry
  with exponential back-off, and the outbox's own back-off and attempt limit
  (rehab.notifications.leasing) use the same numbers.
- EVERY_MINUTE: a dispatcher beat starts every minute; it ends before the next tick.
- SWEEP: a periodic clean-up; a lost run is caught up by the next one, so early ack.
- BATCH: a long, resumable, idempotent batch (weekly progression, retention).
- PLAN_JOB: a short job on one plan that is safe to run twice.

An acks_late task must finish well inside the broker's visibility timeout
(settings.CELERY_VISIBILITY_TIMEOUT), or Redis hands it to a second worker;
tests/rehab/core/test_task_options.py checks that for every registered task.
"""

from __future__ import annotations

import smtplib
from types import MappingProxyType

# Errors of a mail server or the network that a later attempt may not meet.
TRANSIENT_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError, OSError)
RETRY_BACKOFF = 15  # seconds before the first retry; doubles each time
RETRY_BACKOFF_MAX = 300
MAX_RETRIES = 7  # so at most 1 + 7 attempts
# How long a queued send stays worth running: after that the sweeper's fresh message wins.
SEND_EXPIRES = 600

SEND = MappingProxyType(
    {
        "acks_late": True,
        "autoretry_for": TRANSIENT_ERRORS,
        "retry_backoff": RETRY_BACKOFF,
        "retry_backoff_max": RETRY_BACKOFF_MAX,
        "retry_jitter": True,
        "max_retries": MAX_RETRIES,
        # Inside the outbox lease (rehab.notifications.leasing.LEASE, 30 s): a live send
        # ends before another worker may take its row.
        "time_limit": 28,
        "soft_time_limit": 25,
    }
)
EVERY_MINUTE = MappingProxyType({"acks_late": True, "time_limit": 55, "soft_time_limit": 50})
SWEEP = MappingProxyType({"time_limit": 120, "soft_time_limit": 100})
BATCH = MappingProxyType({"acks_late": True, "time_limit": 600, "soft_time_limit": 580})
PLAN_JOB = MappingProxyType({"acks_late": True, "time_limit": 60, "soft_time_limit": 50})
