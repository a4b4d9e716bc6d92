"""Request ids, JSON logs, the request id carried into Celery tasks, /metrics, /healthz."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from rehab.celery import app
from rehab.core.beat import KEY as BEAT_KEY
from rehab.core.beat import record_beat_tick, redis_client
from rehab.core.logging import (
    JsonFormatter,
    request_id_var,
    task_id_var,
    task_name_var,
    valid_request_id,
)
from rehab.core.middleware import RequestIdMiddleware

task_logger = logging.getLogger("tests.observability.task")
seen: list[dict] = []
ran = threading.Event()


@app.task(name="tests.observability.record_context")
def record_context() -> None:
    task_logger.info("the observed task ran")
    seen.append(
        {
            "request_id": request_id_var.get(),
            "task_id": task_id_var.get(),
            "name": task_name_var.get(),
        }
    )
    ran.set()


class Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def json_lines():
    handler = Lines()
    for name in ("", "tests.observability.task"):
        logging.getLogger(name).addHandler(handler)
    task_logger.setLevel(logging.INFO)
    yield handler
    for name in ("", "tests.observability.task"):
        logging.getLogger(name).removeHandler(handler)


@pytest.fixture(autouse=True)
def fresh_records():
    seen.clear()
    ran.clear()


def through_middleware(request_id: str | None, view):
    headers = {"HTTP_X_REQUEST_ID": request_id} if request_id is not None else {}
    request = RequestFactory().get("/anything", **headers)
    return RequestIdMiddleware(view)(request)


# --- Request ids ----------------------------------------------------------------------


def test_a_plain_incoming_request_id_is_kept_and_returned():
    response = through_middleware("abc-123.DEF:456_x", lambda request: HttpResponse())

    assert response["X-Request-ID"] == "abc-123.DEF:456_x"


@pytest.mark.parametrize(
    "given", ["", "short", "x" * 65, "has space in it", 'quote"inside', "line\nbreak-here"]
)
def test_an_unsafe_or_odd_request_id_is_replaced_by_a_fresh_one(given):
    response = through_middleware(given, lambda request: HttpResponse())

    assert response["X-Request-ID"] != given
    assert valid_request_id(response["X-Request-ID"]) == response["X-Request-ID"]


def test_every_request_gets_an_id_header(client, db):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]

    assert len(first) == 32
    assert first != second


def test_the_view_logs_with_the_request_id():
    view_logger = logging.getLogger("tests.observability.view")
    handler = Lines()
    view_logger.addHandler(handler)

    def view(request):
        view_logger.warning("inside the view")
        return HttpResponse()

    try:
        through_middleware("req-00000001", view)
    finally:
        view_logger.removeHandler(handler)

    line = json.loads(handler.lines[-1])
    assert line["request_id"] == "req-00000001"
    assert line["message"] == "inside the view"


# --- The JSON formatter ----------------------------------------------------------------


def test_the_json_formatter_writes_one_object_per_line_with_the_context():
    record = logging.LogRecord(
        "rehab.x", logging.WARNING, __file__, 1, "sent %s of %s", (2, 3), None
    )
    record.status_code = 503
    record.request = object()  # django.request's: its repr holds the query string
    token = request_id_var.set("req-12345678")
    task_token = task_id_var.set("task-1")
    name_token = task_name_var.set("rehab.core.tasks.beat_tick")
    try:
        text = JsonFormatter().format(record)
    finally:
        task_name_var.reset(name_token)
        task_id_var.reset(task_token)
        request_id_var.reset(token)

    assert "\n" not in text
    entry = json.loads(text)
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "rehab.x"
    assert entry["message"] == "sent 2 of 3"
    assert entry["request_id"] == "req-12345678"
    assert entry["task_id"] == "task-1"
    assert entry["task_name"] == "rehab.core.tasks.beat_tick"
    assert entry["status_code"] == 503
    assert "request" not in entry
    assert dt.datetime.fromisoformat(entry["time"]).tzinfo is not None


def test_the_json_formatter_keeps_a_traceback_on_one_line():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "rehab.x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )

    text = JsonFormatter().format(record)

    assert "\n" not in text
    assert "ValueError: boom" in json.loads(text)["exc_info"]


def test_outside_a_task_there_is_no_task_field():
    record = logging.LogRecord("rehab.x", logging.INFO, __file__, 1, "hello", (), None)

    assert "task_id" not in json.loads(JsonFormatter().format(record))


def test_production_settings_log_json():
    from django.conf import settings

    assert settings.LOG_FORMAT == "json"  # the test settings run with DJANGO_DEBUG=0
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "json"


# --- Into Celery tasks ------------------------------------------------------------------


def test_an_eager_task_enqueued_in_a_request_runs_with_its_request_id(json_lines):
    def view(request):
        record_context.delay()
        return HttpResponse()

    response = through_middleware("req-eager-0001", view)

    assert response["X-Request-ID"] == "req-eager-0001"
    assert seen[0]["request_id"] == "req-eager-0001"
    assert seen[0]["name"] == "tests.observability.record_context"
    task_line = next(json.loads(x) for x in json_lines.lines if "observed task" in x)
    assert task_line["request_id"] == "req-eager-0001"
    assert task_line["task_name"] == "tests.observability.record_context"
    assert task_id_var.get() is None  # the task's context ended with it


def test_the_publisher_puts_the_request_id_in_the_message_headers(broker):
    from celery import signals

    published = []

    def keep(headers=None, **kwargs):
        published.append(dict(headers or {}))

    signals.before_task_publish.connect(keep)
    token = request_id_var.set("req-headers-01")
    try:
        record_context.delay()
    finally:
        request_id_var.reset(token)
        signals.before_task_publish.disconnect(keep)
        redis_client().delete("default")

    assert published[-1]["request_id"] == "req-headers-01"


@pytest.mark.celery_worker
def test_a_real_worker_runs_the_task_with_the_request_id_of_the_request(live_celery, json_lines):
    def view(request):
        record_context.delay()
        return HttpResponse()

    through_middleware("req-worker-0001", view)

    assert ran.wait(timeout=30)
    assert seen[0]["request_id"] == "req-worker-0001"
    assert seen[0]["task_id"]
    task_line = next(json.loads(x) for x in json_lines.lines if "observed task" in x)
    assert task_line["request_id"] == "req-worker-0001"
    assert task_line["task_id"] == seen[0]["task_id"]


def test_task_events_are_on():
    assert app.conf.worker_send_task_events is True
    assert app.conf.task_send_sent_event is True


# --- /metrics ------------------------------------------------------------------------------

TOKEN = "metrics-token-for-the-tests-0123456789"


def test_metrics_is_a_404_without_a_configured_token(client, settings):
    settings.METRICS_TOKEN = ""

    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 404


@pytest.mark.parametrize(
    "header", [None, "Bearer wrong-token", f"Token {TOKEN}", f"Basic {TOKEN}", "Bearer"]
)
def test_metrics_refuses_a_missing_or_wrong_token(client, settings, header):
    settings.METRICS_TOKEN = TOKEN
    extra = {"HTTP_AUTHORIZATION": header} if header else {}

    response = client.get("/metrics", **extra)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"rehab_" not in response.content


def scrape(client) -> dict[str, list]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "no-store" in response["Cache-Control"]
    return {
        family.name: family.samples
        for family in text_string_to_metric_families(response.content.decode())
    }


def value(families, name, **labels):
    matches = [
        s.value for s in families[name] if all(s.labels.get(k) == v for k, v in labels.items())
    ]
    assert len(matches) == 1, (name, labels, families.get(name))
    return matches[0]


def test_metrics_reports_queues_backlogs_and_latency(client, settings, broker, runner):
    from rehab.notifications.models import ReminderDelivery, ReminderSchedule

    settings.METRICS_TOKEN = TOKEN
    now = timezone.now()
    redis = redis_client()
    redis.delete("default", BEAT_KEY)
    for _ in range(3):
        record_context.delay()  # on the real broker, with no worker: they wait in "default"
    late = ReminderSchedule.objects.create(
        user=runner,
        kind="session",
        local_time=dt.time(7),
        next_fire_at=now - dt.timedelta(minutes=30),
    )
    ReminderSchedule.objects.create(
        user=runner,
        kind="checkin",
        local_time=dt.time(7),
        next_fire_at=now - dt.timedelta(seconds=30),
    )
    ReminderDelivery.objects.create(
        schedule=late,
        local_date=now.date(),
        channel="email",
        scheduled_for=now - dt.timedelta(hours=1),
    )
    client.get("/healthz")  # one request for the latency histogram
    record_beat_tick(now - dt.timedelta(seconds=42))

    try:
        families = scrape(client)
    finally:
        redis.delete("default", BEAT_KEY)

    assert value(families, "rehab_redis_up") == 1
    assert value(families, "rehab_celery_queue_length", queue="default") == 3
    assert value(families, "rehab_reminders_due") == 2
    assert value(families, "rehab_reminders_overdue") == 1
    assert 3599 < value(families, "rehab_reminder_delivery_lag_seconds") < 3700
    assert value(families, "rehab_email_delivery_lag_seconds") == 0
    assert value(families, "rehab_evaluation_backlog") == 0
    assert 41 < value(families, "rehab_beat_last_tick_age_seconds") < 100
    latency = families["rehab_http_request_duration_seconds"]
    counts = [s for s in latency if s.name.endswith("_count") and s.labels["route"] == "healthz"]
    assert len(counts) == 1
    assert counts[0].value >= 1


def test_metrics_says_so_when_the_broker_is_down(client, settings, db):
    from rehab.core.embedded_redis import free_port

    settings.METRICS_TOKEN = TOKEN
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"

    families = scrape(client)

    assert value(families, "rehab_redis_up") == 0
    assert families["rehab_celery_queue_length"] == []


def test_the_platform_core_reads_domain_gauges_only_through_the_registry():
    from rehab.core import metrics

    assert {"rehab_reminders_overdue", "rehab_evaluation_backlog"} <= set(metrics._GAUGES)


# --- /healthz -------------------------------------------------------------------------------


def test_healthz_reports_a_beat_never_seen_as_degraded(client, settings, broker, db):
    settings.HEALTHZ_WORKER_TIMEOUT = 0.3
    redis_client().delete(BEAT_KEY)

    body = client.get("/healthz").json()

    assert "beat" in body["degraded"]
    assert body["beat"] == {"ok": False, "last_tick_age_seconds": None, "max_age_seconds": 180}
    assert body["reminders"] == {"overdue": 0}


def test_healthz_reports_the_beat_age_and_overdue_reminders(client, settings, broker, runner):
    from rehab.notifications.models import ReminderSchedule

    settings.HEALTHZ_WORKER_TIMEOUT = 0.3
    now = timezone.now()
    record_beat_tick(now - dt.timedelta(seconds=20))
    ReminderSchedule.objects.create(
        user=runner, kind="session", local_time=dt.time(7), next_fire_at=now - dt.timedelta(hours=2)
    )
    try:
        body = client.get("/healthz").json()
    finally:
        redis_client().delete(BEAT_KEY)

    assert body["beat"]["ok"] is True
    assert 19 < body["beat"]["last_tick_age_seconds"] < 120
    assert body["reminders"] == {"overdue": 1}
    assert body["degraded"] == ["reminders"]


def test_healthz_says_degraded_when_the_beat_is_older_than_the_threshold(
    client, settings, broker, db
):
    settings.HEALTHZ_WORKER_TIMEOUT = 0.3
    settings.HEALTHZ_BEAT_MAX_AGE = 60
    record_beat_tick(timezone.now() - dt.timedelta(seconds=61))
    try:
        body = client.get("/healthz").json()
    finally:
        redis_client().delete(BEAT_KEY)

    assert body["beat"]["ok"] is False
    assert body["degraded"] == ["beat"]


def test_the_beat_tick_task_stamps_the_heartbeat(broker, settings):
    from rehab.core.beat import beat_tick_age
    from rehab.core.tasks import beat_tick

    redis_client().delete(BEAT_KEY)
    beat_tick.apply()

    try:
        assert beat_tick_age(timezone.now()) < 5
    finally:
        redis_client().delete(BEAT_KEY)
    assert settings.CELERY_BEAT_SCHEDULE["core-beat-tick"]["task"] == "rehab.core.tasks.beat_tick"
