from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from rehab.notifications.reminders import reminder_unsubscribe


@csrf_exempt  # RFC 8058 one-click: mail clients POST without a session; the token is signed
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET shows a confirmation (link scanners must not unsubscribe); POST unsubscribes."""
    if request.method == "GET":
        return render(request, "notifications/unsubscribe_confirm.html", {"token": token})
    schedule = reminder_unsubscribe(token=token)
    if schedule is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    return render(request, "notifications/unsubscribed.html")
