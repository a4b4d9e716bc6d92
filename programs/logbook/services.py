"""Writes for the logbook: screenings (sessions, check-ins and runs follow)."""

from __future__ import annotations

from django.db import transaction

from programs.logbook.models import Screening
from programs.logbook.screening import ScreeningAnswers, screen
from rehab.accounts.models import User
from rehab.accounts.selectors import physios_of
from rehab.core.errors import ApplicationError
from rehab.notifications.services import email_enqueue


@transaction.atomic
def screening_submit(*, runner: User, answers: ScreeningAnswers) -> Screening:
    """Store the screening; a referral alerts the runner's linked physiotherapists."""
    if not runner.is_runner:
        raise ApplicationError("Only runners complete a screening.")
    result = screen(answers)
    screening = Screening.objects.create(
        runner=runner,
        answers={
            "red_flags": sorted(answers.red_flags),
            "pain_location": answers.pain_location,
            "features": sorted(answers.features),
            "baseline_pain": answers.baseline_pain,
        },
        outcome=result.outcome,
        reasons=list(result.reasons),
        condition=result.condition or "",
        irritability=result.irritability or "",
        baseline_pain=answers.baseline_pain,
        source_keys=list(result.source_keys),
    )
    if result.outcome == Screening.Outcome.REFER:
        for physio in physios_of(runner):
            email_enqueue(
                to=physio.email,
                template="screening_referral",
                context={"runner_name": runner.get_full_name() or runner.email},
                language=physio.language,
                recipient=physio,
                about=runner,
                dedupe_key=f"screening-referral:{screening.pk}:{physio.pk}",
            )
    return screening
