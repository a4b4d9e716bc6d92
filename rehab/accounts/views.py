from __future__ import annotations

from allauth.account.views import LogoutView as AllauthLogoutView
from allauth.account.views import PasswordResetView as AllauthPasswordResetView
from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from rehab.accounts.alerts import alert_preferences_for, alert_preferences_set
from rehab.accounts.forms import AlertPreferencesForm, EraseAccountForm, ProfileForm
from rehab.accounts.models import CareLink, Language
from rehab.accounts.privacy import user_data_export_csv_zip, user_data_export_json, user_erase
from rehab.accounts.selectors import api_tokens_of, mfa_enabled
from rehab.accounts.services import (
    api_token_revoke,
    carelink_end,
    invitation_accept,
    invitation_find,
    user_sign_out_everywhere,
    user_update_profile,
)
from rehab.core.errors import ApplicationError
from rehab.core.net import client_ip
from rehab.core.submission import submission_guard
from rehab.core.views import retry_after_for
from rehab.notifications.forms import ReminderForm
from rehab.notifications.models import ReminderKind
from rehab.notifications.reminders import reminder_schedule_set


@require_http_methods(["GET", "POST"])
@submission_guard
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
@submission_guard
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
    alert_form = None
    if user.is_physio:
        alert_form = AlertPreferencesForm(
            request.POST if action == "alerts" else None,
            initial=AlertPreferencesForm.initial_for(alert_preferences_for(user)),
        )
        if alert_form.is_bound and alert_form.is_valid():
            alert_preferences_set(physio=user, **alert_form.cleaned_data)
            messages.success(request, _("Your alert choices are saved."))
            return redirect("settings")
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
    context = {
        "form": form,
        "reminder_form": reminder_form,
        "links": links,
        "devices": api_tokens_of(user),
        "mfa_enabled": mfa_enabled(user),
        "alert_form": alert_form,
    }
    status = (
        400 if (form.errors or reminder_form.errors or (alert_form and alert_form.errors)) else 200
    )
    return render(request, "accounts/settings.html", context, status=status)


@login_required
@require_POST
@submission_guard
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
    return response


@login_required
@require_http_methods(["GET", "POST"])
@submission_guard
def erase_account(request):
    form = EraseAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        user_erase(user=user)
        return clear_site_data(render(request, "accounts/erased.html"))
    return render(
        request, "accounts/erase.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_POST
@submission_guard
def device_revoke(request, pk: int):
    token = get_object_or_404(api_tokens_of(request.user), pk=pk)
    api_token_revoke(token=token)
    messages.success(request, _("That device is signed out."))
    return redirect("settings")


@login_required
@require_POST
@submission_guard
def sign_out_everywhere(request):
    user_sign_out_everywhere(user=request.user)
    logout(request)
    messages.success(
        request, _("You are signed out on every device and browser. Sign in again to continue.")
    )
    return clear_site_data(redirect("account_login"))


# Signing out wipes what this browser keeps for the site: the service worker's copies of
# the runner's pages (Cache Storage), local storage and the worker itself.
CLEAR_SITE_DATA = '"cache", "storage"'


def clear_site_data(response):
    response["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response


class LogoutView(AllauthLogoutView):
    """allauth's sign-out, answered with Clear-Site-Data."""

    def post(self, *args, **kwargs):
        return clear_site_data(super().post(*args, **kwargs))


class PasswordResetView(AllauthPasswordResetView):
    """allauth's reset request, counted per address and per (email, address) instead of per
    email alone: requests from elsewhere cannot block someone's reset, and an unknown email
    is treated exactly like a known one (the same answer, the same limit)."""

    def form_valid(self, form):
        email = form.cleaned_data["email"].lower()
        limited = ratelimit.consume_or_429(
            self.request, action="reset_password", key=f"{email}|{client_ip(self.request)}"
        )
        if limited:
            limited["Retry-After"] = str(retry_after_for("reset_password"))
            return limited
        form.save(self.request)
        return super(AllauthPasswordResetView, self).form_valid(form)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The landing page; a signed-in runner goes straight to this week's plan, a
    physiotherapist to their caseload."""
    if request.user.is_authenticated and request.user.is_runner:
        return redirect("runner:week")
    if request.user.is_authenticated and request.user.is_physio:
        return redirect("physio:caseload")
    return render(request, "pages/home.html")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; a signed-in user's choice is kept in their profile."""
    code = request.POST.get("language", "")
    if request.user.is_authenticated and code in Language.values:
        user_update_profile(user=request.user, language=code)
    return django_set_language(request)
