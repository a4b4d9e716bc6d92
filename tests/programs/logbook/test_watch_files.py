"""The watch-file readers (programs/logbook/imports) on real files: GPX written by gpxpy,
TCX as Training Center XML, FIT built from the protocol and read by fitdecode."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import settings as settings_hypothesis
from hypothesis import strategies as st

from programs.logbook.imports import WatchFileError, read_watch_file
from programs.logbook.imports import fit as fit_reader
from tests.programs.logbook.watch_files import fit_bytes, fit_crc, gpx_bytes, tcx_bytes

START = dt.datetime(2026, 12, 7, 23, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("name", "build"), [("a.gpx", gpx_bytes), ("a.tcx", tcx_bytes), ("a.fit", fit_bytes)]
)
def test_each_reader_returns_start_duration_distance_climb_and_hash(name, build):
    data = build(START, minutes=45, km=8, climb_m=60)

    run = read_watch_file(name, data)

    assert run.kind == name[-3:]
    assert run.started_at == START
    assert run.started_at.tzinfo is not None
    assert run.duration_s == 45 * 60
    assert run.distance_m == pytest.approx(8000, rel=0.01)
    assert run.elevation_gain_m == pytest.approx(60, abs=3)
    assert len(run.content_hash) == 64
    assert read_watch_file(name.upper(), data).content_hash == run.content_hash


def test_a_fit_file_without_a_session_is_summed_from_its_records():
    run = read_watch_file("r.fit", fit_bytes(START, minutes=20, km=3, with_session=False))

    assert run.started_at == START
    assert run.duration_s == 20 * 60
    assert run.distance_m == pytest.approx(3000)


def test_the_fit_file_is_read_by_fitdecode(monkeypatch):
    calls = []
    real = fit_reader.fitdecode.FitReader

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(fit_reader.fitdecode, "FitReader", spy)
    read_watch_file("a.fit", fit_bytes(START))

    assert calls
    assert calls[0]["check_crc"] == fit_reader.fitdecode.CrcCheck.RAISE


def test_the_fit_crc_is_the_protocols():
    # The FIT SDK's check value: the CRC of a file including its own CRC is zero.
    data = fit_bytes(START)
    assert fit_crc(data) == 0


def test_a_treadmill_tcx_without_positions_still_imports():
    data = tcx_bytes(START).replace(b"<Position>", b"<!-- -->").replace(b"</Position>", b"")
    data = data.replace(b"<LatitudeDegrees>", b"<X>").replace(b"</LatitudeDegrees>", b"</X>")
    data = data.replace(b"<LongitudeDegrees>4.9</LongitudeDegrees>", b"")

    run = read_watch_file("treadmill.tcx", data)

    assert run.duration_s == 30 * 60


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.gpx", b"", "empty"),
        ("a.txt", b"hello", "Only GPX, TCX and FIT"),
        ("noext", b"hello", "Only GPX, TCX and FIT"),
        ("a.gpx", b"\x00\x01binary", "not a GPX"),
        ("a.gpx", b"<gpx><trk>", "damaged"),
        ("a.gpx", b'<?xml version="1.0"?><gpx version="1.1" creator="x"></gpx>', "no track"),
        ("a.tcx", b"<TrainingCenterDatabase/>", "no activity"),
        ("a.fit", b"not a fit at all", "not a FIT"),
        ("a.gpx", fit_bytes(START), "This is a FIT file"),
        ("a.fit", fit_bytes(START)[:40], "damaged"),
    ],
)
def test_bad_files_raise_a_message_for_the_runner(name, data, message):
    with pytest.raises(WatchFileError, match=message):
        read_watch_file(name, data)


def test_the_size_limit_is_checked_before_any_parser(settings, monkeypatch):
    from programs.logbook.imports import gpx

    settings.RUN_IMPORT_MAX_FILE_BYTES = 100
    monkeypatch.setattr(gpx, "read", lambda data: pytest.fail("parsed"))

    with pytest.raises(WatchFileError, match="larger than"):
        read_watch_file("a.gpx", b"<" * 101)


@settings_hypothesis(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(["a.gpx", "a.tcx", "a.fit", "a.GPX", "x"]),
    data=st.one_of(
        st.binary(max_size=400),
        st.builds(lambda tail: fit_bytes(START)[:14] + tail, st.binary(max_size=200)),
        st.builds(lambda cut: gpx_bytes(START)[:cut], st.integers(0, 3000)),
        st.builds(lambda cut: tcx_bytes(START)[:cut], st.integers(0, 3000)),
    ),
)
def test_any_bytes_give_a_run_or_a_message_never_another_error(name, data):
    message = ""
    try:
        read_watch_file(name, data)
    except WatchFileError as error:
        message = str(error) or "(empty)"
    assert message != "(empty)"
