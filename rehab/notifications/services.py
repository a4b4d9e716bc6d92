"""The one email path: enqueue on commit, claim, render, send, mark; sweep what was left behind.

Every email the product sends goes through here. `email_enqueue` writes the outbox row
(OutboundEmail: template name, links-only context, the recipient's language); a worker
then claims it and `email_deliver` builds the message with `email_message` (subject, text
and HTML from templates/emails/<template>.* in that language) and sends it with
`outbox_send`. Reminders (rehab.notifications.reminders) are their own outbox rows and
use the same builder and sender; allauth's account emails come in through
rehab.accounts.adapter. Contexts hold links and names, never health data
(tests/rehab/notifications/test_email_privacy.py).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import uuid
from email.utils import parseaddr

from anymail.exceptions import AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from rehab.core.task_options import SEND_EXPIRES
from rehab.notifications.leasing import OutboxRow, OutboxStatus
from rehab.notifications.models import EmailSuppression, OutboundEmail, SuppressionReason

logger = logging.getLogger(__name__)


def _enqueue_after_commit(email_id: uuid.UUID) -> None:
    from rehab.notifications.tasks import deliver_email

    def send() -> None:
        try:
            deliver_email.apply_async((str(email_id),), expires=SEND_EXPIRES)
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
    """Subject, text and HTML of templates/emails/<template>.* in `language`."""
    ctx = {"site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = render_to_string(f"emails/{template}.subject.txt", ctx).strip()
        text = render_to_string(f"emails/{template}.txt", ctx)
        html = render_to_string(f"emails/{template}.html", ctx)
    return " ".join(subject.split()), text, html


def email_message(
    *, to: str, template: str, context: dict, language: str, headers: dict | None = None
) -> EmailMultiAlternatives:
    """The message of one email: text with an HTML alternative, from DEFAULT_FROM_EMAIL."""
    subject, text, html = render_email(template=template, context=context, language=language)
    return email_message_of(to=to, subject=subject, text=text, html=html, headers=headers)


def email_message_of(
    *, to: str, subject: str, text: str, html: str, headers: dict | None = None
) -> EmailMultiAlternatives:
    """The message of one email already rendered (render_email)."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers or {},
    )
    message.attach_alternative(html, "text/html")
    return message


@functools.lru_cache(maxsize=8)
def _sender_domain(from_email: str) -> str:
    return parseaddr(from_email)[1].rpartition("@")[2] or "localhost"


def outbox_message_id(row: OutboxRow) -> str:
    """The Message-ID of a row's email: the same on every attempt, so a provider or the
    receiving server can drop the copy a retry sends after a lost acknowledgement."""
    domain = _sender_domain(settings.DEFAULT_FROM_EMAIL)
    kind = type(row)._meta.model_name
    digest = hashlib.sha256(f"{kind}:{row.pk}:{domain}".encode()).hexdigest()[:16]
    return f"<{kind}-{row.pk}-{digest}@{domain}>"


SUPPRESSED_DETAIL = "address suppressed (bounce, complaint or rejection)"


def email_address_key(email: str) -> str:
    """An address as suppressions are stored and compared."""
    return email.strip().lower()


def email_is_suppressed(email: str) -> bool:
    """Whether a provider reported this address as bouncing, complaining or rejected."""
    return EmailSuppression.objects.filter(email=email_address_key(email)).exists()


def email_addresses_suppressed(emails: list[str]) -> set[str]:
    """Which of these addresses a provider reported (as email_address_key), in one query."""
    keys = {email_address_key(e) for e in emails}
    if not keys:
        return set()
    return set(EmailSuppression.objects.filter(email__in=keys).values_list("email", flat=True))


def email_suppressions_of(email: str) -> list[EmailSuppression]:
    """The suppression rows of an address, newest first (the user's admin page)."""
    return list(
        EmailSuppression.objects.filter(email=email_address_key(email)).order_by("-created")
    )


def email_suppression_record(
    *,
    email: str,
    reason: str,
    provider: str,
    event_id: str,
    detail: str = "",
    occurred_at: dt.datetime | None = None,
) -> tuple[EmailSuppression, bool]:
    """Stop sending to an address; the same provider event twice is one row.

    Returns the row and whether it is new.
    """
    reason = SuppressionReason(reason)
    with transaction.atomic():
        existing = EmailSuppression.objects.filter(provider=provider, event_id=event_id).first()
        if existing:
            return existing, False
        try:
            with transaction.atomic():
                row = EmailSuppression.objects.create(
                    email=email_address_key(email),
                    reason=reason,
                    provider=provider,
                    event_id=event_id,
                    detail=detail[:20],
                    occurred_at=occurred_at,
                )
        except IntegrityError:  # the same event, recorded by a concurrent request
            return EmailSuppression.objects.get(provider=provider, event_id=event_id), False
    logger.info("email suppressed: %s from %s (%s)", reason, provider, row.pk)
    return row, True


def email_suppression_lift(*, emails: list[str]) -> int:
    """Send to these addresses again: every suppression row of each goes. Returns the count."""
    with transaction.atomic():
        deleted, _by_model = EmailSuppression.objects.filter(
            email__in=[email_address_key(e) for e in emails]
        ).delete()
    return deleted


def outbox_send(row: OutboxRow, message: EmailMultiAlternatives) -> str:
    """Send the message of a row this worker claimed, and mark the row.

    A transport error puts the row back to pending with a back-off and is raised again,
    so the task retries; success marks it sent. A provider that refuses every recipient
    at once (anymail's AnymailRecipientsRefused: a known bounce, an invalid address)
    suppresses the address and the row, as its webhook would have.
    """
    objects = type(row).objects
    try:
        message.send(fail_silently=False)
    except AnymailRecipientsRefused:
        for address in message.to:
            email_suppression_record(
                email=address,
                reason=SuppressionReason.REJECTED,
                provider=settings.EMAIL_PROVIDER,
                event_id=f"refused-{type(row)._meta.model_name}-{row.pk}",
            )
        objects.finish(row.pk, OutboxStatus.SUPPRESSED, detail=SUPPRESSED_DETAIL)
        return OutboxStatus.SUPPRESSED
    except Exception as exc:
        objects.retry_later(row.pk, attempts=row.attempts, error=exc)
        raise
    objects.finish(row.pk, OutboxStatus.SENT, sent_at=timezone.now(), detail="")
    return OutboxStatus.SENT


def email_deliver(*, email_id) -> str:
    """Send one outbox row if this caller wins the claim. Returns the resulting status.

    Raises the transport's error after putting the row back to pending, so the task
    can retry with back-off.
    """
    now = timezone.now()
    if not OutboundEmail.objects.claim(email_id, now=now):
        return "skipped"
    email = OutboundEmail.objects.select_related("recipient").get(id=email_id)
    if email.recipient is not None and not email.recipient.is_active:
        OutboundEmail.objects.finish(email.id, OutboundEmail.Status.SUPPRESSED)
        return OutboundEmail.Status.SUPPRESSED
    if email_is_suppressed(email.to):
        OutboundEmail.objects.finish(
            email.id, OutboundEmail.Status.SUPPRESSED, detail=SUPPRESSED_DETAIL
        )
        return OutboundEmail.Status.SUPPRESSED
    message = email_message(
        to=email.to,
        template=email.template,
        context=email.context,
        language=email.language,
        headers={"X-Outbox-Id": str(email.id), "Message-ID": outbox_message_id(email)},
    )
    return outbox_send(email, message)


def outbox_stuck_ids(*, now: dt.datetime, limit: int = 5000) -> list:
    return OutboundEmail.objects.stuck_ids(now=now, order_by="created_at", limit=limit)


def outbox_fail_exhausted(*, now: dt.datetime) -> int:
    return OutboundEmail.objects.fail_exhausted(now=now)
