"""The pure helpers behind the pages: questionnaire scoring, the iCalendar writer, charts."""

from __future__ import annotations

import datetime as dt

import pytest

from programs.engine.questionnaires import (
    due_week,
    important_change,
    score_lefs,
    score_nprs,
    score_psfs,
)
from programs.runner import ical
from programs.ui import charts


def test_lefs_sums_twenty_items_scored_0_to_4():
    assert score_lefs([4] * 20) == 80
    assert score_lefs([0] * 20) == 0
    with pytest.raises(ValueError, match="20 items"):
        score_lefs([4] * 19)
    with pytest.raises(ValueError, match="0-4"):
        score_lefs([5] + [4] * 19)


def test_psfs_is_the_mean_of_up_to_three_activities():
    assert score_psfs([("run", 4), ("stairs", 7)]) == 5.5
    with pytest.raises(ValueError, match="one to three"):
        score_psfs([])
    with pytest.raises(ValueError, match="0-10"):
        score_psfs([("run", 11)])
    with pytest.raises(ValueError, match="0-10"):
        score_nprs(-1)


@pytest.mark.parametrize(
    ("code", "baseline", "later", "expected"),
    [
        ("lefs", 50, 59, "better"),
        ("lefs", 50, 58, "same"),
        ("lefs", 50, 40, "worse"),
        ("psfs", 4, 6, "better"),
        ("nprs", 5, 3, "better"),  # lower pain is better
        ("nprs", 3, 5, "worse"),
    ],
)
def test_important_change_uses_the_minimal_important_change(code, baseline, later, expected):
    assert important_change(code, baseline, later) == expected


def test_follow_up_is_due_at_weeks_4_8_and_12_once():
    assert due_week(3, set()) is None
    assert due_week(5, {0}) == 4
    assert due_week(5, {0, 4}) is None
    assert due_week(13, {0, 4}) == 12


def test_ical_escapes_and_folds_lines_at_75_octets():
    event = ical.CalendarEvent(
        uid="session-1@hip-rehab",
        day=dt.date(2026, 3, 29),
        summary="Kracht; training, dag",
        description="Brug met één been: " + "lang " * 40,
    )
    body = ical.calendar([event], name="Plan", stamp=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))

    assert "SUMMARY:Kracht\\; training\\, dag\r\n" in body
    assert "DTSTART;VALUE=DATE:20260329\r\nDTEND;VALUE=DATE:20260330\r\n" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    unfolded = body.replace("\r\n ", "")
    assert "Brug met één been: lang lang" in unfolded


def test_chart_is_an_accessible_svg_with_escaped_labels():
    svg = charts.chart(
        chart_id="c",
        title="Pain <b>",
        description="desc",
        labels=["W1", "W2", "W3"],
        lines=[charts.Series("Pain", (1.0, None, 3.0), "s1")],
        bars=[charts.Series("Load", (5, 6, 0), "b1")],
        guides=[charts.Guide(4, "MID")],
    )

    assert 'role="img"' in svg
    assert 'aria-labelledby="c-t c-d"' in svg
    assert "Pain &lt;b&gt;" in svg
    assert "<b>" not in svg
    plot = svg.split("</svg>")[0]
    assert plot.count('<rect class="bar') == 2  # a zero bar is not drawn
