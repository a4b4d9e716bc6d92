"""The second step of the web sign-in (allauth's code form, MFA_FORMS["authenticate"])."""

from __future__ import annotations

from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.contrib.auth.signals import user_login_failed

from rehab.accounts.lockout import locked_out_message


class MfaAuthenticateForm(AuthenticateForm):
    """Wrong codes count towards the same lockout as wrong passwords (per account and
    address), and a locked pair cannot try codes: the answer is the 429 lockout page."""

    def clean_code(self):
        request = context.request
        credentials = {"email": self.user.email}
        if not AxesProxyHandler.is_allowed(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            raise forms.ValidationError(locked_out_message())
        try:
            return super().clean_code()
        except forms.ValidationError:
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            raise
