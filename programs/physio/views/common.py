"""What every physiotherapist page shares: only physios, only their linked runners."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from programs.logbook.selectors import (
    current_plan,
)
from programs.plans.models import Plan
from rehab.accounts.selectors import runners_of


def _physio_only(request) -> None:
    """A physiotherapist's page does not exist for anyone else (404, as out of scope)."""
    if not request.user.is_physio:
        raise Http404


def _linked_runner(request, runner_id: int):
    """A runner linked to the signed-in physio with consent, or 404."""
    _physio_only(request)
    return get_object_or_404(runners_of(request.user), pk=runner_id)


def _plan_or_404(runner) -> Plan:
    plan = current_plan(runner=runner)
    if plan is None:
        raise Http404(_("This runner has no open plan."))
    return plan
