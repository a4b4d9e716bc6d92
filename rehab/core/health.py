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
