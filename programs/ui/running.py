"""A week's running prescription in words with its numbers, in the active language.

The figures come from the pure engine (programs.engine.running.run_numbers); this module
only says them: runs a week, minutes per run, and the walk-run stage spelled out, e.g.
"R3: 5 x (2 min run, 3 min walk)" (with a multiplication sign). The runner's week page and the API use it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programs.engine.running import RunNumbers, is_run_day, run_numbers
from programs.engine.serialize import from_json
from programs.engine.specs import RunPrescription, WalkRunStage
from programs.engine.vocabulary import RUN_MODES, TERRAIN_RULES

WEEK = dt.timedelta(days=7)


def _min(value: float) -> str:
    return f"{value:g}"


def stage_text(stage: WalkRunStage) -> str:
    """A walk-run stage in minutes, e.g. "R3: 5 x (2 min run, 3 min walk)"."""
    if stage.continuous_minutes:
        return _("R%(n)s: %(minutes)s min continuous easy running") % {
            "n": stage.number,
            "minutes": stage.continuous_minutes,
        }
    if not stage.run_minutes:
        return _("R%(n)s: %(minutes)s min brisk walk, no running yet") % {
            "n": stage.number,
            "minutes": _min(stage.repeats * stage.walk_minutes),
        }
    return _("R%(n)s: %(repeats)s \N{MULTIPLICATION SIGN} (%(run)s min run, %(walk)s min walk)") % {
        "n": stage.number,
        "repeats": stage.repeats,
        "run": _min(stage.run_minutes),
        "walk": _min(stage.walk_minutes),
    }


@dataclass
class RunView:
    """The week's running as the pages show it: figures and sentences."""

    numbers: RunNumbers
    mode: str  # the mode's name
    headline: str  # the week in one sentence, with its numbers
    per_run: str  # one run, in minutes ("" when there is no running)
    stage: str  # the walk-run stage spelled out ("" off the ladder)
    today: bool  # a run is planned on the runner's today
    today_text: str  # today's run in one line ("" when no run today)
    cadence: int
    terrain: list[str] = field(default_factory=list)

    def as_api(self) -> dict:
        n = self.numbers
        return {
            "mode": n.mode,
            "runs_per_week": n.runs_per_week,
            "minutes_per_run": n.minutes_per_run,
            "session_minutes": n.session_minutes,
            "weekly_minutes": n.weekly_minutes,
            "volume_pct": n.volume_pct,
            "walk_run_stage": n.stage.number if n.stage else None,
            "stage_repeats": n.stage.repeats if n.stage else None,
            "stage_run_minutes": n.stage.run_minutes if n.stage else None,
            "stage_walk_minutes": n.stage.walk_minutes if n.stage else None,
            "stage_continuous_minutes": n.stage.continuous_minutes if n.stage else None,
            "stage_text": self.stage,
            "summary": self.headline,
            "per_run": self.per_run,
            "run_today": self.today,
            "today_text": self.today_text,
        }


def _headline(numbers: RunNumbers, stage: str) -> str:
    runs = numbers.runs_per_week
    if numbers.mode == "pause":
        return _("No running this week: cross-train without pain instead.")
    if not numbers.running:
        return _("No running planned this week.")
    if numbers.stage is not None:
        return ngettext(
            "%(runs)s run this week at %(stage)s",
            "%(runs)s runs this week at %(stage)s",
            runs,
        ) % {"runs": runs, "stage": stage}
    text = ngettext(
        "%(runs)s run of %(minutes)s min this week",
        "%(runs)s runs of %(minutes)s min this week",
        runs,
    ) % {"runs": runs, "minutes": numbers.minutes_per_run}
    if numbers.volume_pct is not None:
        extra = _("%(weekly)s min in all: %(pct)s%% of your usual weekly running.") % {
            "weekly": numbers.weekly_minutes,
            "pct": numbers.volume_pct,
        }
    else:
        extra = _("%(weekly)s min of running in all.") % {"weekly": numbers.weekly_minutes}
    return f"{text}. {extra}"


def _per_run(numbers: RunNumbers) -> str:
    if not numbers.running:
        return ""
    if numbers.walk_only:
        return _("Each outing: %(total)s min of brisk walking.") % {
            "total": numbers.session_minutes
        }
    if numbers.stage is not None and not numbers.stage.continuous_minutes:
        return _("Each run: %(run)s min of running, %(total)s min in all with the walking.") % {
            "run": numbers.minutes_per_run,
            "total": numbers.session_minutes,
        }
    return _("Each run: %(run)s min of easy running.") % {"run": numbers.minutes_per_run}


def run_view(
    run: dict,
    ladder: Iterable[WalkRunStage],
    *,
    today: dt.date | None = None,
    week_starts_on: dt.date | None = None,
    usual_weekly_minutes: int | None = None,
) -> RunView:
    """The stored week's running (PlanWeek.run, a RunPrescription as JSON) in words.
    Today's run is named only when `today` falls in the week (from `week_starts_on`):
    not before the plan starts or after it ends."""
    if today and week_starts_on and not week_starts_on <= today < week_starts_on + WEEK:
        today = None
    prescription = (
        from_json(RunPrescription, run) if run else RunPrescription("pause", None, 0, 0, 0, ())
    )
    numbers = run_numbers(prescription, ladder, usual_weekly_minutes=usual_weekly_minutes)
    stage = stage_text(numbers.stage) if numbers.stage is not None else ""
    on_today = bool(today and numbers.running and is_run_day(prescription, today))
    if not on_today:
        today_text = ""
    elif numbers.stage is not None:
        today_text = stage
    else:
        today_text = _("%(minutes)s min of easy running") % {"minutes": numbers.minutes_per_run}
    return RunView(
        numbers=numbers,
        mode=str(RUN_MODES.get(prescription.mode, prescription.mode)),
        headline=_headline(numbers, stage),
        per_run=_per_run(numbers),
        stage=stage,
        today=on_today,
        today_text=today_text,
        cadence=prescription.cadence_increase_pct or 0,
        terrain=[str(TERRAIN_RULES.get(code, code)) for code in prescription.terrain_rules],
    )


def usual_weekly_minutes(plan_context: dict) -> int | None:
    """The weekly running minutes the runner had when the plan started (continuous
    runners only), from Plan.context."""
    running = (plan_context or {}).get("running") or {}
    if running.get("mode") != "continuous":
        return None
    return running.get("weekly_minutes") or None
