"""Forms of the physiotherapist's pages: invite a runner, and a plan's progression policy.

The policy form is built from plans.services.POLICY_EDITABLE, the same table the service
and the API check against, so the three never disagree on what may change or its range.
"""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from programs.content.selectors import startable_templates
from programs.engine.specs import Policy
from programs.logbook import caseload_filters as cf
from programs.logbook.caseload_filters import CaseloadQuery
from programs.plans.services.lifecycle import POLICY_EDITABLE
from programs.ui.forms import PlanChoicesForm
from programs.ui.widgets import PlainSelect

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
    suggested_template = forms.ModelChoiceField(
        widget=PlainSelect,
        label=_("Suggested programme (optional)"),
        queryset=startable_templates(),
        to_field_name="slug",
        required=False,
        empty_label=_("None: the screening suggests one"),
    )
    note = forms.CharField(
        label=_("Note to the runner (optional)"),
        help_text=_("They read it when they accept; it is not in the email."),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def invitation(self) -> dict:
        template = self.cleaned_data.get("suggested_template")
        return {
            "email": self.cleaned_data["email"],
            "suggested_template": template.slug if template else "",
            "note": self.cleaned_data.get("note", ""),
        }


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
                low, high = cast(tuple[int, int], bounds)  # a number's bounds, of its type
                self.fields[name] = forms.IntegerField(label=label, min_value=low, max_value=high)
            else:
                low_f, high_f = cast(tuple[float, float], bounds)  # a number's bounds
                self.fields[name] = forms.FloatField(label=label, min_value=low_f, max_value=high_f)
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


class PhysioReferralClearForm(forms.Form):
    """A linked physiotherapist clears a runner's referral, with a note."""

    note = forms.CharField(
        label=_("Note: why the runner may train again"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class BulkDecisionForm(forms.Form):
    """Approve or reject the ticked pending decisions at once, with an optional message to
    the runner. The decisions offered are the plan's pending ones (`choices`)."""

    decisions = forms.TypedMultipleChoiceField(
        label=_("Changes"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Tick at least one change."),
            "invalid_choice": _(
                "One of these changes has already been decided; nothing was saved."
            ),
        },
    )
    verdict = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        error_messages={"required": _("Choose approve or reject.")},
    )
    message = forms.CharField(
        label=_("Message to the runner (optional)"),
        help_text=_("Shown with the change in the runner's plan changes; never emailed."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.MultipleChoiceField, self.fields["decisions"])
        field.choices = list(choices)


class CaseloadFilterForm(forms.Form):
    """The caseload's filters, search and order (GET); the API takes the same values."""

    q = forms.CharField(label=_("Search by name or email"), max_length=100, required=False)
    flag = forms.ChoiceField(widget=PlainSelect, label=_("Flag"), required=False)
    phase = forms.ChoiceField(widget=PlainSelect, label=_("Phase"), required=False)
    adherence = forms.ChoiceField(
        widget=PlainSelect, label=_("Adherence (14 days)"), required=False
    )
    trend = forms.ChoiceField(widget=PlainSelect, label=_("Pain trend"), required=False)
    last_log = forms.ChoiceField(widget=PlainSelect, label=_("Last log"), required=False)
    sort = forms.ChoiceField(widget=PlainSelect, label=_("Order"), required=False)
    page = forms.IntegerField(min_value=1, max_value=100000, required=False)

    def __init__(self, *args, phases=(), **kwargs):
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        offered = {
            "flag": anything + list(cf.FLAG_CHOICES),
            "phase": anything + list(phases),
            "adherence": anything + list(cf.ADHERENCE_CHOICES),
            "trend": anything + list(cf.TREND_CHOICES),
            "last_log": anything + list(cf.LAST_LOG_CHOICES),
            "sort": list(cf.SORT_CHOICES),
        }
        for name, choices in offered.items():
            cast(forms.ChoiceField, self.fields[name]).choices = choices

    def query(self):
        data = self.cleaned_data
        return CaseloadQuery(
            flag=data["flag"],
            phase=data["phase"],
            adherence=data["adherence"],
            trend=data["trend"],
            last_log=data["last_log"],
            q=data["q"],
            sort=data["sort"] or "attention",
        )


class ColleagueInviteForm(forms.Form):
    email = forms.EmailField(label=_("Colleague's email address"), max_length=254)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
