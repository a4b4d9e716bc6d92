"""Writes for users, care links and the access audit trail."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from rehab.accounts.models import AccessLog, CareLink, Role, User
from rehab.core.errors import ApplicationError
from rehab.notifications.services import email_enqueue


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    role: str = Role.RUNNER,
    language: str = "en",
    timezone_name: str = "Europe/Amsterdam",
    health_data_consent: bool = False,
    privacy_notice_version: str = "",
    **extra,
) -> User:
    """Create a user; full validation runs first, so nothing invalid is ever stored."""
    consent_at = timezone.now() if health_data_consent else None
    user = User.objects.create_user(
        email=email,
        password=password,
        role=role,
        language=language,
        timezone=timezone_name,
        health_data_consent_at=consent_at,
        privacy_notice_version=privacy_notice_version if consent_at else "",
        **extra,
    )
    if user.role == Role.RUNNER:
        user_welcome(user=user)
    return user


def user_welcome(*, user: User) -> None:
    """Queue the welcome email once per account; it carries a link, no health data."""
    email_enqueue(
        to=user.email,
        template="welcome",
        context={"first_name": user.first_name},
        language=user.language,
        recipient=user,
        dedupe_key=f"welcome:{user.pk}",
    )


@transaction.atomic
def user_update_profile(*, user: User, **changes) -> User:
    allowed = {"first_name", "last_name", "language", "timezone"}
    unknown = set(changes) - allowed
    if unknown:
        raise ApplicationError(f"Cannot change: {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save(update_fields=list(changes))
    return user


@transaction.atomic
def carelink_activate(*, link: CareLink) -> CareLink:
    """The runner consents: the physio may now see the runner's data."""
    link = CareLink.objects.select_for_update().get(pk=link.pk)
    if link.status == CareLink.Status.ENDED:
        raise ApplicationError(
            "This link has ended; ask your physiotherapist for a new invitation."
        )
    if link.status == CareLink.Status.ACTIVE:
        return link
    link.status = CareLink.Status.ACTIVE
    link.consent_given_at = timezone.now()
    link.save(update_fields=["status", "consent_given_at", "updated_at"])
    return link


@transaction.atomic
def carelink_end(*, link: CareLink) -> CareLink:
    """Either side ends the link; access stops on the next request."""
    link = CareLink.objects.select_for_update().get(pk=link.pk)
    if link.status != CareLink.Status.ENDED:
        link.status = CareLink.Status.ENDED
        link.ended_at = timezone.now()
        link.save(update_fields=["status", "ended_at", "updated_at"])
    return link


def access_log_record(
    *, actor: User, runner: User, object_type: str, object_id: str = "", path: str = ""
) -> AccessLog | None:
    """Record a physio reading a runner's data. A runner reading their own data is not logged."""
    if actor.pk == runner.pk:
        return None
    return AccessLog.objects.create(
        actor=actor,
        runner=runner,
        object_type=object_type,
        object_id=str(object_id),
        path=path[:255],
    )
