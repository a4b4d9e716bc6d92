"""Labels of the engine's codes, shown to people (admin, runner and physio pages).

The codes themselves live in specs.py; this module names them in the active language.
Pure: only Django's translation helpers, no models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from programs.engine import specs

if TYPE_CHECKING:  # a lazy translation's type, for the checker only
    from django_stubs_ext import StrPromise

# Figures the progression engine computes for a runner in a phase. A phase exit
# criterion compares one of them with a value; every criterion of a phase must hold
# before the runner moves on. The engine must implement each metric listed here.
EXIT_METRICS: dict[str, StrPromise] = {
    "consecutive_green_sessions": _(
        "Consecutive completed strength sessions in which every exercise stayed green."
    ),
    "morning_pain_over_baseline": _(
        "Highest next-morning pain over the last 7 days minus the baseline pain (points)."
    ),
    "weekly_pain_not_rising_weeks": _(
        "Consecutive completed weeks whose mean pain did not rise against the week before."
    ),
    "single_leg_stance_pain": _(
        "Pain (0-10) during the latest 30-second single-leg stance test on the painful side."
    ),
    "completed_sessions_pct": _("Share of the planned sessions of the phase completed (%)."),
    "hop_test_pain": _("Pain (0-10) during the latest set of 10-20 single-leg hops."),
    "continuous_run_minutes": _(
        "Longest easy continuous run in the last 14 days with green pain (minutes)."
    ),
    "walk_run_stage_completed": _(
        "Highest walk-run stage completed twice with green or amber pain."
    ),
    "weeks_in_phase": _("Full weeks spent in the phase."),
}

EXIT_OPS = ("<=", ">=", "==")

# Each kind of exit criterion in plain words for the runner: what is measured, and where
# the figure comes from (the runner's "this week" page shows it under the criterion's own
# text, which holds the threshold). One entry per EXIT_METRICS code.
EXIT_METRICS_PLAIN: dict[str, StrPromise] = {
    "consecutive_green_sessions": _(
        "Green means pain of 0 to 2 out of 10 during every exercise of a strength session. "
        "We count the sessions you log in a row; an amber or red session starts the count "
        "again."
    ),
    "morning_pain_over_baseline": _(
        "Each morning check-in is compared with the pain you had when the plan started "
        "(your baseline). The worst morning of the last 7 days counts."
    ),
    "weekly_pain_not_rising_weeks": _(
        "Each week we average your morning pain. It may stay the same or go down, but not go "
        "up compared with the week before."
    ),
    "single_leg_stance_pain": _(
        "Stand on the painful leg for 30 seconds, holding on lightly for balance if you need "
        "to, and note how much it hurts. You record it when you log a session."
    ),
    "completed_sessions_pct": _(
        "Of the sessions planned in this phase so far, the share you logged as done."
    ),
    "hop_test_pain": _(
        "Hop 10 to 20 times on the painful leg and note how much it hurts, from 0 to 10."
    ),
    "continuous_run_minutes": _(
        "Your longest easy run of the last 14 days without walking breaks, with pain of 0 "
        "to 2 out of 10 during the run and settled the next morning."
    ),
    "walk_run_stage_completed": _(
        "Each stage of the walk-run ladder is done twice with green or amber pain before "
        "you move up. This is the highest stage you completed that way."
    ),
    "weeks_in_phase": _("The phase lasts at least this many full weeks, however well it goes."),
}

assert set(EXIT_METRICS_PLAIN) == set(EXIT_METRICS)  # noqa: S101

RUN_MODES: dict[str, StrPromise] = {
    "pause": _("pause running, cross-train without pain"),
    "reduce": _("keep running at a reduced weekly volume"),
    "walk_run": _("walk-run ladder"),
    "continuous": _("continuous easy running"),
    "rebuild": _("rebuild weekly volume"),
}

TERRAIN_RULES: dict[str, StrPromise] = {
    "flat_only": _("flat surfaces only"),
    "no_hills": _("no hills"),
    "no_downhill": _("no downhill running"),
    "no_camber": _("no cambered roads"),
    "alternate_track_direction": _("alternate direction on the track"),
    "no_speed_work": _("no intervals or fast running"),
    "no_long_runs": _("no long runs"),
}

SCHEMES: dict[str, StrPromise] = {
    "reps_level_load": _("rep bracket, then level, then load"),
    "hold_time": _("longer holds, then level"),
    "fixed": _("fixed"),
}

assert set(SCHEMES) == set(specs.PROGRESSION_SCHEMES)  # noqa: S101
