from __future__ import annotations

from zoneinfo import ZoneInfo

from django.utils import timezone, translation


class UserPreferencesMiddleware:
    """Show a signed-in user the product in their own language and time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
            timezone.activate(ZoneInfo(user.timezone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
            translation.deactivate()


class LastSeenMiddleware:
    """Note the day a signed-in person used the product, for the data-retention sweep.

    Read after the view, so an API call authenticated by token counts as well (DRF sets
    `request.user`). One UPDATE a day per person at most; other requests cost nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from rehab.accounts.services import user_mark_seen

            user_mark_seen(user=user)
        return response


def physio_needs_mfa(user) -> bool:
    """A signed-in physiotherapist who must, and has not yet, set up a second factor."""
    from django.conf import settings

    from rehab.accounts.selectors import mfa_enabled

    return bool(
        settings.PHYSIO_MFA_REQUIRED
        and user is not None
        and user.is_authenticated
        and user.is_physio
        and not mfa_enabled(user)
    )


class PhysioMfaMiddleware:
    """No physio page before two-factor authentication is set up (PHYSIO_MFA_REQUIRED): the
    physiotherapist is sent to the setup page, with the reason. The API answers 403
    `mfa_required` instead (rehab.core.api)."""

    PREFIX = "/physio/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(self.PREFIX) and physio_needs_mfa(
            getattr(request, "user", None)
        ):
            from django.contrib import messages
            from django.shortcuts import redirect
            from django.utils.translation import gettext as _

            messages.warning(
                request,
                _(
                    "Your runners' health data needs extra protection: turn on "
                    "two-factor authentication before you can see your runners. Scan the "
                    "code with an authenticator app and enter the six-digit code it shows."
                ),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
