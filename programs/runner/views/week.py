"""This week (what to do today, the phase and what comes next), "why did my plan
change?", and education topics.

The runner's pages, one module a job (programs/runner/views/): screening, setup, week,
session, logs, progress, settings. Each parses input, calls one service or selector and
renders. Every object is looked up within the signed-in
runner's own data: anything else answers 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from programs.content.models import EducationTopic
from programs.content.selectors import walk_run_ladder
from programs.engine.questionnaires import due_week
from programs.logbook import selectors
from programs.plans.models import Plan
from programs.plans.services.lifecycle import plan_phase_seen_mark
from programs.runner.views.common import runner_only, runner_today
from programs.ui.plan_edits import physio_edits
from programs.ui.running import run_view, usual_weekly_minutes
from rehab.core.timeutils import local_now

# --- Screening -----------------------------------------------------------------------------


# --- Referrals -----------------------------------------------------------------------------


# --- Plan set-up ---------------------------------------------------------------------------


# --- This week -------------------------------------------------------------------------------


def _seen_key(plan: Plan) -> str:
    return f"plan-{plan.pk}-seen-revision"


def _physio_notes(sessions) -> list[tuple[str, str]]:
    """The physiotherapist's notes on this week's exercises: (exercise name, note), once each."""
    seen: dict[tuple[str, str], None] = {}
    for session in sessions:
        for rx in session.prescriptions.all():
            if rx.notes:
                seen.setdefault((rx.exercise.name, rx.notes), None)
    return list(seen)


@login_required
@require_GET
def this_week(request):
    runner_only(request)
    plan = selectors.current_plan(runner=request.user)
    if plan is None:
        return redirect("runner:setup")
    today = runner_today(request)
    week = selectors.week_containing(plan=plan, day=today)
    sessions = selectors.week_sessions(week=week) if week else []
    revision = plan.current_revision
    seen = request.session.get(_seen_key(plan))
    if seen is None and revision is not None:
        request.session[_seen_key(plan)] = seen = revision.number
    changed = revision is not None and seen is not None and revision.number > seen
    answered = selectors.answered_weeks(runner=request.user)
    plan_week = (today - plan.start_date).days // 7 + 1
    outlook = selectors.plan_outlook(plan=plan, today=today)
    # The first visit after the phase moved on congratulates the runner, once.
    advanced = (
        outlook is not None
        and plan.status == Plan.Status.ACTIVE
        and plan_phase_seen_mark(plan=plan, phase_key=outlook.phase_key)
    )
    run = None
    if week is not None:
        run = run_view(
            week.run,
            walk_run_ladder(plan.template_id),
            today=today,
            week_starts_on=week.starts_on,
            usual_weekly_minutes=usual_weekly_minutes(plan.context),
        )
    context = {
        "plan": plan,
        "week": week,
        "week_count": selectors.plan_week_count(plan=plan),
        "today": today,
        "today_sessions": [s for s in sessions if s.date == today],
        "sessions": sessions,
        "run": run,
        "checkin_due": selectors.checkin_due(plan=plan, today=today),
        "phase_advanced": advanced,
        "topics": selectors.education_topics(week.education) if week else [],
        "changed": changed,
        "physio_notes": _physio_notes(sessions),
        "follow_up_week": due_week(plan_week, answered),
        "needs_review": selectors.plan_needs_review(plan=plan),
        "open_referrals": selectors.open_referrals(runner=request.user)
        if plan.status == Plan.Status.REFERRED
        else [],
        "outlook": outlook,
        "settled_question": selectors.checkin_awaiting_settled_answer(
            runner=request.user,
            baseline=plan.baseline_pain,
            now_local=local_now(request.user.timezone),
        ),
    }
    return render(request, "runner/week.html", context)


# --- Session player ------------------------------------------------------------------------


# --- Check-in, run log, flare-up ------------------------------------------------------------


# --- Follow-up questionnaires ---------------------------------------------------------------


# --- Progress ---------------------------------------------------------------------------------


# --- Why did my plan change? -----------------------------------------------------------------


@login_required
@require_GET
def plan_changes(request):
    runner_only(request)
    plan = selectors.current_plan(runner=request.user)
    if plan is not None and plan.current_revision is not None:
        request.session[_seen_key(plan)] = plan.current_revision.number
    decisions = selectors.plan_decisions(runner=request.user, language=get_language())
    edits = physio_edits(plan) if plan is not None else []
    return render(
        request,
        "runner/changes.html",
        {"plan": plan, "decisions": decisions, "physio_edits": edits},
    )


@login_required
@require_GET
def topics(request):
    """The education topics, in the library's order (the Learn tab)."""
    return render(request, "runner/topics.html", {"topics": EducationTopic.objects.active()})


@login_required
@require_GET
def topic(request, slug: str):
    topic = get_object_or_404(
        EducationTopic.objects.active().prefetch_related("sources"), slug=slug
    )
    return render(request, "runner/topic.html", {"topic": topic})


# --- Training settings and the calendar feed --------------------------------------------------
