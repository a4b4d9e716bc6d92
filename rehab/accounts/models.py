from __future__ import annotations

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rehab.accounts.fields import TimeZoneField
from rehab.core.models import BaseModel


class Role(models.TextChoices):
    RUNNER = "runner", _("Runner")
    PHYSIO = "physio", _("Physiotherapist")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    DUTCH = "nl", _("Dutch")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person using the product. Email is the login; admins are staff users."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    role = models.CharField(_("role"), max_length=10, choices=Role, default=Role.RUNNER)
    language = models.CharField(
        _("language"), max_length=5, choices=Language, default=Language.ENGLISH
    )
    timezone = TimeZoneField(_("time zone"), default="Europe/Amsterdam")
    health_data_consent_at = models.DateTimeField(
        _("consent to process health data given at"), null=True, blank=True
    )
    privacy_notice_version = models.CharField(
        _("privacy notice version accepted"), max_length=20, blank=True
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_valid"),
            models.CheckConstraint(
                condition=Q(language__in=Language.values), name="user_language_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_runner(self) -> bool:
        return self.role == Role.RUNNER

    @property
    def is_physio(self) -> bool:
        return self.role == Role.PHYSIO


class CareLinkQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=CareLink.Status.ACTIVE, consent_given_at__isnull=False)


class CareLink(BaseModel):
    """A physiotherapist's access to one runner, which exists only with the runner's consent."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the runner's consent")
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    physio = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="runner_links", verbose_name=_("physio")
    )
    runner = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="physio_links", verbose_name=_("runner")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    consent_given_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    objects = CareLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("care link")
        verbose_name_plural = _("care links")
        constraints = [
            models.UniqueConstraint(
                fields=["physio", "runner"],
                condition=~Q(status="ended"),
                name="one_open_carelink_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(consent_given_at__isnull=False),
                name="active_carelink_has_consent",
            ),
            models.CheckConstraint(
                condition=~Q(physio=models.F("runner")), name="carelink_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.physio} → {self.runner} ({self.status})"


class AccessLog(models.Model):
    """Append-only record of a physiotherapist reading a runner's health data."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="access_made"
    )
    runner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_received")
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=20, default="read")
    path = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} {self.object_type}"


class InvitationQuerySet(models.QuerySet):
    def open(self, now):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


class Invitation(BaseModel):
    """A physiotherapist's invitation to a runner. Only a hash of the token is stored."""

    physio = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="invitations_sent", verbose_name=_("physio")
    )
    email = models.EmailField(_("email address"))
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations_accepted"
    )
    care_link = models.ForeignKey(
        CareLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.physio} → {self.email}"
