"""The caseload at a glance (most urgent first, or filtered, searched and sorted, paged,
with counts at the top), inviting runners and inviting colleagues to the practice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from programs.logbook import caseload_filters as cf
from programs.logbook.caseload import Flag, caseload
from programs.physio.forms import CaseloadFilterForm, ColleagueInviteForm, InviteForm
from programs.physio.views.common import _physio_only
from programs.ui import numbers
from programs.ui.forms import add_service_errors
from rehab.accounts.models import Invitation
from rehab.accounts.practices import colleague_invite, practice_colleagues
from rehab.accounts.services import (
    access_log_record_many,
    invitation_create,
    invitation_revoke,
)
from rehab.core.errors import ApplicationError
from rehab.core.submission import submission_guard

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

FLAG_LABELS = {
    Flag.REFERRED: gettext_lazy("Referred: a warning sign was reported"),
    Flag.PENDING_APPROVAL: gettext_lazy("Changes wait for your approval"),
    Flag.DELOAD: gettext_lazy("Lighter week in the last 14 days"),
    Flag.FLARE_UP: gettext_lazy("Flare-up in the last 14 days"),
    Flag.NO_RECENT_LOG: gettext_lazy("Nothing logged for 7 days"),
    Flag.NEEDS_REVIEW: gettext_lazy("Needs review: no clear improvement after 12 weeks"),
}


TREND_LABELS = {
    "rising": gettext_lazy("rising"),
    "falling": gettext_lazy("falling"),
    "stable": gettext_lazy("stable"),
    "unknown": gettext_lazy("not enough data"),
}


PAGE_SIZE = 25


@dataclass
class Line:
    """A caseload row with its flags and trend in words, for the templates."""

    row: object
    flags: list[tuple[str, StrPromise]]
    trend: StrPromise | str
    pain_means: str  # the weekly means, oldest first, numbers.series


def _line(row) -> Line:
    return Line(
        row=row,
        flags=[(flag, FLAG_LABELS[flag]) for flag in row.flags],
        trend=TREND_LABELS.get(row.pain.direction, ""),
        pain_means=numbers.series(row.pain.weekly_means),
    )


@login_required
@require_GET
def caseload_page(request):
    _physio_only(request)
    return _render_caseload(request, InviteForm(), ColleagueInviteForm())


def _render_caseload(request, invite_form, colleague_form, *, status=200):
    """The caseload, filtered, searched, sorted and paged as the GET parameters ask (the
    same as GET /api/v1/patients/), with counts of the whole caseload at the top. Every
    row is computed (in a fixed number of queries), the access log records the page shown."""
    everyone = caseload(request.user)
    filters = CaseloadFilterForm(request.GET or None, phases=cf.phases(everyone))
    if filters.is_bound and not filters.is_valid():
        status = 400
        query = cf.CaseloadQuery()
    else:
        query = filters.query() if filters.is_bound else cf.CaseloadQuery()
    rows = cf.apply(everyone, query)
    page = Paginator(rows, PAGE_SIZE).get_page(
        (filters.cleaned_data.get("page") if filters.is_bound and filters.is_valid() else None) or 1
    )
    access_log_record_many(
        actor=request.user,
        entries=[(row.runner, "caseload", row.plan_id or "") for row in page.object_list],
        path=request.get_full_path(),
    )
    params = request.GET.copy()
    params.pop("page", None)
    invitations = Invitation.objects.open(timezone.now()).filter(physio=request.user)
    context = {
        "lines": [_line(row) for row in page.object_list],
        "page": page,
        "page_query": params.urlencode(),
        "counts": cf.counts(everyone),
        "filtered": any(v for k, v in query.__dict__.items() if k != "sort"),
        "filters": filters,
        "invite_form": invite_form,
        "colleague_form": colleague_form,
        "invitations": invitations,
        "practice": request.user.practice,
        "colleagues": practice_colleagues(physio=request.user),
    }
    return render(request, "physio/caseload.html", context, status=status)


@login_required
@require_POST
@submission_guard
def invite(request):
    _physio_only(request)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation_create(physio=request.user, **form.invitation())
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("We have emailed an invitation to %(email)s.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("physio:caseload")
    return _render_caseload(request, form, ColleagueInviteForm(), status=400)


@login_required
@require_POST
@submission_guard
def invitation_withdraw(request, pk: int):
    _physio_only(request)
    invitation = get_object_or_404(Invitation.objects.filter(physio=request.user), pk=pk)
    invitation_revoke(invitation=invitation, physio=request.user)
    messages.success(request, _("The invitation is withdrawn."))
    return redirect("physio:caseload")


@login_required
@require_POST
@submission_guard
def colleague_invite_view(request):
    """Invite a colleague into the physio's practice (an account and a set-password link)."""
    _physio_only(request)
    form = ColleagueInviteForm(request.POST)
    if form.is_valid():
        try:
            colleague_invite(physio=request.user, **form.cleaned_data)
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(email)s is added to your practice and gets an email to choose a password.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("physio:caseload")
    return _render_caseload(request, InviteForm(), form, status=400)
