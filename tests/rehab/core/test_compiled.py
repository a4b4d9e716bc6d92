"""Hot reads compiled once per process (rehab.core.compiled): the same rows as the
queryset, for any values, with one statement and no second compile."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count, OuterRef, Subquery

from programs.logbook.models import MorningCheckin
from rehab.core.compiled import CompiledValues

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 1)


def _checkins(runner_id, since, kind):
    """A values() queryset with a join, a subquery, a JSON column and every kind of
    argument (an id, a date and a text)."""
    same_day = MorningCheckin.objects.filter(date=OuterRef("date")).values("date")
    return (
        MorningCheckin.objects.filter(runner_id=runner_id, date__gte=since, runner__role=kind)
        .annotate(
            email=Subquery(
                MorningCheckin.objects.filter(pk=OuterRef("pk")).values("runner__email")[:1]
            ),
            that_day=Subquery(
                same_day.annotate(n=Count("pk")).values("n")[:1],
            ),
        )
        .order_by("date")
        .values("date", "pain", "red_flags", "email", "that_day")
    )


@pytest.fixture
def logged(runner, other_runner):
    for offset, pain in enumerate((2, 5, 7)):
        MorningCheckin.objects.create(
            runner=runner, date=DAY + dt.timedelta(days=offset), pain=pain, red_flags=["night_pain"]
        )
    MorningCheckin.objects.create(runner=other_runner, date=DAY, pain=1)
    return runner, other_runner


def test_the_rows_are_the_querysets_for_every_set_of_values(logged):
    runner, other = logged
    read = CompiledValues(_checkins)

    cases = [
        (runner.pk, DAY, "runner"),
        (runner.pk, DAY + dt.timedelta(days=1), "runner"),
        (other.pk, DAY, "runner"),
        (runner.pk, DAY, "physio"),
    ]
    for runner_id, since, kind in cases:
        assert read(runner_id=runner_id, since=since, kind=kind) == list(
            _checkins(runner_id, since, kind)
        )
    first = read(runner_id=runner.pk, since=DAY, kind="runner")[0]
    assert first == {
        "date": DAY,  # a date, not its text, on SQLite too
        "pain": 2,
        "red_flags": ["night_pain"],  # the JSON column decoded
        "email": runner.email,
        "that_day": 2,
    }


def test_later_calls_send_one_statement_and_compile_nothing(logged, django_assert_num_queries):
    runner, _ = logged
    built = []

    def build(**values):
        built.append(values)
        return _checkins(**values)

    read = CompiledValues(build)
    read(runner_id=runner.pk, since=DAY, kind="runner")
    with django_assert_num_queries(1):
        rows = read(runner_id=runner.pk, since=DAY + dt.timedelta(days=2), kind="runner")
    assert [row["pain"] for row in rows] == [7]
    assert len(built) == 1  # compiled once, for stand-ins: not for the caller's values
    assert built[0]["runner_id"] != runner.pk


def test_an_argument_the_query_does_not_hold_is_refused():
    read = CompiledValues(
        lambda runner_id, unused: MorningCheckin.objects.filter(runner_id=runner_id).values("pk")
    )
    with pytest.raises(ValueError, match="unused"):
        read(runner_id=1, unused=3)


def test_values_without_a_distinct_stand_in_are_refused():
    read = CompiledValues(
        lambda flag: MorningCheckin.objects.filter(settled_by_midday=flag).values("pk")
    )
    with pytest.raises(TypeError, match="boolean"):
        read(flag=True)
