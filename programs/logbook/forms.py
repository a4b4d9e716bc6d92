from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from programs.exercises.models import Equipment
from programs.logbook.models import RunLog
from programs.logbook.questionnaire_models import RunnerPreferences
from programs.logbook.questionnaires import (
    LEFS_CHOICES,
    LEFS_ITEMS,
    score_lefs,
    score_nprs,
    score_psfs,
)
from programs.logbook.screening import (
    GT_FEATURES,
    ITB_FEATURES,
    PAIN_LOCATIONS,
    RED_FLAGS,
    ScreeningAnswers,
)
from programs.plans.specs import RunnerContext, RunningStatus
from rehab.core.timeutils import local_today

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


# --- Plan set-up, logging and settings -------------------------------------------------

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


def pain_field(label, *, required=True, initial=None):
    """A 0-10 pain slider; the page shows the green/amber/red meaning beside it."""
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=10,
        required=required,
        initial=initial,
        widget=forms.NumberInput(
            attrs={"type": "range", "min": 0, "max": 10, "step": 1, "class": "pain-range"}
        ),
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


class QuestionnaireMixin:
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


class PlanChoicesForm(forms.Form):
    """What a plan is generated from: programme, start, baseline pain, running, equipment
    and days. The runner's set-up form and the physiotherapist's start form share it."""

    template = forms.ModelChoiceField(
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
        self.fields["template"].queryset = templates
        self.fields["template"].label_from_instance = lambda t: t.name

    def clean_start_date(self):
        day = self.cleaned_data["start_date"]
        today = local_today(self.runner.timezone)
        if day < today:
            raise forms.ValidationError(_("Start today or later."), code="past")
        if day > today + dt.timedelta(days=28):
            raise forms.ValidationError(_("Start within the next four weeks."), code="far")
        return day

    def clean(self):
        data = super().clean()
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


class PlanSetupForm(QuestionnaireMixin, PlanChoicesForm):
    """The runner's own plan set-up: the plan choices, the baseline questionnaires and
    the reminder times."""

    reminder_time = forms.TimeField(
        label=_("Training reminder at (leave empty for none)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    checkin_time = forms.TimeField(
        label=_("Morning check-in reminder at (leave empty for none)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )


class FollowUpForm(QuestionnaireMixin, forms.Form):
    baseline_pain = forms.IntegerField(
        label=_("Your usual pain over the last week (0 = none, 10 = worst imaginable)"),
        min_value=0,
        max_value=10,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class ExerciseLogForm(forms.Form):
    """One exercise of the session player, prefixed with the prescription id."""

    sets_done = forms.IntegerField(label=_("Sets done"), min_value=1, max_value=10)
    reps = forms.IntegerField(
        label=_("Repetitions per set"), min_value=1, max_value=100, required=False
    )
    hold_seconds = forms.IntegerField(
        label=_("Longest hold (seconds)"), min_value=1, max_value=600, required=False
    )
    load = forms.DecimalField(
        label=_("Extra load"),
        min_value=0,
        max_digits=6,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5"}),
    )
    rpe = forms.IntegerField(
        label=_("Effort (0 = none, 10 = maximal)"), min_value=0, max_value=10, required=False
    )
    pain_during = pain_field(_("Pain during (0-10)"), initial=0)
    pain_changed_movement = forms.BooleanField(label=_("Pain changed how I moved"), required=False)

    def __init__(self, *args, prescription, load_unit="kg", **kwargs):
        super().__init__(*args, **kwargs)
        self.prescription = prescription
        self.load_unit = load_unit
        self.fields["load"].label = _("Extra load (%(unit)s)") % {"unit": load_unit}
        self.fields["sets_done"].initial = prescription.sets
        self.fields["reps"].initial = prescription.reps
        self.fields["hold_seconds"].initial = prescription.hold_seconds
        if prescription.load_kg is not None:
            self.fields["load"].initial = to_display_load(prescription.load_kg, load_unit)
        if prescription.hold_seconds and not prescription.reps:
            self.fields["reps"].label = _("Holds per set")

    def clean(self):
        data = super().clean()
        load = data.get("load")
        if load is not None and to_kg(load, self.load_unit) > 500:
            self.add_error("load", _("That load is beyond what this plan uses (500 kg)."))
        return data

    def item(self) -> dict:
        data = self.cleaned_data
        reps = data.get("reps")
        load = data.get("load")
        return {
            "prescription": self.prescription.pk,
            "sets_done": data["sets_done"],
            "reps_done": [reps] * data["sets_done"] if reps else [],
            "hold_seconds": data.get("hold_seconds"),
            "load_kg": to_kg(load, self.load_unit) if load is not None else None,
            "rpe": data.get("rpe"),
            "pain_during": data["pain_during"],
            "pain_changed_movement": data["pain_changed_movement"],
        }


def red_flag_field():
    return forms.MultipleChoiceField(
        label=_("Any of these warning signs since your last log?"),
        choices=[(code, question) for code, (question, _r, _s) in RED_FLAGS.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class SessionLogForm(forms.Form):
    pain_after = pain_field(_("Pain straight after the session (0-10)"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["red_flags"] = red_flag_field()


class CheckinForm(forms.Form):
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    pain = pain_field(_("Pain this morning (0-10)"), initial=0)
    stiffness_minutes = forms.IntegerField(
        label=_("Morning stiffness (minutes)"), min_value=0, max_value=1440, initial=0
    )

    def __init__(self, *args, runner, **kwargs):
        super().__init__(*args, **kwargs)
        self.runner = runner
        self.fields["date"].initial = local_today(runner.timezone)

    def clean_date(self):
        return _not_in_future(self.cleaned_data["date"], self.runner)


class RunLogForm(forms.Form):
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=600)
    distance = forms.DecimalField(
        label=_("Distance"),
        min_value=0,
        max_digits=5,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    walk_run_stage = forms.TypedChoiceField(
        label=_("Walk-run stage done"),
        choices=[("", _("None: continuous running"))] + [(n, f"R{n}") for n in range(1, 11)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    pain_during = pain_field(_("Pain during (0-10)"), initial=0)
    pain_after = pain_field(_("Pain after (0-10)"), required=False)
    terrain = forms.ChoiceField(label=_("Terrain"), choices=RunLog.Terrain.choices)

    def __init__(self, *args, runner, distance_unit="km", **kwargs):
        super().__init__(*args, **kwargs)
        self.runner = runner
        self.distance_unit = distance_unit
        self.fields["date"].initial = local_today(runner.timezone)
        unit = _("miles") if distance_unit == "mi" else _("km")
        self.fields["distance"].label = _("Distance (%(unit)s)") % {"unit": unit}
        self.fields["red_flags"] = red_flag_field()

    def clean_date(self):
        return _not_in_future(self.cleaned_data["date"], self.runner)

    def clean_distance(self):
        distance = self.cleaned_data.get("distance")
        if distance is None:
            return None
        km = distance * KM_PER_MILE if self.distance_unit == "mi" else distance
        if km > 300:
            raise forms.ValidationError(_("That distance is not plausible for one run."))
        return km.quantize(Decimal("0.01"))

    def fields_for_service(self) -> dict:
        data = self.cleaned_data
        return {
            "date": data["date"],
            "minutes": data["minutes"],
            "distance_km": data["distance"],
            "walk_run_stage": data["walk_run_stage"],
            "pain_during": data["pain_during"],
            "pain_after": data["pain_after"],
            "terrain": data["terrain"],
            "red_flags": data["red_flags"],
        }


class TrainingSettingsForm(forms.Form):
    distance_unit = forms.ChoiceField(
        label=_("Distances in"),
        choices=RunnerPreferences.Distance.choices,
        widget=forms.RadioSelect,
    )
    load_unit = forms.ChoiceField(
        label=_("Weights in"), choices=RunnerPreferences.Load.choices, widget=forms.RadioSelect
    )


def to_kg(value: Decimal, unit: str) -> Decimal:
    kg = value * KG_PER_LB if unit == "lb" else value
    return kg.quantize(Decimal("0.01"))


def to_display_load(kg, unit: str) -> Decimal:
    value = Decimal(kg) / KG_PER_LB if unit == "lb" else Decimal(kg)
    return value.quantize(Decimal("0.1"))
