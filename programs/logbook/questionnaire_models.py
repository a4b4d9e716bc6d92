"""Questionnaire answers and the runner's display preferences (units, calendar feed).

Imported at the end of programs/logbook/models.py so Django registers the models in
the logbook app. Scoring is pure and lives in programs/engine/questionnaires.py.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rehab.core.models import BaseModel


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class QuestionnaireResponse(BaseModel):
    """One completed questionnaire at a plan week (0 = baseline, then 4, 8, 12)."""

    class Instrument(models.TextChoices):
        NPRS = "nprs", _("Pain rating (NPRS, 0-10)")
        PSFS = "psfs", _("Patient-Specific Functional Scale (PSFS, 0-10)")
        LEFS = "lefs", _("Lower Extremity Functional Scale (LEFS, 0-80)")
        GROC = "groc", _("Global rating of change (GROC, -5 to +5)")

    runner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="questionnaires"
    )
    instrument = models.CharField(_("questionnaire"), max_length=8, choices=Instrument)
    week = models.PositiveSmallIntegerField(_("plan week"), default=0)
    answers = models.JSONField(_("answers"))
    score = models.FloatField(_("score"))

    class Meta:
        verbose_name = _("questionnaire response")
        verbose_name_plural = _("questionnaire responses")
        ordering = ["runner", "instrument", "week"]
        constraints = [
            models.UniqueConstraint(
                fields=["runner", "instrument", "week"], name="one_questionnaire_per_week"
            ),
            # GROC rates the change itself (-5..+5); every other score is 0..80.
            models.CheckConstraint(
                condition=Q(instrument="groc", score__gte=-5, score__lte=5)
                | (~Q(instrument="groc") & Q(score__gte=0, score__lte=80)),
                name="questionnaire_score_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.runner} {self.instrument} w{self.week} {self.score:g}"


class RunnerPreferences(BaseModel):
    """Units a runner reads and types in, and the secret of their calendar feed."""

    class Distance(models.TextChoices):
        KM = "km", _("kilometres")
        MILES = "mi", _("miles")

    class Load(models.TextChoices):
        KG = "kg", _("kilograms")
        LB = "lb", _("pounds")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="runner_preferences"
    )
    distance_unit = models.CharField(
        _("distance unit"), max_length=2, choices=Distance, default=Distance.KM
    )
    load_unit = models.CharField(_("weight unit"), max_length=2, choices=Load, default=Load.KG)
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token)

    class Meta:
        verbose_name = _("runner preferences")
        verbose_name_plural = _("runner preferences")

    def __str__(self) -> str:
        return f"{self.user} {self.distance_unit}/{self.load_unit}"


# --- Writes ------------------------------------------------------------------------------
