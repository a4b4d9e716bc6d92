"""A typical runner's situation, for demo data and benchmarks (not for real plans)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from programs.engine.specs import RunnerContext, RunningStatus

HOME_EQUIPMENT = frozenset({"mat", "belt", "wall", "step", "mini_band", "chair", "box"})


def sample_runner_context(
    *, start_date: dt.date, timezone: str = "Europe/Amsterdam", **changes: Any
) -> RunnerContext:
    """Gluteal tendinopathy, moderate irritability, baseline pain 3, home equipment, strength
    on Monday, Wednesday and Friday, long run on Sunday, not running yet."""
    values: dict[str, Any] = {
        "condition": "gluteal_tendinopathy",
        "irritability": "moderate",
        "baseline_pain": 3.0,
        "equipment": HOME_EQUIPMENT,
        "strength_days_per_week": 3,
        "preferred_weekdays": (0, 2, 4),
        "long_run_weekday": 6,
        "hard_session_weekdays": (),
        "running": RunningStatus(mode="not_running"),
        "start_date": start_date,
        "timezone": timezone,
    }
    values.update(changes)
    return RunnerContext(**values)
