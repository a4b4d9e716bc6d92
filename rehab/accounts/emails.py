"""allauth's account emails, sent through the one email path (the outbox).

allauth asks for an email by template prefix with a context of objects; the adapter
hands both here. Each prefix maps to one of our templates (templates/emails, text and
HTML, English and Dutch), and the context to the links it needs: paths only, put after
SITE_URL when the email is rendered, so a forged Host header cannot end up in a link.
The email is written to the outbox in the recipient's language (the account's; for an
address without an account, the language of the request) and sent by a worker.

Only the emails our allauth settings can send are mapped (email confirmation, password
reset, an address that already has an account or has none); asking for another is a
configuration error, raised at once rather than sent around the outbox.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from rehab.accounts.models import User
from rehab.accounts.services import user_signup_attempt_notify
from rehab.notifications.services import email_enqueue

# allauth template prefix -> (our template, {our context key: allauth context key}).
ALLAUTH_EMAILS = {
    "account/email/email_confirmation_signup": ("confirm_email", {"confirm_path": "activate_url"}),
    "account/email/email_confirmation": ("confirm_email", {"confirm_path": "activate_url"}),
    "account/email/password_reset_key": ("password_reset", {"reset_path": "password_reset_url"}),
    "account/email/unknown_account": ("unknown_account", {"signup_path": "signup_url"}),
}
ACCOUNT_EXISTS = "account/email/account_already_exists"


def _path(url: str) -> str:
    """The path (and query) of an absolute URL allauth built from the request."""
    parts = urlsplit(str(url))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _request_language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def allauth_email_enqueue(*, template_prefix: str, email: str, context: dict) -> None:
    """Write the email allauth asked for to the outbox (see the module docstring)."""
    user = context.get("user")
    if not isinstance(user, User):
        user = User.objects.filter(email__iexact=email).first()
    if template_prefix == ACCOUNT_EXISTS and user is not None:
        # The same email, once a day, as a sign-up through the API sends.
        user_signup_attempt_notify(user=user)
        return
    if template_prefix == ACCOUNT_EXISTS:  # the account went in between: nothing to say
        return
    try:
        template, links = ALLAUTH_EMAILS[template_prefix]
    except KeyError:
        raise ImproperlyConfigured(
            f"allauth asked for the email {template_prefix!r}, which has no template in "
            "rehab.accounts.emails.ALLAUTH_EMAILS: add one (text and HTML, English and Dutch)"
        ) from None
    email_enqueue(
        to=email,
        template=template,
        context={ours: _path(context[theirs]) for ours, theirs in links.items()},
        language=user.language if user is not None else _request_language(),
        recipient=user,
    )
