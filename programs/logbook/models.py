from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rehab.core.models import BaseModel


class Screening(BaseModel):
    """One completed screening. A referral is kept so a clinician can see why."""

    class Outcome(models.TextChoices):
        OK = "ok", _("Safe to start a plan")
        REFER = "refer", _("See a clinician first")

    runner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="screenings"
    )
    answers = models.JSONField(_("answers"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome)
    reasons = models.JSONField(_("referral reasons"), default=list, blank=True)
    condition = models.CharField(_("suggested condition"), max_length=40, blank=True)
    irritability = models.CharField(_("irritability"), max_length=10, blank=True)
    baseline_pain = models.PositiveSmallIntegerField(_("usual pain (0-10)"))
    source_keys = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(baseline_pain__gte=0, baseline_pain__lte=10),
                name="screening_baseline_pain_0_10",
            ),
            models.CheckConstraint(
                condition=Q(outcome="refer") | ~Q(condition=""),
                name="screening_ok_has_condition",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.runner} {self.outcome} {self.created_at:%Y-%m-%d}"
