"""Names of library records for pages of lower layers that hold only a slug (e.g. the
invitation page shows the template a physio suggested)."""

from __future__ import annotations

from django import template

from programs.content.models import ProgramTemplate

register = template.Library()


@register.filter
def template_name(slug: str) -> str:
    """The template's name in the active language, or "" when there is none by that slug."""
    if not slug:
        return ""
    found = ProgramTemplate.objects.filter(slug=slug).first()
    return found.name if found else ""
