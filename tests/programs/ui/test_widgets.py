"""PlainSelect writes the markup of Django's template-rendered select (the same elements,
attributes and text; only the whitespace between the tags differs)."""

from __future__ import annotations

import pytest
from django import forms
from django.test.html import parse_html

from programs.ui.widgets import PlainSelect

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
