from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from programs.logbook.screening import (
    GT_FEATURES,
    ITB_FEATURES,
    PAIN_LOCATIONS,
    RED_FLAGS,
    ScreeningAnswers,
)

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class ScreeningForm(forms.Form):
    """The screening as a page: every red-flag question needs an explicit yes or no."""

    pain_location = forms.ChoiceField(
        label=_("Where is your pain mostly?"),
        choices=list(PAIN_LOCATIONS.items()),
        widget=forms.RadioSelect,
    )
    baseline_pain = forms.IntegerField(
        label=_("Your usual pain over the last week (0 = none, 10 = worst imaginable)"),
        min_value=0,
        max_value=10,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, (question, _reason, _sources) in RED_FLAGS.items():
            self.fields[code] = forms.ChoiceField(
                label=question, choices=YES_NO, widget=forms.RadioSelect
            )
        for code, question in {**GT_FEATURES, **ITB_FEATURES}.items():
            # Pathway hints, not safety questions: unanswered counts as "no".
            self.fields[code] = forms.ChoiceField(
                label=question,
                choices=YES_NO,
                widget=forms.RadioSelect,
                initial="no",
                required=False,
            )

    def red_flag_fields(self):
        return [self[code] for code in RED_FLAGS]

    def feature_fields(self):
        return [self[code] for code in {**GT_FEATURES, **ITB_FEATURES}]

    def answers(self) -> ScreeningAnswers:
        data = self.cleaned_data
        return ScreeningAnswers(
            red_flags=frozenset(code for code in RED_FLAGS if data[code] == "yes"),
            pain_location=data["pain_location"],
            features=frozenset(
                code for code in {**GT_FEATURES, **ITB_FEATURES} if data[code] == "yes"
            ),
            baseline_pain=data["baseline_pain"],
        )
