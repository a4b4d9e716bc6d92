from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from rehab.accounts.fields import validate_timezone
from rehab.accounts.models import CareLink, Invitation, Language, User


class RegisterInput(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    language = serializers.ChoiceField(choices=Language.choices, default=Language.ENGLISH)
    timezone = serializers.CharField(max_length=64, validators=[validate_timezone])
    health_data_consent = serializers.BooleanField()

    def validate_email(self, value: str) -> str:
        value = value.lower()
        if User.objects.filter(email__iexact=value).exists():
            raise serializers.ValidationError(_("An account with this email already exists."))
        return value

    def validate_health_data_consent(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(
                _("We can only plan your rehabilitation with your consent to process health data.")
            )
        return value

    def validate(self, attrs):
        password_validation.validate_password(attrs["password"], User(email=attrs["email"]))
        return attrs


class TokenInput(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, style={"input_type": "password"})


class TokenOutput(serializers.Serializer):
    token = serializers.CharField()


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


class InvitationOutput(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ["id", "email", "created_at", "expires_at", "accepted_at", "revoked_at", "status"]

    def get_status(self, obj: Invitation) -> str:
        if obj.accepted_at:
            return "accepted"
        if obj.revoked_at:
            return "revoked"
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
