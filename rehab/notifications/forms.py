from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from rehab.notifications.models import ReminderSchedule
from rehab.notifications.reminders import DEFAULT_TIMES, reminder_channels_of

__all__ = ["DEFAULT_TIMES", "ReminderChannelsForm", "ReminderForm"]


class ReminderForm(forms.Form):
    session_enabled = forms.BooleanField(label=_("Remind me on training days"), required=False)
    session_time = forms.TimeField(
        label=_("at (your local time)"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    checkin_enabled = forms.BooleanField(
        label=_("Remind me to do the next-morning check-in"), required=False
    )
    checkin_time = forms.TimeField(
        label=_("at (your local time)"), widget=forms.TimeInput(attrs={"type": "time"})
    )

    @classmethod
    def initial_for(cls, user) -> dict:
        schedules: dict[str, list[ReminderSchedule]] = {}
        for schedule in ReminderSchedule.objects.filter(user=user).order_by("-enabled"):
            schedules.setdefault(schedule.kind, []).append(schedule)
        initial: dict[str, object] = {}
        for kind, default in DEFAULT_TIMES.items():
            rows = schedules.get(kind, [])
            initial[f"{kind}_enabled"] = any(row.enabled for row in rows)
            initial[f"{kind}_time"] = rows[0].local_time if rows else default
        return initial


# The keys of rehab.notifications.reminders.CHANNEL_SETS.
CHANNEL_CHOICES = [
    ("email", _("Email")),
    ("push", _("Push notification on my devices")),
    ("both", _("Email and push notification")),
    ("none", _("No reminder")),
]


class ReminderChannelsForm(forms.Form):
    """How each kind of reminder comes: email, push, both or none."""

    session = forms.ChoiceField(
        label=_("Training days"), choices=CHANNEL_CHOICES, widget=forms.RadioSelect
    )
    checkin = forms.ChoiceField(
        label=_("Morning check-in"), choices=CHANNEL_CHOICES, widget=forms.RadioSelect
    )

    @classmethod
    def initial_for(cls, user) -> dict:
        return reminder_channels_of(user)
