"""The hilly-run rule (§F3): a climb of at least 30 m at 10 m per km or more is hilly, and
a hilly run breaks a week's "flat only", "no hills" and "no downhill" rules."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from programs.engine.terrain import (
    HILL_RULES,
    HILLY_GAIN_M_PER_KM,
    HILLY_MIN_GAIN_M,
    is_hilly,
    terrain_check,
)


def test_the_threshold_cases():
    assert not is_hilly(distance_m=5000, elevation_gain_m=None)
    assert not is_hilly(distance_m=5000, elevation_gain_m=25)  # noise on a flat loop
    assert not is_hilly(distance_m=10_000, elevation_gain_m=99)  # 9.9 m/km
    assert is_hilly(distance_m=10_000, elevation_gain_m=100)  # 10 m/km
    assert is_hilly(distance_m=5000, elevation_gain_m=120)
    assert not is_hilly(distance_m=2000, elevation_gain_m=29)  # steep, but only 29 m
    assert is_hilly(distance_m=None, elevation_gain_m=200)  # unknown distance: cautious


def test_a_hilly_run_breaks_only_the_hill_rules():
    rules = ("flat_only", "no_camber", "no_hills", "no_speed_work")

    check = terrain_check(distance_m=6000, elevation_gain_m=150, terrain_rules=rules)
    flat = terrain_check(distance_m=6000, elevation_gain_m=10, terrain_rules=rules)

    assert check.hilly
    assert check.gain_m_per_km == 25.0
    assert check.breaks_rules == ("flat_only", "no_hills")
    assert not flat.hilly
    assert flat.breaks_rules == ()


def test_a_hilly_run_in_a_week_without_hill_rules_breaks_nothing():
    check = terrain_check(distance_m=6000, elevation_gain_m=150, terrain_rules=("no_camber",))

    assert check.hilly
    assert check.breaks_rules == ()


@given(
    distance=st.floats(min_value=100, max_value=100_000),
    gain=st.floats(min_value=0, max_value=3000),
    extra=st.floats(min_value=0, max_value=1000),
)
def test_more_climb_on_the_same_distance_is_never_less_hilly(distance, gain, extra):
    if is_hilly(distance_m=distance, elevation_gain_m=gain):
        assert is_hilly(distance_m=distance, elevation_gain_m=gain + extra)


@given(distance=st.floats(min_value=100, max_value=100_000), gain=st.floats(0, 3000))
def test_hilly_means_both_thresholds(distance, gain):
    hilly = is_hilly(distance_m=distance, elevation_gain_m=gain)
    assert hilly == (gain >= HILLY_MIN_GAIN_M and gain / (distance / 1000) >= HILLY_GAIN_M_PER_KM)
    broken = terrain_check(distance_m=distance, elevation_gain_m=gain, terrain_rules=HILL_RULES)
    assert bool(broken.breaks_rules) == hilly
