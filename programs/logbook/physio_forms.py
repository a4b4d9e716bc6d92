"""Forms of the physiotherapist's pages: invite a runner, and a plan's progression policy.

The policy form is built from plans.services.POLICY_EDITABLE, the same table the service
and the API check against, so the three never disagree on what may change or its range.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from programs.logbook.forms import PlanChoicesForm
from programs.plans.services import POLICY_EDITABLE
from programs.plans.specs import Policy

DEFAULTS = Policy()

LABELS = {
    "green_max": _("Green zone: pain during exercise up to (0-10)"),
    "amber_max": _("Amber zone: pain during exercise up to (0-10); above is red"),
    "morning_amber_over_baseline": _("Next morning: amber up to this many points above baseline"),
    "weekly_rise_red": _("A rise of the weekly mean pain by this much counts as red"),
    "green_sessions_to_progress": _("Green sessions in a row before an exercise progresses"),
    "load_increment_pct": _("Load increase per step (%)"),
    "deload_volume_pct": _("Volume cut in a lighter week (%)"),
    "require_approval": _("Changes wait for my approval"),
    "locked_exercises": _("Locked exercises (never progressed or swapped automatically)"),
}


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Runner's email address"), max_length=254)


class PolicyForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, exercise_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name, bounds in POLICY_EDITABLE.items():
            label = LABELS[name]
            if name == "require_approval":
                self.fields[name] = forms.BooleanField(label=label, required=False)
            elif name == "locked_exercises":
                self.fields[name] = forms.MultipleChoiceField(
                    label=label,
                    required=False,
                    choices=exercise_choices,
                    widget=forms.CheckboxSelectMultiple,
                )
            elif isinstance(getattr(DEFAULTS, name), int):
                self.fields[name] = forms.IntegerField(
                    label=label, min_value=bounds[0], max_value=bounds[1]
                )
            else:
                self.fields[name] = forms.FloatField(
                    label=label, min_value=bounds[0], max_value=bounds[1]
                )
            default = getattr(DEFAULTS, name)
            if name != "locked_exercises":
                self.fields[name].help_text = _("Default: %(value)s") % {
                    "value": (_("yes") if default else _("no"))
                    if isinstance(default, bool)
                    else default
                }

    def changes(self) -> dict:
        """The policy settings as cleaned, ready for plan_policy_update."""
        return {name: self.cleaned_data[name] for name in POLICY_EDITABLE}


class PlanStartForm(PlanChoicesForm):
    """A physiotherapist starts a plan for a linked runner: the same choices as the
    runner's own set-up (the runner answers the questionnaires later), worded for the
    physio, plus whether changes wait for approval."""

    require_approval = forms.BooleanField(label=LABELS["require_approval"], required=False)

    WORDING = {
        "baseline_pain": _("The runner's usual pain over the last week (0-10)"),
        "running_mode": _("Is the runner running at the moment?"),
        "weekly_minutes": _("Running minutes in a usual week lately"),
        "longest_run": _("Longest run lately (minutes)"),
        "running_days": _("Running days in a usual week"),
        "equipment": _("Equipment the runner has"),
        "weekdays": _("Days that suit the runner for strength training"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in self.WORDING.items():
            self.fields[name].label = label
