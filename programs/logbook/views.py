"""The runner's pages: parse input, call one service or selector, render.

Plan set-up, this week, the session player, the morning check-in, the run log, the
flare-up button, progress, "why did my plan change?", education topics, training
settings and the calendar feed. Every object is looked up within the signed-in
runner's own data: anything else answers 404.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from programs.exercises.models import EducationTopic
from programs.logbook import charts, ical, selectors
from programs.logbook.forms import (
    CheckinForm,
    ExerciseLogForm,
    FollowUpForm,
    PlanSetupForm,
    RunLogForm,
    ScreeningForm,
    SessionLogForm,
    TrainingSettingsForm,
    add_service_errors,
)
from programs.logbook.models import FlareUp, Screening
from programs.logbook.questionnaire_models import RunnerPreferences
from programs.logbook.questionnaires import INSTRUMENTS, due_week, important_change
from programs.logbook.screening import CONDITION_LABELS, TEMPLATE_FOR_CONDITION, reason_text
from programs.logbook.services import (
    calendar_token_reset,
    checkin_create,
    flare_up_report,
    plan_setup_submit,
    preferences_for,
    preferences_update,
    questionnaire_record,
    run_log_create,
    screening_submit,
    session_log_create,
)
from programs.plans.models import RUN_MODES, TERRAIN_RULES, ProgramTemplate
from programs.plans.plan_models import Plan
from rehab.core.errors import ApplicationError, ConflictError, NotFoundError
from rehab.core.timeutils import local_today

FLARE_UP_TOPIC = "flare-up-plan"


def _runner_only(request):
    if not request.user.is_runner:
        raise PermissionDenied


def _today(request) -> dt.date:
    return local_today(request.user.timezone)


# --- Screening -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def screening_start(request):
    _runner_only(request)
    form = ScreeningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        screening = screening_submit(runner=request.user, answers=form.answers())
        return redirect("runner:screening_result", pk=screening.pk)
    return render(request, "runner/screening.html", {"form": form})


@login_required
def screening_result(request, pk: int):
    _runner_only(request)
    screening = get_object_or_404(Screening, pk=pk, runner=request.user)
    reasons = [reason_text(code) for code in screening.reasons]
    context = {
        "screening": screening,
        "reasons": reasons,
        "condition_label": CONDITION_LABELS.get(screening.condition, ""),
        "has_plan": selectors.current_plan(runner=request.user) is not None,
    }
    return render(request, "runner/screening_result.html", context)


# --- Plan set-up ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def plan_setup(request):
    _runner_only(request)
    runner = request.user
    if selectors.current_plan(runner=runner) is not None:
        return redirect("runner:week")
    screening = selectors.latest_screening(runner=runner)
    if screening is None or screening.outcome != Screening.Outcome.OK:
        return redirect("runner:screening")
    templates = ProgramTemplate.objects.active().filter(is_block=False).select_related("condition")
    code = TEMPLATE_FOR_CONDITION.get(screening.condition, screening.condition)
    suggested = next((t for t in templates if t.condition.code == code), None)
    initial = {
        "template": suggested,
        "start_date": _today(request),
        "baseline_pain": screening.baseline_pain,
        "weekdays": [0, 2, 4],
        "reminder_time": dt.time(18, 0),
        "checkin_time": dt.time(8, 0),
    }
    form = PlanSetupForm(request.POST or None, initial=initial, runner=runner, templates=templates)
    if request.method == "POST" and form.is_valid():
        try:
            plan_setup_submit(
                runner=runner,
                template=form.cleaned_data["template"],
                context=form.context(irritability=screening.irritability),
                scores=form.scores(),
                reminder_time=form.cleaned_data["reminder_time"],
                checkin_time=form.cleaned_data["checkin_time"],
            )
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your plan is ready."))
            return redirect("runner:week")
    context = {
        "form": form,
        "suggested": suggested,
        "condition_label": CONDITION_LABELS.get(screening.condition, ""),
    }
    return render(request, "runner/setup.html", context)


# --- This week -------------------------------------------------------------------------------


def _seen_key(plan: Plan) -> str:
    return f"plan-{plan.pk}-seen-revision"


def _run_labels(run: dict) -> dict:
    return {
        "mode": RUN_MODES.get(run.get("mode"), run.get("mode", "")),
        "stage": run.get("walk_run_stage"),
        "minutes": run.get("weekly_minutes"),
        "runs_per_week": run.get("runs_per_week"),
        "cadence": run.get("cadence_increase_pct") or 0,
        "terrain": [TERRAIN_RULES.get(code, code) for code in run.get("terrain_rules", ())],
    }


@login_required
@require_GET
def this_week(request):
    _runner_only(request)
    plan = selectors.current_plan(runner=request.user)
    if plan is None:
        return redirect("runner:setup")
    today = _today(request)
    week = selectors.week_containing(plan=plan, day=today)
    sessions = selectors.week_sessions(week=week) if week else []
    revision = plan.current_revision
    seen = request.session.get(_seen_key(plan))
    if seen is None and revision is not None:
        request.session[_seen_key(plan)] = seen = revision.number
    changed = revision is not None and seen is not None and revision.number > seen
    answered = selectors.answered_weeks(runner=request.user)
    plan_week = (today - plan.start_date).days // 7 + 1
    context = {
        "plan": plan,
        "week": week,
        "today": today,
        "today_sessions": [s for s in sessions if s.date == today],
        "sessions": sessions,
        "run": _run_labels(week.run) if week else None,
        "topics": selectors.education_topics(week.education) if week else [],
        "changed": changed,
        "follow_up_week": due_week(plan_week, answered),
    }
    return render(request, "runner/week.html", context)


# --- Session player ------------------------------------------------------------------------


def _player_forms(request, session, prefs, data=None):
    exercise_forms = [
        ExerciseLogForm(data, prefix=f"ex{rx.pk}", prescription=rx, load_unit=prefs.load_unit)
        for rx in session.prescriptions.all()
    ]
    return exercise_forms, SessionLogForm(data, prefix="session")


@login_required
@require_http_methods(["GET", "POST"])
def session_player(request, pk: int):
    _runner_only(request)
    session = selectors.session_for_runner(runner=request.user, pk=pk)
    if session is None:
        raise Http404
    prefs = preferences_for(request.user)
    logged = getattr(session, "log", None)
    if logged is not None and request.method == "POST":
        messages.info(request, _("This session was already saved."))
        return redirect("runner:week")
    data = request.POST if request.method == "POST" else None
    exercise_forms, session_form = _player_forms(request, session, prefs, data)
    if data is not None and session_form.is_valid() and all(f.is_valid() for f in exercise_forms):
        try:
            session_log_create(
                runner=request.user,
                session=session,
                exercises=[f.item() for f in exercise_forms],
                pain_after=session_form.cleaned_data["pain_after"],
                red_flags=tuple(session_form.cleaned_data["red_flags"]),
                notes=session_form.cleaned_data["notes"],
            )
        except ConflictError:
            messages.info(request, _("This session was already saved."))
            return redirect("runner:week")
        except NotFoundError as error:
            raise Http404 from error
        except ApplicationError as error:
            add_service_errors(session_form, error)
        else:
            messages.success(request, _("Session saved. Well done."))
            response = redirect(f"{reverse('runner:week')}?saved={session.pk}")
            return response
    context = {
        "session": session,
        "pairs": list(zip(session.prescriptions.all(), exercise_forms, strict=True)),
        "session_form": session_form,
        "logged": logged,
        "logged_exercises": selectors.logged_exercises(logged) if logged else [],
        "prefs": prefs,
        "is_future": session.date > _today(request),
    }
    return render(request, "runner/player.html", context)


# --- Check-in, run log, flare-up ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request):
    _runner_only(request)
    form = CheckinForm(request.POST or None, runner=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            checkin_create(runner=request.user, **form.cleaned_data)
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you. Your check-in is saved."))
            return redirect("runner:week")
    return render(request, "runner/checkin.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def run_new(request):
    _runner_only(request)
    prefs = preferences_for(request.user)
    form = RunLogForm(request.POST or None, runner=request.user, distance_unit=prefs.distance_unit)
    if request.method == "POST" and form.is_valid():
        try:
            run_log_create(runner=request.user, **form.fields_for_service())
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Run saved."))
            return redirect("runner:week")
    return render(request, "runner/run_new.html", {"form": form})


@login_required
@require_POST
def flare_up(request):
    _runner_only(request)
    try:
        flare = flare_up_report(runner=request.user, date=_today(request))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("runner:week")
    return redirect("runner:flare_result", pk=flare.pk)


@login_required
@require_GET
def flare_result(request, pk: int):
    _runner_only(request)
    flare = get_object_or_404(FlareUp, pk=pk, runner=request.user)
    topic = EducationTopic.objects.filter(slug=FLARE_UP_TOPIC).first()
    decisions = [
        view
        for view in selectors.plan_decisions(runner=request.user, language=get_language())
        if view.decision.created_at >= flare.created_at
    ]
    context = {
        "flare": flare,
        "topic": topic,
        "decisions": decisions,
        "plan": selectors.current_plan(runner=request.user),
    }
    return render(request, "runner/flare.html", context)


# --- Follow-up questionnaires ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def follow_up(request):
    _runner_only(request)
    plan = selectors.current_plan(runner=request.user)
    if plan is None:
        return redirect("runner:setup")
    plan_week = (_today(request) - plan.start_date).days // 7 + 1
    week = due_week(plan_week, selectors.answered_weeks(runner=request.user))
    if week is None:
        messages.info(request, _("No questionnaire is due now."))
        return redirect("runner:progress")
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        questionnaire_record(runner=request.user, week=week, scores=form.scores())
        messages.success(request, _("Thank you. Your answers are saved."))
        return redirect("runner:progress")
    return render(request, "runner/follow_up.html", {"form": form, "week": week})


# --- Progress ---------------------------------------------------------------------------------


def _progress_charts(data: selectors.Progress) -> dict:
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


def _exercise_charts(data: selectors.Progress, load_unit: str) -> list[dict]:
    out = []
    for index, (name, points) in enumerate(sorted(data.exercises.items())):
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


def _questionnaire_rows(data: selectors.Progress) -> list[dict]:
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
        rows.append({"instrument": instrument, "svg": svg, "table": table})
    return rows


@login_required
@require_GET
def progress(request):
    _runner_only(request)
    plan = selectors.current_plan(runner=request.user)
    if plan is None:
        return redirect("runner:setup")
    prefs = preferences_for(request.user)
    data = selectors.progress(plan=plan, today=_today(request))
    context = {
        "plan": plan,
        "data": data,
        "charts": _progress_charts(data),
        "exercise_charts": _exercise_charts(data, prefs.load_unit),
        "questionnaires": _questionnaire_rows(data),
    }
    return render(request, "runner/progress.html", context)


# --- Why did my plan change? -----------------------------------------------------------------


@login_required
@require_GET
def plan_changes(request):
    _runner_only(request)
    plan = selectors.current_plan(runner=request.user)
    if plan is not None and plan.current_revision is not None:
        request.session[_seen_key(plan)] = plan.current_revision.number
    decisions = selectors.plan_decisions(runner=request.user, language=get_language())
    return render(request, "runner/changes.html", {"plan": plan, "decisions": decisions})


@login_required
@require_GET
def topic(request, slug: str):
    topic = get_object_or_404(
        EducationTopic.objects.active().prefetch_related("sources"), slug=slug
    )
    return render(request, "runner/topic.html", {"topic": topic})


# --- Training settings and the calendar feed --------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def training_settings(request):
    _runner_only(request)
    prefs = preferences_for(request.user)
    form = TrainingSettingsForm(
        request.POST or None,
        initial={"distance_unit": prefs.distance_unit, "load_unit": prefs.load_unit},
    )
    if request.method == "POST" and form.is_valid():
        preferences_update(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your settings are saved."))
        return redirect("runner:training_settings")
    feed = request.build_absolute_uri(
        reverse("runner:calendar", kwargs={"token": prefs.calendar_token})
    )
    return render(request, "runner/training_settings.html", {"form": form, "feed_url": feed})


@login_required
@require_POST
def calendar_reset(request):
    _runner_only(request)
    calendar_token_reset(user=request.user)
    messages.success(request, _("A new calendar link was made; the old one no longer works."))
    return redirect("runner:training_settings")


@require_GET
def calendar_feed(request, token: str):
    prefs = RunnerPreferences.objects.select_related("user").filter(calendar_token=token).first()
    if prefs is None or not prefs.user.is_active:
        raise Http404
    from django.utils import translation

    user = prefs.user
    with translation.override(user.language):
        events = [
            ical.CalendarEvent(
                uid=f"session-{s.pk}@hip-rehab",
                day=s.date,
                summary=f"{s.get_kind_display()} · {_('Hip Rehab')}",
                description="\n".join(
                    f"{rx.exercise.name}: {rx.sets} x {rx.reps or f'{rx.hold_seconds} s'}"
                    for rx in s.prescriptions.all()
                ),
                url=request.build_absolute_uri(reverse("runner:session", kwargs={"pk": s.pk})),
            )
            for s in selectors.calendar_sessions(runner=user)
        ]
        body = ical.calendar(events, name=_("Hip Rehab training"), stamp=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response
