"""When Redis, which holds the throttles, lockouts and one-time codes, cannot be reached.

Signing in, asking for a token and resetting a password consult those counters first. With
Redis down they cannot, and the cautious answer is to refuse the attempt for now rather
than let it through unchecked. The person gets a clear 503 with Retry-After (an error body
on the API, a page in their language elsewhere), never a 500. Pages that need no counter
keep working.
"""

from __future__ import annotations

import logging

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from rehab.core.api import error_body

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
OUTAGES = (RedisConnectionError, RedisTimeoutError)


def outage_message() -> str:
    return _("This is unavailable for a moment. Please try again in half a minute.")


class CacheOutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OUTAGES):
            return None
        # The path and the exception's class only: no address, no account, no form data.
        logger.warning(
            "cache unavailable: answered 503 to %s %s (%s)",
            request.method,
            request.path,
            type(exception).__name__,
        )
        response: HttpResponse
        if request.path.startswith("/api/"):
            response = JsonResponse(error_body("unavailable", outage_message()), status=503)
        else:
            response = render(request, "503.html", {"message": outage_message()}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
