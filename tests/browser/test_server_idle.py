"""The browser tests wait for the live server to finish what a closed page had sent
before the database is emptied (the SQLite flush race CI met in the set-up wizard)."""

from __future__ import annotations

import threading

import pytest

from tests.browser.conftest import _RequestsInFlight


def test_waiting_for_idle_lasts_until_the_request_in_flight_is_answered():
    entered = threading.Event()
    release = threading.Event()

    def app(environ, start_response):
        entered.set()
        release.wait()
        start_response("200 OK", [])
        return [b""]

    counting = _RequestsInFlight(app)
    serving = threading.Thread(target=counting, args=({}, lambda *_: None))
    serving.start()
    entered.wait()
    assert counting.busy == 1
    assert not counting.wait_idle(timeout=0.01)
    release.set()
    assert counting.wait_idle(timeout=10)
    serving.join()
    assert counting.busy == 0


def test_a_failing_request_is_not_counted_as_in_flight():
    def app(environ, start_response):
        raise RuntimeError("broken view")

    counting = _RequestsInFlight(app)
    with pytest.raises(RuntimeError):
        counting({}, lambda *_: None)
    assert counting.wait_idle(timeout=0)
