"""Metrics for Prometheus (`GET /metrics`, rehab.core.views.metrics).

Two kinds:

- the request latency histogram, recorded by rehab.core.middleware.RequestLatencyMiddleware
  in each web process. With several gunicorn workers each process keeps its own counts;
  set PROMETHEUS_MULTIPROC_DIR (an empty folder, wiped on each deploy) before the processes
  start and prometheus_client's multiprocess mode sums them on every scrape (a gunicorn
  `child_exit` hook calling `prometheus_client.multiprocess.mark_process_dead(worker.pid)`
  keeps dead workers' files from piling up). Without it a scrape reads the one process
  that answered, and its counts restart with that process.
- state read at scrape time: Celery queue lengths (Redis LLEN of every queue the settings
  route to), the age of the last beat tick, and gauges the domain apps register here from
  their AppConfig.ready (`register_gauge`): due and overdue reminders, delivery lag, the
  weekly evaluation backlog. The platform core never imports the apps above it.

No metric carries a label with a person's id or anything they recorded.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST

logger = logging.getLogger(__name__)

# Registered with no registry: each scrape builds one (the multiprocess collector reads
# files, so the live object must not be collected a second time there).
REQUEST_LATENCY = Histogram(
    "rehab_http_request_duration_seconds",
    "Time from the request reaching Django to the response leaving it.",
    ["method", "route", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=None,
)


def observe_request(*, method: str, route: str, status: int, seconds: float) -> None:
    REQUEST_LATENCY.labels(method, route, f"{status // 100}xx").observe(seconds)


Reader = Callable[[dt.datetime], float | None]


@dataclass(frozen=True)
class Gauge:
    name: str
    documentation: str
    read: Reader  # now -> value; None when there is nothing to say (no pending row)


_GAUGES: dict[str, Gauge] = {}


def register_gauge(name: str, documentation: str, read: Reader) -> None:
    """A gauge read at every scrape (and by /healthz); called from an AppConfig.ready."""
    _GAUGES[name] = Gauge(name, documentation, read)


def gauge_value(name: str, now: dt.datetime | None = None) -> float | None:
    gauge = _GAUGES.get(name)
    if gauge is None:
        return None
    return gauge.read(now or timezone.now())


def routed_queues() -> list[str]:
    """The default queue and every queue a route or a declared queue names."""
    names = {settings.CELERY_TASK_DEFAULT_QUEUE}
    routes = getattr(settings, "CELERY_TASK_ROUTES", None) or {}
    if isinstance(routes, dict):
        for route in routes.values():
            if isinstance(route, dict) and route.get("queue"):
                names.add(route["queue"])
    for queue in getattr(settings, "CELERY_TASK_QUEUES", None) or ():
        name = getattr(queue, "name", queue)
        if isinstance(name, str):
            names.add(name)
    return sorted(names)


# kombu's Redis transport keeps a queue's messages of priority p > 0 under "<queue>\x06\x16<p>".
_PRIORITY_SEP = "\x06\x16"
_PRIORITY_STEPS = (0, 3, 6, 9)


def queue_lengths(client) -> dict[str, int]:
    lengths = {}
    for queue in routed_queues():
        keys = [queue] + [f"{queue}{_PRIORITY_SEP}{p}" for p in _PRIORITY_STEPS if p]
        with client.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.llen(key)
            lengths[queue] = sum(int(n) for n in pipe.execute())
    return lengths


class StateCollector:
    """Reads the queues, the beat tick and the registered gauges at each scrape."""

    def collect(self) -> Iterator[Metric]:
        from rehab.core.beat import beat_tick_age, redis_client

        now = timezone.now()
        up = GaugeMetricFamily("rehab_redis_up", "1 when the broker answered this scrape.")
        queues = GaugeMetricFamily(
            "rehab_celery_queue_length", "Messages waiting in a Celery queue.", labels=["queue"]
        )
        beat = GaugeMetricFamily(
            "rehab_beat_last_tick_age_seconds",
            "Seconds since Celery beat's last tick ran on a worker (absent: never seen).",
        )
        try:
            client = redis_client()
            for queue, length in queue_lengths(client).items():
                queues.add_metric([queue], length)
            age = beat_tick_age(now, client=client)
            if age is not None:
                beat.add_metric([], age)
            up.add_metric([], 1)
        except Exception as exc:
            logger.warning("metrics: the broker did not answer (%s)", type(exc).__name__)
            up.add_metric([], 0)
        yield up
        yield queues
        yield beat
        for gauge in list(_GAUGES.values()):
            try:
                value = gauge.read(now)
            except Exception as exc:
                logger.warning("metrics: %s failed (%s)", gauge.name, type(exc).__name__)
                continue
            family = GaugeMetricFamily(gauge.name, gauge.documentation)
            if value is not None:
                family.add_metric([], value)
            yield family


def exposition() -> tuple[bytes, str]:
    """The text exposition of every metric, and its content type."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_LATENCY)
    registry.register(StateCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST
