from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
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
    # Feature codes for the planner (screening.screening_features): the tendinopathy and
    # ITB features answered "yes", and "painful_snapping".
    features = models.JSONField(_("features"), default=list, blank=True)

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


class ReferralQuerySet(models.QuerySet):
    def still_open(self):
        return self.filter(cleared_at__isnull=True)


class Referral(BaseModel):
    """Advice to see a clinician before training, kept on the runner's record until it is
    cleared. While one is open no plan starts or resumes (services.plan_start_check).

    It comes from a screening that referred, or from a warning sign in a log (then `plan`
    is the plan that sign paused). It is cleared in one of two ways, both recorded on the
    row: a linked physiotherapist clears it with a note, or the runner states that a
    clinician assessed them and cleared them to train (who, and on which day).
    """

    class Source(models.TextChoices):
        SCREENING = "screening", _("Screening")
        SESSION_LOG = "session_log", _("Warning sign in a session log")
        CHECKIN = "checkin", _("Warning sign in a morning check-in")
        RUN_LOG = "run_log", _("Warning sign in a run log")
        FLARE_UP = "flare_up", _("Warning sign in a flare-up report")
        PLAN = "plan", _("Plan paused for a warning sign")  # found by an evaluation

    class Clearance(models.TextChoices):
        PHYSIO = "physio", _("Cleared by a linked physiotherapist")
        RUNNER = "runner", _("A clinician's all-clear, reported by the runner")

    runner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="referrals"
    )
    source = models.CharField(_("where it came from"), max_length=12, choices=Source)
    source_id = models.PositiveBigIntegerField(_("id of the screening, log or plan"))
    reasons = models.JSONField(_("referral reasons"), default=list)
    plan = models.ForeignKey(
        "plans.Plan",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The plan this warning sign paused, if any."),
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    clearance = models.CharField(_("cleared how"), max_length=10, choices=Clearance, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    clearance_note = models.TextField(_("physiotherapist's note"), blank=True, max_length=2000)
    clinician = models.CharField(_("clinician seen (name or role)"), max_length=200, blank=True)
    assessed_on = models.DateField(_("date of the assessment"), null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["runner", "cleared_at"], name="referral_runner_open_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(cleared_at__isnull=True, clearance="")
                | Q(cleared_at__isnull=False, clearance="physio") & ~Q(clearance_note="")
                | Q(cleared_at__isnull=False, clearance="runner", assessed_on__isnull=False)
                & ~Q(clinician=""),
                name="referral_clearance_complete",
            ),
        ]

    def __str__(self) -> str:
        state = "open" if self.cleared_at is None else f"cleared ({self.clearance})"
        return f"{self.runner} {self.source} {self.opened_at:%Y-%m-%d} {state}"

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None

    @property
    def reason_texts(self) -> list[str]:
        """The reasons in words, in the active language."""
        from programs.engine.screening import reason_text

        return [reason_text(code) for code in self.reasons]


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
    exercise = models.ForeignKey("content.Exercise", on_delete=models.PROTECT, related_name="+")
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
    # Asked later the same day when the morning pain is above the runner's baseline:
    # +1..+2 that settles by midday is amber, one that does not is red (§D2 row 2).
    # None: not asked or not answered yet.
    settled_by_midday = models.BooleanField(_("settled by midday"), null=True, blank=True)
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


class RunLogQuerySet(models.QuerySet):
    def answered(self):
        """Runs with their pain given: what the pain rules evaluate."""
        return self.filter(pain_during__isnull=False)

    def awaiting_answers(self):
        """Imported runs still waiting for the runner's pain during the run."""
        return self.filter(pain_during__isnull=True)


class RunLog(BaseModel):
    class Terrain(models.TextChoices):
        FLAT = "flat", _("Flat road or path")
        TRACK = "track", _("Track")
        TREADMILL = "treadmill", _("Treadmill")
        TRAIL = "trail", _("Trail")
        HILLS = "hills", _("Hills")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Typed in")
        GPX = "gpx", "GPX"
        TCX = "tcx", "TCX"
        FIT = "fit", "FIT"

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
    # Null only on a run imported from a watch file whose pain the runner has not given yet
    # (RunLog.objects.answered() is what the engine evaluates); every run typed in has it.
    pain_during = models.PositiveSmallIntegerField(
        _("pain during (0-10)"), validators=ZERO_TO_TEN, null=True, blank=True
    )
    pain_after = models.PositiveSmallIntegerField(
        _("pain after (0-10)"), validators=ZERO_TO_TEN, null=True, blank=True
    )
    # Effort (RPE, 0-10): the run's easy effort is RPE 3-4 in return to running (§F1b).
    rpe = models.PositiveSmallIntegerField(
        _("effort (RPE 0-10)"), validators=ZERO_TO_TEN, null=True, blank=True
    )
    terrain = models.CharField(_("terrain"), max_length=10, choices=Terrain, default=Terrain.FLAT)
    # Watch-file imports (#15): where the run came from, when it started (UTC), its climb,
    # whether that made it hilly (programs.engine.terrain, §F3), and the file's sha256 so
    # the same file never makes a second run.
    source = models.CharField(_("source"), max_length=10, choices=Source, default=Source.MANUAL)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    elevation_gain_m = models.PositiveIntegerField(_("elevation gain (m)"), null=True, blank=True)
    hilly = models.BooleanField(_("hilly"), default=False)
    content_hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    objects = RunLogQuerySet.as_manager()
    # Pain that changed the way the runner ran (a limp): a warning sign (§D2, §G).
    pain_changed_movement = models.BooleanField(_("pain changed how I ran"), default=False)
    red_flags = models.JSONField(_("warning signs reported"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("run")
        verbose_name_plural = _("runs")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["runner", "date"], name="runlog_runner_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(pain_during__isnull=True) | PAIN_RANGE, name="runlog_pain_0_10"
            ),
            models.CheckConstraint(
                condition=Q(pain_after__isnull=True) | Q(pain_after__lte=10),
                name="runlog_pain_after_0_10",
            ),
            models.CheckConstraint(
                condition=Q(rpe__isnull=True) | Q(rpe__lte=10), name="runlog_rpe_0_10"
            ),
            # A typed-in run always has its pain; only an import may wait for it.
            models.CheckConstraint(
                condition=Q(pain_during__isnull=False) | ~Q(source="manual"),
                name="runlog_manual_has_pain",
            ),
            models.UniqueConstraint(
                fields=["runner", "content_hash"],
                condition=~Q(content_hash=""),
                name="one_run_per_watch_file",
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
    # How bad, as the runner rated it. Required for every new report (blank=False makes
    # full_clean refuse a missing one); null only on reports from before it was asked.
    severity = models.PositiveSmallIntegerField(
        _("how bad (0-10)"), null=True, validators=ZERO_TO_TEN
    )
    note = models.TextField(_("what happened"), blank=True, max_length=2000)
    red_flags = models.JSONField(_("warning signs reported"), default=list, blank=True)

    class Meta:
        verbose_name = _("flare-up")
        verbose_name_plural = _("flare-ups")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__isnull=True) | Q(severity__gte=0, severity__lte=10),
                name="flareup_severity_0_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.runner} {self.date}"


class SetupDraft(BaseModel):
    """A plan set-up in progress: the validated answers of each step the runner has
    completed, so they can go back, leave and come back. One per runner; it goes when the
    plan is made (plan_setup_submit) or with the account."""

    runner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="setup_draft"
    )
    # page key -> {field name: value as form data (a string or a list of strings)}
    answers = models.JSONField(_("answers per step"), default=dict, blank=True)

    class Meta:
        verbose_name = _("plan set-up draft")
        verbose_name_plural = _("plan set-up drafts")

    def __str__(self) -> str:
        return f"{self.runner} set-up draft"


from programs.logbook.questionnaire_models import (  # noqa: E402, F401  (registers the models)
    QuestionnaireResponse,
    RunnerPreferences,
)
