from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from rehab.core.health import background_state, run_probes


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    probes = run_probes()
    down = [p.name for p in probes if not p.ok]
    background = background_state(redis_ok=probes[1].ok)
    degraded = background["degraded"]
    body = {
        "status": "down" if down else ("degraded" if degraded else "ok"),
        "down": down,
        "degraded": degraded,
        "components": {p.name: {"ok": p.ok, "detail": p.detail} for p in probes},
        "beat": background["beat"],
        "reminders": background["reminders"],
    }
    # A late beat or late reminders do not make this process unfit to serve pages: the
    # answer stays 200 with status "degraded" (a probe restarting web processes would not
    # help); a component that is down answers 503 as before.
    return JsonResponse(body, status=200 if not down else 503)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text exposition behind `Authorization: Bearer <METRICS_TOKEN>`;
    404 when no token is configured, 401 without the right one."""
    import hmac

    from django.conf import settings
    from django.http import Http404

    from rehab.core.metrics import exposition

    expected = settings.METRICS_TOKEN
    if not expected:
        raise Http404
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), expected.encode()
    ):
        response = HttpResponse(status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    body, content_type = exposition()
    return HttpResponse(body, content_type=content_type)


# Pages allauth rate-limits, by URL name -> the ACCOUNT_RATE_LIMITS action.
RATE_LIMITED_PAGES = {
    "account_login": "login",
    "account_signup": "signup",
    "account_reset_password": "reset_password",
    "account_reset_password_from_key": "reset_password_from_key",
    "account_change_password": "change_password",
    "account_reauthenticate": "reauthenticate",
}


def retry_after_for(action: str, default: int = 60) -> int:
    """The longest window among an allauth action's rates: waiting that long always helps."""
    from allauth.account import app_settings
    from allauth.core.internal.ratelimit import parse_rates

    rates = parse_rates(app_settings.RATE_LIMITS.get(action))
    return int(max((rate.duration for rate in rates), default=default))


def too_many_requests(request: HttpRequest) -> HttpResponse:
    """allauth's answer to a rate-limited page (its `handler429` hook), with Retry-After."""
    match = getattr(request, "resolver_match", None)
    action = RATE_LIMITED_PAGES.get(match.url_name if match else "", "")
    seconds = retry_after_for(action) if action else 60
    response = render(request, "429.html", {"minutes": max(1, seconds // 60)}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def moved(request: HttpRequest, to: str, rest: str = "") -> HttpResponse:
    """An address that moved for good: 301 for a read, 308 (method kept) for a form."""
    target = to + rest
    if request.META.get("QUERY_STRING"):
        target += "?" + request.META["QUERY_STRING"]
    response = HttpResponse(status=301 if request.method in ("GET", "HEAD") else 308)
    response["Location"] = target
    return response


@require_GET
def web_manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest (installable PWA), in the visitor's language."""
    import json

    from django.templatetags.static import static
    from django.urls import reverse
    from django.utils.translation import get_language
    from django.utils.translation import gettext as _

    body = {
        "name": _("Hip Rehab"),
        "short_name": _("Hip Rehab"),
        "description": _("Strength plans for runners with lateral hip pain"),
        "lang": get_language(),
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5cad",
        "icons": [
            {"src": static("img/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("img/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/manifest+json"
    )
    return response


@require_GET
def styleguide(request: HttpRequest) -> HttpResponse:
    """Every component with live examples; only while DEBUG is on (404 otherwise)."""
    from django.conf import settings
    from django.http import Http404

    if not settings.DEBUG:
        raise Http404
    from django.utils.translation import gettext as _

    icons = [
        "today", "plan", "progress", "learn", "me", "caseload", "info", "success", "warning",
        "danger", "chevron", "close", "plus", "play", "globe", "signout", "flare", "hip",
    ]  # fmt: skip
    example_tabs = [
        {"icon": "today", "href": "#sg-tabbar", "label": _("Today"), "active": True},
        {"icon": "plan", "href": "#sg-tabbar", "label": _("Plan"), "active": False},
        {"icon": "progress", "href": "#sg-tabbar", "label": _("Progress"), "active": False},
        {"icon": "learn", "href": "#sg-tabbar", "label": _("Learn"), "active": False},
        {"icon": "me", "href": "#sg-tabbar", "label": _("Me"), "active": False},
    ]
    context = {"pain_values": range(11), "icon_names": icons, "example_tabs": example_tabs}
    return render(request, "pages/styleguide.html", context)
