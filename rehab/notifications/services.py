"""The email outbox: enqueue on commit, claim, send, mark; sweep what was left behind."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from rehab.notifications import leasing
from rehab.notifications.models import OutboundEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = leasing.MAX_ATTEMPTS


def _enqueue_after_commit(email_id: uuid.UUID) -> None:
    from rehab.notifications.tasks import deliver_email

    def send() -> None:
        try:
            deliver_email.delay(str(email_id))
        except Exception:  # broker down: the sweeper will pick the row up
            logger.warning("could not enqueue outbound email %s; the sweeper will retry", email_id)

    transaction.on_commit(send, robust=True)


def email_enqueue(
    *,
    to: str,
    template: str,
    context: dict,
    language: str,
    recipient=None,
    about=None,
    dedupe_key: str | None = None,
) -> OutboundEmail:
    """Store an email in the outbox and hand it to a worker once the transaction commits.

    With a dedupe_key the same logical email is stored, and sent, once.
    """
    with transaction.atomic():
        if dedupe_key:
            existing = OutboundEmail.objects.filter(dedupe_key=dedupe_key).first()
            if existing:
                return existing
        try:
            with transaction.atomic():
                email = OutboundEmail.objects.create(
                    to=to,
                    template=template,
                    context=context,
                    language=language,
                    recipient=recipient,
                    about=about,
                    dedupe_key=dedupe_key,
                )
        except IntegrityError:
            return OutboundEmail.objects.get(dedupe_key=dedupe_key)
        _enqueue_after_commit(email.id)
        return email


def render_email(*, template: str, context: dict, language: str) -> tuple[str, str, str]:
    ctx = {"site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = render_to_string(f"emails/{template}.subject.txt", ctx).strip()
        text = render_to_string(f"emails/{template}.txt", ctx)
        html = render_to_string(f"emails/{template}.html", ctx)
    return " ".join(subject.split()), text, html


def email_deliver(*, email_id) -> str:
    """Send one outbox row if this caller wins the claim. Returns the resulting status.

    Raises the transport's error after putting the row back to pending, so the task
    can retry with back-off.
    """
    now = timezone.now()
    if not leasing.claim(OutboundEmail, email_id, now=now):
        return "skipped"
    email = OutboundEmail.objects.select_related("recipient").get(id=email_id)
    if email.recipient_id is not None and not email.recipient.is_active:
        leasing.finish(OutboundEmail, email.id, OutboundEmail.Status.SUPPRESSED)
        return OutboundEmail.Status.SUPPRESSED
    subject, text, html = render_email(
        template=email.template, context=email.context, language=email.language
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        headers={"X-Outbox-Id": str(email.id)},
    )
    message.attach_alternative(html, "text/html")
    try:
        message.send(fail_silently=False)
    except Exception as exc:
        leasing.retry_later(
            OutboundEmail, email.id, attempts=email.attempts, error_field="last_error", error=exc
        )
        raise
    leasing.finish(
        OutboundEmail, email.id, OutboundEmail.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return OutboundEmail.Status.SENT


def outbox_stuck_ids(*, now: dt.datetime, limit: int = 5000) -> list:
    return leasing.stuck_ids(OutboundEmail, now=now, order_by="created_at", limit=limit)


def outbox_fail_exhausted(*, now: dt.datetime) -> int:
    return leasing.fail_exhausted(OutboundEmail, now=now)
