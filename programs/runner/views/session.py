"""The session player: one planned session, done and logged."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from programs.logbook import selectors
from programs.logbook.services import (
    preferences_for,
    session_log_create,
)
from programs.plans.services.state import plan_policy
from programs.runner.forms import (
    ExerciseLogForm,
    SessionLogForm,
)
from programs.runner.views.common import runner_only, runner_today
from programs.ui.forms import add_service_errors
from rehab.core.errors import ApplicationError, ConflictError, NotFoundError
from rehab.core.submission import submission_guard

# The timer's rhythm where the prescription is silent. A short relax between the holds of
# one set; repetitions paced at a moderate tempo (1-2 s up, 1-2 s down: ACSM 2009, §E)
# unless the physiotherapist set one such as "3-1-1".
RELAX_SECONDS = 5
DEFAULT_PACE = (2, 2)
_TEMPO = re.compile(r"^\d{1,2}(?:-\d{1,2}){1,3}$")


def tempo_phases(tempo: str) -> tuple[int, ...] | None:
    """A numeric tempo ("3-1-1": seconds per phase of one repetition), else None."""
    text = (tempo or "").strip()
    if not _TEMPO.match(text):
        return None
    phases = tuple(int(part) for part in text.split("-"))
    return phases if sum(phases) > 0 else None


@dataclass
class Step:
    """One exercise of the player: its prescription, its log form, whether the runner has
    logged it before (the how-to stays one tap away) and the timer's rhythm."""

    rx: object
    form: ExerciseLogForm
    known: bool
    tempo: tuple[int, ...] | None

    @property
    def pace(self) -> str:
        return "-".join(str(n) for n in (self.tempo or DEFAULT_PACE))


def _player_forms(request, session, prefs, data=None):
    exercise_forms = [
        ExerciseLogForm(data, prefix=f"ex{rx.pk}", prescription=rx, load_unit=prefs.load_unit)
        for rx in session.prescriptions.all()
    ]
    return exercise_forms, SessionLogForm(data, prefix="session")


@login_required
@require_http_methods(["GET", "POST"])
@submission_guard
def session_player(request, pk: int):
    runner_only(request)
    session = selectors.session_for_runner(runner=request.user, pk=pk)
    if session is None:
        raise Http404
    prefs = preferences_for(request.user)
    logged = getattr(session, "log", None)
    if logged is not None and request.method == "POST":
        messages.info(request, _("This session was already saved."))
        return redirect("runner:week")
    data = request.POST if request.method == "POST" else None
    exercise_forms, session_form = _player_forms(request, session, prefs, data)
    if data is not None and session_form.is_valid() and all(f.is_valid() for f in exercise_forms):
        try:
            session_log_create(
                runner=request.user,
                session=session,
                exercises=[f.item() for f in exercise_forms],
                pain_after=session_form.cleaned_data["pain_after"],
                red_flags=tuple(session_form.cleaned_data["red_flags"]),
                notes=session_form.cleaned_data["notes"],
            )
        except ConflictError:
            messages.info(request, _("This session was already saved."))
            return redirect("runner:week")
        except NotFoundError as error:
            raise Http404 from error
        except ApplicationError as error:
            add_service_errors(session_form, error)
        else:
            messages.success(request, _("Session saved. Well done."))
            response = redirect(f"{reverse('runner:week')}?saved={session.pk}")
            return response
    prescriptions = session.prescriptions.all()
    known = (
        selectors.exercises_logged_before(
            runner=request.user, exercise_ids={rx.exercise_id for rx in prescriptions}
        )
        if logged is None
        else set()
    )
    policy = plan_policy(session.plan)
    context = {
        "session": session,
        "pairs": list(zip(prescriptions, exercise_forms, strict=True)),
        "steps": [
            Step(rx=rx, form=form, known=rx.exercise_id in known, tempo=tempo_phases(rx.tempo))
            for rx, form in zip(prescriptions, exercise_forms, strict=True)
        ],
        "zones": {
            "green_max": policy.green_max,
            "amber_min": policy.green_max + 1,
            "amber_max": policy.amber_max,
        },
        "relax_seconds": RELAX_SECONDS,
        "session_form": session_form,
        "logged": logged,
        "logged_exercises": selectors.logged_exercises(logged) if logged else [],
        "prefs": prefs,
        "is_future": session.date > runner_today(request),
        "outlook": (
            selectors.plan_outlook(plan=session.plan, today=runner_today(request))
            if session.week.provisional_from and logged is None
            else None
        ),
    }
    return render(request, "runner/player.html", context)
