from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from rehab.accounts.fields import validate_timezone
from rehab.accounts.models import ApiToken, CareLink, Invitation, Language, User


class RegisterInput(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    language = serializers.ChoiceField(choices=Language.choices, default=Language.ENGLISH)
    timezone = serializers.CharField(max_length=64, validators=[validate_timezone])
    health_data_consent = serializers.BooleanField()

    def validate_email(self, value: str) -> str:
        # Whether the address already has an account is not said here (no enumeration):
        # the service answers both cases alike and tells the owner by email.
        return value.lower()

    def validate_health_data_consent(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(
                _("We can only plan your rehabilitation with your consent to process health data.")
            )
        return value

    def validate(self, attrs):
        password_validation.validate_password(attrs["password"], User(email=attrs["email"]))
        return attrs


class RegisterOutput(serializers.Serializer):
    detail = serializers.CharField()


class TokenInput(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    device = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="A name for this device, shown in the list of signed-in devices; "
        "defaults to the User-Agent. A new token for the same name replaces the old one.",
    )
    code = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="The six-digit authenticator code (or a recovery code), required when "
        "the account has two-factor authentication.",
    )


class DeviceOutput(serializers.ModelSerializer):
    name = serializers.CharField(source="device")
    current = serializers.SerializerMethodField(
        help_text="Whether this is the token of the request."
    )

    class Meta:
        model = ApiToken
        fields = ["id", "name", "created", "last_used_at", "expiry", "current"]
        read_only_fields = fields

    def get_current(self, obj: ApiToken) -> bool:
        request = self.context.get("request")
        auth = getattr(request, "auth", None) if request is not None else None
        return isinstance(auth, ApiToken) and auth.pk == obj.pk


class TokenOutput(serializers.Serializer):
    token = serializers.CharField(
        help_text="Send as `Authorization: Token <token>`. Shown once; only a hash is stored."
    )
    expiry = serializers.DateTimeField(
        help_text="When the token expires unless used; each use pushes it out again."
    )
    device = DeviceOutput()


class PasswordChangeInput(serializers.Serializer):
    current_password = serializers.CharField(write_only=True, style={"input_type": "password"})
    new_password = serializers.CharField(write_only=True, style={"input_type": "password"})

    def validate_new_password(self, value: str) -> str:
        password_validation.validate_password(value, self.context["request"].user)
        return value


class MeSerializer(serializers.ModelSerializer):
    timezone = serializers.CharField(max_length=64, validators=[validate_timezone])

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "role",
            "language",
            "timezone",
            "health_data_consent_at",
        ]
        read_only_fields = ["id", "email", "role", "health_data_consent_at"]


class InvitationInput(serializers.Serializer):
    email = serializers.EmailField()
    suggested_template = serializers.SlugField(
        required=False,
        allow_blank=True,
        max_length=80,
        help_text="Slug of a template to start from (GET /api/v1/templates/), shown to the "
        "runner on acceptance and preselected at plan set-up.",
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=1000,
        help_text="A note the runner reads on acceptance (never in the email).",
    )


class InvitationOutput(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "created_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
            "status",
            "suggested_template",
            "note",
        ]

    def get_status(self, obj: Invitation) -> str:
        if obj.accepted_at:
            return "accepted"
        if obj.revoked_at:
            # An expired invitation is closed when a new one is sent to the same address.
            return "expired" if obj.revoked_at >= obj.expires_at else "revoked"
        if obj.expires_at <= timezone.now():
            return "expired"
        return "open"


class InvitationAcceptInput(serializers.Serializer):
    token = serializers.CharField(max_length=100)
    consent = serializers.BooleanField()

    def validate_consent(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(
                _("Accepting shares your data with the physiotherapist; consent is required.")
            )
        return value


class CareLinkOutput(serializers.ModelSerializer):
    physio_email = serializers.EmailField(source="physio.email", read_only=True)
    runner_email = serializers.EmailField(source="runner.email", read_only=True)

    class Meta:
        model = CareLink
        fields = ["id", "physio_email", "runner_email", "status", "consent_given_at", "ended_at"]
