"""Setting a plan up (the questionnaires, running, days, equipment, reminders) and the
follow-up questionnaires of weeks 4, 8 and 12."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from programs.content.selectors import startable_templates
from programs.engine.questionnaires import due_week
from programs.engine.screening import CONDITION_LABELS
from programs.logbook import selectors
from programs.logbook.models import Screening
from programs.logbook.services import (
    plan_setup_submit,
    questionnaire_record,
    setup_draft_save,
)
from programs.runner.forms import (
    SETUP_PAGE_BY_KEY,
    SETUP_PAGE_OF_FIELD,
    SETUP_PAGES,
    SETUP_REVIEW_STEP,
    SETUP_STEP_TITLES,
    FollowUpForm,
    PlanSetupForm,
    PlanSetupStepForm,
    SetupPage,
    setup_answers_data,
    setup_display_value,
)
from programs.runner.views.common import posted_data, runner_only, runner_today
from programs.ui.forms import add_service_errors
from rehab.core.errors import ApplicationError
from rehab.core.submission import submission_guard


def _setup_gate(request):
    """Whether this runner may set a plan up now: (None, screening) when so, else
    (the redirect, None). A runner with a plan goes to it; an open referral still blocks
    (with the reason); without a clear screening the runner answers it first."""
    runner_only(request)
    runner = request.user
    if selectors.current_plan(runner=runner) is not None:
        return redirect("runner:week"), None
    if selectors.open_referrals(runner=runner):
        messages.info(
            request,
            _(
                "A clinician should see you before a plan starts. When one has cleared you to "
                "train, record it here."
            ),
        )
        return redirect("runner:referrals"), None
    screening = selectors.latest_screening(runner=runner)
    if screening is None or screening.outcome != Screening.Outcome.OK:
        return redirect("runner:screening"), None
    return None, screening


def _first_open_page(answers: dict) -> SetupPage | None:
    """The first page without stored answers (None: all are answered)."""
    return next((page for page in SETUP_PAGES if page.key not in answers), None)


def _page_url(page: SetupPage | None) -> str:
    if page is None:
        return reverse("runner:setup_review")
    return reverse("runner:setup_step", args=[page.key])


def _initial(request, screening, templates) -> tuple[dict, object, object]:
    """The set-up's suggested answers: a template the physio suggested in the invitation
    first, else the screening's; today; the screening's pain; three days; 18:00 and 08:00."""
    invited = selectors.invited_template(runner=request.user, templates=templates)
    suggested = invited or selectors.recommended_template(
        condition=screening.condition, templates=templates
    )
    initial = {
        "template": suggested,
        "start_date": runner_today(request),
        "baseline_pain": screening.baseline_pain,
        "weekdays": [0, 2, 4],
        "reminder_time": dt.time(18, 0),
        "checkin_time": dt.time(8, 0),
    }
    return initial, suggested, invited


def _progress(current_step: int, answers: dict) -> list[dict]:
    """The numbered steps for the progress list: title, state, and a link once reachable."""
    first_open = _first_open_page(answers)
    reachable = first_open.step if first_open else SETUP_REVIEW_STEP
    steps = []
    for number, title in sorted(SETUP_STEP_TITLES.items()):
        first_page = next((p for p in SETUP_PAGES if p.step == number), None)
        done = number < reachable
        steps.append(
            {
                "number": number,
                "title": title,
                "current": number == current_step,
                "done": done and number != current_step,
                "url": _page_url(first_page) if number <= reachable else "",
            }
        )
    return steps


@login_required
@require_http_methods(["GET", "POST"])
def plan_setup(request):
    """The set-up's entry: on to the first step not yet answered (or the review)."""
    blocked, _screening = _setup_gate(request)
    if blocked:
        return blocked
    answers = selectors.setup_draft_answers(runner=request.user)
    return redirect(_page_url(_first_open_page(answers)))


@login_required
@require_http_methods(["GET", "POST"])
@submission_guard
def plan_setup_step(request, key: str):
    """One page of the set-up. Its answers are validated and stored on the runner's
    draft; a page after one not yet answered sends the runner back to that one."""
    page = SETUP_PAGE_BY_KEY.get(key)
    if page is None:
        raise Http404
    blocked, screening = _setup_gate(request)
    if blocked:
        return blocked
    runner = request.user
    answers = selectors.setup_draft_answers(runner=runner)
    first_open = _first_open_page(answers)
    if first_open is not None and SETUP_PAGES.index(first_open) < SETUP_PAGES.index(page):
        return redirect(_page_url(first_open))
    templates = startable_templates()
    initial, suggested, invited = _initial(request, screening, templates)
    initial.update(answers.get(page.key, {}))
    form = PlanSetupStepForm(
        posted_data(request), initial=initial, runner=runner, templates=templates, page=page
    )
    from_review = request.GET.get("review") == "1" or request.POST.get("review") == "1"
    if request.method == "POST" and form.is_valid():
        answers = setup_draft_save(runner=runner, step=page.key, answers=form.answers()).answers
        index = SETUP_PAGES.index(page)
        if from_review:  # back to the review, unless a page is still to answer
            following = _first_open_page(answers)
        else:
            following = SETUP_PAGES[index + 1] if index + 1 < len(SETUP_PAGES) else None
        return redirect(_page_url(following))
    index = SETUP_PAGES.index(page)
    context = {
        "form": form,
        "page": page,
        "step": page.step,
        "steps": _progress(page.step, answers),
        "total_steps": SETUP_REVIEW_STEP,
        "back_url": _page_url(SETUP_PAGES[index - 1]) if index else "",
        "from_review": from_review,
        "suggested": suggested,
        "invited": invited,
        "condition_label": CONDITION_LABELS.get(screening.condition, ""),
    }
    return render(request, "runner/setup_step.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@submission_guard
def plan_setup_review(request):
    """Every answer with a link to change it, and week 1 of the plan they make, computed
    and not stored; confirming makes the plan (plan_setup_submit) and drops the draft."""
    blocked, screening = _setup_gate(request)
    if blocked:
        return blocked
    runner = request.user
    answers = selectors.setup_draft_answers(runner=runner)
    first_open = _first_open_page(answers)
    if first_open is not None:
        return redirect(_page_url(first_open))
    form = PlanSetupForm(
        setup_answers_data(answers), runner=runner, templates=startable_templates()
    )
    valid = form.is_valid()
    if request.method == "POST" and valid:
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
            valid = False
        else:
            messages.success(request, _("Your plan is ready."))
            return redirect("runner:week")
    field_urls = {name: _page_url(page) + "?review=1" for name, page in SETUP_PAGE_OF_FIELD.items()}
    sections = []
    for page in SETUP_PAGES:
        rows = []
        if valid:
            rows = [
                {"label": form.fields[name].label, "value": setup_display_value(form, name)}
                for name in page.fields
                # the optional activities that were left empty are not answers
                if not name.startswith("psfs_")
                or (form.cleaned_data.get(name) is not None and form.cleaned_data.get(name) != "")
            ]
        sections.append({"page": page, "rows": rows, "change_url": _page_url(page) + "?review=1"})
    preview = None
    if valid:
        preview = selectors.plan_setup_preview(
            runner=runner,
            template=form.cleaned_data["template"],
            context=form.context(irritability=screening.irritability),
        )
    context = {
        "form": form,
        "valid": valid,
        "field_urls": field_urls,
        "sections": sections,
        "preview": preview,
        "step": SETUP_REVIEW_STEP,
        "steps": _progress(SETUP_REVIEW_STEP, answers),
        "total_steps": SETUP_REVIEW_STEP,
        "back_url": _page_url(SETUP_PAGES[-1]),
    }
    return render(request, "runner/setup_review.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@submission_guard
def follow_up(request):
    runner_only(request)
    plan = selectors.current_plan(runner=request.user)
    if plan is None:
        return redirect("runner:setup")
    plan_week = (runner_today(request) - plan.start_date).days // 7 + 1
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
