"""Keep what a signed-in person reads out of every cache.

Health data is special-category data: a shared proxy, a CDN or the browser's disk cache
must never keep a copy of a page or an API answer that carries it. Rather than mark the
pages that hold health data (and forget the next one), the rule is the other way round:
every answer is private and not stored, unless it is one of a few public pages asked
for by an anonymous visitor.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.cache import patch_vary_headers

# Pages with nothing personal on them, for a visitor who is not signed in. Anything
# else (every page behind a sign-in, token links such as the calendar feed, the
# invitation landing or unsubscribing, every API answer) is never stored.
PUBLIC_URL_NAMES = frozenset(
    {
        "home",
        "account_login",
        "account_signup",
        "account_reset_password",
        "account_reset_password_done",
        "account_email_verification_sent",
        "schema",
        "api-docs",
        "content:figure",  # an exercise figure: library poses and a dose, nothing personal
    }
)
NOT_STORED = "private, no-store"


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every answer a person's data could be in;
    `Vary: Cookie, Authorization` on every answer, so that no cache hands one person's
    answer to another.

    It sits outside the session, CSRF and authentication middleware, so it sees the
    cookies they set and the user the view ended with (DRF authenticates tokens inside
    the view and sets `request.user`). A request that carries a session cookie counts as
    signed in: a sign-out, or a session that just expired, still answers privately."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie", "Authorization"))
        if self._may_be_stored(request, response):
            return response
        response["Cache-Control"] = NOT_STORED
        if "Expires" in response:
            del response["Expires"]
        return response

    @staticmethod
    def _may_be_stored(request, response) -> bool:
        if _signed_in(request) or "HTTP_AUTHORIZATION" in request.META:
            return False
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return False
        if response.cookies:  # an answer that sets a cookie is for one browser only
            return False
        match = getattr(request, "resolver_match", None)
        return match is not None and match.view_name in PUBLIC_URL_NAMES


class RequestIdMiddleware:
    """A request id for every request: the caller's `X-Request-ID` when it is short and
    plain (rehab.core.logging.valid_request_id), else a fresh one. It goes into the log
    lines, into the tasks the request enqueues (rehab.core.tracing) and back out in the
    response's `X-Request-ID`. First in MIDDLEWARE, so everything below logs with it."""

    header = "X-Request-ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from rehab.core.logging import new_request_id, request_id_var, valid_request_id

        request_id = valid_request_id(request.headers.get(self.header)) or new_request_id()
        request.request_id = request_id
        # Not reset on the way out: Django logs a 4xx/5xx answer (django.request) after the
        # middleware returned; the next request on this thread sets its own.
        request_id_var.set(request_id)
        response = self.get_response(request)
        response[self.header] = request_id
        return response


class RequestLatencyMiddleware:
    """Records each request's duration in the `rehab_http_request_duration_seconds`
    histogram (rehab.core.metrics), by method, route name and status class."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import time

        from rehab.core.metrics import observe_request

        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        observe_request(
            method=request.method or "",
            route=(match.view_name if match else "") or "unmatched",
            status=response.status_code,
            seconds=time.perf_counter() - started,
        )
        return response
