"""The dose line shared by Today and the player counts its sets: "1 set", "3 sets", in
English and Dutch."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.utils import translation


@pytest.mark.parametrize(
    ("language", "rx", "expected"),
    [
        ("en", {"sets": 1, "reps": 10, "hold_seconds": None}, "1 set of 10 repetitions"),
        ("en", {"sets": 3, "reps": 10, "hold_seconds": None}, "3 sets of 10 repetitions"),
        ("en", {"sets": 1, "reps": 5, "hold_seconds": 30}, "1 set of 5 \u00d7 30 s hold"),
        ("nl", {"sets": 1, "reps": 10, "hold_seconds": None}, "1 set van 10 herhalingen"),
        ("nl", {"sets": 2, "reps": 5, "hold_seconds": 30}, "2 sets van 5 \u00d7 30 s vasthouden"),
    ],
)
def test_sets_are_counted(language, rx, expected):
    with translation.override(language):
        text = render_to_string("components/dose.html", {"rx": SimpleNamespace(**rx)})
    assert text.strip() == expected
