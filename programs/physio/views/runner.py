"""One runner at a glance: plan calendar, timeline of logs, the runner's charts, questionnaires,\npending decisions in clinician language, decision history, policy and the access audit.\nEvery read is logged; the reads are in programs.physio.selectors."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from programs.content.selectors import template_spec
from programs.engine.rules import localized
from programs.logbook.caseload import caseload
from programs.logbook.models import Referral
from programs.logbook.selectors import (
    current_plan,
    progress,
)
from programs.physio import selectors
from programs.physio.forms import BulkDecisionForm, PhysioReferralClearForm, PolicyForm
from programs.physio.views.caseload import _line
from programs.physio.views.common import _linked_runner
from programs.plans.selectors import plan_outlook
from programs.plans.services.lifecycle import POLICY_EDITABLE
from programs.plans.services.state import plan_policy, plan_state
from programs.ui import progress as progress_parts
from rehab.accounts.services import (
    access_log_record,
)
from rehab.core.timeutils import local_today

RECENT_REFERRALS = 10

# What an access-log row's object type means, for the audit on the page.
ACCESS_LABELS = {
    "runner_overview": gettext_lazy("Runner page"),
    "caseload": gettext_lazy("Caseload"),
    "plan_start": gettext_lazy("Plan start"),
    "plan_print": gettext_lazy("Printable plan"),
    "plan_pdf": gettext_lazy("Plan PDF"),
    "plan_decisions": gettext_lazy("Plan changes (API)"),
}


@dataclass
class PrescriptionRow:
    slot_key: str
    exercise: str
    dose: str
    locked: bool


def _dose(rx) -> str:
    parts = [_("%(sets)s sets") % {"sets": rx.sets}]
    if rx.reps:
        parts.append(_("%(reps)s reps") % {"reps": rx.reps})
    if rx.hold_seconds:
        parts.append(_("%(seconds)s s hold") % {"seconds": rx.hold_seconds})
    if rx.load_kg:
        parts.append(_("%(kg)s kg") % {"kg": rx.load_kg})
    return ", ".join(parts)


def _exercise_choices(spec, state, policy) -> list[tuple[str, str]]:
    """The exercises of the plan's current phase, and any already locked."""
    slugs = [rx.exercise for rx in state.prescriptions]
    slugs += sorted(set(policy.locked_exercises) - set(slugs))
    language = get_language() or "en"
    choices = []
    for slug in dict.fromkeys(slugs):
        exercise = spec.exercises.get(slug)
        name = getattr(localized(exercise), language[:2], exercise.name) if exercise else slug
        choices.append((slug, name))
    return choices


def _runner_context(
    request, runner, plan, policy_form=None, clear_form=None, bulk_form=None
) -> dict:
    rows = caseload(request.user, [runner])
    referrals = list(
        Referral.objects.filter(runner=runner).select_related("cleared_by")[:RECENT_REFERRALS]
    )
    context = {
        "runner": runner,
        "line": _line(rows[0]) if rows else None,
        "plan": plan,
        "open_referrals": [r for r in referrals if r.is_open],
        "cleared_referrals": [r for r in referrals if not r.is_open],
        "clear_form": clear_form or PhysioReferralClearForm(),
        "timeline": selectors.log_timeline(runner=runner),
        "access_log": [
            (entry, ACCESS_LABELS.get(entry.object_type, entry.object_type))
            for entry in selectors.runner_access_log(runner=runner)
        ],
    }
    if plan is None:
        return context
    language = (get_language() or "en")[:2]
    today = local_today(runner.timezone)
    spec = template_spec(plan.template_id)
    state = plan_state(plan)
    policy = plan_policy(plan)
    phase = next((p for p in spec.phases if p.key == state.phase_key), None)
    phase_names = {p.key: getattr(localized(p), language, p.name) for p in spec.phases}
    pending, decisions = selectors.decision_rows(plan=plan, language=language)
    choices = _exercise_choices(spec, state, policy)
    if policy_form is None:
        initial = {name: getattr(policy, name) for name in POLICY_EDITABLE}
        initial["locked_exercises"] = sorted(policy.locked_exercises)
        initial["version"] = plan.version
        policy_form = PolicyForm(initial=initial, exercise_choices=choices)
    if bulk_form is None:
        bulk_form = BulkDecisionForm(
            choices=[(row.decision.pk, row.decision.pk) for row in pending]
        )
    data = progress(plan=plan, today=today)
    calendar = selectors.plan_calendar(plan=plan, today=today)
    for week in calendar:
        week.phase_name = phase_names.get(week.phase_key, week.phase_key)
    context.update(
        {
            "phase_name": getattr(localized(phase), language, phase.name) if phase else "",
            "outlook": plan_outlook(plan=plan, today=today),
            "week_number": max(1, (today - plan.start_date).days // 7 + 1),
            "prescriptions": [
                PrescriptionRow(
                    slot_key=rx.slot_key,
                    exercise=dict(choices).get(rx.exercise, rx.exercise),
                    dose=_dose(rx),
                    locked=rx.exercise in policy.locked_exercises,
                )
                for rx in state.prescriptions
            ],
            "pending": pending,
            "decisions": decisions,
            "bulk_form": bulk_form,
            "policy_form": policy_form,
            "can_undo": plan.revisions.count() > 1,
            "calendar": calendar,
            "weekdays": [day.date for day in calendar[0].days] if calendar else [],
            "data": data,
            "charts": progress_parts.progress_charts(data),
            "questionnaires": progress_parts.questionnaire_rows(data),
            "groc": progress_parts.groc_rows(data),
        }
    )
    return context


@login_required
@require_GET
def runner_page(request, runner_id: int):
    runner = _linked_runner(request, runner_id)
    return _render_runner(request, runner, current_plan(runner=runner))


def _render_runner(
    request, runner, plan, *, policy_form=None, clear_form=None, bulk_form=None, status=200
):
    """The runner's page; showing it is a read of their data, so it is audited."""
    access_log_record(
        actor=request.user,
        runner=runner,
        object_type="runner_overview",
        object_id=str(plan.pk if plan else ""),
        path=request.get_full_path(),
    )
    context = _runner_context(
        request, runner, plan, policy_form=policy_form, clear_form=clear_form, bulk_form=bulk_form
    )
    return render(request, "physio/runner.html", context, status=status)
