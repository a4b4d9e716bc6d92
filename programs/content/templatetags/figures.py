"""`{% load figures %}{% figure_src exercise rx %}`: the URL of an exercise's animated figure
for a prescription's dose (tempo, hold, repetitions), or the library default."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from programs.content.figures import dose_for, dose_text

register = template.Library()


def _dose_params(exercise, rx) -> dict[str, str]:
    params: dict[str, str] = {}
    tempo = (getattr(rx, "tempo", "") or "") if rx is not None else ""
    if tempo:
        params["tempo"] = tempo
    hold = getattr(rx, "hold_seconds", None) if rx is not None else None
    if hold:
        params["hold"] = str(hold)
    reps = getattr(rx, "reps", None) if rx is not None else None
    if reps:
        params["reps"] = str(reps)
    return params


@register.simple_tag
def figure_src(exercise, rx=None) -> str:
    """ "" when the exercise has no figure."""
    if exercise is None or not getattr(exercise, "figure", None):
        return ""
    url = reverse("content:figure", kwargs={"slug": exercise.slug})
    params = _dose_params(exercise, rx)
    return f"{url}?{urlencode(params)}" if params else url


@register.simple_tag
def figure_timing(exercise, rx=None) -> str:
    """The timing the animation follows, in words (the text alternative's second half)."""
    if exercise is None:
        return ""
    tempo = (getattr(rx, "tempo", "") or "") if rx is not None else ""
    hold = getattr(rx, "hold_seconds", None) if rx is not None else None
    if rx is None and exercise.dosage_type == "hold":
        hold = exercise.default_hold_seconds
    reps = getattr(rx, "reps", None) if rx is not None else exercise.default_reps
    return dose_text(dose_for(tempo=tempo or exercise.tempo, hold_seconds=hold, reps=reps))
