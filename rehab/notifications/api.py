"""`/api/v1/push/subscriptions/`: a device turns push reminders on (POST) or off (DELETE).

The body is the browser's PushSubscription as `JSON.stringify` gives it
(`{"endpoint", "keys": {"p256dh", "auth"}}`); static/js/push.js posts it with the
session and the CSRF token, an app with its API token.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from rehab.core.api import ApiView
from rehab.core.idempotency import idempotent
from rehab.notifications.models import PushSubscription
from rehab.notifications.push import (
    device_label,
    endpoint_problem,
    keys_problems,
    push_subscription_delete,
    push_subscription_save,
)


class PushKeysInput(serializers.Serializer):
    p256dh = serializers.CharField(max_length=100)
    auth = serializers.CharField(max_length=50)


class PushSubscriptionInput(serializers.Serializer):
    endpoint = serializers.URLField(max_length=1000)
    keys = PushKeysInput()
    expirationTime = serializers.IntegerField(
        required=False, allow_null=True, help_text="Ignored: the push service says when."
    )
    device = serializers.CharField(
        max_length=120, required=False, allow_blank=True, help_text="A name for the device."
    )

    def validate_endpoint(self, value: str) -> str:
        problem = endpoint_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value

    def validate_keys(self, value: dict) -> dict:
        problems = keys_problems(p256dh=value["p256dh"], auth=value["auth"])
        if problems:
            raise serializers.ValidationError(problems)
        return value


class PushEndpointInput(serializers.Serializer):
    endpoint = serializers.URLField(max_length=1000)


class PushSubscriptionOutput(serializers.ModelSerializer):
    device = serializers.CharField(source="user_agent")

    class Meta:
        model = PushSubscription
        fields = ["id", "device", "created_at", "last_success"]


class PushSubscriptionView(ApiView):
    """Turn push reminders on for this device (the same endpoint again updates its keys:
    200), or off (204; an endpoint that is not one of yours: 404)."""

    mfa_exempt = True  # a device's address, no runner data

    @extend_schema(
        request=PushSubscriptionInput,
        responses={200: PushSubscriptionOutput, 201: PushSubscriptionOutput},
    )
    @idempotent
    def post(self, request):
        data = PushSubscriptionInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        label = values.get("device") or device_label(request.headers.get("User-Agent", ""))
        subscription, created = push_subscription_save(
            user=request.user,
            endpoint=values["endpoint"],
            p256dh=values["keys"]["p256dh"],
            auth=values["keys"]["auth"],
            user_agent=label,
        )
        return Response(
            PushSubscriptionOutput(subscription).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=PushEndpointInput, responses={204: None})
    def delete(self, request):
        data = PushEndpointInput(data=request.data)
        data.is_valid(raise_exception=True)
        if not push_subscription_delete(
            user=request.user, endpoint=data.validated_data["endpoint"]
        ):
            raise NotFound(_("This device is not subscribed."))
        return Response(status=status.HTTP_204_NO_CONTENT)
