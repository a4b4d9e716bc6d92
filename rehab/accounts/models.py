from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone as dj_timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS as KNOX

from rehab.accounts.fields import TimeZoneField
from rehab.core.models import BaseModel


class Role(models.TextChoices):
    RUNNER = "runner", _("Runner")
    PHYSIO = "physio", _("Physiotherapist")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    DUTCH = "nl", _("Dutch")


class UserManager(BaseUserManager["User"]):
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


class Practice(BaseModel):
    """A clinic: it groups physiotherapists. Belonging to one practice shows no runner to a
    colleague: each runner's data stays with the physios that runner linked to."""

    name = models.CharField(_("name"), max_length=160, unique=True)

    class Meta:
        verbose_name = _("practice")
        verbose_name_plural = _("practices")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person using the product. Email is the login; admins are staff users."""

    # No username: email is the login (django-stubs' documented way to drop a field).
    username = None  # type: ignore[assignment]
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
    # Raised by "sign out everywhere": every web session signed before it stops being valid.
    session_generation = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    # The last day the person used the product (a page or an API call), kept to the day:
    # the data-retention sweep warns and then erases accounts unused for a long time.
    # (db_default too: rows inserted outside the ORM, or by older migration states, get now.)
    last_seen_at = models.DateTimeField(
        _("last seen"), default=dj_timezone.now, db_default=Now(), db_index=True
    )

    practice = models.ForeignKey(
        Practice,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="physios",
        verbose_name=_("practice"),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # The stub types AbstractUser.objects as Django's UserManager, whose create_user takes a
    # username; ours signs people up by email.
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

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

    # Django ties a session to a hash of the password, so a new password signs out every
    # other session; the generation does the same without a new password. At generation 0
    # the hash is Django's own, so existing sessions stay valid.
    _SESSION_SALT = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"

    def save(self, *args, **kwargs):
        # set_password() keeps the new raw password until the save. Whatever path changed
        # it (including `manage.py changepassword`, which bypasses the services), the
        # account's API tokens go with the old password.
        password_changed = getattr(self, "_password", None) is not None and not self._state.adding
        super().save(*args, **kwargs)
        if password_changed:
            ApiToken.objects.filter(user=self).delete()

    def _session_hash(self, secret=None) -> str:
        value = (
            self.password
            if not self.session_generation
            else (f"{self.password}#{self.session_generation}")
        )
        return salted_hmac(self._SESSION_SALT, value, secret=secret, algorithm="sha256").hexdigest()

    def get_session_auth_hash(self) -> str:
        return self._session_hash()

    def get_session_auth_fallback_hash(self):
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret=fallback_secret)

    @property
    def display_name(self) -> str:
        """How a runner is named to their physiotherapist on screens: "First L." (first name
        and the initial of the last name) or the local part of the email address, never the
        whole address."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if first:
            return f"{first} {last[0]}." if last else first
        return last or self.email.split("@", 1)[0]

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


def audit_pseudonym(user_id: int) -> str:
    """A stable stand-in for a user in the audit trail: an HMAC of the id with SECRET_KEY.

    Stored with each access-log row when it is written, so the row still says "the same
    person" after that person's account is erased, without saying who. (Rotating
    SECRET_KEY changes the pseudonyms of rows written afterwards, not of stored ones.)"""
    return salted_hmac(
        "rehab.accounts.audit-pseudonym", str(user_id), algorithm="sha256"
    ).hexdigest()


class AccessLog(models.Model):
    """Append-only record of a physiotherapist reading a runner's health data.

    Erasing an account keeps its rows: the person's foreign key becomes NULL, and the
    pseudonym written with the row still ties the rows of one person together."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="access_made"
    )
    runner = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="access_received"
    )
    actor_pseudonym = models.CharField(max_length=64, blank=True, db_index=True)
    runner_pseudonym = models.CharField(max_length=64, blank=True, db_index=True)
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
    # The physio's suggestions, shown to the runner on acceptance: a template (its slug, as
    # POST /api/v1/plans/ takes it; preselected at plan set-up) and a short note.
    suggested_template = models.SlugField(_("suggested template"), max_length=80, blank=True)
    note = models.TextField(_("note to the runner"), max_length=1000, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            # One invitation per physio and address waits for the runner at a time, so a
            # double click sends one email (an expired one is closed when a new one goes).
            models.UniqueConstraint(
                fields=["physio", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_pending_invitation_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.physio} → {self.email}"


class ApiToken(AbstractAuthToken):
    """An API token for one device. Only a hash of the token is stored (django-rest-knox);
    it expires unless used (REST_KNOX TOKEN_TTL, renewed on use) and at the latest
    API_TOKEN_MAX_AGE_DAYS after it was issued."""

    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=KNOX.DIGEST_LENGTH, unique=True)
    device = models.CharField(_("device"), max_length=100, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.UniqueConstraint(fields=["user", "device"], name="one_api_token_per_device")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.device or '?'}"


class RetentionNotice(BaseModel):
    """A warning that an unused account is due for erasure (or, for a physiotherapist with
    linked runners, only a reminder), one per kind per period of inactivity.

    The period is named by the user's `last_seen_at` when the warning went out: activity
    afterwards moves `last_seen_at`, which cancels the notice, and a later period of
    inactivity gets a notice of its own. The account is erased only when the warning
    email was sent at least the grace period earlier and nothing happened since."""

    class Kind(models.TextChoices):
        ERASE = "erase", _("Erasure warning")
        REMINDER = "reminder", _("Reminder (not erased: runners are linked)")

    class Status(models.TextChoices):
        WARNED = "warned", _("Warned")
        CANCELLED = "cancelled", _("Cancelled by activity")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="retention_notices")
    kind = models.CharField(max_length=10, choices=Kind)
    inactive_since = models.DateTimeField()
    erase_after = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.WARNED)
    email = models.ForeignKey(
        "notifications.OutboundEmail", on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = _("retention notice")
        verbose_name_plural = _("retention notices")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "inactive_since"], name="one_notice_per_inactive_period"
            ),
            models.CheckConstraint(
                condition=Q(kind="reminder", erase_after__isnull=True)
                | Q(kind="erase", erase_after__isnull=False),
                name="only_erasure_warnings_have_a_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.inactive_since:%Y-%m-%d} ({self.status})"


class AlertKind(models.TextChoices):
    """What a physiotherapist can be alerted about. Warning signs and flare-ups are emailed
    at once; the rest waits for the daily digest (DIGEST_KINDS)."""

    RED_FLAG = "red_flag", _("Warning signs: referrals opened and cleared")
    FLARE_UP = "flare_up", _("Flare-ups")
    RISING_PAIN = "rising_pain", _("Rising pain trends and lighter weeks")
    PENDING_APPROVAL = "pending_approval", _("Changes waiting for your approval")
    SILENCE = "silence", _("Runners who logged nothing for 7 days")
    REVIEW = "review", _("Plans to review (no clear improvement after 12 weeks)")


IMMEDIATE_KINDS = (AlertKind.RED_FLAG, AlertKind.FLARE_UP)
DIGEST_KINDS = (
    AlertKind.RISING_PAIN,
    AlertKind.PENDING_APPROVAL,
    AlertKind.SILENCE,
    AlertKind.REVIEW,
)


def _all_alert_kinds() -> list[str]:
    return list(AlertKind.values)


class AlertPreferences(BaseModel):
    """Which alerts a physiotherapist gets, and when the daily digest goes out (their local
    time). Without a row every alert is on and the digest comes at DEFAULT_DIGEST_TIME."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="alert_preferences")
    kinds = models.JSONField(_("alerts wanted"), default=_all_alert_kinds, blank=True)
    digest_time = models.TimeField(_("daily summary at (local time)"), default=dt.time(7, 0))

    class Meta:
        verbose_name = _("alert preferences")
        verbose_name_plural = _("alert preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {', '.join(self.kinds)} at {self.digest_time:%H:%M}"

    def wants(self, kind: str) -> bool:
        return kind in self.kinds


class AlertDigest(BaseModel):
    """The sent-marker of one physio's daily digest on one local day: the unique constraint
    makes a second run of the beat task (or two at once) unable to send a second digest."""

    physio = models.ForeignKey(User, on_delete=models.CASCADE, related_name="alert_digests")
    local_date = models.DateField()
    kinds = models.JSONField(default=list, blank=True)  # what it reported, as kinds only
    email = models.ForeignKey(
        "notifications.OutboundEmail", on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = _("alert digest")
        verbose_name_plural = _("alert digests")
        constraints = [
            models.UniqueConstraint(
                fields=["physio", "local_date"], name="one_alert_digest_per_local_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.physio_id} {self.local_date}"


class PhysioManager(UserManager):
    def get_queryset(self):
        return super().get_queryset().filter(role=Role.PHYSIO)


class Physio(User):
    """Physiotherapists only, for the admin's own list and "add" form (create_physio)."""

    objects: ClassVar[PhysioManager] = PhysioManager()

    class Meta:
        proxy = True
        verbose_name = _("physiotherapist")
        verbose_name_plural = _("physiotherapists")
