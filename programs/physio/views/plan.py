"""Commands on a runner's plan: start, policy, pause or resume, undo, clear a referral."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from programs.content.selectors import startable_templates, template_spec
from programs.engine.specs import Policy
from programs.logbook.models import Referral
from programs.logbook.selectors import (
    current_plan,
    latest_screening,
    open_referrals,
    recommended_template,
)
from programs.logbook.services import plan_resume, referral_clear_by_physio
from programs.logbook.services import plan_start as plan_start_service
from programs.physio.forms import PhysioReferralClearForm, PlanStartForm, PolicyForm
from programs.physio.views.common import _linked_runner, _plan_or_404
from programs.physio.views.runner import _exercise_choices, _render_runner
from programs.plans.models import Plan
from programs.plans.services.approvals import plan_revision_undo
from programs.plans.services.lifecycle import plan_policy_update, plan_set_status
from programs.plans.services.state import plan_policy, plan_state
from programs.ui.forms import add_service_errors
from rehab.accounts.services import (
    access_log_record,
)
from rehab.core.errors import ApplicationError, ConflictError
from rehab.core.ids import parse_id
from rehab.core.submission import submission_guard
from rehab.core.timeutils import local_today


@login_required
@require_POST
@submission_guard
def policy_update(request, runner_id: int):
    runner = _linked_runner(request, runner_id)
    plan = _plan_or_404(runner)
    spec = template_spec(plan.template_id)
    choices = _exercise_choices(spec, plan_state(plan), plan_policy(plan))
    form = PolicyForm(request.POST, exercise_choices=choices)
    if form.is_valid():
        try:
            plan_policy_update(
                plan=plan,
                changes=form.changes(),
                by=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except ConflictError as error:
            messages.error(request, error.message)
            return redirect("physio:runner", runner_id=runner.pk)
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The progression settings are saved."))
            return redirect("physio:runner", runner_id=runner.pk)
    return _render_runner(request, runner, plan, policy_form=form, status=400)


@login_required
@require_POST
@submission_guard
def plan_status(request, runner_id: int):
    runner = _linked_runner(request, runner_id)
    plan = _plan_or_404(runner)
    wanted = {"pause": Plan.Status.PAUSED, "resume": Plan.Status.ACTIVE}.get(
        request.POST.get("action", "")
    )
    if wanted is None:
        messages.error(request, _("Unknown action."))
        return redirect("physio:runner", runner_id=runner.pk)
    version = parse_id(request.POST.get("version", ""))
    try:
        if wanted == Plan.Status.ACTIVE:
            plan_resume(plan=plan, by=request.user, expected_version=version)
        else:
            plan_set_status(plan=plan, status=wanted, expected_version=version)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The plan is paused.") if wanted == Plan.Status.PAUSED else _("The plan runs again."),
        )
    return redirect("physio:runner", runner_id=runner.pk)


@login_required
@require_POST
@submission_guard
def plan_undo(request, runner_id: int):
    runner = _linked_runner(request, runner_id)
    plan = _plan_or_404(runner)
    try:
        plan_revision_undo(plan=plan, by=request.user, today=local_today(runner.timezone))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The latest change is undone from today on."))
    return redirect("physio:runner", runner_id=runner.pk)


@login_required
@require_http_methods(["GET", "POST"])
@submission_guard
def plan_start(request, runner_id: int):
    """Start a plan for a linked runner who has none open and whose screening is clear."""
    runner = _linked_runner(request, runner_id)
    if current_plan(runner=runner) is not None:
        messages.info(request, _("This runner already has an open plan."))
        return redirect("physio:runner", runner_id=runner.pk)
    screening = latest_screening(runner=runner)
    access_log_record(
        actor=request.user,
        runner=runner,
        object_type="plan_start",
        object_id=str(screening.pk if screening else ""),
        path=request.get_full_path(),
    )
    templates = startable_templates()
    suggested = recommended_template(condition=screening.condition if screening else None)
    initial = {
        "template": suggested,
        "start_date": local_today(runner.timezone),
        "baseline_pain": screening.baseline_pain if screening else None,
        "weekdays": [0, 2, 4],
    }
    form = PlanStartForm(request.POST or None, initial=initial, runner=runner, templates=templates)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                plan_start_service(
                    runner=runner,
                    template=form.cleaned_data["template"],
                    context=form.context(irritability=screening.irritability if screening else ""),
                    policy=Policy(require_approval=form.cleaned_data["require_approval"]),
                    created_by=request.user,
                    weeks=12,
                )
            except ApplicationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The plan is started. The runner sees it now."))
                return redirect("physio:runner", runner_id=runner.pk)
    context = {
        "runner": runner,
        "form": form,
        "screening": screening,
        "open_referrals": open_referrals(runner=runner),
    }
    return render(request, "physio/plan_start.html", context, status=status)


@login_required
@require_POST
@submission_guard
def referral_clear(request, runner_id: int, pk: int):
    """Clear a linked runner's referral, with a note; who and when stay on the row."""
    runner = _linked_runner(request, runner_id)
    referral = get_object_or_404(Referral.objects.filter(runner=runner), pk=pk)
    form = PhysioReferralClearForm(request.POST)
    if form.is_valid():
        try:
            referral_clear_by_physio(
                referral=referral, physio=request.user, note=form.cleaned_data["note"]
            )
        except ConflictError as error:
            messages.error(request, error.message)
            return redirect("physio:runner", runner_id=runner.pk)
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The referral is cleared. The runner can start or resume a plan when ready."),
            )
            return redirect("physio:runner", runner_id=runner.pk)
    return _render_runner(request, runner, current_plan(runner=runner), clear_form=form, status=400)
