"""Form widgets for pages that render many of them.

Django renders a select through a template include per option and per attribute list,
and every input through two templates. These widgets write the same markup in Python:
the caseload's filter bar shows seven selects on every page view (their includes were a
third of its rendering time), and the session player a dozen inputs per exercise.
"""

from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundField
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext


def _options(choices) -> SafeString:
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((str(option["value"]), flatatt(option["attrs"]), option["label"]) for option in choices),
    )


class PlainSelect(forms.Select):
    """forms.Select with the markup of Django's select.html, rendered without templates."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = []
        for group, choices, _index in widget["optgroups"]:
            options = _options(choices)
            parts.append(
                format_html('<optgroup label="{}">{}</optgroup>', group, options)
                if group
                else options
            )
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            mark_safe("".join(parts)),  # noqa: S308 - every part is escaped by format_html
        )


def _value_attr(value) -> SafeString:
    return format_html(' value="{}"', value) if value is not None else mark_safe("")


class _PlainInputMixin:
    """The markup of Django's input.html (type, name, value, then the attributes)."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            widget["name"],
            _value_attr(widget["value"]),
            flatatt(widget["attrs"]),
        )


class PlainNumberInput(_PlainInputMixin, forms.NumberInput):
    """forms.NumberInput without templates (IntegerField still adds min, max and step)."""


class PlainCheckboxInput(_PlainInputMixin, forms.CheckboxInput):
    """forms.CheckboxInput without templates (checked comes in the attributes)."""


class PlainTextarea(forms.Textarea):
    """forms.Textarea without templates."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        return format_html(
            '<textarea name="{}"{}>\n{}</textarea>',
            widget["name"],
            flatatt(widget["attrs"]),
            widget["value"] or "",
        )


class PlainBoundField(BoundField):
    """A bound field whose field group (label, help, errors, widget) is written in Python
    with the markup of Django's django/forms/field.html and label.html. A form opts in
    with `bound_field_class = PlainBoundField`; fields shown as a fieldset keep Django's
    templates."""

    def as_field_group(self) -> SafeString:
        if self.use_fieldset:
            return super().as_field_group()
        parts: list[str] = []
        if self.label:
            parts.append(self._plain_label())
        if self.help_text:
            parts.append(
                format_html(
                    '<div class="helptext"{}>{}</div>',
                    format_html(' id="{}_helptext"', self.auto_id) if self.auto_id else "",
                    mark_safe(self.help_text),  # noqa: S308 - field.html writes it |safe too
                )
            )
        if self.errors:
            parts.append(str(self.errors))
        parts.append(str(self))
        return mark_safe("\n".join(parts))  # noqa: S308 - every part is escaped above

    def _plain_label(self) -> SafeString:
        contents = self.label
        suffix = (
            self.field.label_suffix
            if self.field.label_suffix is not None
            else self.form.label_suffix
        )
        if suffix and contents and contents[-1] not in gettext(":?.!"):
            contents = format_html("{}{}", contents, suffix)
        id_ = self.field.widget.attrs.get("id") or self.auto_id
        if not id_:
            return format_html("{}", contents)
        attrs = {}
        id_for_label = self.field.widget.id_for_label(id_)
        if id_for_label:
            attrs["for"] = id_for_label
        required_class = getattr(self.form, "required_css_class", None)
        if self.field.required and required_class:
            attrs["class"] = required_class
        return format_html("<label{}>{}</label>", flatatt(attrs), contents)
