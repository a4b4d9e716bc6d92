"""Exercise figures for the content layer: their problems in the reader's language, and the
SVG of an exercise for a dose, cached by a hash of what it is drawn from.

Figures carry no health data (only the library's poses and a dose), so caching them in
the shared cache is fine.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from django.core.cache import cache
from django.utils.translation import gettext as _

from programs.engine import figures

CACHE_SECONDS = 24 * 3600
FRAMES = ("start", "end", "hold")


def _messages() -> dict[str, str]:
    return {
        "not_mapping": _("%(where)s: must be a mapping."),
        "unknown_field": _("%(where)s: unknown field '%(field)s'."),
        "missing": _("%(where)s: missing '%(field)s'."),
        "bad_number": _("%(where)s: '%(field)s' must be a number."),
        "bad_point": _("%(where)s: 'at' must be two numbers [x, y]."),
        "unknown_view": _("Unknown view '%(value)s' (side or front)."),
        "unknown_side": _("%(where)s: unknown side '%(value)s' (left or right)."),
        "unknown_prop": _("Unknown prop '%(value)s'."),
        "unknown_muscle": _("Unknown muscle to highlight '%(value)s'."),
        "unknown_joint": _("%(where)s: unknown joint '%(value)s'."),
        "angle_range": _(
            "%(where)s: %(joint)s %(value)s degrees is outside its range %(low)s to %(high)s."
        ),
        "outside_frame": _(
            "%(where)s: the figure is drawn outside the frame (x %(x0)s to %(x1)s, y %(y0)s "
            "to %(y1)s; the frame is 0 to %(width)s by 0 to %(height)s)."
        ),
        "prop_outside_frame": _("The %(value)s is drawn outside the frame."),
        "still": _("The start and end poses are the same: the figure would not move."),
    }


def figure_problems(data: object) -> list[str]:
    """Every problem with one exercise's figure data, translated; [] when it draws."""
    if not data:
        return [_("An active exercise needs a figure (view, start and end poses).")]
    _spec, problems = figures.parse_figure(data)
    messages = _messages()
    return [_("Figure: %(problem)s") % {"problem": messages[p.code] % p.params} for p in problems]


def figure_spec(data: Mapping) -> figures.FigureSpec | None:
    spec, problems = figures.parse_figure(data)
    return spec if spec is not None and not problems else None


def dose_for(*, tempo: str | None, hold_seconds: int | None, reps: int | None) -> figures.Dose:
    return figures.dose_from(tempo=tempo, hold_seconds=hold_seconds, reps=reps)


def figure_etag(data: Mapping, dose: figures.Dose, frame: str | None, title: str, desc: str) -> str:
    payload = json.dumps([data, repr(dose), frame, title, desc], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def figure_svg(
    data: Mapping, *, dose: figures.Dose, frame: str | None, title: str, desc: str
) -> tuple[str, str] | None:
    """(svg, etag) for the figure data, from the cache when drawn before; None when the
    data does not describe a valid figure."""
    etag = figure_etag(data, dose, frame, title, desc)
    key = f"figure:svg:{etag}"
    svg = cache.get(key)
    if svg is None:
        spec = figure_spec(data)
        if spec is None:
            return None
        svg = figures.render_svg(spec, dose=dose, title=title, desc=desc, frame=frame)
        cache.set(key, svg, CACHE_SECONDS)
    return svg, etag


def dose_text(dose: figures.Dose) -> str:
    """The timing the animation follows, in words, for the text alternative."""
    parts = [_("lift %(s)s s") % {"s": f"{dose.lift:g}"}]
    if dose.hold:
        parts.append(_("hold %(s)s s") % {"s": f"{dose.hold:g}"})
    parts.append(_("lower %(s)s s") % {"s": f"{dose.lower:g}"})
    parts.append(_("pause %(s)s s") % {"s": f"{dose.pause:g}"})
    text = ", ".join(parts)
    if dose.reps:
        text += "; " + _("%(reps)s repetitions") % {"reps": dose.reps}
    return text
