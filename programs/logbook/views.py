from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from programs.logbook.forms import ScreeningForm
from programs.logbook.models import Screening
from programs.logbook.screening import CONDITION_LABELS, reason_text
from programs.logbook.services import screening_submit


def _runner_only(request):
    if not request.user.is_runner:
        raise PermissionDenied


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
    }
    return render(request, "runner/screening_result.html", context)
