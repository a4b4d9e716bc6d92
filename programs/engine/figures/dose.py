"""The dose an animation follows: how long the lift, the hold, the lowering and the pause take.

Tempo "3-1-1" reads lowering / pause / lifting seconds (the usual strength-training
notation, eccentric first). The library's free-text tempos ("2 s up, 1 s hold, 2 s down")
are read too; anything unreadable falls back to 2 s each way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_PHASE_SECONDS = 20.0
MAX_HOLD_SECONDS = 300.0

_NUMERIC = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*$")
_PHRASE = re.compile(r"(\d+(?:\.\d+)?)(?:\s*-\s*(\d+(?:\.\d+)?))?\s*s\s+(\w+)")
_LIFT_WORDS = {"up", "out", "open", "lift", "lifting", "in"}
_LOWER_WORDS = {"down", "back", "close", "lower", "lowering"}


@dataclass(frozen=True)
class Dose:
    lift: float = 2.0
    lower: float = 2.0
    pause: float = 0.5  # at the start pose, between repetitions
    hold: float = 0.0  # at the end (or hold) pose
    reps: int | None = None

    @property
    def cycle(self) -> float:
        return self.lift + self.hold + self.lower + self.pause


def _clamp(value: float, high: float) -> float:
    return max(0.0, min(high, value))


def parse_tempo(text: str | None) -> tuple[float, float, float, float] | None:
    """(lower, pause at the start, lift, hold at the end) seconds, or None when the text
    states no tempo we can read. "3-1-1" pauses at the start pose (between lowering and
    lifting); a free-text "1 s hold" holds the end pose."""
    if not text:
        return None
    numeric = _NUMERIC.match(text)
    if numeric:
        low, pause, up = (float(g) for g in numeric.groups())
        return (low, pause, up, 0.0)
    lift: float | None = None
    lower: float | None = None
    top = 0.0
    for first, second, word in _PHRASE.findall(text.lower()):
        seconds = (float(first) + float(second)) / 2 if second else float(first)
        if word in _LIFT_WORDS:
            lift = seconds
        elif word in _LOWER_WORDS:
            lower = seconds
        elif word in ("hold", "pause"):
            top = seconds
    if lift is None and lower is None:
        return None
    return (lower or lift or 2.0, 0.0, lift or lower or 2.0, top)


def dose_from(
    *, tempo: str | None = None, hold_seconds: float | None = None, reps: int | None = None
) -> Dose:
    """The animation's timing for a prescription (tempo text, hold seconds, repetitions);
    a prescribed hold replaces the tempo's own hold at the end pose."""
    lower, pause, lift, top = parse_tempo(tempo) or (2.0, 0.0, 2.0, 0.0)
    hold = _clamp(float(hold_seconds or 0), MAX_HOLD_SECONDS)
    return Dose(
        lift=max(0.3, _clamp(lift, MAX_PHASE_SECONDS)),
        lower=max(0.3, _clamp(lower, MAX_PHASE_SECONDS)),
        pause=max(0.4, _clamp(pause, MAX_PHASE_SECONDS)),
        hold=hold or _clamp(top, MAX_PHASE_SECONDS),
        reps=reps if reps and reps > 0 else None,
    )
