from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
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


PAIN_RANGE = Q(pain_during__gte=0, pain_during__lte=10)
ZERO_TO_TEN = [MaxValueValidator(10)]


class SessionLog(BaseModel):
    """A planned session as done. One log per planned session; a double tap is the same log."""

    runner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_logs"
    )
    session = models.OneToOneField(
        "plans.PlanSession", on_delete=models.CASCADE, related_name="log"
    )
    date = models.DateField(_("date"))
    completed = models.BooleanField(_("completed"), default=True)
    pain_after = models.PositiveSmallIntegerField(
        _("pain after (0-10)"), validators=ZERO_TO_TEN, null=True, blank=True
    )
    single_leg_stance_pain = models.PositiveSmallIntegerField(
        _("pain in the 30-second single-leg stance (0-10)"), null=True, blank=True
    )
    red_flags = models.JSONField(_("warning signs reported"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("session log")
        verbose_name_plural = _("session logs")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["runner", "date"], name="sessionlog_runner_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(pain_after__isnull=True) | Q(pain_after__lte=10),
                name="sessionlog_pain_after_0_10",
            ),
            models.CheckConstraint(
                condition=Q(single_leg_stance_pain__isnull=True)
                | Q(single_leg_stance_pain__lte=10),
                name="sessionlog_sls_pain_0_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.runner} {self.date}"


class ExerciseLog(models.Model):
    session_log = models.ForeignKey(SessionLog, on_delete=models.CASCADE, related_name="exercises")
    prescription = models.ForeignKey(
        "plans.Prescription", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    slot_key = models.CharField(max_length=60)
    exercise = models.ForeignKey("exercises.Exercise", on_delete=models.PROTECT, related_name="+")
    sets_done = models.PositiveSmallIntegerField(
        _("sets done"), validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    reps_done = models.JSONField(_("reps or holds per set"), default=list, blank=True)
    hold_seconds = models.PositiveSmallIntegerField(
        _("longest hold (s)"), null=True, blank=True, validators=[MaxValueValidator(600)]
    )
    load_kg = models.DecimalField(
        _("load (kg)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(500)],
    )
    rpe = models.PositiveSmallIntegerField(
        _("effort (0-10)"), validators=ZERO_TO_TEN, null=True, blank=True
    )
    pain_during = models.PositiveSmallIntegerField(_("pain during (0-10)"), validators=ZERO_TO_TEN)
    pain_changed_movement = models.BooleanField(_("pain changed how I moved"), default=False)

    class Meta:
        ordering = ["session_log", "pk"]
        constraints = [
            models.CheckConstraint(condition=PAIN_RANGE, name="exerciselog_pain_0_10"),
            models.CheckConstraint(
                condition=Q(sets_done__gte=1, sets_done__lte=10), name="exerciselog_sets_1_10"
            ),
            models.CheckConstraint(
                condition=Q(rpe__isnull=True) | Q(rpe__lte=10), name="exerciselog_rpe_0_10"
            ),
            models.CheckConstraint(
                condition=Q(load_kg__isnull=True) | Q(load_kg__gte=0, load_kg__lte=500),
                name="exerciselog_load_sane",
            ),
            models.CheckConstraint(
                condition=Q(hold_seconds__isnull=True) | Q(hold_seconds__lte=600),
                name="exerciselog_hold_sane",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slot_key} {self.sets_done} sets, pain {self.pain_during}"


class MorningCheckin(BaseModel):
    runner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkins"
    )
    date = models.DateField(_("date"))
    pain = models.PositiveSmallIntegerField(_("pain this morning (0-10)"), validators=ZERO_TO_TEN)
    stiffness_minutes = models.PositiveSmallIntegerField(
        _("morning stiffness (minutes)"), default=0
    )
    red_flags = models.JSONField(_("warning signs reported"), default=list, blank=True)

    class Meta:
        verbose_name = _("morning check-in")
        verbose_name_plural = _("morning check-ins")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["runner", "date"], name="one_checkin_per_day"),
            models.CheckConstraint(condition=Q(pain__lte=10), name="checkin_pain_0_10"),
            models.CheckConstraint(
                condition=Q(stiffness_minutes__lte=1440), name="checkin_stiffness_sane"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.runner} {self.date} {self.pain}"


class RunLog(BaseModel):
    class Terrain(models.TextChoices):
        FLAT = "flat", _("Flat road or path")
        TRACK = "track", _("Track")
        TREADMILL = "treadmill", _("Treadmill")
        TRAIL = "trail", _("Trail")
        HILLS = "hills", _("Hills")

    runner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="run_logs"
    )
    date = models.DateField(_("date"))
    minutes = models.PositiveSmallIntegerField(
        _("minutes"), validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    distance_km = models.DecimalField(
        _("distance (km)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(300)],
    )
    walk_run_stage = models.PositiveSmallIntegerField(
        _("walk-run stage done"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    pain_during = models.PositiveSmallIntegerField(_("pain during (0-10)"), validators=ZERO_TO_TEN)
    pain_after = models.PositiveSmallIntegerField(
        _("pain after (0-10)"), validators=ZERO_TO_TEN, null=True, blank=True
    )
    terrain = models.CharField(_("terrain"), max_length=10, choices=Terrain, default=Terrain.FLAT)
    red_flags = models.JSONField(_("warning signs reported"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("run")
        verbose_name_plural = _("runs")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["runner", "date"], name="runlog_runner_date_idx")]
        constraints = [
            models.CheckConstraint(condition=PAIN_RANGE, name="runlog_pain_0_10"),
            models.CheckConstraint(
                condition=Q(pain_after__isnull=True) | Q(pain_after__lte=10),
                name="runlog_pain_after_0_10",
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=600), name="runlog_minutes_sane"
            ),
            models.CheckConstraint(
                condition=Q(walk_run_stage__isnull=True)
                | Q(walk_run_stage__gte=1, walk_run_stage__lte=10),
                name="runlog_stage_1_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.runner} {self.date} {self.minutes} min"


class FlareUp(BaseModel):
    runner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flare_ups"
    )
    date = models.DateField(_("date"))
    note = models.TextField(_("what happened"), blank=True, max_length=2000)
    red_flags = models.JSONField(_("warning signs reported"), default=list, blank=True)

    class Meta:
        verbose_name = _("flare-up")
        verbose_name_plural = _("flare-ups")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.runner} {self.date}"


from programs.logbook.questionnaire_models import (  # noqa: E402, F401  (registers the models)
    QuestionnaireResponse,
    RunnerPreferences,
)
