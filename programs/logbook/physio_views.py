"""The physiotherapist's pages: the caseload at a glance, one runner's plan, and the
commands on it (approve or reject a change, set the progression policy, pause, resume,
undo), plus inviting runners.

Parse input, call one service or selector, render. Runners are looked up among the
physio's consenting, linked runners only (rehab.accounts.selectors.runners_of): anything
else answers 404. Every page that shows a runner's data records the read in the access
log, as the API does.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from programs.exercises.models import EvidenceSource
from programs.logbook.caseload import Flag, caseload
from programs.logbook.forms import add_service_errors
from programs.logbook.physio_forms import InviteForm, PlanStartForm, PolicyForm
from programs.logbook.screening import TEMPLATE_FOR_CONDITION
from programs.logbook.selectors import current_plan, latest_screening
from programs.plans.models import ProgramTemplate
from programs.plans.plan_models import Decision, Plan
from programs.plans.rules import localized
from programs.plans.selectors import template_spec
from programs.plans.services import (
    POLICY_EDITABLE,
    decision_approve,
    decision_reject,
    plan_generate,
    plan_policy,
    plan_policy_update,
    plan_revision_undo,
    plan_set_status,
    plan_state,
)
from programs.plans.specs import Policy
from rehab.accounts.models import Invitation
from rehab.accounts.selectors import runners_of
from rehab.accounts.services import (
    access_log_record,
    access_log_record_many,
    invitation_create,
    invitation_revoke,
)
from rehab.core.errors import ApplicationError, ConflictError
from rehab.core.timeutils import local_today

FLAG_LABELS = {
    Flag.REFERRED: gettext_lazy("Referred: a warning sign was reported"),
    Flag.PENDING_APPROVAL: gettext_lazy("Changes wait for your approval"),
    Flag.DELOAD: gettext_lazy("Lighter week in the last 14 days"),
    Flag.FLARE_UP: gettext_lazy("Flare-up in the last 14 days"),
    Flag.NO_RECENT_LOG: gettext_lazy("Nothing logged for 7 days"),
}
TREND_LABELS = {
    "rising": gettext_lazy("rising"),
    "falling": gettext_lazy("falling"),
    "stable": gettext_lazy("stable"),
    "unknown": gettext_lazy("not enough data"),
}
# Flags that need the physio first: the caseload lists those runners at the top.
URGENT = (Flag.REFERRED, Flag.PENDING_APPROVAL, Flag.FLARE_UP)
RECENT_DECISIONS = 20


def _physio_only(request) -> None:
    if not request.user.is_physio:
        raise PermissionDenied


def _linked_runner(request, runner_id: int):
    """A runner linked to the signed-in physio with consent, or 404."""
    _physio_only(request)
    return get_object_or_404(runners_of(request.user), pk=runner_id)


@dataclass
class Line:
    """A caseload row with its flags and trend in words, for the templates."""

    row: object
    flags: list[tuple[str, str]]
    trend: str


def _line(row) -> Line:
    return Line(
        row=row,
        flags=[(flag, FLAG_LABELS[flag]) for flag in row.flags],
        trend=TREND_LABELS.get(row.pain.direction, ""),
    )


def _urgency(row) -> tuple:
    return (
        -sum(flag in URGENT for flag in row.flags),
        -len(row.flags),
        (row.runner.last_name, row.runner.first_name, row.runner.email),
    )


# --- Caseload --------------------------------------------------------------------------


@login_required
@require_GET
def caseload_page(request):
    _physio_only(request)
    return _render_caseload(request, InviteForm())


def _render_caseload(request, invite_form, *, status=200):
    rows = sorted(caseload(request.user), key=_urgency)
    access_log_record_many(
        actor=request.user,
        entries=[(row.runner, "caseload", row.plan_id or "") for row in rows],
        path=request.get_full_path(),
    )
    invitations = Invitation.objects.open(timezone.now()).filter(physio=request.user)
    context = {
        "lines": [_line(row) for row in rows],
        "invite_form": invite_form,
        "invitations": invitations,
    }
    return render(request, "physio/caseload.html", context, status=status)


@login_required
@require_POST
def invite(request):
    _physio_only(request)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation_create(physio=request.user, email=form.cleaned_data["email"])
        except ApplicationError as error:
            form.add_error("email" if "email" in error.fields else None, error.message)
        else:
            messages.success(
                request,
                _("We have emailed an invitation to %(email)s.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("physio:caseload")
    return _render_caseload(request, form, status=400)


@login_required
@require_POST
def invitation_withdraw(request, pk: int):
    _physio_only(request)
    invitation = get_object_or_404(Invitation.objects.filter(physio=request.user), pk=pk)
    invitation_revoke(invitation=invitation, physio=request.user)
    messages.success(request, _("The invitation is withdrawn."))
    return redirect("physio:caseload")


# --- One runner ------------------------------------------------------------------------


@dataclass
class DecisionRow:
    decision: Decision
    explanation: str
    sources: list[str]  # short citations, e.g. "Silbernagel KG (2007)"


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


def _runner_context(request, runner, plan, policy_form=None) -> dict:
    rows = caseload(request.user, [runner])
    context = {
        "runner": runner,
        "line": _line(rows[0]) if rows else None,
        "plan": plan,
    }
    if plan is None:
        return context
    language = (get_language() or "en")[:2]
    spec = template_spec(plan.template_id)
    state = plan_state(plan)
    policy = plan_policy(plan)
    phase = next((p for p in spec.phases if p.key == state.phase_key), None)
    decisions = list(
        Decision.objects.filter(plan=plan).order_by("-window_ends_on", "-pk")[:RECENT_DECISIONS]
    )
    pending = list(
        Decision.objects.filter(plan=plan, status=Decision.Status.PENDING).order_by(
            "window_ends_on", "pk"
        )
    )

    keys = {key for d in (*decisions, *pending) for key in d.sources}
    cited = {
        s.key: f"{s.authors.split(',')[0].strip()} ({s.year})"
        for s in EvidenceSource.objects.filter(key__in=keys)
    }

    def row(d: Decision) -> DecisionRow:
        return DecisionRow(
            decision=d,
            explanation=d.explanation.get(language) or d.explanation.get("en", ""),
            sources=[cited[k] for k in d.sources if k in cited],
        )

    choices = _exercise_choices(spec, state, policy)
    if policy_form is None:
        initial = {name: getattr(policy, name) for name in POLICY_EDITABLE}
        initial["locked_exercises"] = sorted(policy.locked_exercises)
        initial["version"] = plan.version
        policy_form = PolicyForm(initial=initial, exercise_choices=choices)
    context.update(
        {
            "phase_name": getattr(localized(phase), language, phase.name) if phase else "",
            "week_number": max(1, (local_today(runner.timezone) - plan.start_date).days // 7 + 1),
            "prescriptions": [
                PrescriptionRow(
                    slot_key=rx.slot_key,
                    exercise=dict(choices).get(rx.exercise, rx.exercise),
                    dose=_dose(rx),
                    locked=rx.exercise in policy.locked_exercises,
                )
                for rx in state.prescriptions
            ],
            "pending": [row(d) for d in pending],
            "decisions": [row(d) for d in decisions],
            "policy_form": policy_form,
            "can_undo": plan.revisions.count() > 1,
        }
    )
    return context


@login_required
@require_GET
def runner_page(request, runner_id: int):
    runner = _linked_runner(request, runner_id)
    return _render_runner(request, runner, current_plan(runner=runner))


def _render_runner(request, runner, plan, *, policy_form=None, status=200):
    """The runner's page; showing it is a read of their data, so it is audited."""
    access_log_record(
        actor=request.user,
        runner=runner,
        object_type="runner_overview",
        object_id=str(plan.pk if plan else ""),
        path=request.get_full_path(),
    )
    context = _runner_context(request, runner, plan, policy_form=policy_form)
    return render(request, "physio/runner.html", context, status=status)


def _plan_or_404(runner) -> Plan:
    plan = current_plan(runner=runner)
    if plan is None:
        raise Http404(_("This runner has no open plan."))
    return plan


@login_required
@require_POST
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
def plan_status(request, runner_id: int):
    runner = _linked_runner(request, runner_id)
    plan = _plan_or_404(runner)
    wanted = {"pause": Plan.Status.PAUSED, "resume": Plan.Status.ACTIVE}.get(
        request.POST.get("action", "")
    )
    if wanted is None:
        messages.error(request, _("Unknown action."))
        return redirect("physio:runner", runner_id=runner.pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
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
@require_POST
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
@require_http_methods(["GET", "POST"])
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
    templates = ProgramTemplate.objects.active().filter(is_block=False).select_related("condition")
    suggested = None
    if screening is not None:
        code = TEMPLATE_FOR_CONDITION.get(screening.condition, screening.condition)
        suggested = next((t for t in templates if t.condition.code == code), None)
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
                plan_generate(
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
    context = {"runner": runner, "form": form, "screening": screening}
    return render(request, "physio/plan_start.html", context, status=status)
