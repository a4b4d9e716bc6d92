"""Form building blocks both surfaces use: the plan choices of a set-up (the runner's own
and the physio's start form), the questionnaires, the 0-10 pain scale, the warning-sign
question, unit conversion and putting a service's error on a form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from programs.content.models import Equipment, ProgramTemplate
from programs.engine.questionnaires import (
    LEFS_CHOICES,
    LEFS_ITEMS,
    score_lefs,
    score_nprs,
    score_psfs,
)
from programs.engine.screening import (
    RED_FLAGS,
)
from programs.engine.specs import RunnerContext, RunningStatus
from rehab.core.timeutils import local_today

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


KG_PER_LB = Decimal("0.45359237")


KM_PER_MILE = Decimal("1.609344")


PAIN_SCALE = [(n, str(n)) for n in range(11)]


def pain_field(label, *, required=True, message=None):
    """A 0-10 pain answer as eleven radio buttons (runner/_pain.html draws them as a
    scale). Nothing is chosen until the runner answers: "no pain" (0) and "not answered"
    never look the same, with or without JavaScript."""
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=10,
        required=required,
        widget=forms.RadioSelect(choices=PAIN_SCALE),
        error_messages={
            "required": message or _("Choose how much it hurt, from 0 to 10."),
        },
    )


def _not_in_future(day: dt.date, runner) -> dt.date:
    if day > local_today(runner.timezone):
        raise forms.ValidationError(_("Pick today or an earlier day."), code="future")
    return day


def add_service_errors(form, error) -> None:
    """Show a service's ApplicationError on the form: its message as a page error, its
    field errors on their fields (unknown fields become page errors)."""
    form.add_error(None, error.message)
    for name, problems in error.fields.items():
        field = name.rsplit(".", 1)[-1]
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


# A mixin for forms: to the type checker it is one.
if TYPE_CHECKING:
    _FormBase = forms.Form
else:
    _FormBase = object


class QuestionnaireMixin(_FormBase):
    """PSFS (up to three activities) and LEFS (20 items) fields, added in __init__ and
    checked in clean."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_questionnaire_fields()

    def clean(self):
        data = super().clean()
        self.clean_questionnaires(data)
        return data

    def add_questionnaire_fields(self):
        for i in range(1, 4):
            self.fields[f"psfs_activity_{i}"] = forms.CharField(
                label=_("Activity %(n)s") % {"n": i}, max_length=80, required=(i == 1)
            )
            self.fields[f"psfs_score_{i}"] = forms.IntegerField(
                label=_("How well can you do it now? (0 = unable, 10 = as before)"),
                min_value=0,
                max_value=10,
                required=(i == 1),
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
        for i, item in enumerate(LEFS_ITEMS, start=1):
            self.fields[f"lefs_{i}"] = forms.TypedChoiceField(
                label=item, choices=LEFS_CHOICES, coerce=int, widget=forms.RadioSelect
            )

    def psfs_fields(self):
        return [(self[f"psfs_activity_{i}"], self[f"psfs_score_{i}"]) for i in range(1, 4)]

    def lefs_fields(self):
        return [self[f"lefs_{i}"] for i in range(1, len(LEFS_ITEMS) + 1)]

    def clean_questionnaires(self, data):
        for i in range(1, 4):
            name, score = data.get(f"psfs_activity_{i}"), data.get(f"psfs_score_{i}")
            if name and score is None:
                self.add_error(f"psfs_score_{i}", _("Score this activity from 0 to 10."))
            if score is not None and not name:
                self.add_error(f"psfs_activity_{i}", _("Name the activity you scored."))

    def scores(self) -> dict:
        data = self.cleaned_data
        activities = [
            (data[f"psfs_activity_{i}"], data[f"psfs_score_{i}"])
            for i in range(1, 4)
            if data.get(f"psfs_activity_{i}") and data.get(f"psfs_score_{i}") is not None
        ]
        lefs = [data[f"lefs_{i}"] for i in range(1, len(LEFS_ITEMS) + 1)]
        pain = data["baseline_pain"]
        return {
            "nprs": ({"pain": pain}, score_nprs(pain)),
            "psfs": ({"activities": activities}, score_psfs(activities)),
            "lefs": ({"items": lefs}, score_lefs(lefs)),
        }


class _TemplateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ProgramTemplate) -> str:
        return obj.name


class PlanChoicesForm(forms.Form):
    """What a plan is generated from: programme, start, baseline pain, running, equipment
    and days. The runner's set-up form and the physiotherapist's start form share it."""

    template = _TemplateChoiceField(
        label=_("Programme"), queryset=None, empty_label=None, widget=forms.RadioSelect
    )
    start_date = forms.DateField(
        label=_("Start on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    baseline_pain = forms.IntegerField(
        label=_("Your usual pain over the last week (0 = none, 10 = worst imaginable)"),
        min_value=0,
        max_value=10,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    running_mode = forms.ChoiceField(
        label=_("Are you running at the moment?"),
        choices=[
            ("not_running", _("No, not at the moment")),
            ("walk_run", _("Yes, walk-run intervals")),
            ("continuous", _("Yes, continuous runs")),
        ],
        widget=forms.RadioSelect,
        initial="not_running",
    )
    weekly_minutes = forms.IntegerField(
        label=_("Running minutes in a usual week lately"), min_value=0, max_value=1500, initial=0
    )
    longest_run = forms.IntegerField(
        label=_("Longest run lately (minutes)"), min_value=0, max_value=600, initial=0
    )
    running_days = forms.IntegerField(
        label=_("Running days in a usual week"), min_value=0, max_value=7, initial=0
    )
    equipment = forms.MultipleChoiceField(
        label=_("Equipment you have"),
        choices=[(code, label) for code, label in Equipment.choices if code != "none"],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    strength_days = forms.TypedChoiceField(
        label=_("Strength sessions a week"),
        choices=[(2, "2"), (3, "3"), (4, "4")],
        coerce=int,
        initial=3,
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days that suit you for strength training"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    long_run_day = forms.TypedChoiceField(
        label=_("Long-run day"),
        choices=[("", _("No long run")), *WEEKDAYS],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, runner, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.runner = runner
        cast(forms.ModelChoiceField, self.fields["template"]).queryset = templates

    def clean_start_date(self):
        day = self.cleaned_data["start_date"]
        today = local_today(self.runner.timezone)
        if day < today:
            raise forms.ValidationError(_("Start today or later."), code="past")
        if day > today + dt.timedelta(days=28):
            raise forms.ValidationError(_("Start within the next four weeks."), code="far")
        return day

    def clean(self):
        super().clean()
        data = self.cleaned_data  # clean() may return None in a subclass
        days, per_week = data.get("weekdays") or [], data.get("strength_days")
        if per_week and days and len(days) < per_week:
            self.add_error(
                "weekdays",
                _("Pick at least %(n)s days for %(n)s sessions a week.") % {"n": per_week},
            )
        if data.get("longest_run", 0) > data.get("weekly_minutes", 0) > 0:
            self.add_error("longest_run", _("The longest run cannot exceed the weekly total."))
        return data

    def context(self, *, irritability: str) -> RunnerContext:
        """The runner's situation from the form. Its `features` are filled when the plan is
        generated, from the screening that cleared the runner (logbook.services.
        plan_start_check, which plans.services.plan_generate runs on every path)."""
        data = self.cleaned_data
        mode = data["running_mode"]
        return RunnerContext(
            condition=data["template"].condition.code,
            irritability=irritability or "moderate",
            baseline_pain=float(data["baseline_pain"]),
            equipment=frozenset(data["equipment"]) | {"none"},
            strength_days_per_week=data["strength_days"],
            preferred_weekdays=tuple(sorted(data["weekdays"])),
            long_run_weekday=data.get("long_run_day"),
            hard_session_weekdays=(),
            running=RunningStatus(
                mode=mode,
                walk_run_stage=1 if mode == "walk_run" else None,
                weekly_minutes=data["weekly_minutes"] if mode != "not_running" else 0,
            ),
            start_date=data["start_date"],
            timezone=self.runner.timezone,
        )


def red_flag_field():
    return forms.MultipleChoiceField(
        label=_("Any of these warning signs since your last log?"),
        choices=[(code, question) for code, (question, _r, _s) in RED_FLAGS.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


def to_kg(value: Decimal, unit: str) -> Decimal:
    kg = value * KG_PER_LB if unit == "lb" else value
    return kg.quantize(Decimal("0.01"))


def to_display_load(kg, unit: str) -> Decimal:
    value = Decimal(kg) / KG_PER_LB if unit == "lb" else Decimal(kg)
    return value.quantize(Decimal("0.1"))
