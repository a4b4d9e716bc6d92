"""What every runner page shares: the role guard (404 to anyone else), the runner's today,
and the one-time-token-aware POST data."""

from __future__ import annotations

import datetime as dt

from django.http import Http404

from rehab.core.timeutils import local_today

FLARE_UP_TOPIC = "flare-up-plan"


def runner_only(request):
    """A runner's page does not exist for anyone else: 404, so that no id says anything."""
    if not request.user.is_runner:
        raise Http404


def runner_today(request) -> dt.date:
    return local_today(request.user.timezone)


def posted_data(request):
    """The form data of a POST, even an empty one (an empty POST is a bound, invalid form)."""
    return request.POST if request.method == "POST" else None
