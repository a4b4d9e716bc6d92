"""What django-axes needs from us: which account a sign-in attempt names, and the answer
when an account is locked for the caller's address (429 with Retry-After, in the caller's
language; the API's error envelope under /api/)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from rehab.core.api import error_body


def attempted_email(request: HttpRequest, credentials: dict | None) -> str | None:
    """The email an attempt names, normalised, so "Ann@X.nl" and "ann@x.nl" count together.

    Unknown addresses count exactly like known ones: the lock reveals nothing."""
    value = None
    if credentials:
        value = credentials.get("email") or credentials.get("username")
    if value is None:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        value = data.get("email") or data.get("login")
    return str(value).strip().lower() if value else None


def retry_after_seconds() -> int:
    """Every attempt while locked restarts the cool-off, so it is always the full period."""
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def locked_out_message() -> str:
    minutes = retry_after_seconds() // 60
    return _(
        "Too many failed sign-in attempts. For your safety, signing in to this account from "
        "your network is paused for %(minutes)d minutes. You can reset your password meanwhile."
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    seconds = retry_after_seconds()
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            error_body("locked_out", locked_out_message()),
            status=429,
        )
    else:
        response = render(
            request, "accounts/locked_out.html", {"message": locked_out_message()}, status=429
        )
    response["Retry-After"] = str(seconds)
    return response
