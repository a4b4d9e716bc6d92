"""The figure field in the exercise admin: a JSON editor with a live preview.

static/js/figure-preview.js reads the field as it is edited, asks the staff-only preview
endpoint for the SVG and shows it (or the problems, in the editor's language)."""

from __future__ import annotations

import json

from django import forms
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.html import format_html
from django.utils.translation import gettext as _

from programs.content.figures import figure_problems, figure_svg
from programs.engine import figures as engine_figures

MAX_FIGURE_CHARS = 20_000


class FigureWidget(forms.Textarea):
    """A textarea for the figure JSON, followed by the preview image and its problems."""

    def __init__(self, preview_url: str = "", attrs=None) -> None:
        super().__init__(
            attrs={"rows": 18, "cols": 80, "class": "vLargeTextField", **(attrs or {})}
        )
        self.preview_url = preview_url

    class Media:
        js = ("js/figure-preview.js",)

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**(attrs or {}), "data-figure-preview": self.preview_url}
        field = super().render(name, value, attrs, renderer)
        return format_html(
            '{}<div class="figure-preview" data-figure-for="{}">'
            '<p><strong>{}</strong></p><img alt="{}" width="240" height="200" hidden>'
            '<p class="figure-problems" role="status" aria-live="polite"></p></div>',
            field,
            attrs.get("id", ""),
            _("Preview of the figure"),
            _("Preview of the figure as it is edited"),
        )


@staff_member_required
def figure_preview(request: HttpRequest) -> HttpResponse:
    """GET ?figure=<json>: the SVG, or 400 with the problems as text, one per line."""
    raw = request.GET.get("figure", "")
    if len(raw) > MAX_FIGURE_CHARS:
        return HttpResponseBadRequest(_("The figure is too long."), content_type="text/plain")
    try:
        data = json.loads(raw)
    except ValueError:
        return HttpResponseBadRequest(_("The figure is not valid JSON."), content_type="text/plain")
    problems = figure_problems(data)
    if problems:
        return HttpResponseBadRequest("\n".join(problems), content_type="text/plain; charset=utf-8")
    dose = engine_figures.dose_from(tempo=request.GET.get("tempo", "")[:40])
    drawn = figure_svg(data, dose=dose, frame=None, title=_("Preview of the figure"), desc="")
    if drawn is None:  # figure_problems found nothing, so this does not happen
        return HttpResponseBadRequest(_("The figure cannot be drawn."), content_type="text/plain")
    response = HttpResponse(drawn[0], content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
