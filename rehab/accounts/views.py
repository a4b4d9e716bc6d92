from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rehab.accounts.forms import EraseAccountForm, ProfileForm
from rehab.accounts.models import CareLink
from rehab.accounts.privacy import user_data_export_csv_zip, user_data_export_json, user_erase
from rehab.accounts.services import (
    carelink_end,
    invitation_accept,
    invitation_find,
    user_update_profile,
)
from rehab.core.errors import ApplicationError
from rehab.notifications.forms import ReminderForm
from rehab.notifications.models import ReminderKind
from rehab.notifications.reminders import reminder_schedule_set


@require_http_methods(["GET", "POST"])
def invitation_landing(request, token: str):
    """Accept a physiotherapist's invitation: sign up or sign in, then consent."""
    invitation = invitation_find(token=token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    physio_name = invitation.physio.get_full_name() or invitation.physio.email
    context = {"invitation": invitation, "physio_name": physio_name, "token": token}
    user = request.user
    if request.method == "POST" and user.is_authenticated:
        if request.POST.get("consent") != "yes":
            context["error"] = _("Tick the box to share your data, or simply close this page.")
            return render(request, "accounts/invitation.html", context, status=400)
        try:
            invitation_accept(token=token, runner=user)
        except ApplicationError as exc:
            context["error"] = exc.message
            return render(request, "accounts/invitation.html", context, status=400)
        messages.success(request, _("You are now linked to %(name)s.") % {"name": physio_name})
        return redirect("home")
    return render(request, "accounts/invitation.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request):
    user = request.user
    action = request.POST.get("action")
    form = ProfileForm(
        request.POST if action == "profile" else None,
        initial={
            "first_name": user.first_name,
            "language": user.language,
            "timezone": user.timezone,
        },
    )
    reminder_form = ReminderForm(
        request.POST if action == "reminders" else None, initial=ReminderForm.initial_for(user)
    )
    if form.is_bound and form.is_valid():
        user_update_profile(user=user, **form.cleaned_data)
        messages.success(request, _("Your settings are saved."))
        return redirect("settings")
    if reminder_form.is_bound and reminder_form.is_valid():
        data = reminder_form.cleaned_data
        for kind in ReminderKind.values:
            reminder_schedule_set(
                user=user,
                kind=kind,
                local_time=data[f"{kind}_time"],
                enabled=data[f"{kind}_enabled"],
            )
        messages.success(request, _("Your reminders are saved."))
        return redirect("settings")
    links = (
        CareLink.objects.filter(Q(runner=user) | Q(physio=user))
        .exclude(status=CareLink.Status.ENDED)
        .select_related("physio", "runner")
        .order_by("created_at")
    )
    context = {"form": form, "reminder_form": reminder_form, "links": links}
    status = 400 if (form.errors or reminder_form.errors) else 200
    return render(request, "accounts/settings.html", context, status=status)


@login_required
@require_POST
def carelink_end_view(request, pk: int):
    link = get_object_or_404(
        CareLink.objects.filter(Q(runner=request.user) | Q(physio=request.user)), pk=pk
    )
    carelink_end(link=link)
    messages.success(request, _("The link has ended; no more data is shared."))
    return redirect("settings")


@login_required
@require_GET
def data_export(request, fmt: str):
    if fmt == "csv":
        response = HttpResponse(
            user_data_export_csv_zip(user=request.user), content_type="application/zip"
        )
        response["Content-Disposition"] = 'attachment; filename="hip-rehab-export.zip"'
    else:
        response = HttpResponse(
            user_data_export_json(user=request.user), content_type="application/json"
        )
        response["Content-Disposition"] = 'attachment; filename="hip-rehab-export.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def erase_account(request):
    form = EraseAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        user_erase(user=user)
        return render(request, "accounts/erased.html")
    return render(
        request, "accounts/erase.html", {"form": form}, status=400 if form.errors else 200
    )
