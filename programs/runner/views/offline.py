"""Offline use of the runner's pages (static/js/sw.js, static/js/offline.js).

The service worker keeps this week's session players on the device so a session can be
opened and logged without a connection; `week_offline_list` tells it which pages those
are. The offline page is what a page that is not kept answers without a connection.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from programs.logbook import selectors
from programs.runner.views.common import runner_only, runner_today


@require_GET
def offline_page(request):
    """Shown by the service worker instead of a page it could not fetch; `?queued=1` is
    the answer to a session log kept on the device until the connection returns. A
    runner's page: anyone else signed in gets 404."""
    if request.user.is_authenticated:
        runner_only(request)
    # The worker fetches this page in the background: it must not use up the messages
    # meant for the page the runner is on.
    context = {"queued": request.GET.get("queued") == "1", "messages": ()}
    return render(request, "runner/offline.html", context)


@login_required
@require_GET
def week_offline_list(request):
    """The pages the service worker keeps for offline use: this week and its sessions,
    the signed-in runner's own only."""
    runner_only(request)
    urls = [reverse("runner:week")]
    plan = selectors.current_plan(runner=request.user)
    week = selectors.week_containing(plan=plan, day=runner_today(request)) if plan else None
    if week is not None:
        urls += [reverse("runner:session", args=[s.pk]) for s in selectors.week_sessions(week=week)]
    return JsonResponse({"urls": urls})
