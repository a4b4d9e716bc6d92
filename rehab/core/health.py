"""Probes for /healthz: the database, Redis and at least one live Celery worker."""

from __future__ import annotations

from dataclasses import dataclass

import redis
from django.conf import settings
from django.db import connection


@dataclass(frozen=True)
class Probe:
    name: str
    ok: bool
    detail: str = ""


def probe_database() -> Probe:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return Probe("database", False, type(exc).__name__)
    return Probe("database", True, connection.vendor)


def probe_redis(url: str | None = None) -> Probe:
    try:
        client = redis.Redis.from_url(
            url or settings.REDIS_URL, socket_timeout=1.0, socket_connect_timeout=1.0
        )
        client.ping()
    except Exception as exc:
        return Probe("redis", False, type(exc).__name__)
    return Probe("redis", True)


def probe_worker(timeout: float | None = None) -> Probe:
    from rehab.celery import app

    try:
        replies = app.control.ping(timeout=timeout or settings.HEALTHZ_WORKER_TIMEOUT)
    except Exception as exc:
        return Probe("celery_worker", False, type(exc).__name__)
    if not replies:
        return Probe("celery_worker", False, "no worker answered")
    return Probe("celery_worker", True, f"{len(replies)} worker(s)")


def run_probes() -> list[Probe]:
    probes = [probe_database(), probe_redis()]
    # Asking workers goes through Redis; with Redis down the answer is already known.
    if probes[1].ok:
        probes.append(probe_worker())
    else:
        probes.append(Probe("celery_worker", False, "redis is down"))
    return probes


def background_state(*, redis_ok: bool) -> dict:
    """The beat heartbeat's age and the overdue reminders, and what of them is late.

    `degraded` names what is behind: "beat" when its last tick is older than
    HEALTHZ_BEAT_MAX_AGE seconds (or none was ever seen), "reminders" when reminders are
    overdue (a gauge rehab.notifications registers in rehab.core.metrics)."""
    from django.utils import timezone

    from rehab.core.beat import beat_tick_age
    from rehab.core.metrics import gauge_value

    now = timezone.now()
    degraded: list[str] = []
    age: float | None = None
    if redis_ok:
        try:
            age = beat_tick_age(now)
        except Exception:
            age = None
    max_age = settings.HEALTHZ_BEAT_MAX_AGE
    beat_ok = age is not None and age <= max_age
    if not beat_ok:
        degraded.append("beat")
    try:
        overdue = gauge_value("rehab_reminders_overdue", now)
    except Exception:
        overdue = None
    if overdue:
        degraded.append("reminders")
    return {
        "degraded": degraded,
        "beat": {
            "ok": beat_ok,
            "last_tick_age_seconds": None if age is None else round(age, 1),
            "max_age_seconds": max_age,
        },
        "reminders": {"overdue": None if overdue is None else int(overdue)},
    }
