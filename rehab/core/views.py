from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from rehab.accounts.models import Language
from rehab.accounts.services import user_update_profile
from rehab.core.health import run_probes


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The landing page; a signed-in runner goes straight to this week's plan, a
    physiotherapist to their caseload."""
    if request.user.is_authenticated and request.user.is_runner:
        return redirect("runner:week")
    if request.user.is_authenticated and request.user.is_physio:
        return redirect("physio:caseload")
    return render(request, "pages/home.html")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    probes = run_probes()
    down = [p.name for p in probes if not p.ok]
    body = {
        "status": "ok" if not down else "down",
        "down": down,
        "components": {p.name: {"ok": p.ok, "detail": p.detail} for p in probes},
    }
    return JsonResponse(body, status=200 if not down else 503)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; a signed-in user's choice is kept in their profile."""
    code = request.POST.get("language", "")
    if request.user.is_authenticated and code in Language.values:
        user_update_profile(user=request.user, language=code)
    return django_set_language(request)
