"""A linked runner's plan on paper: the printable page and the PDF, in the runner's
language. Both are reads of the runner's data, so both are audited."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET

from programs.logbook.printing import plan_print
from programs.physio.views.common import _linked_runner, _plan_or_404
from programs.ui.pdf import pdf_response
from rehab.accounts.services import access_log_record


def _sheet(request, runner_id: int, object_type: str):
    runner = _linked_runner(request, runner_id)
    plan = _plan_or_404(runner)
    access_log_record(
        actor=request.user,
        runner=runner,
        object_type=object_type,
        object_id=str(plan.pk),
        path=request.get_full_path(),
    )
    context = {
        "runner": runner,
        "back_url": reverse("physio:runner", args=[runner.pk]),
        "pdf_url": reverse("physio:plan_pdf", args=[runner.pk]),
        "print_url": reverse("physio:plan_print", args=[runner.pk]),
    }
    return runner, plan, context


@login_required
@require_GET
def plan_print_page(request, runner_id: int):
    runner, plan, context = _sheet(request, runner_id, "plan_print")
    with translation.override(runner.language):
        context["sheet"] = plan_print(plan=plan)
        return render(request, "plans/print/plan.html", context)


@login_required
@require_GET
def plan_pdf(request, runner_id: int):
    runner, plan, context = _sheet(request, runner_id, "plan_pdf")
    with translation.override(runner.language):
        context["sheet"] = plan_print(plan=plan)
        return pdf_response(
            request,
            template="plans/print/plan.html",
            context=context,
            filename=f"plan-{plan.start_date:%Y-%m-%d}.pdf",
        )
