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
