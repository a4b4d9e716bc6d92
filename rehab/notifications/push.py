"""Web Push: a reminder as a notification on the runner's devices, beside email.

A browser subscribes with our VAPID public key (static/js/push.js) and posts its
PushSubscription here (`push_subscription_save`). A push reminder is a ReminderDelivery
row like an email one (channel `push`): the same claim, lease, back-off and per-day
dedupe marker (rehab.notifications.leasing, unique per schedule, local day and channel).
`push_reminder_send` posts one encrypted message (aes128gcm, RFC 8291) to every device
of the user, signed with VAPID (RFC 8292) through pywebpush. The payload is a title and
a link, never health data (tests/rehab/notifications/test_push.py decrypts it).

A push service that answers 404 or 410 has dropped the subscription: the row is removed.
Any other failure puts the delivery back to pending with the outbox's back-off and is
raised as a transient error, so the task retries; the devices already reached are kept
in `pushed_to` and not notified twice.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pywebpush import WebPushException, webpush

from rehab.notifications.leasing import OutboxStatus
from rehab.notifications.models import PushSubscription, ReminderDelivery, ReminderKind
from rehab.notifications.vapid import b64url_decode

logger = logging.getLogger(__name__)

MAX_SUBSCRIPTIONS_PER_USER = 20  # a new device beyond this replaces the oldest
GONE = {404, 410}  # the push service no longer knows the subscription

# What each reminder says and where it leads: the same words and links as its email.
REMINDER_PUSH = {
    ReminderKind.SESSION: (gettext_lazy("Today is a training day"), "/"),
    ReminderKind.CHECKIN: (gettext_lazy("Your morning check-in is ready"), "/checkin/"),
}


class PushFailed(ConnectionError):
    """A push service refused or could not take a message; a later attempt may succeed.
    A ConnectionError, so the send task's autoretry (rehab.core.task_options) retries it."""


def push_configured() -> bool:
    return bool(settings.VAPID_PRIVATE_KEY and settings.VAPID_PUBLIC_KEY)


# --- Subscriptions ---------------------------------------------------------------------


def endpoint_problem(endpoint: str) -> str | None:
    """Why an endpoint is refused, or None. Push services are public HTTPS servers: the
    worker must never be made to post into the local network."""
    try:
        parts = urlsplit(endpoint)
        host = parts.hostname or ""
    except ValueError:
        return _("Enter a valid URL.")
    local_allowed = settings.WEBPUSH_ALLOW_LOCAL_ENDPOINTS
    if parts.scheme != "https" and not (local_allowed and parts.scheme == "http"):
        return _("A push endpoint must be an https:// address.")
    if not host or parts.username or parts.password:
        return _("Enter a valid URL.")
    if local_allowed:
        return None
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return _("A push endpoint must be on the public internet.")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if not address.is_global:
        return _("A push endpoint must be on the public internet.")
    return None


def keys_problems(*, p256dh: str, auth: str) -> dict[str, str]:
    """Field -> message for keys that cannot encrypt a message (RFC 8291 section 3)."""
    problems: dict[str, str] = {}
    try:
        point = b64url_decode(p256dh)
        if len(point) != 65 or point[0] != 4:
            raise ValueError
        from cryptography.hazmat.primitives.asymmetric import ec

        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except (ValueError, UnicodeError):
        problems["p256dh"] = _("This is not the browser's P-256 public key.")
    try:
        if len(b64url_decode(auth)) != 16:
            raise ValueError
    except (ValueError, UnicodeError):
        problems["auth"] = _("This is not the browser's 16-byte authentication secret.")
    return problems


def device_label(user_agent: str) -> str:
    """A short name for a device from its User-Agent, e.g. "Firefox on Android"."""
    ua = user_agent or ""
    browser = next(
        (
            name
            for token, name in (
                ("Edg/", "Edge"),
                ("OPR/", "Opera"),
                ("Firefox/", "Firefox"),
                ("Chrome/", "Chrome"),
                ("Safari/", "Safari"),
            )
            if token in ua
        ),
        "",
    )
    system = next(
        (
            name
            for token, name in (
                ("Android", "Android"),
                ("iPhone", "iPhone"),
                ("iPad", "iPad"),
                ("Windows", "Windows"),
                ("Mac OS X", "macOS"),
                ("Linux", "Linux"),
            )
            if token in ua
        ),
        "",
    )
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or ua[:60]


def push_subscription_save(
    *, user, endpoint: str, p256dh: str, auth: str, user_agent: str = ""
) -> tuple[PushSubscription, bool]:
    """Store a device's subscription for `user`; True when it is new.

    An endpoint belongs to one browser profile: posted again (new keys, or another account
    signed in on that browser) it moves to the caller. Checked by the caller's form or
    serializer (endpoint_problem, keys_problems)."""
    fields = {"user": user, "p256dh": p256dh, "auth": auth, "user_agent": user_agent[:120]}
    for _attempt in range(2):
        try:
            with transaction.atomic():
                subscription, created = PushSubscription.objects.update_or_create(
                    endpoint=endpoint, defaults=fields
                )
                surplus = PushSubscription.objects.filter(user=user).order_by("-updated_at")[
                    MAX_SUBSCRIPTIONS_PER_USER:
                ]
                PushSubscription.objects.filter(pk__in=list(surplus.values("pk"))).delete()
                return subscription, created
        except IntegrityError:  # the same browser posted twice at once: update the winner
            continue
    raise IntegrityError("push subscription could not be stored")


def push_subscription_delete(*, user, endpoint: str) -> bool:
    """Forget one of the user's own devices; another user's endpoint is not found."""
    deleted, _rows = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    return deleted > 0


def push_subscriptions_of(user) -> list[PushSubscription]:
    return list(PushSubscription.objects.filter(user=user).order_by("created_at"))


# --- Sending ---------------------------------------------------------------------------


def push_payload(*, kind: str, language: str) -> bytes:
    """The whole message a device receives: a title and a link, nothing else."""
    title, path = REMINDER_PUSH[ReminderKind(kind)]
    with translation.override(language):
        body = {"title": str(title), "link": f"{settings.SITE_URL}{path}"}
    return json.dumps(body, ensure_ascii=False).encode()


def _post(subscription: PushSubscription, data: bytes, *, topic: str, session) -> None:
    webpush(
        subscription_info=subscription.info,
        data=data.decode(),
        vapid_private_key=settings.VAPID_PRIVATE_KEY,
        vapid_claims={"sub": settings.VAPID_SUBJECT},  # a fresh dict: webpush writes into it
        content_encoding="aes128gcm",
        ttl=settings.WEBPUSH_TTL,
        timeout=settings.WEBPUSH_TIMEOUT,
        headers={"Urgency": "normal", "Topic": topic},
        requests_session=session,
    )


def push_reminder_send(delivery: ReminderDelivery) -> str:
    """Send a claimed push delivery to each of its user's devices not yet reached."""
    objects = ReminderDelivery.objects
    schedule, user = delivery.schedule, delivery.schedule.user
    if not push_configured():
        objects.finish(delivery.pk, OutboxStatus.SUPPRESSED, detail="push not configured")
        return OutboxStatus.SUPPRESSED
    reached = list(delivery.pushed_to)
    pending = [s for s in push_subscriptions_of(user) if s.pk not in reached]
    data = push_payload(kind=schedule.kind, language=user.language)
    session = requests.Session()
    session.max_redirects = 0  # a redirect could point the worker anywhere
    failure: Exception | None = None
    for subscription in pending:
        if endpoint_problem(subscription.endpoint):
            subscription.delete()
            continue
        try:
            _post(subscription, data, topic=f"reminder-{schedule.kind}", session=session)
        except WebPushException as exc:
            if exc.status_code in GONE:
                logger.info("push subscription %s is gone; removed", subscription.pk)
                subscription.delete()
            else:
                failure = PushFailed(f"push service answered {exc.status_code}")
            continue
        except requests.RequestException as exc:
            failure = PushFailed(f"push service unreachable: {type(exc).__name__}")
            continue
        reached.append(subscription.pk)
        objects.filter(pk=delivery.pk, status=OutboxStatus.SENDING).update(pushed_to=reached)
        PushSubscription.objects.filter(pk=subscription.pk).update(last_success=timezone.now())
    session.close()
    if failure is not None:
        objects.retry_later(delivery.pk, attempts=delivery.attempts, error=failure)
        raise failure
    if not reached:
        objects.finish(delivery.pk, OutboxStatus.SUPPRESSED, detail="no device takes push")
        return OutboxStatus.SUPPRESSED
    objects.finish(delivery.pk, OutboxStatus.SENT, sent_at=timezone.now(), detail="")
    return OutboxStatus.SENT
