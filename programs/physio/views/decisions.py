"""Approve or reject engine decisions that wait for the physio: one, or many at once with
an optional message to the runner."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from programs.physio.forms import BulkDecisionForm
from programs.physio.views.common import _linked_runner, _physio_only, _plan_or_404
from programs.physio.views.runner import _render_runner
from programs.plans.models import Decision
from programs.plans.services.approvals import decision_approve, decision_reject, decisions_decide
from programs.ui.forms import add_service_errors
from rehab.accounts.selectors import runners_of
from rehab.core.errors import ApplicationError, ConflictError
from rehab.core.submission import submission_guard


@login_required
@require_POST
@submission_guard
def decision_decide(request, pk: int, verdict: str):
    _physio_only(request)
    decision = get_object_or_404(
        Decision.objects.filter(plan__runner__in=runners_of(request.user)).select_related(
            "plan__runner"
        ),
        pk=pk,
    )
    decide = {"approve": decision_approve, "reject": decision_reject}.get(verdict)
    if decide is None:
        raise Http404
    try:
        decide(decision=decision, physio=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The change is applied.") if verdict == "approve" else _("The change is rejected."),
        )
    return redirect("physio:runner", runner_id=decision.plan.runner_id)


@login_required
@require_POST
@submission_guard
def decisions_bulk(request, runner_id: int):
    """The ticked pending decisions of this runner's plan, approved or rejected together."""
    runner = _linked_runner(request, runner_id)
    plan = _plan_or_404(runner)
    pending = Decision.objects.filter(plan=plan, status=Decision.Status.PENDING)
    form = BulkDecisionForm(
        request.POST, choices=[(pk, pk) for pk in pending.values_list("pk", flat=True)]
    )
    if not form.is_valid():
        return _render_runner(request, runner, plan, bulk_form=form, status=400)
    data = form.cleaned_data
    try:
        decided = decisions_decide(
            decision_ids=data["decisions"],
            verdict=data["verdict"],
            message=data["message"],
            physio=request.user,
            runner_ids=[runner.pk],
        )
    except ConflictError as error:
        messages.error(request, error.message)
    except ApplicationError as error:
        add_service_errors(form, error)
        return _render_runner(request, runner, plan, bulk_form=form, status=400)
    else:
        count = len(decided)
        if data["verdict"] == "approve":
            text = ngettext("%(n)s change is applied.", "%(n)s changes are applied.", count) % {
                "n": count
            }
        else:
            text = ngettext("%(n)s change is rejected.", "%(n)s changes are rejected.", count) % {
                "n": count
            }
        messages.success(request, text)
    return redirect("physio:runner", runner_id=runner.pk)
