"""The providers' bounce and complaint webhooks: anymail's tracking views, behind a guard.

`/anymail/<provider>/tracking/` is anymail's own view (its URL names, in the "anymail"
namespace), which checks the provider's signature and/or the basic auth of
ANYMAIL["WEBHOOK_SECRET"] and answers 400 to a forgery. Anymail's views accept anyone
when no secret is set; the guard here answers 404 instead, and for every provider not in
EMAIL_WEBHOOK_PROVIDERS. Inbound-mail views are not mounted.

anymail sends each event as `anymail.signals.tracking`; `on_tracking_event` turns a
hard bounce, a complaint or a rejection into an EmailSuppression and ignores the rest.
Nothing of the payload is stored or logged but the address, the kind and the event id.
"""

from __future__ import annotations

import hashlib
from email.utils import parseaddr

from anymail.signals import AnymailTrackingEvent, EventType
from django.conf import settings
from django.http import Http404
from django.urls import URLPattern, path
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt

from rehab.notifications.providers import webhook_verifiable
from rehab.notifications.services import email_suppression_record

TRACKING_VIEWS = {
    "postmark": "anymail.webhooks.postmark.PostmarkTrackingWebhookView",
    "mailgun": "anymail.webhooks.mailgun.MailgunTrackingWebhookView",
    "sendgrid": "anymail.webhooks.sendgrid.SendGridTrackingWebhookView",
    "brevo": "anymail.webhooks.brevo.BrevoTrackingWebhookView",
    "sparkpost": "anymail.webhooks.sparkpost.SparkPostTrackingWebhookView",
    "mailjet": "anymail.webhooks.mailjet.MailjetTrackingWebhookView",
    "amazon_ses": "anymail.webhooks.amazon_ses.AmazonSESTrackingWebhookView",
}

SUPPRESSING = {
    EventType.BOUNCED: "bounced",
    EventType.COMPLAINED: "complained",
    EventType.REJECTED: "rejected",
}
# anymail reports some soft bounces as `bounced`; they say nothing about the address.
SOFT_BOUNCES = {"Postmark": {"SoftBounce", "VirusNotification"}}


def _guarded(provider: str):
    view = import_string(TRACKING_VIEWS[provider]).as_view()

    @csrf_exempt
    def tracking_webhook(request, *args, **kwargs):
        if provider not in settings.EMAIL_WEBHOOK_PROVIDERS or not webhook_verifiable(
            provider, settings.ANYMAIL
        ):
            raise Http404
        return view(request, *args, **kwargs)

    tracking_webhook.login_not_required = True  # type: ignore[attr-defined]
    return tracking_webhook


def urlpatterns() -> list[URLPattern]:
    return [
        path(f"{name}/tracking/", _guarded(name), name=f"{name}_tracking_webhook")
        for name in TRACKING_VIEWS
    ]


def _event_id(event: AnymailTrackingEvent, esp_name: str) -> str:
    """The provider's event id, or one made from what identifies the event."""
    if event.event_id:
        return str(event.event_id)[:200]
    parts = (esp_name, event.event_type, event.recipient, event.timestamp, event.message_id)
    return "derived-" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _is_soft(event: AnymailTrackingEvent, esp_name: str) -> bool:
    if event.event_type != EventType.BOUNCED or not isinstance(event.esp_event, dict):
        return False
    return event.esp_event.get("Type") in SOFT_BOUNCES.get(esp_name, set())


def on_tracking_event(sender, event: AnymailTrackingEvent, esp_name: str, **kwargs) -> None:
    """anymail.signals.tracking receiver (connected in NotificationsConfig.ready)."""
    reason = SUPPRESSING.get(event.event_type)
    address = parseaddr(event.recipient or "")[1]
    if reason is None or "@" not in address or _is_soft(event, esp_name):
        return
    email_suppression_record(
        email=address,
        reason=reason,
        provider=esp_name.lower().replace(" ", "_"),
        event_id=_event_id(event, esp_name),
        detail=str(event.reject_reason or ""),
        occurred_at=event.timestamp,
    )
