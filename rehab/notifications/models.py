from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rehab.core.models import BaseModel
from rehab.notifications.leasing import OutboxRow


class OutboundEmail(OutboxRow):
    """An email waiting to be sent, or sent: the outbox row is the source of truth.

    Delivery is at-least-once. A worker claims the row with a conditional update
    before sending and marks it sent afterwards; the sweeper re-enqueues rows that a
    lost message or a killed worker left behind (rehab.notifications.leasing). The
    context holds links and names, never pain scores or notes.
    """

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
    PUSH = "push", _("Push notification")


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


class ReminderDelivery(OutboxRow):
    """The sent-marker and outbox row of one reminder on one local day.

    The unique constraint makes a second dispatcher, a retry or a replayed message
    unable to create a second reminder for the same day. The id is the idempotency key.
    Besides the outbox statuses a reminder can be `stale`: too late to be worth sending.
    """

    class Status(models.TextChoices):  # the outbox statuses, and stale
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SUPPRESSED = "suppressed", _("Suppressed")
        STALE = "stale", _("Too late to send")

    # Every sent marker rewrites the row's entries in each of its indexes (its status
    # changes), so the table keeps no index it does not need: the unique constraint below
    # serves lookups by schedule, and nothing looks rows up by when they were created.
    schedule = models.ForeignKey(
        ReminderSchedule, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    local_date = models.DateField()
    channel = models.CharField(max_length=10, choices=ReminderChannel)
    scheduled_for = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status, default=Status.PENDING)
    # Push: the subscriptions (devices) this reminder has reached, so a retry after one
    # device failed does not notify the others a second time.
    pushed_to = models.JSONField(default=list, blank=True)

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
            ),
            # The senders' claim takes the open rows in scheduled order, a batch at a time:
            # walked in this index it stops after the batch, where without it every claim
            # sorted every open row (23 ms per claim of 25 with 50,000 rows waiting).
            models.Index(
                fields=["scheduled_for"],
                condition=Q(status__in=["pending", "sending"]),
                name="reminder_due_order_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.schedule} {self.local_date} {self.status}"


class PushSubscription(BaseModel):
    """One browser or device that accepted Web Push for a user (the Push API's
    PushSubscription). The endpoint is a capability URL at the browser's push service and
    the keys encrypt what is sent to it (RFC 8291): all three are secrets, kept out of the
    data export. A push service answering 404 or 410 removes the row."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=100)
    auth = models.CharField(max_length=50)
    user_agent = models.CharField(_("device"), max_length=120, blank=True)
    last_success = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")

    def __str__(self) -> str:
        return f"{self.user} {self.user_agent or self.pk}"

    @property
    def info(self) -> dict:
        """The subscription as pywebpush takes it."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class SuppressionReason(models.TextChoices):
    BOUNCED = "bounced", _("Hard bounce")
    COMPLAINED = "complained", _("Spam complaint")
    REJECTED = "rejected", _("Rejected by the provider")


class EmailSuppression(models.Model):
    """An address the outbox no longer sends to, because a provider reported a hard bounce,
    a spam complaint or a rejection (its tracking webhook, rehab.notifications.webhooks).

    One row per provider event: the event id makes a webhook the provider sends twice a
    single row. The address is stored lower-cased. Nothing of the message is kept, only
    who, why and where from; staff lift a suppression by deleting its rows (the admin).
    """

    email = models.EmailField(_("email address"), db_index=True)
    reason = models.CharField(_("reason"), max_length=12, choices=SuppressionReason)
    # anymail's normalised reject reason (invalid, bounced, spam, blocked, ...): a fixed
    # vocabulary, never the provider's free text.
    detail = models.CharField(_("detail"), max_length=20, blank=True)
    provider = models.CharField(_("provider"), max_length=30)
    event_id = models.CharField(_("event id"), max_length=200)
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    created = models.DateTimeField(_("recorded at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("email suppression")
        verbose_name_plural = _("email suppressions")
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="one_row_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.reason}, {self.provider})"
