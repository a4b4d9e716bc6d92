"""Writes for users, care links and the access audit trail."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rehab.accounts.models import AccessLog, CareLink, Invitation, Role, User
from rehab.accounts.selectors import physios_of
from rehab.core.errors import ApplicationError
from rehab.notifications.reminders import reminder_schedules_reschedule
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
    timezone_changed = "timezone" in changes and changes["timezone"] != user.timezone
    for name, value in changes.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save(update_fields=list(changes))
    if timezone_changed:
        reminder_schedules_reschedule(user=user)
    return user


@transaction.atomic
def carelink_activate(*, link: CareLink) -> CareLink:
    """The runner consents: the physio may now see the runner's data."""
    link = CareLink.objects.select_for_update().get(pk=link.pk)
    if link.status == CareLink.Status.ENDED:
        raise ApplicationError(
            _("This link has ended; ask your physiotherapist for a new invitation.")
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


INVITATION_VALID_FOR = dt.timedelta(days=14)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_create(*, physio: User, email: str) -> tuple[Invitation, str]:
    """Invite a runner by email. Returns the invitation and the one-time token.

    The email carries only a link; the runner consents when accepting.
    """
    if not physio.is_physio:
        raise ApplicationError(_("Only physiotherapists can invite runners."))
    email = User.objects.normalize_email(email).lower()
    if email == physio.email:
        raise ApplicationError(
            _("You cannot invite yourself."), fields={"email": [_("Not yourself.")]}
        )
    existing = User.objects.filter(email=email).first()
    if existing is not None and not existing.is_runner:
        raise ApplicationError(
            _("This address belongs to a physiotherapist account."),
            fields={"email": [_("Not a runner account.")]},
        )
    if (
        existing is not None
        and CareLink.objects.active().filter(physio=physio, runner=existing).exists()
    ):
        raise ApplicationError(
            _("This runner is already linked to you."), fields={"email": [_("Already linked.")]}
        )
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        physio=physio,
        email=email,
        token_hash=_token_hash(token),
        expires_at=timezone.now() + INVITATION_VALID_FOR,
    )
    email_enqueue(
        to=email,
        template="invitation",
        context={
            "physio_name": physio.get_full_name() or physio.email,
            "accept_path": f"/invite/{token}/",
        },
        language=existing.language if existing else physio.language,
        recipient=existing,
        dedupe_key=f"invitation:{invitation.pk}",
    )
    return invitation, token


def invitation_find(*, token: str) -> Invitation | None:
    """The open invitation for a token, or None when unknown, used, revoked or expired."""
    return (
        Invitation.objects.open(timezone.now())
        .select_related("physio")
        .filter(token_hash=_token_hash(token))
        .first()
    )


@transaction.atomic
def invitation_accept(*, token: str, runner: User) -> CareLink:
    """The runner accepts and consents: the link becomes active at once."""
    invitation = invitation_find(token=token)
    if invitation is None:
        raise ApplicationError(_("This invitation is no longer valid."))
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ApplicationError(_("This invitation has already been used."))
    if not runner.is_runner:
        raise ApplicationError(_("Only a runner account can accept an invitation."))
    link = (
        CareLink.objects.filter(physio=invitation.physio, runner=runner)
        .exclude(status=CareLink.Status.ENDED)
        .first()
    ) or CareLink.objects.create(physio=invitation.physio, runner=runner)
    link = carelink_activate(link=link)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = runner
    invitation.care_link = link
    invitation.save(update_fields=["accepted_at", "accepted_by", "care_link", "updated_at"])
    return link


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, physio: User) -> Invitation:
    if invitation.physio_id != physio.pk:
        raise ApplicationError(_("Not your invitation."))
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])
    return invitation


def access_log_record_many(
    *, actor: User, entries: list[tuple[User, str, str]], path: str = ""
) -> int:
    """Record a physio's read of several runners at once (one insert): (runner, type, id)."""
    rows = [
        AccessLog(
            actor=actor,
            runner=runner,
            object_type=object_type,
            object_id=str(object_id)[:64],
            path=path[:255],
        )
        for runner, object_type, object_id in entries
        if runner.pk != actor.pk
    ]
    AccessLog.objects.bulk_create(rows)
    return len(rows)


def physios_alert(*, runner: User, template: str, dedupe_key: str) -> None:
    """Email every physio linked to the runner: a name and a link, never health data.

    `dedupe_key` names the event; each physio gets it once."""
    for physio in physios_of(runner):
        email_enqueue(
            to=physio.email,
            template=template,
            context={"runner_name": runner.get_full_name() or runner.email},
            language=physio.language,
            recipient=physio,
            about=runner,
            dedupe_key=f"{dedupe_key}:{physio.pk}",
        )
