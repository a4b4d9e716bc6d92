"""Admin plumbing shared by the content admins: YAML export action and import view."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from programs.content.loader import content_import
from programs.content.reading import ContentError
from programs.content.records import export_yaml

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class ContentImportForm(forms.Form):
    file = forms.FileField(
        label=_lazy("YAML file"),
        help_text=_lazy("A content file as produced by the export action."),
    )
    prune = forms.BooleanField(
        label=_lazy("Deactivate records missing from the file"),
        required=False,
        help_text=_lazy("Only for a complete file; an export of selected records must not prune."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is too large (2 MB at most)."))
        try:
            return upload.name, upload.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("The file must be UTF-8 text.")) from exc


# A mixin for model admins: to the type checker it is one.
if TYPE_CHECKING:
    _AdminBase = admin.ModelAdmin[Any]
else:
    _AdminBase = object


class ContentIOMixin(_AdminBase):
    """Export selected records as the YAML data file of their kind; import such files."""

    content_kind: str = ""
    change_list_template = "admin/content_change_list.html"
    actions = ["export_yaml"]

    @admin.action(description=_lazy("Export selected as a YAML content file"))
    def export_yaml(self, request, queryset):
        text = export_yaml(self.content_kind, queryset.values_list("pk", flat=True))
        response = HttpResponse(text, content_type="application/x-yaml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.content_kind}.yaml"'
        return response

    def _import_url_name(self) -> str:
        opts = self.model._meta
        return f"{opts.app_label}_{opts.model_name}_import"

    def get_urls(self):
        custom = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name=self._import_url_name(),
            )
        ]
        return custom + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "import_url": reverse(f"admin:{self._import_url_name()}"),
        }
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        opts = self.model._meta
        problems: list[str] = []
        form = ContentImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                report = content_import(
                    files=[form.cleaned_data["file"]], prune=form.cleaned_data["prune"]
                )
            except ContentError as exc:
                problems = [str(p) for p in exc.problems]
            except DatabaseError as exc:
                problems = [_("The database refused the import: %(error)s") % {"error": exc}]
            else:
                for line in report.lines():
                    self.message_user(request, line, messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": _("Import content"),
            "form": form,
            "problems": problems,
        }
        return TemplateResponse(request, "admin/content_import.html", context)
