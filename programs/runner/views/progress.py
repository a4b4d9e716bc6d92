"""Progress: weekly pain, load, running and adherence as accessible SVG charts, load per
exercise, and the questionnaire scores with their minimal important change. The page
starts compact: a chart appears once it has enough points (ui.progress.chart_readiness),
and until then a short note says what will appear there and when."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from programs.logbook import selectors
from programs.logbook.services import (
    preferences_for,
)
from programs.runner.views.common import runner_only, runner_today
from programs.ui import progress as progress_parts


@login_required
@require_GET
def progress(request):
    runner_only(request)
    plan = selectors.current_plan(runner=request.user)
    if plan is None:
        return redirect("runner:setup")
    prefs = preferences_for(request.user)
    today = runner_today(request)
    data = selectors.progress(plan=plan, today=today)
    ready = progress_parts.chart_readiness(data, today)
    exercises = progress_parts.exercise_charts(
        data,
        prefs.load_unit,
        min_points=progress_parts.MIN_EXERCISE_POINTS,
        min_span_days=progress_parts.MIN_EXERCISE_SPAN_DAYS,
    )
    questionnaires = progress_parts.questionnaire_rows(
        data, min_points=progress_parts.MIN_QUESTIONNAIRE_POINTS
    )
    context = {
        "plan": plan,
        "data": data,
        "ready": ready,
        "charts": progress_parts.progress_charts(data) if any(ready.values()) else {},
        "exercise_charts": exercises,
        "exercises_waiting": any(ex["svg"] is None for ex in exercises),
        "questionnaires": questionnaires,
        "questionnaires_waiting": any(q["svg"] is None for q in questionnaires),
    }
    return render(request, "runner/progress.html", context)
