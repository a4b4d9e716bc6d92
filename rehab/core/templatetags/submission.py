"""{% submission_token %}: the one-time token of a state-changing form (rehab.core.submission)."""

from django import template
from django.utils.html import format_html

from rehab.core.submission import FIELD, submission_token_new

register = template.Library()


@register.simple_tag
def submission_token():
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, submission_token_new())
