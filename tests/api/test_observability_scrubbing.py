"""No health data in JSON log lines or in what would be sent to Sentry, for a session log
POST that carries sentinels in its notes, its query string and its cookies."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest

from programs.plans.models import PlanSession
from rehab.core.logging import JsonFormatter
from tests.conftest import api, leaks

NOW = dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC)
SENTINEL = "SENTINEL-7f3a9c"
NOTES = f"{SENTINEL} sharp pain on the outside of my hip after the long run"


@pytest.fixture
def plan_today(make_plan, time_machine):
    time_machine.move_to(NOW, tick=False)
    return make_plan()


def session_body(session):
    return {
        "exercises": [
            {"prescription": rx.pk, "sets_done": rx.sets, "pain_during": 7}
            for rx in session.prescriptions.all()
        ],
        "pain_after": 8,
        "notes": NOTES,
    }


class Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


def test_a_session_log_post_leaves_no_health_data_in_the_json_logs(plan_today):
    session = PlanSession.objects.filter(plan=plan_today, date__lte=NOW.date()).first()
    handler = Lines()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        response = api(plan_today.runner).post(
            f"/api/v1/sessions/{session.pk}/log/?q={SENTINEL}",
            session_body(session),
            format="json",
            HTTP_X_REQUEST_ID="req-scrub-0001",
        )
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)

    assert response.status_code == 201
    assert response["X-Request-ID"] == "req-scrub-0001"
    text = "\n".join(handler.lines)
    assert all(json.loads(line) for line in handler.lines)  # every line is one JSON object
    assert SENTINEL not in text
    assert leaks(text) == []


def test_an_error_with_health_data_in_its_message_is_logged_without_it(plan_today, monkeypatch):
    from django.test import Client

    from programs.api.logbook import views as logbook_views

    def failing_service(*args, **kwargs):
        raise RuntimeError(f"could not store the log: {NOTES}")

    monkeypatch.setattr(logbook_views, "session_log_create", failing_service)
    session = PlanSession.objects.filter(plan=plan_today, date__lte=NOW.date()).first()
    client = Client(raise_request_exception=False)
    client.force_login(plan_today.runner)
    handler = Lines()
    logging.getLogger().addHandler(handler)
    try:
        response = client.post(
            f"/api/v1/sessions/{session.pk}/log/",
            json.dumps(session_body(session)),
            content_type="application/json",
        )
    finally:
        logging.getLogger().removeHandler(handler)

    assert response.status_code == 500
    error = next(json.loads(x) for x in handler.lines if "Internal Server Error" in x)
    assert "Traceback" in error["exc_info"]
    assert SENTINEL not in "\n".join(handler.lines)


class RecordingTransport:
    """Keeps the envelopes the SDK would send, instead of sending them."""

    def __new__(cls, options=None):
        from sentry_sdk.transport import Transport

        class Recording(Transport):
            def __init__(self, options=None):
                super().__init__(options)
                self.envelopes = []

            def capture_envelope(self, envelope):
                self.envelopes.append(envelope.serialize().decode("utf-8", "replace"))

        return Recording(options)


@pytest.fixture
def sentry(settings):
    import sentry_sdk

    from rehab.core.sentry import sentry_init

    transport = RecordingTransport()
    sentry_init(
        dsn="https://public@sentry.invalid/1",
        environment="test",
        traces_sample_rate="1.0",
        transport=transport,
        default_integrations=False,
    )
    yield transport
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # back to no client: nothing later in the suite reports


def test_an_error_in_a_session_log_post_reaches_sentry_without_health_data(
    plan_today, sentry, monkeypatch
):
    from django.test import Client

    from programs.api.logbook import views as logbook_views

    def failing_service(*args, **kwargs):
        notes = kwargs.get("notes") or NOTES
        raise RuntimeError(f"could not store the log: {notes}")

    monkeypatch.setattr(logbook_views, "session_log_create", failing_service)
    session = PlanSession.objects.filter(plan=plan_today, date__lte=NOW.date()).first()
    client = Client(raise_request_exception=False)
    client.force_login(plan_today.runner)
    client.cookies["tracking"] = SENTINEL + "-cookie"

    response = client.post(
        f"/api/v1/sessions/{session.pk}/log/?sentinel={SENTINEL}-query",
        json.dumps(session_body(session)),
        content_type="application/json",
    )
    import sentry_sdk

    sentry_sdk.flush()

    assert response.status_code == 500
    sent = "\n".join(sentry.envelopes)
    assert '"exception"' in sent  # the error itself did reach Sentry
    assert "RuntimeError" in sent
    assert SENTINEL not in sent
    assert plan_today.runner.email not in sent
    assert '"vars"' not in sent
    assert "outside of my hip" not in sent
    assert '"pain_after"' not in sent


def test_the_scrubber_removes_health_fields_anywhere_in_an_event():
    from rehab.core.sentry import FILTERED, scrub

    event = {
        "request": {
            "url": f"https://example.org/log/?x={SENTINEL}",
            "query_string": f"x={SENTINEL}",
            "data": {"notes": NOTES},
            "cookies": {"sessionid": SENTINEL},
            "headers": {"Cookie": SENTINEL, "Authorization": SENTINEL, "Accept": "text/html"},
        },
        "user": {"id": 7, "email": "runner@example.com", "ip_address": "10.0.0.1"},
        "exception": {
            "values": [
                {
                    "type": "RuntimeError",
                    "value": NOTES,
                    "stacktrace": {"frames": [{"function": "post", "vars": {"x": SENTINEL}}]},
                }
            ]
        },
        "extra": {"answers": {"q1": SENTINEL}, "pain_after": 8, "count": 3},
        "breadcrumbs": {"values": [{"message": "pijn na het lopen " + SENTINEL}]},
    }

    cleaned = scrub(event)

    assert SENTINEL not in json.dumps(cleaned)
    assert cleaned["user"] == {"id": 7}
    assert cleaned["request"]["headers"] == {"Accept": "text/html"}
    assert cleaned["request"]["url"] == "https://example.org/log/"
    assert cleaned["extra"] == {"answers": FILTERED, "pain_after": FILTERED, "count": 3}
    assert cleaned["exception"]["values"][0]["type"] == "RuntimeError"
