"""The exercise figure as an SVG image: `/exercises/<slug>/figure.svg?tempo=&hold=&reps=`.

Figures hold library poses and a dose only (no health data), so they are cached by a hash
of what they are drawn from, answered with an ETag, and public for anonymous visitors (the
private-cache middleware still marks a signed-in person's answers private).
"""

from __future__ import annotations

from csp.decorators import csp_replace
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from programs.content.figures import FRAMES, dose_for, dose_text, figure_svg
from programs.content.models import Exercise

MAX_REPS = 100
MAX_HOLD = 300


def _int(request: HttpRequest, name: str, high: int) -> int | None:
    raw = request.GET.get(name, "").strip()
    if not raw.isdigit():
        return None
    return min(int(raw), high)


def svg_response(request: HttpRequest, svg: str, etag: str, *, public: bool) -> HttpResponse:
    quoted = f'"{etag}"'
    if request.headers.get("If-None-Match") == quoted:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["ETag"] = quoted
    response["Cache-Control"] = "public, max-age=86400" if public else "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# The SVG carries its own <style> (the animation) and no script.
@csp_replace({"style-src": ["'unsafe-inline'"], "script-src": ["'none'"]})  # type: ignore[arg-type]
@require_GET
def exercise_figure(request: HttpRequest, slug: str) -> HttpResponse:
    exercise = get_object_or_404(Exercise.objects.filter(is_active=True), slug=slug)
    tempo = request.GET.get("tempo", "")[:40] or exercise.tempo
    hold = _int(request, "hold", MAX_HOLD)
    if hold is None and "hold" not in request.GET:
        hold = exercise.default_hold_seconds if exercise.dosage_type == "hold" else None
    dose = dose_for(tempo=tempo, hold_seconds=hold, reps=_int(request, "reps", MAX_REPS))
    frame = request.GET.get("frame")
    if frame not in FRAMES:
        frame = None
    title = _("How to do: %(name)s") % {"name": exercise.name}
    desc = _("Animated figure: %(timing)s.") % {"timing": dose_text(dose)}
    drawn = figure_svg(exercise.figure, dose=dose, frame=frame, title=title, desc=desc)
    if drawn is None:
        raise Http404(_("This exercise has no figure."))
    return svg_response(request, *drawn, public=True)
