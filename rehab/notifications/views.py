from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from rehab.core.submission import submission_guard
from rehab.notifications.forms import ReminderChannelsForm
from rehab.notifications.models import ReminderKind
from rehab.notifications.reminders import (
    CHANNEL_SETS,
    reminder_channels_set,
    reminder_unsubscribe,
)

SERVICE_WORKER = "js/sw.js"


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


@login_required
@require_http_methods(["GET", "POST"])
@submission_guard
def reminder_channels(request):
    """How each kind of reminder comes (the form is also part of the settings page)."""
    form = ReminderChannelsForm(
        request.POST if request.method == "POST" else None,
        initial=ReminderChannelsForm.initial_for(request.user),
    )
    if form.is_bound and form.is_valid():
        for kind in ReminderKind.values:
            reminder_channels_set(
                user=request.user, kind=kind, channels=CHANNEL_SETS[form.cleaned_data[kind]]
            )
        messages.success(request, _("Your reminder channels are saved."))
        return redirect("settings")
    status = 400 if form.errors else 200
    return render(request, "notifications/channels.html", {"channels_form": form}, status=status)


# The app shell the service worker keeps on install: our CSS, JS, icons, the manifest and
# the offline page (its "saved on this device" variant too).
SHELL_STATIC = (
    "css/app.css",
    "js/app.js",
    "js/offline.js",
    "js/player.js",
    "img/icon.svg",
    "img/favicon.svg",
    "img/favicon-32.png",
    "img/icon-192.png",
)


def static_version() -> str:
    """A hash of every file under static/ (and the offline page's template): a deploy that
    changes any of them changes the worker's cache name, so the old shell is dropped."""
    digest = hashlib.sha256()
    roots = [Path(str(folder)) for folder in settings.STATICFILES_DIRS]
    roots.append(Path(settings.BASE_DIR) / "templates" / "runner" / "offline.html")
    for root in roots:
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for path in files:
            digest.update(str(path.relative_to(root.parent)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@functools.cache
def service_worker_script() -> bytes:
    """sw.js with its version and shell list in front (computed once per process)."""
    path = finders.find(SERVICE_WORKER)
    if not path:  # pragma: no cover - the file ships with the code
        raise Http404
    offline = reverse("runner:offline")
    config = {
        "version": static_version(),
        "shell": [static(name) for name in SHELL_STATIC]
        + [reverse("manifest"), offline, offline + "?queued=1"],
        "offline": offline,
        "queued": offline + "?queued=1",
        "week": reverse("runner:week_offline"),
    }
    head = f"self.REHAB = {json.dumps(config)};\n"
    return head.encode() + Path(str(path)).read_bytes()


@require_GET
def service_worker(request):
    """static/js/sw.js at the site root: a worker's scope is at most the folder it is
    served from. Never stored by a cache (PrivateCacheMiddleware), so an update is seen
    at the next visit; the version in front of it names the worker's caches."""
    response = HttpResponse(service_worker_script(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response
