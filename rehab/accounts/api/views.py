from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed, ValidationError
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from rehab.accounts.api.serializers import MeSerializer, RegisterInput, TokenInput, TokenOutput
from rehab.accounts.services import user_create, user_update_profile
from rehab.core.api import ApiView


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
