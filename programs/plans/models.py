"""A runner's plan: copied prescriptions, revisions, decisions.

A plan copies everything it needs from its template when it is generated, so editing
the template never changes it. Every change (progression, a physio's edit, an undo)
is a new PlanRevision holding the full engine state; the weeks and sessions from the
revision's first day on are laid out again in place (a session keeps its id while its
date and kind stay planned), logged sessions are never touched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rehab.core.fields import DocumentField
from rehab.core.models import BaseModel

if TYPE_CHECKING:
    from programs.content.models import Exercise
    from programs.plans.selectors import Outlook

PAIN = [MinValueValidator(0), MaxValueValidator(10)]


class PlanQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=[Plan.Status.ACTIVE, Plan.Status.PAUSED])


class Plan(BaseModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        REFERRED = "referred", _("Paused: see a clinician")
        COMPLETED = "completed", _("Completed")
        ARCHIVED = "archived", _("Archived")

    runner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plans"
    )
    template = models.ForeignKey(
        "content.ProgramTemplate", on_delete=models.PROTECT, related_name="plans"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plans_created",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.ACTIVE)
    condition = models.CharField(_("condition"), max_length=40)
    start_date = models.DateField(_("start date"))
    baseline_pain = models.FloatField(_("baseline pain"), validators=PAIN)
    irritability = models.CharField(_("irritability"), max_length=10, default="moderate")
    # The runner's situation the plan was built for (specs.RunnerContext, minus dates).
    context = models.JSONField(_("runner context"), default=dict)
    # Per-plan policy a physiotherapist may change (specs.Policy fields).
    policy = models.JSONField(_("progression policy"), default=dict, blank=True)
    current_revision = models.ForeignKey(
        "plans.PlanRevision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)  # optimistic concurrency for edits
    # A physiotherapist's note to the runner about the whole plan (this week, the player).
    note = models.TextField(_("note to the runner"), max_length=1000, blank=True)
    # When the next weekly evaluation is due (UTC): the day after a plan week ends, at
    # EVALUATION_LOCAL_TIME in the runner's zone, so that morning's check-in is in.
    next_evaluation_at = models.DateTimeField(null=True, blank=True)
    # The phase (key) the runner last saw on their "this week" page: when the phase in
    # force comes after it, the page congratulates them once (plan_phase_seen_mark).
    phase_seen = models.CharField(max_length=40, blank=True)

    objects = PlanQuerySet.as_manager()
    # Not fields: set for the API's plan detail (programs/api/plans/views.py).
    weeks_list: list[PlanWeek]
    outlook: Outlook | None

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            models.UniqueConstraint(
                fields=["runner"],
                condition=Q(status__in=["active", "paused", "referred"]),
                name="one_open_plan_per_runner",
            ),
            models.CheckConstraint(
                condition=Q(baseline_pain__gte=0, baseline_pain__lte=10),
                name="plan_baseline_pain_0_10",
            ),
        ]
        indexes = [
            # The weekly dispatcher's claim order: it reads `batch` entries and stops.
            models.Index(
                fields=["next_evaluation_at", "id"],
                condition=Q(status="active"),
                name="plan_evaluation_due_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.runner} · {self.template_id} · {self.status}"


class PlanRevision(models.Model):
    class Kind(models.TextChoices):
        GENERATED = "generated", _("Plan created")
        PROGRESSION = "progression", _("Adjusted from your logs")
        PHYSIO = "physio", _("Changed by your physiotherapist")
        UNDO = "undo", _("Change undone")
        RESUMED = "resumed", _("Resumed after a clinician's all-clear")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=Kind)
    state = DocumentField()  # specs.PlanState, serialised
    effective_from = models.DateField()
    reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # A physiotherapist's edit (kind PHYSIO, plans.services.edits): what changed, as codes
    # and values the pages put in the reader's language ({"action", "slot_key", "before",
    # "after", ...}), and the rules it overrode with the written reason for each.
    changes = models.JSONField(default=list, blank=True)
    overrides = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="revision_number_per_plan")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} r{self.number} {self.kind}"


class PlanWeek(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="weeks")
    revision = models.ForeignKey(PlanRevision, on_delete=models.CASCADE, related_name="weeks")
    number = models.PositiveSmallIntegerField()
    phase_key = models.CharField(max_length=40)
    starts_on = models.DateField()
    run = models.JSONField(default=dict)  # specs.RunPrescription
    education = models.JSONField(default=list)  # education topic slugs due
    deload = models.BooleanField(default=False)
    # Set when the week comes after the current phase's expected end: what it holds depends
    # on that phase's exit criteria (planner.provisional_from_week). The value is the first
    # such week of the plan ("from about week N"); null for a settled week.
    provisional_from = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="week_number_per_plan")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} week {self.number}"

    @property
    def provisional(self) -> bool:
        return self.provisional_from is not None


class PlanSession(models.Model):
    class Kind(models.TextChoices):
        STRENGTH = "strength", _("Strength session")
        ISOMETRIC = "isometric", _("Short isometric session")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sessions")
    week = models.ForeignKey(PlanWeek, on_delete=models.CASCADE, related_name="sessions")
    revision = models.ForeignKey(PlanRevision, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField()
    kind = models.CharField(max_length=10, choices=Kind)
    # A relayout updates a session in place (same id for the same plan, date and kind, so
    # links and calendar UIDs live on). `fingerprint` digests what the runner is shown (the
    # prescriptions and whether the week is provisional); `sequence` rises each time it
    # changes, as the calendar feed's SEQUENCE (RFC 5545 §3.8.7.4).
    sequence = models.PositiveIntegerField(default=0)
    fingerprint = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["plan", "date", "kind"]
        indexes = [models.Index(fields=["plan", "date"], name="session_plan_date_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "date", "kind"], name="one_session_kind_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.date} {self.kind}"


class Prescription(models.Model):
    session = models.ForeignKey(PlanSession, on_delete=models.CASCADE, related_name="prescriptions")
    order = models.PositiveSmallIntegerField(default=0)
    slot_key = models.CharField(max_length=60)
    exercise = models.ForeignKey("content.Exercise", on_delete=models.PROTECT, related_name="+")
    sets = models.PositiveSmallIntegerField()
    reps = models.PositiveSmallIntegerField(null=True, blank=True)
    hold_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    load_kg = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    rest_seconds = models.PositiveSmallIntegerField(default=60)
    notes = models.CharField(max_length=300, blank=True)
    substituted_for = models.CharField(max_length=80, blank=True)
    # Why the template's exercise was swapped: a code from specs.SUBSTITUTION_REASONS,
    # shown to the runner in their language (runner/player.html).
    substitution_reason = models.CharField(max_length=20, blank=True)
    # Not a field: set by logbook.selectors.session_for_runner, the exercise that
    # `substituted_for` names.
    replaced_exercise: Exercise | None
    tempo = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["session", "order"]
        constraints = [
            models.CheckConstraint(condition=Q(sets__gte=1, sets__lte=10), name="rx_sets_1_10"),
            models.CheckConstraint(
                condition=Q(reps__isnull=True) | Q(reps__gte=1, reps__lte=100), name="rx_reps_sane"
            ),
            models.CheckConstraint(
                condition=Q(hold_seconds__isnull=True) | Q(hold_seconds__lte=300),
                name="rx_hold_max_5_min",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exercise_id} {self.sets}x{self.reps or self.hold_seconds}"


class Decision(BaseModel):
    """One progression decision, with its inputs, rule, source and explanation."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for your physiotherapist")
        APPLIED = "applied", _("Applied")
        REJECTED = "rejected", _("Not applied")

    # Every field of the engine's Decision has its column, so a pending decision can be
    # rebuilt and applied later (services.engine_decision). The (plan, fingerprint)
    # constraint's index serves lookups by plan: no separate index on plan.
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="decisions", db_index=False
    )
    fingerprint = models.CharField(max_length=64)
    kind = models.CharField(max_length=20)
    rule = models.CharField(max_length=60)
    sources = DocumentField(default=list)
    explanation = DocumentField(default=dict)  # {"en": ..., "nl": ...}
    inputs = DocumentField(default=dict)
    changes = DocumentField(default=list)
    phase_before = models.CharField(max_length=60, blank=True)
    phase_after = models.CharField(max_length=60, blank=True)
    run_before = DocumentField(null=True, blank=True)  # specs.RunTarget
    run_after = DocumentField(null=True, blank=True)
    slot_key = models.CharField(max_length=60, blank=True)
    window_ends_on = models.DateField()
    effective_from = models.DateField()
    alert_physio = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status, default=Status.APPLIED)
    revision = models.ForeignKey(
        PlanRevision, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # What the physiotherapist wrote to the runner when approving or rejecting (optional;
    # shown in "why did my plan change", never emailed).
    physio_message = models.TextField(_("message to the runner"), max_length=1000, blank=True)
    # Why a pending decision was closed without a physiotherapist deciding it: an edit of
    # theirs made it moot ({"en": ..., "nl": ...}).
    closed_reason = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["plan", "-window_ends_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "fingerprint"], name="decision_once_per_plan")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.kind} {self.rule}"


class ProgressionRun(models.Model):
    """One weekly evaluation of one plan. The unique period makes re-runs no-ops."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="progression_runs")
    period_start = models.DateField()
    period_end = models.DateField()
    inputs_hash = models.CharField(max_length=64)
    decisions_count = models.PositiveSmallIntegerField(default=0)
    weekly_pain_mean = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "period_start"], name="one_run_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.period_start}"
