"""Server-side PDF rendering with WeasyPrint, for the printable plan.

WeasyPrint needs the Pango libraries of the operating system (Debian: libpango-1.0-0,
libpangoft2-1.0-0, and fonts such as fonts-dejavu-core; .ci/run installs them). When they
are missing the import fails with an OSError: the pages then answer a 503 page that says
so, never a 500. Nothing is fetched while rendering: the style sheet is read from
static/css/print-plan.css, every other URL is refused, and text is set in the system's
local fonts (DejaVu, through fontconfig).
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

PRINT_CSS = Path(settings.BASE_DIR) / "static" / "css" / "print-plan.css"


class PdfUnavailable(Exception):
    """WeasyPrint or the Pango libraries it needs are not installed."""


@cache
def _weasyprint():
    try:
        import weasyprint  # an optional system dependency: imported on first use
    except (ImportError, OSError) as error:
        raise PdfUnavailable(str(error)) from error
    return weasyprint


def pdf_available() -> bool:
    try:
        _weasyprint()
    except PdfUnavailable:
        return False
    return True


def _no_fetching(url: str, *args, **kwargs):
    raise ValueError(f"no resources are fetched while rendering a PDF: {url[:80]}")


def render_pdf(html: str) -> bytes:
    """A PDF from HTML, with the print style sheet and nothing fetched from anywhere."""
    weasyprint = _weasyprint()
    stylesheet = weasyprint.CSS(string=PRINT_CSS.read_text(encoding="utf-8"))
    document = weasyprint.HTML(string=html, url_fetcher=_no_fetching, base_url="/")
    return document.write_pdf(stylesheets=[stylesheet])


def pdf_response(request, *, template: str, context: dict, filename: str) -> HttpResponse:
    """The template as a PDF attachment; a 503 page when PDFs cannot be made here."""
    html = render_to_string(template, {**context, "for_pdf": True}, request=request)
    try:
        pdf = render_pdf(html)
    except PdfUnavailable as error:
        logger.warning("PDF rendering unavailable: %s", error)
        response = render(request, "plans/print/unavailable.html", context, status=503)
        response["Retry-After"] = "3600"
        return response
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
