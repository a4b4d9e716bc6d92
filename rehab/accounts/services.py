"""Writes for users, care links and the access audit trail."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from rehab.accounts.alerts import alert_preferences_of, alert_sends_now
from rehab.accounts.models import (
    AccessLog,
    ApiToken,
    CareLink,
    Invitation,
    Role,
    User,
    audit_pseudonym,
)
from rehab.accounts.selectors import physios_of
from rehab.core.db import unique_conflict
from rehab.core.errors import ApplicationError, ConflictError
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
    taken = _("An account with this email already exists.")
    with unique_conflict(taken, fields={"email": [taken]}):  # registered at the same moment
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


def user_register(
    *,
    email: str,
    password: str,
    language: str,
    timezone_name: str,
    privacy_notice_version: str,
) -> None:
    """Runner self-registration that does not reveal which addresses have an account.

    A new address gets its account and the welcome email. An address that already has
    an account changes nothing in it: its owner is told by email that someone tried to
    sign up with it (once a day at most, so this cannot be used to flood an inbox). The
    password is hashed in both cases, so the time taken does not tell them apart either.
    """
    email = User.objects.normalize_email(email).lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        try:
            with transaction.atomic():
                user_create(
                    email=email,
                    password=password,
                    language=language,
                    timezone_name=timezone_name,
                    health_data_consent=True,
                    privacy_notice_version=privacy_notice_version,
                )
            return
        except (IntegrityError, ValidationError) as error:
            # A concurrent registration of the same address won the race.
            existing = User.objects.filter(email__iexact=email).first()
            if existing is None:
                raise error from None
    else:
        make_password(password)
    user_signup_attempt_notify(user=existing)


def user_signup_attempt_notify(*, user: User) -> None:
    """Tell the owner of an address that someone tried to sign up with it (API or web),
    once a day at most, so this cannot be used to flood an inbox."""
    email_enqueue(
        to=user.email,
        template="signup_attempt",
        context={"reset_path": reverse("account_reset_password")},
        language=user.language,
        recipient=user,
        dedupe_key=f"signup-attempt:{user.pk}:{timezone.now():%Y-%m-%d}",
    )


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


SEEN_RESOLUTION = dt.timedelta(days=1)


def user_mark_seen(*, user: User, now: dt.datetime | None = None) -> bool:
    """Record that the user used the product; at most one write a day. Returns whether
    it wrote. Activity cancels a data-retention warning (see rehab.accounts.retention)."""
    now = now or timezone.now()
    if user.last_seen_at is not None and now - user.last_seen_at < SEEN_RESOLUTION:
        return False
    User.objects.filter(pk=user.pk).update(last_seen_at=now)
    user.last_seen_at = now
    return True


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
        actor_pseudonym=audit_pseudonym(actor.pk),
        runner_pseudonym=audit_pseudonym(runner.pk),
        object_type=object_type,
        object_id=str(object_id),
        path=path[:255],
    )


INVITATION_VALID_FOR = dt.timedelta(days=14)
NOTE_MAX_LENGTH = 1000


def _template_startable(slug: str) -> bool:
    """Is this a template a plan can start from? The content library lives above this
    layer: settings.TEMPLATE_STARTABLE names its check (as API_ACCESS_GATES does)."""
    return bool(import_string(settings.TEMPLATE_STARTABLE)(slug))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_create(
    *, physio: User, email: str, suggested_template: str = "", note: str = ""
) -> tuple[Invitation, str]:
    """Invite a runner by email. Returns the invitation and the one-time token.

    The email carries only a link; the runner consents when accepting. A suggested template
    (its slug) and a note are shown to the runner on acceptance, never in the email; the
    template is preselected when the runner sets the plan up.
    """
    if not physio.is_physio:
        raise ApplicationError(_("Only physiotherapists can invite runners."))
    suggested_template = (suggested_template or "").strip()
    if suggested_template and not _template_startable(suggested_template):
        raise ApplicationError(
            _("There is no programme with this name to start from."),
            fields={"suggested_template": [_("Choose a programme from the list.")]},
        )
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ApplicationError(
            _("The note is too long."),
            fields={"note": [_("At most %(n)s characters.") % {"n": NOTE_MAX_LENGTH}]},
        )
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
    now = timezone.now()
    still_open = _("An invitation to this address is still open; withdraw it to send a new one.")
    fields = {"email": [_("Already invited.")]}
    pending = _pending_invitation(physio=physio, email=email)
    if pending is not None:
        if pending.expires_at > now:
            raise ConflictError(still_open, fields=fields)
        # Expired and never used: close it, so the new one is the only one pending.
        pending.revoked_at = now
        pending.save(update_fields=["revoked_at", "updated_at"])
    token = secrets.token_urlsafe(32)
    # An invitation sent at the same moment (a double click) passed the check too; the
    # constraint one_pending_invitation_per_email refuses this one.
    with unique_conflict(still_open, fields=fields):
        invitation = Invitation.objects.create(
            physio=physio,
            email=email,
            token_hash=_token_hash(token),
            expires_at=now + INVITATION_VALID_FOR,
            suggested_template=suggested_template,
            note=note,
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


def _pending_invitation(*, physio: User, email: str) -> Invitation | None:
    """The physio's invitation to this address that was neither used nor withdrawn."""
    return Invitation.objects.filter(
        physio=physio, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).first()


def _open_link(*, physio: User, runner: User) -> CareLink | None:
    return (
        CareLink.objects.filter(physio=physio, runner=runner)
        .exclude(status=CareLink.Status.ENDED)
        .first()
    )


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
    used = _("This invitation has already been used.")
    invitation = invitation_find(token=token)
    if invitation is None:
        if Invitation.objects.filter(
            token_hash=_token_hash(token), accepted_at__isnull=False
        ).exists():
            raise ConflictError(used)
        raise ApplicationError(_("This invitation is no longer valid."))
    # A second acceptance of the same invitation waits here for the first, then sees it used.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ConflictError(used)
    if not runner.is_runner:
        raise ApplicationError(_("Only a runner account can accept an invitation."))
    link = _open_link(physio=invitation.physio, runner=runner)
    if link is None:
        with unique_conflict(
            _("You were linked to this physiotherapist at the same moment; reload the page.")
        ):
            link = CareLink.objects.create(physio=invitation.physio, runner=runner)
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
    *, actor: User, entries: Iterable[tuple[User, str, int | str]], path: str = ""
) -> int:
    """Record a physio's read of several runners at once (one insert): (runner, type, id)."""
    actor_pseudonym = audit_pseudonym(actor.pk)
    rows = [
        AccessLog(
            actor=actor,
            runner=runner,
            actor_pseudonym=actor_pseudonym,
            runner_pseudonym=audit_pseudonym(runner.pk),
            object_type=object_type,
            object_id=str(object_id)[:64],
            path=path[:255],
        )
        for runner, object_type, object_id in entries
        if runner.pk != actor.pk
    ]
    AccessLog.objects.bulk_create(rows)
    return len(rows)


def user_lock(*, user: User) -> None:
    """Lock the user's row until the transaction ends: serialises a runner's plan starts
    and referrals (a plan never starts past a referral opened at the same moment)."""
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))


def physios_alert(
    *,
    runner: User,
    template: str,
    dedupe_key: str,
    path: str | None = None,
    except_physio: User | None = None,
) -> None:
    """Email every physio linked to the runner that a runner on their caseload needs
    attention, with a link (`path`, default that runner's page). No name, no event, no
    health data: an inbox is less protected than the product. Every alert template reads
    the same.

    `dedupe_key` names the event; each physio gets it once; `except_physio` is left out
    (the one who acted). Only warning signs and flare-ups the physio wants are emailed now
    (rehab.accounts.alerts); the rest is in the daily digest."""
    runner_path = path or reverse("physio:runner", kwargs={"runner_id": runner.pk})
    physios = list(physios_of(runner))
    preferences = alert_preferences_of(physios)
    for physio in physios:
        if except_physio is not None and physio.pk == except_physio.pk:
            continue
        # Warning signs and flare-ups go at once; the rest waits for the daily digest.
        if not alert_sends_now(template=template, preferences=preferences[physio.pk]):
            continue
        email_enqueue(
            to=physio.email,
            template=template,
            context={"runner_path": runner_path},
            language=physio.language,
            recipient=physio,
            about=runner,
            dedupe_key=f"{dedupe_key}:{physio.pk}",
        )


# --- Sign-in: API tokens, passwords, sessions, second factor ------------------------------

UNKNOWN_DEVICE = "unknown device"


@transaction.atomic
def api_token_create(*, user: User, device: str) -> tuple[ApiToken, str]:
    """A new token for one device; returns the row and the token, which is shown once and
    stored only as a hash. An older token of the same device is revoked, and so is the least
    recently used one when the user already has API_TOKENS_PER_USER."""
    User.objects.select_for_update().filter(pk=user.pk).first()  # one sign-in at a time
    name = " ".join((device or "").split())[:100] or UNKNOWN_DEVICE
    now = timezone.now()
    mine = ApiToken.objects.filter(user=user)
    mine.filter(device=name).delete()
    mine.filter(expiry__lte=now).delete()
    keep = settings.API_TOKENS_PER_USER - 1
    surplus = mine.order_by(Coalesce("last_used_at", "created").desc()).values_list(
        "pk", flat=True
    )[keep:]
    ApiToken.objects.filter(pk__in=list(surplus)).delete()
    return ApiToken.objects.create(user=user, device=name)


def api_token_revoke(*, token: ApiToken) -> None:
    token.delete()


def api_tokens_revoke_all(*, user: User) -> int:
    deleted, _by_model = ApiToken.objects.filter(user=user).delete()
    return deleted


@transaction.atomic
def user_password_set(*, user: User, password: str) -> User:
    """The one way a password changes (web change and reset, API, admin). Saving the new
    password revokes every API token (User.save does, for `manage.py changepassword` too);
    Django's session hash signs out the other web sessions."""
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


@transaction.atomic
def user_sign_out_everywhere(*, user: User) -> None:
    """End every web session and revoke every API token of this user."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])
    api_tokens_revoke_all(user=user)


def mfa_code_verify(*, user: User, code: str) -> bool:
    """A TOTP or recovery code of the user's (each usable once); records its use."""
    from allauth.mfa.models import Authenticator

    code = (code or "").strip()
    if not code:
        return False
    for authenticator in Authenticator.objects.filter(user=user).exclude(
        type=Authenticator.Type.WEBAUTHN
    ):
        if authenticator.wrap().validate_code(code):
            authenticator.record_usage()
            return True
    return False
