from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from rehab.notifications.models import ReminderKind, ReminderSchedule

DEFAULT_TIMES = {ReminderKind.SESSION: dt.time(7, 30), ReminderKind.CHECKIN: dt.time(8, 0)}


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
        schedules = {s.kind: s for s in ReminderSchedule.objects.filter(user=user)}
        initial = {}
        for kind, default in DEFAULT_TIMES.items():
            schedule = schedules.get(kind)
            initial[f"{kind}_enabled"] = schedule.enabled if schedule else False
            initial[f"{kind}_time"] = schedule.local_time if schedule else default
        return initial
