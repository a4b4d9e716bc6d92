"""Forms of the plan editor (programs/physio/views/editor.py): each edit's fields, the plan's
version (hidden: a stale form is refused) and the reason, which the runner reads."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from programs.plans.services import edits

WEEKDAY_CHOICES = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
KIND_CHOICES = [("strength", _("Strength session")), ("isometric", _("Short isometric session"))]


class EditForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why (the runner reads this)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    action = ""

    def edit(self) -> edits.Edit:
        raise NotImplementedError


class SlotForm(EditForm):
    slot_key = forms.CharField(max_length=60, widget=forms.HiddenInput)


class DoseForm(SlotForm):
    action = edits.DOSE
    sets = forms.IntegerField(label=_("Sets"), min_value=1, max_value=10)
    reps = forms.IntegerField(label=_("Reps"), min_value=1, max_value=100, required=False)
    hold_seconds = forms.IntegerField(
        label=_("Hold (seconds)"), min_value=1, max_value=300, required=False
    )
    load_kg = forms.DecimalField(
        label=_("Load (kg)"), min_value=0, max_value=500, decimal_places=2, required=False
    )
    rest_seconds = forms.IntegerField(label=_("Rest (seconds)"), min_value=0, max_value=600)
    tempo = forms.CharField(label=_("Tempo"), max_length=20, required=False)
    scope = forms.ChoiceField(
        label=_("For how long"),
        choices=[("future", _("From now on")), ("week", _("This week only"))],
        widget=forms.RadioSelect,
        initial="future",
    )

    def __init__(self, *args, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current or {}

    def edit(self) -> edits.Edit:
        data = self.cleaned_data
        dose = {}
        for name in edits.DOSE_FIELDS:
            value = data.get(name)
            if name == "load_kg" and value is not None:
                value = float(value)
            if name == "tempo":
                value = value or ""
            if value != self.current.get(name):
                dose[name] = value
        return edits.Edit(
            action=self.action,
            slot_key=data["slot_key"],
            dose=dose,
            scope=data["scope"],
            reason=data["reason"],
        )


class SwapForm(SlotForm):
    action = edits.SWAP
    exercise = forms.SlugField(label=_("Exercise"), max_length=80)

    def edit(self) -> edits.Edit:
        data = self.cleaned_data
        return edits.Edit(
            action=self.action,
            slot_key=data["slot_key"],
            exercise=data["exercise"],
            reason=data["reason"],
        )


class NoteForm(SlotForm):
    action = edits.NOTE
    text = forms.CharField(
        label=_("Note to the runner on this exercise"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def edit(self) -> edits.Edit:
        data = self.cleaned_data
        return edits.Edit(
            action=self.action, slot_key=data["slot_key"], text=data["text"], reason=data["reason"]
        )


class RemoveExerciseForm(SlotForm):
    action = edits.REMOVE_EXERCISE

    def edit(self) -> edits.Edit:
        data = self.cleaned_data
        return edits.Edit(action=self.action, slot_key=data["slot_key"], reason=data["reason"])


class PlanNoteForm(EditForm):
    action = edits.PLAN_NOTE
    text = forms.CharField(
        label=_("Note to the runner on the whole plan"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def edit(self) -> edits.Edit:
        data = self.cleaned_data
        return edits.Edit(action=self.action, text=data["text"], reason=data["reason"])


class AddExerciseForm(EditForm):
    action = edits.ADD_EXERCISE
    exercise = forms.ChoiceField(label=_("Exercise"))
    kind = forms.ChoiceField(label=_("In every"), choices=KIND_CHOICES)

    def __init__(self, *args, exercise_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["exercise"])
        field.choices = list(exercise_choices)

    def edit(self) -> edits.Edit:
        data = self.cleaned_data
        return edits.Edit(
            action=self.action, exercise=data["exercise"], kind=data["kind"], reason=data["reason"]
        )


class SessionForm(EditForm):
    """Add a session on `to_date`, move the one of `date` to `to_date`, or remove it."""

    change = forms.ChoiceField(
        label=_("Change"),
        choices=[
            (edits.SESSION_MOVE, _("Move a session")),
            (edits.SESSION_ADD, _("Add a session")),
            (edits.SESSION_REMOVE, _("Remove a session")),
        ],
    )
    kind = forms.ChoiceField(label=_("Session"), choices=KIND_CHOICES)
    date = forms.DateField(
        label=_("Session of (move, remove)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    to_date = forms.DateField(
        label=_("To (move, add)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        super().clean()
        data = self.cleaned_data  # clean() may return None in a subclass
        change = data.get("change")
        if change in (edits.SESSION_MOVE, edits.SESSION_REMOVE) and not data.get("date"):
            self.add_error("date", _("Choose a date."))
        if change in (edits.SESSION_MOVE, edits.SESSION_ADD) and not data.get("to_date"):
            self.add_error("to_date", _("Choose a date."))
        return data

    def edit(self) -> edits.Edit:
        data = self.cleaned_data
        change = data["change"]
        if change == edits.SESSION_ADD:
            return edits.Edit(
                action=change, kind=data["kind"], date=data["to_date"], reason=data["reason"]
            )
        return edits.Edit(
            action=change,
            kind=data["kind"],
            date=data["date"],
            to_date=data.get("to_date") if change == edits.SESSION_MOVE else None,
            reason=data["reason"],
        )


class TrainingDaysForm(EditForm):
    action = edits.TRAINING_DAYS
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Training days"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    strength_days = forms.IntegerField(
        label=_("Strength sessions a week"), min_value=1, max_value=7
    )
    long_run_weekday = forms.TypedChoiceField(
        label=_("Long run on"),
        choices=[("", _("No long run")), *WEEKDAY_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def edit(self) -> edits.Edit:
        data = self.cleaned_data
        return edits.Edit(
            action=self.action,
            weekdays=tuple(data["weekdays"]),
            strength_days=data["strength_days"],
            long_run_weekday=data["long_run_weekday"],
            reason=data["reason"],
        )


FORMS = {
    "dose": DoseForm,
    "swap": SwapForm,
    "note": NoteForm,
    "remove": RemoveExerciseForm,
    "plan-note": PlanNoteForm,
    "add": AddExerciseForm,
    "session": SessionForm,
    "days": TrainingDaysForm,
}
