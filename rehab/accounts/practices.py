"""Practices and their physiotherapists: an admin creates physios (admin, create_physio),
and a physio invites a colleague to the same practice.

A new physio gets no password from anyone: the email carries a one-time link to set one
(allauth's password-reset key, valid PASSWORD_RESET_TIMEOUT). The address is taken as
verified, as only its owner can follow that link. Belonging to a practice shows no runner
to anyone: runners' data stays with the physios they linked to (rehab.accounts.selectors).
"""

from __future__ import annotations

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from rehab.accounts.models import Practice, Role, User
from rehab.accounts.services import user_create
from rehab.core.errors import ApplicationError
from rehab.notifications.services import email_enqueue


@transaction.atomic
def practice_get_or_create(*, name: str) -> Practice:
    name = " ".join((name or "").split())
    if not name:
        raise ApplicationError(
            _("A practice needs a name."), fields={"practice": [_("Give a name.")]}
        )
    practice = Practice.objects.filter(name__iexact=name).first()
    return practice or Practice.objects.create(name=name)


def set_password_path(user: User) -> str:
    return reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )


@transaction.atomic
def physio_create(
    *,
    email: str,
    first_name: str,
    last_name: str = "",
    practice: Practice | None,
    language: str = "en",
    invited_by: User | None = None,
) -> User:
    """A physiotherapist account without a password, and the email with the link to set
    one. Refuses an address that already has an account."""
    email = User.objects.normalize_email(email or "").lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ApplicationError(
            _("An account with this email already exists."),
            fields={"email": [_("This address already has an account.")]},
        )
    physio = user_create(
        email=email,
        password=None,
        role=Role.PHYSIO,
        language=language,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        practice=practice,
    )
    EmailAddress.objects.create(user=physio, email=physio.email, primary=True, verified=True)
    inviter = (invited_by.get_full_name() or invited_by.email) if invited_by else ""
    email_enqueue(
        to=physio.email,
        template="physio_welcome",
        context={
            "set_password_path": set_password_path(physio),
            "practice_name": practice.name if practice else "",
            "inviter_name": inviter,
        },
        language=physio.language,
        recipient=physio,
        dedupe_key=f"physio-welcome:{physio.pk}",
    )
    return physio


def colleague_invite(*, physio: User, email: str, first_name: str, last_name: str = "") -> User:
    """A physio invites a colleague into their own practice: the colleague gets an account
    in it and the link to set a password. A physio without a practice cannot invite."""
    if not physio.is_physio:
        raise ApplicationError(_("Only physiotherapists can invite colleagues."))
    if physio.practice_id is None:
        raise ApplicationError(
            _("You are not in a practice yet; ask the administrator to add you to one.")
        )
    return physio_create(
        email=email,
        first_name=first_name,
        last_name=last_name,
        practice=physio.practice,
        language=physio.language,
        invited_by=physio,
    )


def practice_colleagues(*, physio: User):
    """The other physiotherapists of the physio's practice (names only; no runner data)."""
    if not physio.practice_id:
        return User.objects.none()
    return (
        User.objects.filter(role=Role.PHYSIO, practice_id=physio.practice_id, is_active=True)
        .exclude(pk=physio.pk)
        .order_by("last_name", "first_name", "email")
    )
