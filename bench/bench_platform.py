"""Platform round trips: the landing page and /healthz on the configured database."""

from __future__ import annotations

from bench.support import summary_ms, throwaway_database, timed


def run() -> list[tuple[str, str]]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from rehab.core.embedded_redis import EmbeddedRedis

    with throwaway_database(), EmbeddedRedis() as server:
        settings.REDIS_URL = server.url
        settings.HEALTHZ_WORKER_TIMEOUT = 0.05
        client = Client()
        landing = timed(lambda: client.get("/"), 50)
        health = timed(lambda: client.get("/healthz"), 20)
        return [
            (f"landing page, {connection.vendor}", summary_ms(landing)),
            ("/healthz, no worker (50 ms worker timeout)", summary_ms(health)),
        ]
