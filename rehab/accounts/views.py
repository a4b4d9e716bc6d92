from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rehab.accounts.services import invitation_accept, invitation_find
from rehab.core.errors import ApplicationError


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
