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
