from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rehab.core.models import BaseModel


class OutboundEmail(BaseModel):
    """An email waiting to be sent, or sent: the outbox row is the source of truth.

    Delivery is at-least-once. A worker claims the row with a conditional update
    before sending and marks it sent afterwards; the sweeper re-enqueues rows that a
    lost message or a killed worker left behind. The context holds links and names,
    never pain scores or notes.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SUPPRESSED = "suppressed", _("Suppressed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbound_emails",
    )
    # The person an email is about (e.g. the runner in an alert to a physio): erasing
    # that person's account removes such emails too.
    about = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="emails_about",
    )
    to = models.EmailField()
    template = models.CharField(max_length=100)
    context = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=5, default="en")
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(max_length=12, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")
        indexes = [
            models.Index(
                fields=["status", "next_attempt_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="outbox_open_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.to} ({self.status})"


class ReminderKind(models.TextChoices):
    SESSION = "session", _("Training day reminder")
    CHECKIN = "checkin", _("Next-morning pain check-in")


class ReminderChannel(models.TextChoices):
    EMAIL = "email", _("Email")


class ReminderSchedule(BaseModel):
    """One reminder a user wants at a local time each day. The next UTC instant is stored,
    so the dispatcher needs one indexed range scan and nothing lives in the broker."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_schedules"
    )
    kind = models.CharField(_("reminder"), max_length=10, choices=ReminderKind)
    channel = models.CharField(
        _("channel"), max_length=10, choices=ReminderChannel, default=ReminderChannel.EMAIL
    )
    local_time = models.TimeField(_("local time"))
    enabled = models.BooleanField(_("enabled"), default=True)
    next_fire_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reminder schedule")
        verbose_name_plural = _("reminder schedules")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "channel"], name="one_schedule_per_kind_channel"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_fire_at"], condition=Q(enabled=True), name="reminder_due_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.local_time:%H:%M}"


class ReminderDelivery(BaseModel):
    """The sent-marker and outbox row of one reminder on one local day.

    The unique constraint makes a second dispatcher, a retry or a replayed message
    unable to create a second reminder for the same day. The id is the idempotency key.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SUPPRESSED = "suppressed", _("Suppressed")
        STALE = "stale", _("Too late to send")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    schedule = models.ForeignKey(
        ReminderSchedule, on_delete=models.CASCADE, related_name="deliveries"
    )
    local_date = models.DateField()
    channel = models.CharField(max_length=10, choices=ReminderChannel)
    scheduled_for = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("reminder delivery")
        verbose_name_plural = _("reminder deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "local_date", "channel"], name="one_reminder_per_local_day"
            )
        ]
        indexes = [
            models.Index(
                fields=["status", "next_attempt_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="reminder_open_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.schedule} {self.local_date} {self.status}"
