"""The beat heartbeat: a cheap periodic task stamps Redis each time beat fires it.

`record_beat_tick` runs on a worker every minute (CELERY_BEAT_SCHEDULE
"core-beat-tick"), so the stamp's age says that beat is scheduling and a worker is
running what it schedules. /healthz reports the age and says `degraded` when it is older
than HEALTHZ_BEAT_MAX_AGE; /metrics exports it.
"""

from __future__ import annotations

import datetime as dt

import redis
from django.conf import settings

KEY = "rehab:beat:last-tick"


def redis_client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1.0, socket_connect_timeout=1.0)


def record_beat_tick(now: dt.datetime, *, client: redis.Redis | None = None) -> None:
    # A day's expiry: a stamp nobody renews disappears rather than lying forever.
    (client or redis_client()).set(KEY, f"{now.timestamp():.3f}", ex=86400)


def beat_tick_age(now: dt.datetime, *, client: redis.Redis | None = None) -> float | None:
    """Seconds since the last tick, or None when no tick was ever recorded."""
    raw = (client or redis_client()).get(KEY)
    if raw is None:
        return None
    return max(0.0, now.timestamp() - float(raw))
