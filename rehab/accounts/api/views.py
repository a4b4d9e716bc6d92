from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed, ValidationError
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from rehab.accounts.api.serializers import (
    CareLinkOutput,
    InvitationAcceptInput,
    InvitationInput,
    InvitationOutput,
    MeSerializer,
    RegisterInput,
    TokenInput,
    TokenOutput,
)
from rehab.accounts.models import Invitation
from rehab.accounts.privacy import user_data_export_csv_zip, user_data_export_json, user_erase
from rehab.accounts.services import (
    invitation_accept,
    invitation_create,
    invitation_revoke,
    user_create,
    user_update_profile,
)
from rehab.core.api import ApiView, UserLanguageMixin


class RegisterView(ApiView):
    """Runner self-registration."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "register"

    @extend_schema(request=RegisterInput, responses={201: MeSerializer})
    def post(self, request):
        data = RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = user_create(
                email=data.validated_data["email"],
                password=data.validated_data["password"],
                language=data.validated_data["language"],
                timezone_name=data.validated_data["timezone"],
                health_data_consent=True,
                privacy_notice_version=settings.PRIVACY_NOTICE_VERSION,
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from None
        return Response(MeSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenView(ApiView):
    """Exchange email and password for an API token."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = [TokenAuthentication]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=TokenInput, responses={200: TokenOutput})
    def post(self, request):
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request,
            email=data.validated_data["email"].lower(),
            password=data.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise AuthenticationFailed(_("Email or password is not correct."))
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class MeView(ApiView):
    """The signed-in user's profile."""

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
        return Invitation.objects.filter(physio=self.request.user).order_by("-created_at")

    @extend_schema(request=InvitationInput, responses={201: InvitationOutput})
    def create(self, request, *args, **kwargs):
        data = InvitationInput(data=request.data)
        data.is_valid(raise_exception=True)
        invitation, _token = invitation_create(
            physio=request.user, email=data.validated_data["email"]
        )
        return Response(InvitationOutput(invitation).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        invitation_revoke(invitation=instance, physio=self.request.user)

    @extend_schema(request=InvitationAcceptInput, responses={200: CareLinkOutput})
    @action(detail=False, methods=["post"], permission_classes=[IsRunner])
    def accept(self, request):
        data = InvitationAcceptInput(data=request.data)
        data.is_valid(raise_exception=True)
        link = invitation_accept(token=data.validated_data["token"], runner=request.user)
        return Response(CareLinkOutput(link).data)


class EraseInput(serializers.Serializer):
    password = serializers.CharField(write_only=True, style={"input_type": "password"})


class MeEraseView(ApiView):
    """Delete the account and everything stored about it (needs the password)."""

    @extend_schema(request=EraseInput, responses={204: None})
    def post(self, request):
        data = EraseInput(data=request.data)
        data.is_valid(raise_exception=True)
        if not request.user.check_password(data.validated_data["password"]):
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
        response["Cache-Control"] = "no-store"
        return response
