"""Training settings (units, the calendar feed's secret address) and the calendar feed."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from programs.logbook import selectors
from programs.logbook.printing import plan_print
from programs.logbook.questionnaire_models import RunnerPreferences
from programs.logbook.services import (
    calendar_token_reset,
    preferences_for,
    preferences_update,
)
from programs.runner import ical
from programs.runner.forms import (
    TrainingSettingsForm,
)
from programs.runner.views.common import runner_only
from programs.ui.pdf import pdf_response
from rehab.core.submission import submission_guard
from rehab.core.timeutils import local_today


@login_required
@require_http_methods(["GET", "POST"])
@submission_guard
def training_settings(request):
    runner_only(request)
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
    context = {
        "form": form,
        "feed_url": feed,
        "has_plan": selectors.current_plan(runner=request.user) is not None,
    }
    return render(request, "runner/training_settings.html", context)


def _own_sheet(request) -> dict | None:
    plan = selectors.current_plan(runner=request.user)
    if plan is None:
        return None
    return {
        "runner": request.user,
        "plan": plan,
        "back_url": reverse("runner:training_settings"),
        "pdf_url": reverse("runner:plan_pdf"),
        "print_url": reverse("runner:plan_print"),
    }


@login_required
@require_GET
def plan_print_page(request):
    """The runner's own plan on paper, in their language."""
    runner_only(request)
    context = _own_sheet(request)
    if context is None:
        return redirect("runner:setup")
    with translation.override(request.user.language):
        context["sheet"] = plan_print(plan=context["plan"])
        return render(request, "plans/print/plan.html", context)


@login_required
@require_GET
def plan_pdf(request):
    """The same plan as a PDF download (503 page when this server cannot make PDFs)."""
    runner_only(request)
    context = _own_sheet(request)
    if context is None:
        return redirect("runner:setup")
    with translation.override(request.user.language):
        context["sheet"] = plan_print(plan=context["plan"])
        return pdf_response(
            request,
            template="plans/print/plan.html",
            context=context,
            filename=f"plan-{context['plan'].start_date:%Y-%m-%d}.pdf",
        )


@login_required
@require_POST
@submission_guard
def calendar_reset(request):
    runner_only(request)
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
        feed = selectors.calendar_feed(runner=user, today=local_today(user.timezone))
        events = [
            ical.CalendarEvent(
                uid=ical.uid_for(s.pk, settings.SITE_URL),
                day=s.date,
                summary=f"{s.get_kind_display()} · {_('Hip Rehab')}",
                description=_session_description(s, feed.outlook),
                url=settings.SITE_URL + reverse("runner:session", kwargs={"pk": s.pk}),
                sequence=s.sequence,
            )
            for s in feed.sessions
        ]
        body = ical.calendar(events, name=_("Hip Rehab training"), stamp=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    return response


def _session_description(session, outlook) -> str:
    lines = [
        f"{rx.exercise.name}: {rx.sets} x {rx.reps or f'{rx.hold_seconds} s'}"
        for rx in session.prescriptions.all()
    ]
    if outlook is not None and session.week.provisional_from and not hasattr(session, "log"):
        lines += ["", outlook.note(session.week.provisional_from)]
    return "\n".join(lines)
