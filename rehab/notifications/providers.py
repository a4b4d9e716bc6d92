"""Which email provider sends, from the environment: SMTP, or an HTTP API through django-anymail.

`EMAIL_PROVIDER` names the provider (`smtp` by default). For an API provider the backend
is anymail's, and its key, the webhook secret and the Mailgun signing key come from
generic variables (EMAIL_API_KEY, EMAIL_WEBHOOK_SECRET, ...) so that the README's table
stays one table. The tracking webhooks (rehab.notifications.webhooks) answer only for the
providers in EMAIL_WEBHOOK_PROVIDERS, and only when they can be verified. Nothing here
touches the database or the app registry: settings.py calls `email_config`.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
DEV_BACKEND = "rehab.notifications.backends.ConsoleAndFileBackend"


@dataclass(frozen=True)
class Provider:
    name: str  # anymail's module and URL name, e.g. "postmark"
    api_key: str | None  # the ANYMAIL setting the API key goes to; None: none needed
    # True: anymail checks the provider's own signature (the signing key is required)
    # and basic auth is optional; False: basic auth (WEBHOOK_SECRET) is the only check.
    signed: bool = False
    needs: tuple[str, ...] = ()  # modules that must be installed
    extra: dict[str, str] = field(default_factory=dict)  # env variable -> ANYMAIL setting


PROVIDERS: dict[str, Provider] = {
    p.name: p
    for p in (
        Provider("postmark", "POSTMARK_SERVER_TOKEN"),
        Provider(
            "mailgun",
            "MAILGUN_API_KEY",
            signed=True,
            extra={
                "EMAIL_SENDER_DOMAIN": "MAILGUN_SENDER_DOMAIN",
                "EMAIL_API_URL": "MAILGUN_API_URL",
            },
        ),
        Provider("sendgrid", "SENDGRID_API_KEY"),
        Provider("brevo", "BREVO_API_KEY"),
        Provider("sparkpost", "SPARKPOST_API_KEY", extra={"EMAIL_API_URL": "SPARKPOST_API_URL"}),
        Provider("mailjet", "MAILJET_API_KEY", extra={"EMAIL_API_SECRET": "MAILJET_SECRET_KEY"}),
        # Credentials come from boto3's own AWS_* variables or the instance role.
        Provider("amazon_ses", None, needs=("boto3",)),
    )
}
CHOICES = ("smtp", *PROVIDERS)


class EmailConfigError(Exception):
    """A provider setting is missing or wrong; the message names the variable."""


@dataclass(frozen=True)
class EmailConfig:
    provider: str
    backend: str
    anymail: dict[str, object]
    webhook_providers: tuple[str, ...]


def email_config(
    env: Callable[[str], str], *, debug: bool, installed: Callable[[str], bool] | None = None
) -> EmailConfig:
    """The backend, the ANYMAIL dict and the webhook providers for this environment.

    `env(name)` returns a variable's value or "". EMAIL_BACKEND, when set, wins (the
    console, file and locmem backends of development and tests); without it and without
    EMAIL_PROVIDER, DEBUG prints mail and keeps a copy, as before.
    """
    installed = installed or (lambda module: importlib.util.find_spec(module) is not None)
    chosen = env("EMAIL_PROVIDER").strip().lower()
    provider = chosen or "smtp"
    if provider not in CHOICES:
        raise EmailConfigError(f"EMAIL_PROVIDER={chosen!r} is not one of {', '.join(CHOICES)}")
    anymail: dict[str, object] = {}
    if provider == "smtp":
        default_backend = DEV_BACKEND if debug and not chosen else SMTP_BACKEND
    else:
        default_backend = f"anymail.backends.{provider}.EmailBackend"
    backend = env("EMAIL_BACKEND").strip() or default_backend

    spec = PROVIDERS.get(provider)
    if spec is not None:
        key = env("EMAIL_API_KEY").strip()
        if spec.api_key:
            if not key and backend == default_backend:
                raise EmailConfigError(f"EMAIL_PROVIDER={provider} needs EMAIL_API_KEY")
            if key:
                anymail[spec.api_key] = key
        for variable, setting in spec.extra.items():
            if value := env(variable).strip():
                anymail[setting] = value
        missing = [m for m in spec.needs if not installed(m)]
        if missing and backend == default_backend:
            raise EmailConfigError(
                f"EMAIL_PROVIDER={provider} needs the {', '.join(missing)} package "
                f"(pip install 'django-anymail[{provider.replace('_', '-')}]')"
            )

    raw_hooks = env("EMAIL_WEBHOOK_PROVIDERS")
    hooks = [h.strip().lower() for h in raw_hooks.split(",") if h.strip()]
    if not raw_hooks.strip() and spec is not None:
        hooks = [provider]
    for hook in hooks:
        if hook not in PROVIDERS:
            raise EmailConfigError(
                f"EMAIL_WEBHOOK_PROVIDERS: {hook!r} is not one of {', '.join(PROVIDERS)}"
            )
    secrets = [s.strip() for s in env("EMAIL_WEBHOOK_SECRET").split(",") if s.strip()]
    for secret in secrets:
        if ":" not in secret:
            raise EmailConfigError("EMAIL_WEBHOOK_SECRET must be user:password (comma-separated)")
    if secrets:
        anymail["WEBHOOK_SECRET"] = secrets
    signing_key = env("EMAIL_WEBHOOK_SIGNING_KEY").strip()
    for hook in hooks:
        if PROVIDERS[hook].signed:
            if not signing_key:
                raise EmailConfigError(
                    f"the {hook} webhook needs EMAIL_WEBHOOK_SIGNING_KEY (its signing key)"
                )
            anymail[f"{hook.upper()}_WEBHOOK_SIGNING_KEY"] = signing_key
        elif not secrets:
            raise EmailConfigError(
                f"the {hook} webhook needs EMAIL_WEBHOOK_SECRET (user:password basic auth)"
            )
    return EmailConfig(
        provider=provider, backend=backend, anymail=anymail, webhook_providers=tuple(hooks)
    )


def webhook_verifiable(provider: str, anymail: dict) -> bool:
    """Whether anymail can tell a real event of this provider from a forged one."""
    spec = PROVIDERS.get(provider)
    if spec is None:
        return False
    if spec.signed:
        return bool(anymail.get(f"{provider.upper()}_WEBHOOK_SIGNING_KEY"))
    return bool(anymail.get("WEBHOOK_SECRET"))
