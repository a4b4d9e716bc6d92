from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, AuthenticationFailed, ValidationError
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from rehab.accounts.api.requests import signed_in
from rehab.accounts.api.serializers import (
    CareLinkOutput,
    DeviceOutput,
    InvitationAcceptInput,
    InvitationInput,
    InvitationOutput,
    MeSerializer,
    PasswordChangeInput,
    RegisterInput,
    RegisterOutput,
    TokenInput,
    TokenOutput,
)
from rehab.accounts.lockout import locked_out_message, retry_after_seconds
from rehab.accounts.models import ApiToken, Invitation
from rehab.accounts.privacy import user_data_export_csv_zip, user_data_export_json, user_erase
from rehab.accounts.selectors import api_tokens_of, mfa_enabled
from rehab.accounts.services import (
    api_token_create,
    api_token_revoke,
    invitation_accept,
    invitation_create,
    invitation_revoke,
    mfa_code_verify,
    user_password_set,
    user_register,
    user_sign_out_everywhere,
    user_update_profile,
)
from rehab.core.api import ApiView, StrictLookupMixin, UserLanguageMixin
from rehab.core.idempotency import idempotent


class LockedOut(APIException):
    """Too many failed sign-ins for this account from this address (django-axes)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"

    def __init__(self):
        super().__init__(detail=locked_out_message())
        self.wait = retry_after_seconds()  # DRF's handler turns this into Retry-After


class MfaCodeRequired(AuthenticationFailed):
    default_code = "mfa_code_required"


class MfaCodeInvalid(AuthenticationFailed):
    default_code = "mfa_code_invalid"


class TokenChallenge(BaseAuthentication):
    """Authenticates nobody (a stale token must not stop a new sign-in), but makes a
    refused sign-in a 401 with `WWW-Authenticate: Token`."""

    def authenticate(self, request):
        return None

    def authenticate_header(self, request):
        return "Token"


def check_password_or_lock(request, *, email: str, password: str):
    """Authenticate through the backends, django-axes first: a locked account answers 429,
    and every failure counts towards the lock for this account and address."""
    user = authenticate(request, email=email, password=password)
    if user is None and getattr(request, "axes_locked_out", False):
        raise LockedOut()
    return user


class RegisterView(ApiView):
    """Runner self-registration."""

    mfa_exempt = True
    permission_classes = [permissions.AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "register"

    @extend_schema(request=RegisterInput, responses={202: RegisterOutput})
    def post(self, request):
        """The answer is the same whether or not the address already has an account."""
        data = RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user_register(
                email=data.validated_data["email"],
                password=data.validated_data["password"],
                language=data.validated_data["language"],
                timezone_name=data.validated_data["timezone"],
                privacy_notice_version=settings.PRIVACY_NOTICE_VERSION,
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from None
        detail = _("Thank you. We have sent an email to this address with the next step.")
        return Response({"detail": detail}, status=status.HTTP_202_ACCEPTED)


class TokenView(ApiView):
    """Exchange email and password (and, with two-factor authentication, a code) for an API
    token for this device.

    The token is hashed at rest, expires `API_TOKEN_TTL_HOURS` after its last use (each use
    renews it) and at the latest `API_TOKEN_MAX_AGE_DAYS` after it was issued; a password
    change or "sign out everywhere" revokes it. One token per device name: asking again for
    the same device replaces the old token. Repeated failures for one account from one
    address answer 429 with `Retry-After` (code `locked_out`), whatever the password.
    """

    mfa_exempt = True
    permission_classes = [permissions.AllowAny]
    authentication_classes = [TokenChallenge]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=TokenInput, responses={200: TokenOutput})
    def post(self, request):
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        email = data.validated_data["email"].lower()
        user = check_password_or_lock(
            request, email=email, password=data.validated_data["password"]
        )
        if user is None or not user.is_active:
            raise AuthenticationFailed(_("Email or password is not correct."))
        if mfa_enabled(user):
            code = data.validated_data.get("code", "")
            if not code:
                raise MfaCodeRequired(
                    _("Enter the code from your authenticator app (field `code`).")
                )
            if not mfa_code_verify(user=user, code=code):
                user_login_failed.send(
                    sender=__name__, credentials={"email": email}, request=request
                )
                if getattr(request, "axes_locked_out", False):
                    raise LockedOut()
                raise MfaCodeInvalid(_("That code is not correct."))
        device = data.validated_data.get("device") or request.META.get("HTTP_USER_AGENT", "")
        token, key = api_token_create(user=user, device=device)
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        output = TokenOutput(
            {"token": key, "expiry": token.expiry, "device": token},
            context={"request": request},
        )
        return Response(output.data)


class DeviceViewSet(
    StrictLookupMixin,
    UserLanguageMixin,
    mixins.ListModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The signed-in user's devices (API tokens): list them, sign one out."""

    mfa_exempt = True
    serializer_class = DeviceOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return api_tokens_of(signed_in(self.request))

    def perform_destroy(self, instance):
        api_token_revoke(token=instance)


class SignOutEverywhereView(ApiView):
    """Revoke every API token of the signed-in user and end every web session."""

    mfa_exempt = True

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        user_sign_out_everywhere(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(ApiView):
    """Change the password (needs the current one). Every API token is revoked, this one
    too: sign in again with the new password."""

    mfa_exempt = True

    @extend_schema(request=PasswordChangeInput, responses={204: None})
    def post(self, request):
        data = PasswordChangeInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        user = request.user
        if (
            check_password_or_lock(
                request, email=user.email, password=data.validated_data["current_password"]
            )
            is None
        ):
            raise ValidationError({"current_password": [_("That password is not correct.")]})
        user_password_set(user=user, password=data.validated_data["new_password"])
        if isinstance(request.successful_authenticator, SessionAuthentication):
            update_session_auth_hash(request, user)  # this browser stays signed in
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(ApiView):
    """The signed-in user's profile."""

    mfa_exempt = True

    @extend_schema(responses={200: MeSerializer})
    def get(self, request):
        return Response(MeSerializer(request.user).data)

    @extend_schema(request=MeSerializer, responses={200: MeSerializer})
    def patch(self, request):
        data = MeSerializer(request.user, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        user = user_update_profile(user=request.user, **data.validated_data)
        return Response(MeSerializer(user).data)


class IsPhysio(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_physio)


class IsRunner(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_runner)


class InvitationViewSet(
    StrictLookupMixin,
    UserLanguageMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A physiotherapist's invitations: invite a runner by email, list, withdraw."""

    serializer_class = InvitationOutput
    permission_classes = [IsPhysio]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Invitation.objects.none()
        return Invitation.objects.filter(physio=signed_in(self.request)).order_by("-created_at")

    @extend_schema(request=InvitationInput, responses={201: InvitationOutput})
    @idempotent
    def create(self, request, *args, **kwargs):
        data = InvitationInput(data=request.data)
        data.is_valid(raise_exception=True)
        invitation, _token = invitation_create(physio=request.user, **data.validated_data)
        return Response(InvitationOutput(invitation).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        invitation_revoke(invitation=instance, physio=signed_in(self.request))

    @extend_schema(request=InvitationAcceptInput, responses={200: CareLinkOutput})
    @action(detail=False, methods=["post"], permission_classes=[IsRunner])
    @idempotent
    def accept(self, request):
        data = InvitationAcceptInput(data=request.data)
        data.is_valid(raise_exception=True)
        link = invitation_accept(token=data.validated_data["token"], runner=request.user)
        return Response(CareLinkOutput(link).data)


class EraseInput(serializers.Serializer):
    password = serializers.CharField(write_only=True, style={"input_type": "password"})


class MeEraseView(ApiView):
    """Delete the account and everything stored about it (needs the password)."""

    mfa_exempt = True

    @extend_schema(request=EraseInput, responses={204: None})
    def post(self, request):
        data = EraseInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = check_password_or_lock(
            request, email=request.user.email, password=data.validated_data["password"]
        )
        if user is None or user.pk != request.user.pk:
            raise ValidationError({"password": [_("That password is not correct.")]})
        user_erase(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeExportView(ApiView):
    """Everything stored about the signed-in user: JSON, or a zip of CSV files."""

    @extend_schema(
        parameters=[OpenApiParameter("kind", str, enum=["json", "csv"], required=False)],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "application/zip"): OpenApiTypes.BINARY,
        },
    )
    def get(self, request):
        fmt = request.query_params.get("kind", "json")
        if fmt not in {"json", "csv"}:
            raise ValidationError({"kind": [_("Use json or csv.")]})
        if fmt == "csv":
            response = HttpResponse(
                user_data_export_csv_zip(user=request.user), content_type="application/zip"
            )
        else:
            response = HttpResponse(
                user_data_export_json(user=request.user), content_type="application/json"
            )
        return response
