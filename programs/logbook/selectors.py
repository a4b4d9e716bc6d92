from __future__ import annotations

from programs.logbook.models import Screening
from rehab.accounts.models import User


def latest_screening(*, runner: User) -> Screening | None:
    return Screening.objects.filter(runner=runner).order_by("-created_at", "-pk").first()
