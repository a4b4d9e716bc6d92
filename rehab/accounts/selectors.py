"""Who may see whom. Every role-scoped read in the product goes through here."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from rehab.accounts.models import ApiToken, CareLink, Role, User


def runners_of(physio: User) -> QuerySet[User]:
    """Runners linked to this physio with consent, and only while the link is active."""
    if not physio.is_authenticated or physio.role != Role.PHYSIO:
        return User.objects.none()
    return User.objects.filter(
        role=Role.RUNNER,
        physio_links__in=CareLink.objects.active().filter(physio=physio),
    ).distinct()


def runner_ids_visible_to(user: User) -> QuerySet | list[int]:
    """Ids of runners whose health data this user may read."""
    if not user.is_authenticated:
        return []
    if user.role == Role.RUNNER:
        return [user.pk]
    return runners_of(user).values("pk")


def can_access_runner(user: User, runner: User) -> bool:
    if not user.is_authenticated:
        return False
    if user.pk == runner.pk:
        return user.role == Role.RUNNER
    return runners_of(user).filter(pk=runner.pk).exists()


def physios_of(runner: User) -> QuerySet[User]:
    return User.objects.filter(
        role=Role.PHYSIO, runner_links__in=CareLink.objects.active().filter(runner=runner)
    ).distinct()


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    """The user's signed-in devices that have not expired, most recently used first."""
    return ApiToken.objects.filter(
        Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()), user=user
    ).order_by(Coalesce("last_used_at", "created").desc(), "-pk")


def mfa_enabled(user: User) -> bool:
    from allauth.mfa.utils import is_mfa_enabled

    return is_mfa_enabled(user)
