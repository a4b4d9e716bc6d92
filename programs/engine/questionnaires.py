"""Outcome questionnaires: items, pure scoring and the minimal important changes.

NPRS (0-10, lower is better), PSFS (up to 3 runner-named activities scored 0-10; the
score is their mean, higher is better) and LEFS (20 items scored 0-4, total 0-80,
higher is better; Binkley 1999). VISA-G is not offered: its licence terms for use in
an app are unclear (clinical-evidence §h). Minimal important changes from Abbott &
Schmitt 2014 (PSFS 2, NPRS 2) and Binkley 1999 (LEFS 9).

GROC (Global Rating of Change, Kamper 2009): one question at the follow-ups, "compared
with when you started", on the 11-point scale LEAP used (-5 very much worse .. 0 about
the same .. +5 very much better). It has no baseline and no stated minimal important
change here (clinical-evidence §h: LEAP's success cut-off was not retrieved).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # a lazy translation's type, for the checker only
    from django_stubs_ext import StrPromise

FOLLOW_UP_WEEKS = (4, 8, 12)

LEFS_ITEMS = (
    _("Any of your usual work, housework or school activities"),
    _("Your usual hobbies, recreational or sporting activities"),
    _("Getting into or out of the bath"),
    _("Walking between rooms"),
    _("Putting on your shoes or socks"),
    _("Squatting"),
    _("Lifting an object, like a bag of groceries, from the floor"),
    _("Performing light activities around your home"),
    _("Performing heavy activities around your home"),
    _("Getting into or out of a car"),
    _("Walking 2 blocks"),
    _("Walking a mile"),
    _("Going up or down 10 stairs (about 1 flight of stairs)"),
    _("Standing for 1 hour"),
    _("Sitting for 1 hour"),
    _("Running on even ground"),
    _("Running on uneven ground"),
    _("Making sharp turns while running fast"),
    _("Hopping"),
    _("Rolling over in bed"),
)

LEFS_CHOICES = (
    (0, _("Extreme difficulty or unable to perform activity")),
    (1, _("Quite a bit of difficulty")),
    (2, _("Moderate difficulty")),
    (3, _("A little bit of difficulty")),
    (4, _("No difficulty")),
)


@dataclass(frozen=True)
class Instrument:
    code: str
    name: StrPromise
    maximum: float
    mid: float  # minimal important change
    higher_is_better: bool
    source_key: str


INSTRUMENTS = {
    "nprs": Instrument("nprs", _("Pain (NPRS)"), 10, 2, False, "abbott2014_mid"),
    "psfs": Instrument("psfs", _("Activities (PSFS)"), 10, 2, True, "abbott2014_mid"),
    "lefs": Instrument("lefs", _("Lower limb function (LEFS)"), 80, 9, True, "binkley1999_lefs"),
}


GROC_QUESTION = _(
    "Compared with when you started this plan, how is your hip now? "
    "(-5 = very much worse, 0 = about the same, +5 = very much better)"
)
GROC_MIN, GROC_MAX = -5, 5
GROC_CHOICES = tuple(
    (value, label)
    for value, label in (
        (-5, _("-5 very much worse")),
        (-4, "-4"),
        (-3, "-3"),
        (-2, "-2"),
        (-1, "-1"),
        (0, _("0 about the same")),
        (1, "+1"),
        (2, "+2"),
        (3, "+3"),
        (4, "+4"),
        (5, _("+5 very much better")),
    )
)
GROC_NAME = _("Global rating of change (GROC, -5 to +5)")


def score_groc(value: int) -> int:
    if not GROC_MIN <= int(value) <= GROC_MAX:
        raise ValueError("GROC is -5..+5")
    return int(value)


def score_lefs(items: list[int]) -> int:
    """Sum of the 20 items, each 0-4."""
    if len(items) != len(LEFS_ITEMS):
        raise ValueError("LEFS has 20 items")
    if any(not 0 <= int(v) <= 4 for v in items):
        raise ValueError("LEFS items are scored 0-4")
    return sum(int(v) for v in items)


def score_psfs(activities: list[tuple[str, int]]) -> float:
    """Mean of 1-3 activity scores, each 0-10, rounded to one decimal."""
    if not 1 <= len(activities) <= 3:
        raise ValueError("PSFS needs one to three activities")
    scores = [int(score) for _name, score in activities]
    if any(not 0 <= s <= 10 for s in scores):
        raise ValueError("PSFS activities are scored 0-10")
    return round(sum(scores) / len(scores), 1)


def score_nprs(value: int) -> int:
    if not 0 <= int(value) <= 10:
        raise ValueError("NPRS is 0-10")
    return int(value)


def important_change(code: str, baseline: float, later: float) -> str:
    """'better', 'worse' or 'same': whether a change reaches the instrument's MID."""
    instrument = INSTRUMENTS[code]
    change = later - baseline if instrument.higher_is_better else baseline - later
    if change >= instrument.mid:
        return "better"
    if change <= -instrument.mid:
        return "worse"
    return "same"


def due_week(plan_week: int, answered: set[int]) -> int | None:
    """The follow-up week due now: the latest of 4, 8, 12 reached and not yet answered."""
    reached = [w for w in FOLLOW_UP_WEEKS if plan_week >= w]
    if reached and reached[-1] not in answered:
        return reached[-1]
    return None
