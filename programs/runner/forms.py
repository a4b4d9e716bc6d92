from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from programs.engine.questionnaires import GROC_CHOICES, GROC_QUESTION, LEFS_ITEMS, score_groc
from programs.engine.screening import (
    GT_FEATURES,
    HIP_JOINT_QUESTIONS,
    ITB_FEATURES,
    PAIN_LOCATIONS,
    PERSISTENT_SNAPPING_WEEKS,
    RED_FLAGS,
    SNAPPING_CHOICES,
    SNAPPING_PERSISTENT_QUESTION,
    SNAPPING_QUESTION,
    ScreeningAnswers,
)
from programs.logbook.models import RunLog
from programs.logbook.questionnaire_models import RunnerPreferences
from programs.ui.forms import (
    KM_PER_MILE,
    YES_NO,
    PlanChoicesForm,
    QuestionnaireMixin,
    _not_in_future,
    pain_field,
    red_flag_field,
    to_display_load,
    to_kg,
)
from programs.ui.widgets import (
    PlainBoundField,
    PlainCheckboxInput,
    PlainNumberInput,
    PlainTextarea,
)
from rehab.core.timeutils import local_today

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ScreeningForm(forms.Form):
    """The screening as a page: every question that can refer (red flags, signs of the hip
    joint, snapping) needs an explicit answer; the pathway hints count as "no" if left."""

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
        for code, question in HIP_JOINT_QUESTIONS.items():
            self.fields[code] = forms.ChoiceField(
                label=question, choices=YES_NO, widget=forms.RadioSelect
            )
        self.fields["hip_snapping"] = forms.ChoiceField(
            label=SNAPPING_QUESTION,
            choices=list(SNAPPING_CHOICES.items()),
            widget=forms.RadioSelect,
        )
        self.fields["snapping_persistent"] = forms.ChoiceField(
            label=SNAPPING_PERSISTENT_QUESTION % {"weeks": PERSISTENT_SNAPPING_WEEKS},
            choices=YES_NO,
            widget=forms.RadioSelect,
            required=False,
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

    def clean(self):
        super().clean()
        data = self.cleaned_data  # clean() may return None in a subclass
        if data.get("hip_snapping") == "painful" and not data.get("snapping_persistent"):
            self.add_error(
                "snapping_persistent", _("Answer this question when the snapping hurts.")
            )
        return data

    def red_flag_fields(self):
        return [self[code] for code in RED_FLAGS]

    def hip_fields(self):
        return [
            *(self[code] for code in HIP_JOINT_QUESTIONS),
            self["hip_snapping"],
            self["snapping_persistent"],
        ]

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
            hip_signs=frozenset(code for code in HIP_JOINT_QUESTIONS if data[code] == "yes"),
            snapping=data["hip_snapping"],
            snapping_persistent=data["hip_snapping"] == "painful"
            and data["snapping_persistent"] == "yes",
        )


# --- Plan set-up, logging and settings -------------------------------------------------


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
    groc = forms.TypedChoiceField(
        label=GROC_QUESTION,
        choices=GROC_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how your hip is compared with the start.")},
    )

    def scores(self) -> dict:
        value = self.cleaned_data["groc"]
        return {**super().scores(), "groc": ({"rating": value}, score_groc(value))}


class ExerciseLogForm(forms.Form):
    """One exercise of the session player, prefixed with the prescription id."""

    bound_field_class = PlainBoundField  # a dozen field groups per exercise, without templates

    sets_done = forms.IntegerField(
        label=_("Sets done"),
        min_value=1,
        max_value=10,
        error_messages={"required": _("Enter how many sets you did.")},
        widget=PlainNumberInput(attrs={"inputmode": "numeric"}),
    )
    reps = forms.IntegerField(
        label=_("Repetitions per set"),
        min_value=1,
        max_value=100,
        required=False,
        widget=PlainNumberInput,
    )
    hold_seconds = forms.IntegerField(
        label=_("Longest hold (seconds)"),
        min_value=1,
        max_value=600,
        required=False,
        widget=PlainNumberInput,
    )
    load = forms.DecimalField(
        label=_("Extra load"),
        min_value=0,
        max_digits=6,
        decimal_places=2,
        required=False,
        widget=PlainNumberInput(attrs={"inputmode": "decimal", "step": "0.5"}),
    )
    rpe = forms.IntegerField(
        label=_("Effort (0 = none, 10 = maximal)"),
        min_value=0,
        max_value=10,
        required=False,
        widget=PlainNumberInput,
    )
    pain_during = pain_field(_("Pain during (0-10)"))
    pain_changed_movement = forms.BooleanField(
        label=_("Pain changed how I moved"), required=False, widget=PlainCheckboxInput
    )

    def __init__(self, *args, prescription, load_unit="kg", **kwargs):
        super().__init__(*args, **kwargs)
        self.prescription = prescription
        self.load_unit = load_unit
        self.fields["load"].label = _("Extra load (%(unit)s)") % {"unit": load_unit}
        # Sets done start empty (the set counter fills them in): a pre-filled number would
        # read as an answer the runner never gave. The prescribed reps and hold are the
        # targets, shown as such.
        self.fields["reps"].initial = prescription.reps
        self.fields["hold_seconds"].initial = prescription.hold_seconds
        if prescription.load_kg is not None:
            self.fields["load"].initial = to_display_load(prescription.load_kg, load_unit)
        if prescription.hold_seconds and not prescription.reps:
            self.fields["reps"].label = _("Holds per set")

    def clean(self):
        super().clean()
        data = self.cleaned_data  # clean() may return None in a subclass
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


class SessionLogForm(forms.Form):
    bound_field_class = PlainBoundField
    pain_after = pain_field(_("Pain straight after the session (0-10)"))
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=2000, widget=PlainTextarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["red_flags"] = red_flag_field()


SETTLED_CHOICES = [
    ("yes", _("Yes, it has settled")),
    ("no", _("No, it still hurts more than usual")),
]


class CheckinForm(forms.Form):
    """The morning check-in, new or changed. Changing one keeps its date. "Has it settled
    by midday?" is asked only when `ask_settled` (the morning pain was above the runner's
    baseline and midday has come): §D2 row 2."""

    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    pain = pain_field(
        _("Pain this morning (0-10)"),
        message=_("Choose how much it hurts this morning, from 0 to 10."),
    )
    stiffness_minutes = forms.IntegerField(
        label=_("Morning stiffness (minutes)"), min_value=0, max_value=1440, initial=0
    )
    settled_by_midday = forms.TypedChoiceField(
        label=_("Your pain this morning was above your usual level. Has it settled by midday?"),
        choices=SETTLED_CHOICES,
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, runner, checkin=None, ask_settled=False, **kwargs):
        if checkin is not None:
            kwargs.setdefault(
                "initial",
                {
                    "pain": checkin.pain,
                    "stiffness_minutes": checkin.stiffness_minutes,
                    "red_flags": list(checkin.red_flags),
                    "settled_by_midday": {True: "yes", False: "no"}.get(checkin.settled_by_midday),
                },
            )
        super().__init__(*args, **kwargs)
        self.runner = runner
        self.checkin = checkin
        self.fields["red_flags"] = red_flag_field()
        if checkin is None:
            self.fields["date"].initial = local_today(runner.timezone)
        else:
            del self.fields["date"]
        if not ask_settled:
            del self.fields["settled_by_midday"]

    def clean_date(self):
        return _not_in_future(self.cleaned_data["date"], self.runner)

    def fields_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        data["red_flags"] = tuple(data["red_flags"])
        return data


class FlareUpForm(forms.Form):
    """The flare-up button's confirmation: how bad it is (required) and what happened."""

    severity = pain_field(
        _("How bad is the flare-up? (0 = hardly, 10 = worst imaginable)"),
        message=_("Choose how bad the flare-up is, from 0 to 10."),
    )
    note = forms.CharField(
        label=_("What happened? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["red_flags"] = red_flag_field()


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
    pain_during = pain_field(_("Pain during (0-10)"))
    pain_after = pain_field(_("Pain after (0-10)"))
    rpe = forms.IntegerField(
        label=_("Effort (RPE: 0 = none, 10 = maximal; easy is 3-4)"),
        min_value=0,
        max_value=10,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    pain_changed_movement = forms.BooleanField(label=_("Pain changed how I ran"), required=False)
    terrain = forms.ChoiceField(label=_("Terrain"), choices=RunLog.Terrain.choices)

    def __init__(self, *args, runner, distance_unit="km", run=None, **kwargs):
        if run is not None:
            kwargs.setdefault("initial", _run_initial(run, distance_unit))
        super().__init__(*args, **kwargs)
        self.runner = runner
        self.distance_unit = distance_unit
        if run is None:
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
            "rpe": data["rpe"],
            "pain_changed_movement": data["pain_changed_movement"],
            "terrain": data["terrain"],
            "red_flags": data["red_flags"],
        }


def _run_initial(run: RunLog, distance_unit: str) -> dict:
    distance = run.distance_km
    if distance is not None and distance_unit == "mi":
        distance = (distance / KM_PER_MILE).quantize(Decimal("0.01"))
    return {
        "date": run.date,
        "minutes": run.minutes,
        "distance": distance,
        "walk_run_stage": run.walk_run_stage,
        "pain_during": run.pain_during,
        "pain_after": run.pain_after,
        "rpe": run.rpe,
        "pain_changed_movement": run.pain_changed_movement,
        "terrain": run.terrain,
        "red_flags": list(run.red_flags),
    }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class WatchFilesField(forms.FileField):
    """Several files in one field; each is checked for size before anything reads it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": ".gpx,.tcx,.fit", "multiple": True}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        limit = settings.RUN_IMPORT_MAX_FILES
        if len(files) > limit:
            raise forms.ValidationError(
                _("At most %(n)s files at a time.") % {"n": limit}, code="too_many"
            )
        problems = []
        mb = settings.RUN_IMPORT_MAX_FILE_BYTES // (1024 * 1024)
        for upload in files:
            if upload.size > settings.RUN_IMPORT_MAX_FILE_BYTES:
                problems.append(
                    _("%(file)s: the file is larger than %(mb)s MB.")
                    % {"file": upload.name, "mb": mb}
                )
            elif not upload.size:
                problems.append(_("%(file)s: the file is empty.") % {"file": upload.name})
        if problems:
            raise forms.ValidationError(problems, code="size")
        return files


class RunImportForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Set here, not declared: `files` is also the form's own uploads attribute.
        self.fields["files"] = WatchFilesField(
            label=_("Files from your watch (GPX, TCX or FIT)"),
            help_text=_("Choose one or several files, up to 20 MB each."),
            error_messages={"required": _("Choose at least one file.")},
        )

    def files_for_service(self) -> list[tuple[str, bytes]]:
        """(name, bytes) per file: read only after the size checks passed."""
        return [(upload.name, upload.read()) for upload in self.cleaned_data["files"]]


class RunAnswersForm(forms.Form):
    """The pain during and after, and the effort, of each imported run (nothing else)."""

    def __init__(self, *args, runs, **kwargs):
        super().__init__(*args, **kwargs)
        self.runs = list(runs)
        for run in self.runs:
            self.fields[f"pain_during_{run.pk}"] = pain_field(_("Pain during (0-10)"))
            self.fields[f"pain_after_{run.pk}"] = pain_field(_("Pain after (0-10)"))
            self.fields[f"rpe_{run.pk}"] = forms.IntegerField(
                label=_("Effort (RPE: 0 = none, 10 = maximal; easy is 3-4)"),
                min_value=0,
                max_value=10,
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    def rows(self):
        """(run, its three bound fields) for the template."""
        return [
            (
                run,
                self[f"pain_during_{run.pk}"],
                self[f"pain_after_{run.pk}"],
                self[f"rpe_{run.pk}"],
            )
            for run in self.runs
        ]

    def answers_for_service(self) -> dict[int, dict]:
        data = self.cleaned_data
        return {
            run.pk: {
                "pain_during": data[f"pain_during_{run.pk}"],
                "pain_after": data[f"pain_after_{run.pk}"],
                "rpe": data[f"rpe_{run.pk}"],
            }
            for run in self.runs
        }


class ReferralClearForm(forms.Form):
    """The runner states that a clinician assessed them and cleared them to train."""

    clinician = forms.CharField(
        label=_("Whom did you see? (name, or a role such as GP or physiotherapist)"),
        max_length=200,
    )
    assessed_on = forms.DateField(
        label=_("Date of the assessment"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    confirmed = forms.BooleanField(
        label=_("I confirm that this clinician assessed my hip and cleared me to train."),
        required=True,
        error_messages={"required": _("Confirm that a clinician cleared you to train.")},
    )


class TrainingSettingsForm(forms.Form):
    distance_unit = forms.ChoiceField(
        label=_("Distances in"),
        choices=RunnerPreferences.Distance.choices,
        widget=forms.RadioSelect,
    )
    load_unit = forms.ChoiceField(
        label=_("Weights in"), choices=RunnerPreferences.Load.choices, widget=forms.RadioSelect
    )


# --- Plan set-up in steps ---------------------------------------------------------------
# The set-up form split into pages that fit a phone. Each page validates its own fields
# with PlanSetupForm's own rules (a page's cross-field checks have both fields on it); the
# review validates everything again with the whole PlanSetupForm before the plan is made.


@dataclass(frozen=True)
class SetupPage:
    key: str  # in the URL, and the draft's key for this page's answers
    step: int  # the numbered step it belongs to (LEFS spans pages of one step)
    title: StrOrPromise  # translated when shown
    fields: tuple[str, ...]
    part: int = 1  # the page within its step
    parts: int = 1


def _lefs(first: int, last: int) -> tuple[str, ...]:
    return tuple(f"lefs_{i}" for i in range(first, last + 1))


LEFS_PAGE_SIZE = 5
_LEFS_PAGES = [
    _lefs(start, min(start + LEFS_PAGE_SIZE - 1, len(LEFS_ITEMS)))
    for start in range(1, len(LEFS_ITEMS) + 1, LEFS_PAGE_SIZE)
]

SETUP_PAGES: tuple[SetupPage, ...] = (
    SetupPage("programme", 1, _("Your programme"), ("template", "start_date")),
    SetupPage(
        "running",
        2,
        _("Your running now"),
        ("running_mode", "weekly_minutes", "longest_run", "running_days"),
    ),
    *(
        SetupPage(
            "pain" if index == 0 else f"questionnaire-{index + 1}",
            3,
            _("Your pain and what you can do"),
            (("baseline_pain",) if index == 0 else ()) + items,
            part=index + 1,
            parts=len(_LEFS_PAGES),
        )
        for index, items in enumerate(_LEFS_PAGES)
    ),
    SetupPage(
        "activities",
        4,
        _("Activities that matter to you"),
        tuple(f"psfs_{kind}_{i}" for i in range(1, 4) for kind in ("activity", "score")),
    ),
    SetupPage("days", 5, _("Training days"), ("strength_days", "weekdays", "long_run_day")),
    SetupPage("equipment", 6, _("Equipment"), ("equipment",)),
    SetupPage("reminders", 7, _("Reminders"), ("reminder_time", "checkin_time")),
)
SETUP_REVIEW_STEP = 8
SETUP_STEP_TITLES = {
    **{page.step: page.title for page in SETUP_PAGES},
    SETUP_REVIEW_STEP: _("Check and confirm"),
}
SETUP_PAGE_BY_KEY = {page.key: page for page in SETUP_PAGES}
# field name -> the page that asks it (the review links errors and "Change" there)
SETUP_PAGE_OF_FIELD = {name: page for page in SETUP_PAGES for name in page.fields}


class PlanSetupStepForm(PlanSetupForm):
    """One page of the set-up: PlanSetupForm with only that page's fields."""

    def __init__(self, *args, page: SetupPage, **kwargs):
        super().__init__(*args, **kwargs)
        self.page = page
        for name in list(self.fields):
            if name not in page.fields:
                del self.fields[name]

    def answers(self) -> dict:
        """The validated answers as form data (strings, lists of strings), for the draft."""
        return {name: as_form_data(self.cleaned_data.get(name)) for name in self.fields}

    def radio_fields(self) -> set[str]:
        return {
            name
            for name, field in self.fields.items()
            if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple)
        }


def as_form_data(value) -> str | list[str]:
    """A cleaned value back as the form data that gives it again."""
    if value is None:
        return ""
    if isinstance(value, list | tuple | set | frozenset):
        return [str(as_form_data(item)) for item in value]
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value.pk)
    return str(value)


def setup_answers_data(answers: dict) -> dict:
    """The draft's answers of every page as one form's data."""
    data: dict = {}
    for page in SETUP_PAGES:
        data.update(answers.get(page.key, {}))
    return data


def setup_display_value(form: forms.Form, name: str) -> str:
    """One answer of a valid set-up form in words, for the review."""
    field = form.fields[name]
    value = form.cleaned_data.get(name)
    if value in (None, "", []):
        if isinstance(field, forms.TimeField):
            return str(_("No reminder"))
        if name == "equipment":
            return str(_("No equipment"))
        return "—"
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.date):
        return date_format(value, "DATE_FORMAT")
    if hasattr(value, "name"):
        return str(value.name)
    choices = getattr(field, "choices", None)
    if choices:
        labels = {str(code): str(label) for code, label in choices}
        if isinstance(value, list):
            return ", ".join(labels.get(str(item), str(item)) for item in value)
        return labels.get(str(value), str(value))
    return str(value)
