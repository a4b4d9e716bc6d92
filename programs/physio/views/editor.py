"""The plan editor: a linked physiotherapist changes a runner's plan.

Every edit goes through two steps: a preview (before -> after for each dose of each week
it changes, nothing written) and a save. An edit that overrides a rule of the plan shows
a warning with the rules it breaks and their evidence sections, and saves only with a
written reason. Each form carries the plan's version: a stale one is refused. Every page
is a read of the runner's data and is audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from programs.content.models import Exercise
from programs.engine.edits import DOSE_FIELDS
from programs.physio.editor_forms import (
    FORMS,
    AddExerciseForm,
    DoseForm,
    NoteForm,
    PlanNoteForm,
    SessionForm,
    SwapForm,
    TrainingDaysForm,
)
from programs.physio.views.common import _linked_runner, _plan_or_404
from programs.plans.models import PlanSession
from programs.plans.services import edits
from programs.plans.services.state import plan_context, plan_state
from programs.ui.forms import add_service_errors
from programs.ui.plan_edits import dose_text, exercise_names, physio_edits
from rehab.accounts.services import access_log_record
from rehab.core.errors import ApplicationError, ConflictError
from rehab.core.submission import submission_guard
from rehab.core.timeutils import local_today

UPCOMING_DAYS = 14
KEEP_OUT = {"csrfmiddlewaretoken", "step", "submission_token", "reason"}


def _audit(request, runner, plan, what: str) -> None:
    access_log_record(
        actor=request.user,
        runner=runner,
        object_type=what,
        object_id=str(plan.pk),
        path=request.get_full_path(),
    )


def _current_dose(rx) -> dict:
    return {name: getattr(rx, name) for name in DOSE_FIELDS}


@dataclass
class Row:
    slot_key: str
    exercise: str
    dose: str
    note: str
    added: bool
    dose_form: DoseForm
    note_form: NoteForm


def _standing(state):
    return [*state.prescriptions, *(item.prescription for item in state.added)]


def _exercise_choices() -> list[tuple[str, str]]:
    dutch = (get_language() or "en").startswith("nl")
    return [
        (slug, (nl if dutch and nl else en) or name)
        for slug, en, nl, name in Exercise.objects.active()
        .order_by("slug")
        .values_list("slug", "name_en", "name_nl", "name")
    ]


def _editor_context(request, runner, plan) -> dict:
    state = plan_state(plan)
    context = plan_context(plan)
    standing = _standing(state)
    names = exercise_names(rx.exercise for rx in standing)
    version = {"version": plan.version}
    added = {item.prescription.slot_key for item in state.added}
    rows = [
        Row(
            slot_key=rx.slot_key,
            exercise=names.get(rx.exercise, rx.exercise),
            dose=dose_text(_current_dose(rx)),
            note=rx.notes,
            added=rx.slot_key in added,
            dose_form=DoseForm(
                initial={**version, **_current_dose(rx), "slot_key": rx.slot_key},
                auto_id=f"id_dose{index}_%s",
            ),
            note_form=NoteForm(
                initial={**version, "slot_key": rx.slot_key, "text": rx.notes},
                auto_id=f"id_note{index}_%s",
            ),
        )
        for index, rx in enumerate(standing)
    ]
    today = local_today(runner.timezone)
    sessions = PlanSession.objects.filter(
        plan=plan, date__gte=today, date__lt=today + _days(UPCOMING_DAYS)
    ).order_by("date", "kind")
    return {
        "runner": runner,
        "plan": plan,
        "rows": rows,
        "sessions": sessions,
        "plan_note_form": PlanNoteForm(initial={**version, "text": plan.note}, auto_id="id_pn_%s"),
        "add_form": AddExerciseForm(
            initial=version, exercise_choices=_exercise_choices(), auto_id="id_add_%s"
        ),
        "session_form": SessionForm(initial=version, auto_id="id_session_%s"),
        "days_form": TrainingDaysForm(
            initial={
                **version,
                "weekdays": list(context.preferred_weekdays),
                "strength_days": context.strength_days_per_week,
                "long_run_weekday": context.long_run_weekday,
            },
            auto_id="id_days_%s",
        ),
        "history": physio_edits(plan),
    }


def _days(n: int):
    import datetime as dt

    return dt.timedelta(days=n)


@login_required
@require_GET
def editor_page(request, runner_id: int):
    runner = _linked_runner(request, runner_id)
    plan = _plan_or_404(runner)
    _audit(request, runner, plan, "plan_editor")
    return render(request, "physio/editor/edit.html", _editor_context(request, runner, plan))


@login_required
@require_GET
def swap_page(request, runner_id: int, slot_key: str):
    """The ranked alternatives for one exercise, each with why it is offered and any rule
    choosing it would override."""
    runner = _linked_runner(request, runner_id)
    plan = _plan_or_404(runner)
    state = plan_state(plan)
    rx = edits.standing(state, slot_key)
    if rx is None:
        raise Http404
    _audit(request, runner, plan, "plan_alternatives")
    ranked = edits.swap_alternatives(plan=plan, slot_key=slot_key)
    dutch = (get_language() or "en").startswith("nl")
    options = [
        {
            "slug": a.exercise.slug,
            "name": (a.exercise.name_nl if dutch and a.exercise.name_nl else a.exercise.name),
            "level": a.exercise.level,
            "compression": a.exercise.compression,
            "allowed": a.allowed,
            "reasons": [edits.reason_text(code) for code in a.reasons],
            "broken": [edits.rule_text(code) for code in a.broken],
        }
        for a in ranked
    ]
    names = exercise_names([rx.exercise])
    form = SwapForm(initial={"version": plan.version, "slot_key": slot_key}, auto_id="id_swap_%s")
    return render(
        request,
        "physio/editor/swap.html",
        {
            "runner": runner,
            "plan": plan,
            "current": names.get(rx.exercise, rx.exercise),
            "dose": dose_text(_current_dose(rx)),
            "options": options,
            "form": form,
        },
    )


def _form(name: str, data, plan):
    form_class = FORMS.get(name)
    if form_class is None:
        raise Http404
    if form_class is DoseForm:
        rx = edits.standing(plan_state(plan), data.get("slot_key", ""))
        return DoseForm(data, current=_current_dose(rx) if rx else {})
    if form_class is AddExerciseForm:
        return AddExerciseForm(data, exercise_choices=_exercise_choices())
    return form_class(data)


def _carried(request) -> list[tuple[str, str]]:
    """The edit's fields, carried as hidden inputs from the preview to the save."""
    return [
        (name, value)
        for name in request.POST
        if name not in KEEP_OUT
        for value in request.POST.getlist(name)
    ]


def _preview_rows(weeks) -> list[dict]:
    slugs = {
        rx.exercise
        for w in weeks
        for c in w.changes
        for rx in (c.before, c.after)
        if rx is not None
    }
    names = exercise_names(slugs)

    def side(rx):
        if rx is None:
            return {"exercise": "\u2013", "dose": "\u2013"}
        return {
            "exercise": names.get(rx.exercise, rx.exercise),
            "dose": dose_text(_current_dose(rx)),
        }

    return [
        {
            "number": w.number,
            "starts_on": w.starts_on,
            "changes": [
                {
                    "date": c.date,
                    "kind": PlanSession.Kind(c.kind).label,
                    "before": side(c.before),
                    "after": side(c.after),
                }
                for c in w.changes
            ],
        }
        for w in weeks
    ]


@login_required
@require_POST
@submission_guard
def edit_step(request, runner_id: int, form_name: str):
    """Preview an edit (step "preview", the default) or save it (step "save")."""
    runner = _linked_runner(request, runner_id)
    plan = _plan_or_404(runner)
    form = _form(form_name, request.POST, plan)
    context = {"runner": runner, "plan": plan, "form": form, "form_name": form_name}
    if not form.is_valid():
        return render(request, "physio/editor/form_errors.html", context, status=400)
    edit = form.edit()
    if form.cleaned_data["version"] != plan.version:
        messages.error(request, _("The plan was changed in the meantime; reload and try again."))
        return redirect("physio:editor", runner_id=runner.pk)
    if request.POST.get("step") == "save":
        try:
            edits.plan_edit_apply(
                plan=plan, edit=edit, by=request.user, expected_version=form.cleaned_data["version"]
            )
        except edits.OverrideRequired:
            pass  # back to the preview, whose warning asks for the reason
        except ConflictError as error:
            messages.error(request, error.message)
            return redirect("physio:editor", runner_id=runner.pk)
        except ApplicationError as error:
            add_service_errors(form, error)
            return render(request, "physio/editor/form_errors.html", context, status=400)
        else:
            messages.success(request, _("The plan is changed; the runner sees it now."))
            return redirect("physio:editor", runner_id=runner.pk)
    try:
        weeks, broken = edits.plan_edit_preview(plan=plan, edit=edit)
    except ApplicationError as error:
        add_service_errors(form, error)
        return render(request, "physio/editor/form_errors.html", context, status=400)
    _audit(request, runner, plan, "plan_edit_preview")
    missing_reason = request.POST.get("step") == "save" and bool(broken)
    context.update(
        {
            "weeks": _preview_rows(weeks),
            "broken": [edits.rule_text(code) for code in broken],
            "carried": _carried(request),
            "reason": form.cleaned_data.get("reason", ""),
            "missing_reason": missing_reason,
        }
    )
    return render(
        request, "physio/editor/preview.html", context, status=400 if missing_reason else 200
    )
