"""`{% reminder_channels as rc %}`: what templates/notifications/_channels.html shows, so the
settings page includes it with one line and its view needs nothing new."""

from __future__ import annotations

from django import template

from rehab.notifications.forms import ReminderChannelsForm
from rehab.notifications.push import push_configured, push_subscriptions_of

register = template.Library()


@register.simple_tag(takes_context=True)
def reminder_channels(context) -> dict:
    from django.conf import settings

    user = context["request"].user
    form = context.get("channels_form") or ReminderChannelsForm(
        initial=ReminderChannelsForm.initial_for(user)
    )
    return {
        "form": form,
        "push_available": push_configured(),
        "vapid_public_key": settings.VAPID_PUBLIC_KEY,
        "devices": push_subscriptions_of(user),
    }
