"""PlainSelect writes the markup of Django's template-rendered select (the same elements,
attributes and text; only the whitespace between the tags differs)."""

from __future__ import annotations

import pytest
from django import forms
from django.test.html import parse_html

from programs.ui.widgets import (
    PlainBoundField,
    PlainCheckboxInput,
    PlainNumberInput,
    PlainSelect,
    PlainTextarea,
)

CHOICES = [
    ("", "Any"),
    ("a&b", 'Tom "&" <Jerry>'),
    (3, "three"),
    ("Group <1>", [("x", "Ex"), ("y", "Why")]),
]


@pytest.mark.parametrize(
    ("value", "attrs"),
    [
        (None, None),
        ("a&b", {"id": "id_f", "aria-describedby": "help", "required": True}),
        (3, {"disabled": True, "data-x": False}),
        ("y", {"class": "wide"}),
    ],
)
def test_the_markup_is_djangos(value, attrs):
    plain = PlainSelect(choices=CHOICES).render("f", value, attrs)
    django_own = forms.Select(choices=CHOICES).render("f", value, attrs)
    assert parse_html(plain) == parse_html(django_own)
    assert "<Jerry>" not in plain


def test_a_bound_field_of_a_form_renders_the_same():
    class Both(forms.Form):
        plain = forms.ChoiceField(choices=CHOICES[:3], widget=PlainSelect)
        django_own = forms.ChoiceField(choices=CHOICES[:3])

    form = Both({"plain": "3", "django_own": "3"})
    plain = str(form["plain"]).replace("plain", "X")
    assert parse_html(plain) == parse_html(str(form["django_own"]).replace("django_own", "X"))
    assert 'value="3" selected' in plain


@pytest.mark.parametrize(
    ("plain", "django_own", "value", "attrs"),
    [
        (PlainNumberInput(), forms.NumberInput(), None, None),
        (PlainNumberInput(), forms.NumberInput(), 12, {"id": "id_f", "min": 1, "max": 100}),
        (
            PlainNumberInput(attrs={"inputmode": "decimal", "step": "0.5"}),
            forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5"}),
            '2.5" onfocus="x',
            {"required": True, "aria-describedby": "f_help", "disabled": False},
        ),
        (PlainCheckboxInput(), forms.CheckboxInput(), True, {"id": "id_c"}),
        (PlainCheckboxInput(), forms.CheckboxInput(), False, None),
        (PlainTextarea(attrs={"rows": 3}), forms.Textarea(attrs={"rows": 3}), None, None),
        (PlainTextarea(), forms.Textarea(), 'a <b> & "c"\nline two', {"maxlength": 2000}),
    ],
)
def test_inputs_and_textareas_write_djangos_markup(plain, django_own, value, attrs):
    mine = plain.render("f", value, attrs)
    assert parse_html(mine) == parse_html(django_own.render("f", value, attrs))
    assert "<b>" not in mine
    assert 'onfocus="x' not in mine


def test_the_session_players_fields_render_as_with_djangos_widgets():
    """Every Plain* field of the player's forms, bound with errors, as Django would write it."""
    from types import SimpleNamespace

    from programs.runner.forms import ExerciseLogForm, SessionLogForm

    rx = SimpleNamespace(reps=10, hold_seconds=30, load_kg=None)
    data = {"ex-sets_done": "0", "ex-reps": "x", "ex-pain_changed_movement": "on", "s-notes": "<i>"}
    for form in (
        ExerciseLogForm(data, prefix="ex", prescription=rx),
        SessionLogForm(data, prefix="s"),
    ):
        form.is_valid()
        for bound in form:
            widget = bound.field.widget
            if not type(widget).__name__.startswith("Plain"):
                continue
            stock = next(c for c in type(widget).__mro__[1:] if c.__module__.startswith("django"))
            twin = stock(attrs=widget.attrs)
            twin.is_required = widget.is_required
            assert parse_html(bound.as_widget()) == parse_html(bound.as_widget(widget=twin))


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("bound", [True, False])
def test_plain_field_groups_write_what_djangos_field_template_writes(language, bound):
    """Label (with its suffix and for), help, errors and widget of every field of the
    session player's forms, as django/forms/field.html writes them."""
    from types import SimpleNamespace

    from django.forms.boundfield import BoundField
    from django.utils import translation

    from programs.runner.forms import ExerciseLogForm, SessionLogForm

    rx = SimpleNamespace(reps=None, hold_seconds=30, load_kg=None)
    data = {"ex-sets_done": "0", "ex-reps": "x", "ex-load": "-1", "s-notes": "<i>"}
    with translation.override(language):
        for form in (
            ExerciseLogForm(data if bound else None, prefix="ex", prescription=rx),
            SessionLogForm(data if bound else None, prefix="s"),
        ):
            form.fields["notes" if "notes" in form.fields else "rpe"].help_text = "<b>help</b>"
            form.is_valid()
            compared = 0
            for name in form.fields:
                plain = form[name]
                assert isinstance(plain, PlainBoundField)
                stock = BoundField(form, form.fields[name], name)
                assert parse_html(plain.as_field_group()) == parse_html(stock.as_field_group())
                compared += 1
            assert compared == len(form.fields)
            if bound:
                assert form.errors
