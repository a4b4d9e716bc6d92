"""Local-time reminder instants across every IANA zone (reliability test plan T5)."""

import datetime as dt
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rehab.notifications.schedule import fire_at, local_date_of, next_fire_after

ZONES = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))

instants = st.datetimes(
    min_value=dt.datetime(2025, 1, 1),
    max_value=dt.datetime(2032, 12, 31),
    timezones=st.just(dt.UTC),
)
local_times = st.times().map(lambda t: t.replace(microsecond=0))


@settings(max_examples=1500, deadline=None)
@given(tz=st.sampled_from(ZONES), local_time=local_times, start=instants)
# found by this test in CI: a gap from 23:00 to midnight pushed Saturday's reminder onto Sunday
@example(
    tz="America/Scoresbysund",
    local_time=dt.time(23, 0),
    start=dt.datetime(2028, 3, 18, 1, 0, tzinfo=dt.UTC),
)
def test_fires_strictly_later_once_per_local_date_at_the_chosen_wall_time(tz, local_time, start):
    zone = ZoneInfo(tz)
    after = start
    previous_date = None
    for _ in range(8):
        fire = next_fire_after(local_time, tz, after)
        assert fire > after  # strictly increasing
        local = fire.astimezone(zone)
        if previous_date is not None:
            assert local.date() > previous_date  # one per local date
        previous_date = local.date()
        wall = dt.datetime.combine(local.date(), local_time)
        shift = local.replace(tzinfo=None) - wall
        if shift < dt.timedelta(0):
            # A gap ran to midnight: the chosen time does not exist that day, and the
            # reminder sits in the last minute before the clocks jump.
            assert not _exists(wall, zone)
            assert local.second == 0
            assert (fire + dt.timedelta(minutes=1)).astimezone(
                zone
            ).utcoffset() != local.utcoffset()
        else:
            # the chosen time, or pushed forward by at most a daylight-saving gap
            assert shift <= dt.timedelta(hours=2)
        after = fire


def _exists(wall: dt.datetime, zone: ZoneInfo) -> bool:
    aware = wall.replace(tzinfo=zone)
    return aware.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) == wall


@pytest.mark.parametrize(
    ("tz", "day", "local_time", "expected_local"),
    [
        # Spring forward: 02:30 does not exist, fire just after the gap.
        ("Europe/London", dt.date(2026, 3, 29), dt.time(1, 30), "2026-03-29T02:30:00+01:00"),
        ("America/New_York", dt.date(2026, 3, 8), dt.time(2, 30), "2026-03-08T03:30:00-04:00"),
        # Lord Howe has a 30-minute shift.
        ("Australia/Lord_Howe", dt.date(2026, 10, 4), dt.time(2, 15), "2026-10-04T02:45:00+11:00"),
        # Fall back: 01:30 happens twice; the first one counts.
        ("America/New_York", dt.date(2026, 11, 1), dt.time(1, 30), "2026-11-01T01:30:00-04:00"),
        ("America/Santiago", dt.date(2026, 4, 4), dt.time(23, 30), "2026-04-04T23:30:00-03:00"),
        # Scoresbysund jumps from 23:00 to 00:00: a 23:00 or 23:30 reminder keeps its own
        # day, in the last minute before the jump, rather than landing on the next day.
        ("America/Scoresbysund", dt.date(2028, 3, 25), dt.time(23, 0), "2028-03-25T22:59:00-02:00"),
        (
            "America/Scoresbysund",
            dt.date(2028, 3, 25),
            dt.time(23, 30),
            "2028-03-25T22:59:00-02:00",
        ),
        ("America/Scoresbysund", dt.date(2028, 3, 26), dt.time(23, 0), "2028-03-26T23:00:00-01:00"),
        # Havana changes at midnight.
        ("America/Havana", dt.date(2026, 3, 8), dt.time(0, 30), "2026-03-08T01:30:00-04:00"),
        ("Pacific/Chatham", dt.date(2026, 6, 1), dt.time(7, 0), "2026-06-01T07:00:00+12:45"),
        ("Asia/Kolkata", dt.date(2026, 6, 1), dt.time(7, 0), "2026-06-01T07:00:00+05:30"),
    ],
)
def test_known_edges(tz, day, local_time, expected_local):
    assert fire_at(day, local_time, tz).astimezone(ZoneInfo(tz)).isoformat() == expected_local


def test_a_fold_fires_once_not_twice():
    tz = "America/New_York"
    first = fire_at(dt.date(2026, 11, 1), dt.time(1, 30), tz)

    following = next_fire_after(dt.time(1, 30), tz, first)

    assert local_date_of(following, tz) == dt.date(2026, 11, 2)


def test_four_hundred_days_give_four_hundred_reminders():
    tz = "Europe/Amsterdam"
    after = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    dates = []
    for _ in range(400):
        after = next_fire_after(dt.time(7, 30), tz, after)
        dates.append(local_date_of(after, tz))
    assert len(set(dates)) == 400
    assert (dates[-1] - dates[0]).days == 399
