"""Progress charts and questionnaire rows, built from logbook.selectors.progress: the
runner's progress page and the physiotherapist's runner page show the same ones."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from programs.engine.questionnaires import INSTRUMENTS, important_change
from programs.logbook import selectors
from programs.ui import charts


def progress_charts(data: selectors.Progress) -> dict:
    labels = [_("W%(n)s") % {"n": w.number} for w in data.weeks]
    pain_lines = [
        charts.Series(_("Pain during"), tuple(w.pain_during_mean for w in data.weeks), "s1"),
        charts.Series(_("Pain after"), tuple(w.pain_after_mean for w in data.weeks), "s2"),
        charts.Series(_("Morning pain"), tuple(w.morning_mean for w in data.weeks), "s3"),
    ]
    volume_max = max((w.strength_volume for w in data.weeks), default=0) or 1
    load_bar = charts.Series(
        _("Strength volume (share of the busiest week)"),
        tuple(round(10 * w.strength_volume / volume_max, 1) for w in data.weeks),
        "b1",
    )
    pain = charts.chart(
        chart_id="chart-pain",
        title=_("Pain and training load per week"),
        description=_(
            "Weekly mean pain during sessions, after sessions and the next morning on a 0 to 10 "
            "scale, with the week's strength volume as bars. The table below has the figures."
        ),
        labels=labels,
        lines=pain_lines,
        bars=[load_bar],
        maximum=10,
    )
    running = charts.chart(
        chart_id="chart-running",
        title=_("Running minutes per week"),
        description=_("Minutes of running logged in each plan week."),
        labels=labels,
        bars=[charts.Series(_("Running minutes"), tuple(w.run_minutes for w in data.weeks), "b2")],
    )
    adherence = charts.chart(
        chart_id="chart-adherence",
        title=_("Sessions done per week"),
        description=_("Share of the planned sessions completed in each week, in per cent."),
        labels=labels,
        bars=[charts.Series(_("Completed (%)"), tuple(w.adherence_pct for w in data.weeks), "b3")],
        maximum=100,
    )
    return {"pain": pain, "running": running, "adherence": adherence}


# A chart earns its place once it has something to show: weekly charts from the second
# week with figures, an exercise's or a questionnaire's from its third or second point.
# Until then the runner's page says what will appear there and when.
MIN_WEEKS = 2
MIN_EXERCISE_POINTS = 3
MIN_EXERCISE_SPAN_DAYS = 7  # an exercise's points reach into a second week
MIN_QUESTIONNAIRE_POINTS = 2


def chart_readiness(data: selectors.Progress, today: dt.date) -> dict[str, bool]:
    """Which weekly charts have enough points to draw (the runner's progress page): pain
    from two weeks with a pain figure, running from two weeks with runs logged, sessions
    done from two finished weeks."""
    with_pain = [
        w
        for w in data.weeks
        if w.pain_during_mean is not None
        or w.pain_after_mean is not None
        or w.morning_mean is not None
    ]
    finished = [w for w in data.weeks if w.planned and w.starts_on + dt.timedelta(days=7) <= today]
    return {
        "pain": len(with_pain) >= MIN_WEEKS,
        "running": sum(1 for w in data.weeks if w.run_minutes) >= MIN_WEEKS,
        "adherence": len(finished) >= MIN_WEEKS,
    }


def exercise_charts(
    data: selectors.Progress, load_unit: str, *, min_points: int = 1, min_span_days: int = 0
) -> list[dict]:
    """One chart per exercise; an exercise with fewer than `min_points` logged sessions,
    or whose sessions span fewer than `min_span_days` days, has its table but no chart
    (svg None)."""
    out = []
    for index, (name, points) in enumerate(sorted(data.exercises.items())):
        span = (points[-1].date - points[0].date).days if points else 0
        if len(points) < min_points or span < min_span_days:
            out.append({"name": name, "metric": "", "points": points, "svg": None})
            continue
        if any(p.load_kg for p in points):
            factor = 1 / 0.45359237 if load_unit == "lb" else 1
            metric = _("Load (lb)") if load_unit == "lb" else _("Load (kg)")
            values = [round(p.load_kg * factor, 1) if p.load_kg else None for p in points]
        elif any(p.hold_seconds for p in points):
            metric, values = _("Hold (s)"), [p.hold_seconds for p in points]
        else:
            metric, values = _("Repetitions per set"), [p.reps for p in points]
        svg = charts.chart(
            chart_id=f"chart-ex-{index}",
            title=name,
            description=_("%(metric)s per logged session, oldest first.") % {"metric": metric},
            labels=[f"{p.date:%d/%m}" for p in points],
            lines=[charts.Series(metric, tuple(values), "s1")],
        )
        out.append({"name": name, "metric": metric, "points": points, "svg": svg})
    return out


def questionnaire_rows(data: selectors.Progress, *, min_points: int = 1) -> list[dict]:
    """A chart and a table per questionnaire answered; with fewer than `min_points`
    scores, the table only (svg None)."""
    rows = []
    for code, instrument in INSTRUMENTS.items():
        scores = data.questionnaires.get(code, {})
        if not scores:
            continue
        weeks = sorted(scores)
        baseline = scores.get(0)
        guides = []
        if baseline is not None:
            step = instrument.mid if instrument.higher_is_better else -instrument.mid
            target = baseline + step
            if 0 <= target <= instrument.maximum:
                guides.append(charts.Guide(target, _("Minimal important change")))
        labels = [_("Baseline") if w == 0 else _("Week %(n)s") % {"n": w} for w in weeks]
        svg = charts.chart(
            chart_id=f"chart-q-{code}",
            title=str(instrument.name),
            description=_(
                "Scores at the start and at follow-up weeks; the dashed line marks the minimal "
                "important change from the starting score (%(mid)s points)."
            )
            % {"mid": f"{instrument.mid:g}"},
            labels=labels,
            lines=[charts.Series(str(instrument.name), tuple(scores[w] for w in weeks), "s1")],
            maximum=instrument.maximum,
            guides=guides,
        )
        table = [
            {
                "label": label,
                "score": scores[w],
                "change": None
                if baseline is None or w == 0
                else important_change(code, baseline, scores[w]),
            }
            for w, label in zip(weeks, labels, strict=True)
        ]
        shown = svg if len(weeks) >= min_points else None
        rows.append({"instrument": instrument, "svg": shown, "table": table})
    return rows


def groc_rows(data: selectors.Progress) -> list[dict]:
    """The Global Rating of Change at each follow-up week (-5..+5; no baseline)."""
    scores = data.questionnaires.get("groc", {})
    return [
        {"label": _("Week %(n)s") % {"n": week}, "rating": int(scores[week])}
        for week in sorted(scores)
    ]
