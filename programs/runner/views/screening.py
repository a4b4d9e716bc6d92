"""The safety screening, its result, and referrals: the runner's open referrals, the
clinician's all-clear they record, and resuming a plan a warning sign paused."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from programs.engine.screening import CONDITION_LABELS, reason_text
from programs.logbook import selectors
from programs.logbook.models import Referral, Screening
from programs.logbook.services import (
    plan_resume,
    referral_clear_by_runner,
    screening_submit,
)
from programs.runner.forms import (
    ReferralClearForm,
    ScreeningForm,
)
from programs.runner.views.common import runner_only
from programs.ui.forms import add_service_errors
from rehab.core.errors import ApplicationError
from rehab.core.submission import submission_guard


@login_required
@require_http_methods(["GET", "POST"])
@submission_guard
def screening_start(request):
    runner_only(request)
    form = ScreeningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        screening = screening_submit(runner=request.user, answers=form.answers())
        return redirect("runner:screening_result", pk=screening.pk)
    context = {"form": form, "open_referrals": selectors.open_referrals(runner=request.user)}
    return render(request, "runner/screening.html", context)


@login_required
def screening_result(request, pk: int):
    runner_only(request)
    screening = get_object_or_404(Screening, pk=pk, runner=request.user)
    reasons = [reason_text(code) for code in screening.reasons]
    still_open = selectors.open_referrals(runner=request.user)
    context = {
        "screening": screening,
        "reasons": reasons,
        "condition_label": CONDITION_LABELS.get(screening.condition, ""),
        "has_plan": selectors.current_plan(runner=request.user) is not None,
        "earlier_referrals": [
            r
            for r in still_open
            if not (r.source == Referral.Source.SCREENING and r.source_id == screening.pk)
        ],
    }
    return render(request, "runner/screening_result.html", context)


@login_required
@require_GET
def referrals(request):
    """The runner's referrals: open ones first, each with a way to record the all-clear."""
    runner_only(request)
    rows = list(selectors.referrals_visible_to(request.user).filter(runner=request.user))
    plan = selectors.current_plan(runner=request.user)
    context = {
        "open": [r for r in rows if r.is_open],
        "cleared": [r for r in rows if not r.is_open],
        "plan": plan,
    }
    return render(request, "runner/referrals.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@submission_guard
def referral_clear(request, pk: int):
    """The runner states that a clinician assessed them and cleared them to train."""
    runner_only(request)
    referral = get_object_or_404(Referral.objects.still_open(), pk=pk, runner=request.user)
    form = ReferralClearForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            referral_clear_by_runner(
                referral=referral,
                runner=request.user,
                clinician=form.cleaned_data["clinician"],
                assessed_on=form.cleaned_data["assessed_on"],
                confirmed=form.cleaned_data["confirmed"],
            )
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you. The referral is cleared."))
            return redirect("runner:referrals")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "referral": referral}
    return render(request, "runner/referral_clear.html", context, status=status)


@login_required
@require_POST
@submission_guard
def plan_resume_view(request):
    """The runner resumes their paused plan (after a referral: once it is cleared)."""
    runner_only(request)
    plan = selectors.current_plan(runner=request.user)
    if plan is None:
        raise Http404
    try:
        plan_resume(plan=plan, by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your plan runs again."))
    return redirect("runner:week")
