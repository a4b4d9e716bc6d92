"""What the runner records outside a session: the morning check-in (and changing it the
same day), a run (typed in or imported from watch files, then changed or deleted; the run
history per week), a flare-up."""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from programs.content.models import EducationTopic
from programs.engine.vocabulary import RUN_MODES, TERRAIN_RULES
from programs.logbook import selectors
from programs.logbook.models import FlareUp
from programs.logbook.services import (
    checkin_create,
    checkin_update,
    flare_up_report,
    preferences_for,
    run_answers_record,
    run_log_create,
    run_log_delete,
    run_log_update,
)
from programs.logbook.services import run_import as run_import_files
from programs.plans.services.state import plan_policy
from programs.runner.forms import (
    CheckinForm,
    FlareUpForm,
    RunAnswersForm,
    RunImportForm,
    RunLogForm,
)
from programs.runner.views.common import FLARE_UP_TOPIC, posted_data, runner_only, runner_today
from programs.ui.forms import add_service_errors
from programs.ui.uploads import request_too_large, too_large_message
from rehab.core.errors import ApplicationError, ConflictError, NotFoundError
from rehab.core.submission import submission_guard
from rehab.core.timeutils import local_now


def _baseline(runner) -> float | None:
    """The baseline the engine compares next-morning pain with: the open plan's."""
    plan = selectors.current_plan(runner=runner)
    return plan.baseline_pain if plan is not None else None


def _already_checked_in(request, checkin):
    messages.info(
        request,
        _("You already checked in for that day. Here are your answers: change them if needed."),
    )
    return redirect("runner:checkin_edit", pk=checkin.pk)


@login_required
@require_http_methods(["GET", "POST"])
@submission_guard
def checkin(request):
    """Today's check-in; once given, the same link shows it for changing (no conflict)."""
    runner_only(request)
    if request.method == "GET":
        given = selectors.checkin_on(runner=request.user, date=runner_today(request))
        if given is not None:
            return redirect("runner:checkin_edit", pk=given.pk)
    form = CheckinForm(posted_data(request), runner=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = checkin_create(runner=request.user, **form.fields_for_service())
        except ConflictError:
            given = selectors.checkin_on(runner=request.user, date=form.cleaned_data["date"])
            return _already_checked_in(request, given)
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you. Your check-in is saved."))
            baseline = _baseline(request.user)
            now = local_now(request.user.timezone)
            if selectors.settled_question_applies(checkin=saved, baseline=baseline, now_local=now):
                messages.info(request, _("One more question: has it settled by midday?"))
                return redirect("runner:checkin_edit", pk=saved.pk)
            if baseline is not None and saved.pain > baseline and saved.date == now.date():
                messages.info(
                    request,
                    _(
                        "Your pain is above your usual level. After midday we will ask you "
                        "whether it has settled."
                    ),
                )
            return redirect("runner:week")
    return render(request, "runner/checkin.html", {"form": form, "checkin": None})


@login_required
@require_http_methods(["GET", "POST"])
def checkin_edit(request, pk: int):
    """Change a check-in already given, and answer "has it settled by midday?"."""
    runner_only(request)
    given = selectors.checkin_of(runner=request.user, pk=pk)
    if given is None:
        raise Http404
    ask_settled = given.settled_by_midday is not None or selectors.settled_question_applies(
        checkin=given,
        baseline=_baseline(request.user),
        now_local=local_now(request.user.timezone),
    )
    form = CheckinForm(
        posted_data(request), runner=request.user, checkin=given, ask_settled=ask_settled
    )
    if request.method == "POST" and form.is_valid():
        try:
            checkin_update(runner=request.user, checkin=given, **form.fields_for_service())
        except NotFoundError as error:
            raise Http404 from error
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your check-in is updated."))
            return redirect("runner:week")
    return render(request, "runner/checkin.html", {"form": form, "checkin": given})


def _run_form(request, run=None):
    prefs = preferences_for(request.user)
    return RunLogForm(
        posted_data(request), runner=request.user, distance_unit=prefs.distance_unit, run=run
    )


def _run_page(request, form, import_form, status=200):
    return render(
        request,
        "runner/run_new.html",
        {
            "form": form,
            "import_form": import_form,
            "max_mb": settings.RUN_IMPORT_MAX_FILE_BYTES // (1024 * 1024),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
@submission_guard
def run_new(request):
    """Log a run by hand, or import runs from watch files (the second form)."""
    runner_only(request)
    form = _run_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            run_log_create(runner=request.user, **form.fields_for_service())
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Run saved."))
            return redirect("runner:week")
    return _run_page(request, form, RunImportForm())


def _refuse_large_upload(view):
    """Before anything reads the body (the submission guard reads the form): a request
    larger than the files it may carry is answered with the form and its error."""

    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        if request.method == "POST" and request_too_large(request):
            runner_only(request)
            import_form = RunImportForm(data={}, files={})
            import_form.errors["files"] = import_form.error_class([too_large_message()])
            # Unbound: reading request.POST would parse the body this refuses.
            return _run_page(request, RunLogForm(runner=request.user), import_form)
        return view(request, *args, **kwargs)

    return checked


@login_required
@require_POST
@_refuse_large_upload
@submission_guard
def run_import(request):
    """Import one or several GPX, TCX or FIT files, then ask for each run's pain."""
    runner_only(request)
    import_form = RunImportForm(request.POST, request.FILES)
    if import_form.is_valid():
        try:
            result = run_import_files(runner=request.user, files=import_form.files_for_service())
        except ApplicationError as error:
            add_service_errors(import_form, error)
        else:
            for run in result.existing:
                messages.info(
                    request,
                    _("The run of %(date)s was imported before: it is not added again.")
                    % {"date": date_format(run.date, "DATE_FORMAT")},
                )
            if result.against_terrain:
                messages.warning(
                    request,
                    _(
                        "A run you imported was hilly, and your plan asks for flat running "
                        "this week: keep to flat routes for now."
                    ),
                )
            if result.created:
                messages.success(
                    request,
                    ngettext(
                        "%(n)s run imported. How did it feel?",
                        "%(n)s runs imported. How did they feel?",
                        len(result.created),
                    )
                    % {"n": len(result.created)},
                )
            if selectors.runs_awaiting_answers(runner=request.user):
                return redirect("runner:run_answers")
            return redirect("runner:runs")
    return _run_page(request, RunLogForm(runner=request.user), import_form)


@login_required
@require_http_methods(["GET", "POST"])
@submission_guard
def run_answers(request):
    """Pain during and after, and effort, for the imported runs that wait for them."""
    runner_only(request)
    runs = selectors.runs_awaiting_answers(runner=request.user)
    if request.method == "GET" and not runs:
        return redirect("runner:runs")
    form = RunAnswersForm(posted_data(request), runs=runs)
    if request.method == "POST" and form.is_valid():
        try:
            run_answers_record(runner=request.user, answers=form.answers_for_service())
        except NotFoundError as error:
            raise Http404 from error
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you. Your runs are saved."))
            return redirect("runner:runs")
    return render(request, "runner/run_answers.html", {"form": form})


@login_required
@require_GET
def runs(request):
    """The runner's runs per week against the plan's running prescription."""
    runner_only(request)
    weeks = selectors.run_history(runner=request.user, today=runner_today(request))
    prefs = preferences_for(request.user)
    return render(
        request,
        "runner/runs.html",
        {
            "weeks": [_week_view(week) for week in weeks],
            "awaiting": len(selectors.runs_awaiting_answers(runner=request.user)),
            "distance_unit": prefs.distance_unit,
        },
    )


def _week_view(week):
    rx = week.prescription or {}
    return {
        "week": week,
        "mode": RUN_MODES.get(rx.get("mode", ""), "") if rx else "",
        "terrain": [TERRAIN_RULES.get(code, code) for code in rx.get("terrain_rules", ())],
    }


def _own_run(request, pk: int):
    run = selectors.run_of(runner=request.user, pk=pk)
    if run is None:
        raise Http404
    return run


@login_required
@require_http_methods(["GET", "POST"])
@submission_guard
def run_edit(request, pk: int):
    runner_only(request)
    run = _own_run(request, pk)
    form = _run_form(request, run=run)
    if request.method == "POST" and form.is_valid():
        try:
            run_log_update(runner=request.user, run=run, **form.fields_for_service())
        except NotFoundError as error:
            raise Http404 from error
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Run updated."))
            return redirect("runner:runs")
    return render(request, "runner/run_edit.html", {"form": form, "run": run})


@login_required
@require_POST
@submission_guard
def run_delete(request, pk: int):
    runner_only(request)
    run = _own_run(request, pk)
    try:
        run_log_delete(runner=request.user, run=run)
    except NotFoundError as error:
        raise Http404 from error
    messages.success(request, _("Run deleted."))
    return redirect("runner:runs")


@login_required
@require_http_methods(["GET", "POST"])
@submission_guard
def flare_up(request):
    """The flare-up button asks first: how bad is it (required), what happened, any
    warning signs. Nothing is recorded until the runner confirms."""
    runner_only(request)
    plan = selectors.current_plan(runner=request.user)
    form = FlareUpForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            flare = flare_up_report(
                runner=request.user,
                date=runner_today(request),
                severity=form.cleaned_data["severity"],
                note=form.cleaned_data["note"],
                red_flags=tuple(form.cleaned_data["red_flags"]),
            )
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            return redirect("runner:flare_result", pk=flare.pk)
    context = {
        "form": form,
        "plan": plan,
        "needs_approval": plan is not None and plan_policy(plan).require_approval,
    }
    return render(request, "runner/flare_confirm.html", context)


@login_required
@require_GET
def flare_result(request, pk: int):
    runner_only(request)
    flare = get_object_or_404(FlareUp, pk=pk, runner=request.user)
    topic = EducationTopic.objects.filter(slug=FLARE_UP_TOPIC).first()
    outcome = selectors.flare_up_outcome(flare=flare, language=get_language())
    context = {
        "flare": flare,
        "topic": topic,
        "outcome": outcome.state,
        "outcome_message": selectors.flare_outcome_message(outcome.state),
        "decisions": outcome.decisions,
        "plan": selectors.current_plan(runner=request.user),
    }
    return render(request, "runner/flare.html", context)
