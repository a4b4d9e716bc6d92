"""The caseload sums pain and adherence in the database per runner-local week
(programs/logbook/local_windows.py). Runners whose todays differ, across time zones,
each get the weeks that end on their own today: the same means the engine finds in
each runner's own evaluation windows, and adherence over their own last 14 days."""

from __future__ import annotations

import datetime as dt

import pytest

from programs.engine import progression
from programs.logbook.caseload import ADHERENCE_DAYS, TREND_WEEKS, caseload
from programs.logbook.models import MorningCheckin, SessionLog
from programs.logbook.windows import build_windows
from programs.plans.models import PlanSession
from rehab.accounts.models import Role
from rehab.core.timeutils import local_today
from tests.factories import UserFactory
from tests.programs.physio.test_caseload_flags import linked_runner
from tests.programs.physio.test_caseload_scale import log_session

pytestmark = pytest.mark.django_db

# 11:30 UTC: already the 11th on Kiritimati (UTC+14), still the 10th in Pago Pago (UTC-11).
NOW = dt.datetime(2026, 12, 10, 11, 30, tzinfo=dt.UTC)
ZONES = ("Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/Amsterdam")


@pytest.fixture
def physio_user(content):
    return UserFactory(role=Role.PHYSIO, email="physio.zones@hospital.test")


def _runner_in(physio, zone: str, index: int):
    start = dt.date(2026, 11, 10)
    runner = linked_runner(physio, f"zone{index}@r.test", started=start)
    runner.timezone = zone
    runner.save(update_fields=["timezone"])
    today = local_today(zone)
    # Readings on the edges of the weeks: the morning after a week's last day, a
    # session on a week's first day, one without pain after, one on today itself.
    for days, pain in ((0, 5), (7, 3), (8, 1), (14, 2), (21, 4), (27, 6), (28, 2)):
        MorningCheckin.objects.create(
            runner=runner, date=today - dt.timedelta(days=days), pain=(pain + index) % 11
        )
    log_session(runner, today, pain_after=1 + index)
    log_session(runner, today - dt.timedelta(days=13), pain_after=None, during=(2, 7))
    return runner, today


def _engine_means(runner, today):
    plan = runner.plans.get()
    first = today - dt.timedelta(days=7 * TREND_WEEKS - 1)
    means = []
    for week in range(TREND_WEEKS):
        starts = first + dt.timedelta(days=7 * week)
        window = build_windows([(plan, starts, starts + dt.timedelta(days=6), (), None)])[plan.pk]
        means.append(progression.weekly_pain_mean(window))
    return means


def test_each_runner_gets_the_weeks_of_their_own_today(physio_user, time_machine):
    time_machine.move_to(NOW, tick=False)
    made = [_runner_in(physio_user, zone, i) for i, zone in enumerate(ZONES)]
    assert len({today for _, today in made}) == 2  # the point of the test

    rows = {row.runner.pk: row for row in caseload(physio_user)}

    for runner, today in made:
        row = rows[runner.pk]
        assert row.today == today
        assert list(row.pain.weekly_means) == _engine_means(runner, today)
        assert row.last_log_on == today
        sessions = PlanSession.objects.filter(
            plan__runner=runner,
            date__range=(today - dt.timedelta(days=ADHERENCE_DAYS - 1), today),
        )
        assert row.adherence.planned == sessions.count()
        assert row.adherence.completed == sessions.filter(log__completed=True).count()
    # the three runners' figures differ, so no runner was read with another's weeks
    assert len({rows[r.pk].pain.weekly_means for r, _ in made}) == 3


def test_a_reading_after_today_is_not_the_last_log(physio_user, time_machine):
    """A check-in dated tomorrow (a runner who moved west) counts for no week's pain and is
    not their latest log."""
    time_machine.move_to(NOW, tick=False)
    runner, today = _runner_in(physio_user, "Europe/Amsterdam", 0)
    SessionLog.objects.filter(runner=runner, date__gt=today - dt.timedelta(days=7)).delete()
    MorningCheckin.objects.filter(runner=runner, date=today).delete()
    MorningCheckin.objects.create(runner=runner, date=today + dt.timedelta(days=2), pain=9)

    (row,) = caseload(physio_user)

    assert row.last_log_on == today - dt.timedelta(days=7)
    assert list(row.pain.weekly_means) == _engine_means(runner, today)
