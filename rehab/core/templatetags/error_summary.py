"""The error summary's entries (templates/components/error_summary.html): one per message,
each linking to the field it is about (GOV.UK's error summary pattern)."""

from __future__ import annotations

from django import forms, template

register = template.Library()


def field_anchor(bound_field) -> str:
    """The id the link goes to: the input itself, or the first of a group of radio
    buttons or checkboxes (they have no single input)."""
    auto_id = bound_field.auto_id
    if isinstance(bound_field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"{auto_id}_0"
    return auto_id


@register.simple_tag
def error_summary_items(form, field_urls=None) -> list[dict]:
    """[{"href", "text"}] for every error of `form`, in the order of its fields; page
    errors first, without a link. `field_urls` maps a field name to the page that asks it,
    for a form whose fields are on other pages (href becomes that page + #id)."""
    if form is None or not form.errors:
        return []
    items = [{"href": "", "text": str(message)} for message in form.non_field_errors()]
    for name in form.fields:
        if name not in form.errors:
            continue
        bound = form[name]
        href = f"{(field_urls or {}).get(name, '')}#{field_anchor(bound)}"
        for message in bound.errors:
            items.append({"href": href, "text": f"{bound.label}: {message}"})
    return items
