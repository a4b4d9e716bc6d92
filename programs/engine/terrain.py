"""Terrain of a recorded run against the week's terrain rules (clinical-evidence.md §F3).

§F3 [V/S + I]: avoid hill and downhill training early in return to running (Messier 1995
via BMJ Best Practice; Fredericson & Weir 2006 for ITBS: "no hills initially"), and
§F1b R10 brings hills back only when rebuilding volume. A watch file gives the climb
(metres of elevation gain) and the distance; this module decides whether that run counts
as hilly, and whether the week's prescription allowed hills.

The threshold is ours [I]: the sources name no figure. An average climb of 10 m per km
(about 1 % grade of climbing over the whole run, so ~1 % of descent on a loop) with at
least 30 m in total is well above the few metres per km that GPS and barometer noise add
on a flat route, and well below what runners call a hilly route (20+ m/km).

Pure module: no Django models, no app imports.
"""

from __future__ import annotations

from dataclasses import dataclass

SECTION = "F3"
HILLY_GAIN_M_PER_KM = 10.0
HILLY_MIN_GAIN_M = 30.0

# The week's terrain rules (specs.RunGuidance.terrain_rules) that a hilly run breaks:
# a loop that climbs also descends, so "no downhill" is broken too.
HILL_RULES = ("flat_only", "no_hills", "no_downhill")


@dataclass(frozen=True)
class TerrainCheck:
    hilly: bool
    gain_m_per_km: float | None  # None when the distance is unknown or zero
    breaks_rules: tuple[str, ...]  # the week's rules the run did not keep (codes)


def is_hilly(*, distance_m: float | None, elevation_gain_m: float | None) -> bool:
    """A run is hilly when it climbed at least HILLY_MIN_GAIN_M metres at an average of
    HILLY_GAIN_M_PER_KM metres per km or more (§F3 [I])."""
    if elevation_gain_m is None or elevation_gain_m < HILLY_MIN_GAIN_M:
        return False
    if not distance_m or distance_m <= 0:
        # A big climb on an unknown distance: treat as hilly (the cautious reading).
        return True
    return elevation_gain_m / (distance_m / 1000) >= HILLY_GAIN_M_PER_KM


def terrain_check(
    *,
    distance_m: float | None,
    elevation_gain_m: float | None,
    terrain_rules: tuple[str, ...] = (),
) -> TerrainCheck:
    """Is the run hilly, and which of the week's terrain rules did that break (§F3)?"""
    hilly = is_hilly(distance_m=distance_m, elevation_gain_m=elevation_gain_m)
    per_km = None
    if elevation_gain_m is not None and distance_m and distance_m > 0:
        per_km = round(elevation_gain_m / (distance_m / 1000), 1)
    broken = tuple(rule for rule in terrain_rules if rule in HILL_RULES) if hilly else ()
    return TerrainCheck(hilly=hilly, gain_m_per_km=per_km, breaks_rules=broken)
