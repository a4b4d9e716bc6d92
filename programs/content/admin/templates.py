"""Admin for templates: conditions, templates with phases, phases with slots and exit criteria.

Every form runs the same pure checks as the content loader (programs/engine/validation.py),
so an editor cannot save what `load_content` would refuse.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q
from django.forms.models import BaseInlineFormSet
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from programs.content.admin import rules as content_rules
from programs.content.admin.yaml_io import ContentIOMixin
from programs.content.models import (
    Condition,
    Phase,
    PhaseExitCriterion,
    ProgramTemplate,
    Slot,
    WalkRunStage,
)
from programs.content.selectors import template_spec
from programs.engine import specs
from programs.engine import validation as rules
from programs.engine.vocabulary import TERRAIN_RULES

# --- Shared checks ------------------------------------------------------------------------


def slot_problems(*, phase: Phase, condition: str, data: dict) -> list[str]:
    """The checks for one slot's cleaned data in a (possibly unsaved) phase."""
    exercise = data.get("exercise")
    if exercise is None or data.get("sets") is None:
        return []
    return content_rules.slot_problems(data, exercise=exercise, phase=phase, condition=condition)


def _live_forms(formset):
    for form in formset.forms:
        if not hasattr(form, "cleaned_data") or not form.cleaned_data:
            continue
        if formset.can_delete and formset._should_delete_form(form):
            continue
        yield form


def _condition_of(phase: Phase) -> str:
    template = getattr(phase, "template", None) if phase.template_id else None
    return template.condition.code if template and template.condition_id else ""


def _is_last_phase(phase: Phase) -> bool:
    if not phase.template_id:
        return True
    highest = (
        Phase.objects.filter(template_id=phase.template_id, is_active=True)
        .exclude(pk=phase.pk)
        .aggregate(m=Max("order"))["m"]
    )
    return highest is None or (phase.order or 0) >= highest


# --- Conditions ---------------------------------------------------------------------------


@admin.register(Condition)
class ConditionAdmin(ContentIOMixin, TranslationAdmin):
    content_kind = "conditions"
    list_display = ["code", "name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name_en", "name_nl"]


# --- Phases and slots ---------------------------------------------------------------------


class SlotInlineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        phase = self.instance
        condition = _condition_of(phase)
        keys = set()
        for form in _live_forms(self):
            problems = slot_problems(phase=phase, condition=condition, data=form.cleaned_data)
            key = form.cleaned_data.get("key")
            if key in keys:
                problems.append(_("Slot key '%(key)s' is used twice.") % {"key": key})
            keys.add(key)
            for problem in problems:
                form.add_error(None, problem)


class SlotInline(admin.TabularInline):
    model = Slot
    formset = SlotInlineFormSet
    extra = 0
    autocomplete_fields = ["exercise"]
    fields = [
        "order",
        "key",
        "exercise",
        "sets",
        "reps_min",
        "reps_max",
        "hold_seconds",
        "hold_seconds_max",
        "rest_seconds",
        "per_week",
        "daily",
        "scheme",
        "min_level",
        "max_level",
        "heavy",
        "is_active",
    ]


class ExitCriterionInlineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        rows = [
            (f.cleaned_data.get("metric"), f.cleaned_data.get("op"), f.cleaned_data.get("value"))
            for f in _live_forms(self)
        ]
        problems = rules.exit_criteria_problems(rows, is_last_phase=_is_last_phase(self.instance))
        if problems:
            raise forms.ValidationError(problems)


class ExitCriterionInline(TranslationTabularInline):
    model = PhaseExitCriterion
    formset = ExitCriterionInlineFormSet
    extra = 0


class PhaseForm(forms.ModelForm):
    run_terrain_rules = forms.MultipleChoiceField(
        label=_lazy("terrain rules"),
        choices=list(TERRAIN_RULES.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Phase
        fields = "__all__"  # noqa: DJ007 - the ModelAdmin chooses the fields

    def clean(self):
        super().clean()
        data = self.cleaned_data  # clean() may return None in a subclass
        template = data.get("template") or (
            self.instance.template if self.instance.template_id else None
        )
        needed = ("weeks_min", "weeks_max", "max_compression", "run_mode")
        if template is None or any(data.get(n) in (None, "") for n in needed):
            return data
        problems = content_rules.phase_problems(data, condition=template.condition.code)
        if problems:
            raise forms.ValidationError(problems)
        return data


@admin.register(Phase)
class PhaseAdmin(TranslationAdmin):
    form = PhaseForm
    list_display = [
        "template",
        "order",
        "key",
        "name",
        "weeks_min",
        "weeks_max",
        "max_compression",
        "early",
        "run_mode",
        "is_active",
    ]
    list_display_links = ["key"]
    list_filter = ["template__condition", "template", "max_compression", "early", "is_active"]
    list_select_related = ["template", "template__condition"]
    search_fields = ["key", "name_en", "name_nl", "template__slug"]
    autocomplete_fields = ["sources", "education"]
    inlines = [ExitCriterionInline, SlotInline]
    ordering = ["template__slug", "order"]
    fieldsets = [
        (None, {"fields": ["template", "key", "order", "name", "goal", "entry_criteria"]}),
        (
            _lazy("Dose and safety"),
            {"fields": ["weeks_min", "weeks_max", "max_compression", "early", "strength_days"]},
        ),
        (
            _lazy("Running"),
            {
                "fields": [
                    "run_mode",
                    "run_weekly_volume_pct",
                    "run_walk_run_stage_min",
                    "run_walk_run_stage_max",
                    "run_cadence_increase_pct",
                    "run_terrain_rules",
                    "run_runs_per_week",
                ]
            },
        ),
        (_lazy("Education and evidence"), {"fields": ["education", "sources", "is_active"]}),
    ]


class SlotForm(forms.ModelForm):
    """A slot has to fit its phase (the admin builds its form from this one)."""

    class Meta:
        model = Slot
        fields = "__all__"  # noqa: DJ007 - the ModelAdmin chooses the fields

    def clean(self):
        super().clean()
        data = self.cleaned_data  # clean() may return None in a subclass
        phase = data.get("phase")
        if phase is not None:
            for problem in slot_problems(
                phase=phase, condition=phase.template.condition.code, data=data
            ):
                self.add_error(None, problem)
        return data


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = ["key", "phase", "exercise", "sets", "reps_min", "reps_max", "hold_seconds"]
    list_filter = [
        "phase__template__condition",
        "phase__template",
        "exercise__level",
        "exercise__compression",
        "heavy",
        "is_active",
    ]
    list_select_related = ["phase", "phase__template", "exercise"]
    search_fields = ["key", "exercise__code", "exercise__name_en", "phase__key"]
    autocomplete_fields = ["phase", "exercise"]

    form = SlotForm


# --- Templates ----------------------------------------------------------------------------


class PhaseInlineFormSet(BaseInlineFormSet):
    """Phases edited on the template page still have to fit the template's condition."""

    def clean(self):
        super().clean()
        template = self.instance
        if not template.condition_id:
            return
        condition = template.condition.code
        for form in _live_forms(self):
            data = form.cleaned_data
            if data.get("max_compression") is None or data.get("weeks_min") is None:
                continue
            # the form's clean has put the posted values on its instance
            problems = content_rules.phase_problems(form.instance, condition=condition)
            if form.instance.pk:
                phase = form.instance  # holds the posted values after the form's clean
                for slot in form.instance.slots.filter(is_active=True).select_related(
                    "exercise__substitute"
                ):
                    problems += content_rules.slot_problems(
                        slot, exercise=slot.exercise, phase=phase, condition=condition
                    )
            for problem in dict.fromkeys(problems):
                form.add_error(None, problem)


class PhaseInline(TranslationStackedInline):
    model = Phase
    formset = PhaseInlineFormSet
    extra = 0
    show_change_link = True
    autocomplete_fields = ["sources"]
    fields = [
        ("key", "order", "is_active"),
        "name",
        "goal",
        "entry_criteria",
        ("weeks_min", "weeks_max", "strength_days"),
        ("max_compression", "early", "run_mode"),
        "sources",
    ]


class WalkRunStageInline(TranslationTabularInline):
    model = WalkRunStage
    extra = 0


@admin.register(ProgramTemplate)
class ProgramTemplateAdmin(ContentIOMixin, TranslationAdmin):
    content_kind = "templates"
    change_form_template = "admin/content/programtemplate/change_form.html"
    list_display = ["slug", "name", "condition", "is_block", "phase_count", "is_active"]
    list_filter = ["condition", "is_block", "is_active"]
    list_select_related = ["condition"]
    search_fields = ["slug", "name_en", "name_nl"]
    autocomplete_fields = ["sources"]
    inlines = [PhaseInline, WalkRunStageInline]
    readonly_fields = ["created_at", "updated_at"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_phases=Count("phases", filter=Q(phases__is_active=True)))
        )

    @admin.display(description=_lazy("phases"), ordering="_phases")
    def phase_count(self, obj):
        return obj._phases

    def get_urls(self):
        opts = self.model._meta
        custom = [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name=f"{opts.app_label}_{opts.model_name}_preview",
            )
        ]
        return custom + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        template = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if template is not None:
            extra.update(self.usage_context(template))
            extra["preview_url"] = reverse(
                "admin:content_programtemplate_preview", args=[template.pk]
            )
        return super().change_view(request, object_id, form_url, extra)

    def usage_context(self, template) -> dict:
        """What the change page shows about who uses the template. The content app knows
        no plans; the plans app extends this admin to list the plans (programs.plans.admin)."""
        return {}

    def preview_view(self, request, pk: int):
        template = get_object_or_404(ProgramTemplate, pk=pk)
        if not self.has_view_permission(request, template):
            raise PermissionDenied
        from programs.engine.planner import generate_plan

        runner = sample_runner(
            condition=template.condition.code,
            irritability=request.GET.get("irritability", "moderate"),
            equipment=request.GET.get("equipment", "full"),
        )
        spec = template_spec(template)
        draft = generate_plan(spec, runner)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": template,
            "title": _("Preview: %(name)s") % {"name": template.name},
            "runner": runner,
            "weeks": preview_weeks(draft, spec),
            "warnings": draft.warnings,
            "irritability_choices": specs.IRRITABILITY,
            "equipment_choices": list(SAMPLE_EQUIPMENT),
            "irritability": runner.irritability,
            "equipment": request.GET.get("equipment", "full")
            if request.GET.get("equipment") in SAMPLE_EQUIPMENT
            else "full",
        }
        return TemplateResponse(request, "admin/content/programtemplate/preview.html", context)


# --- Preview helpers ----------------------------------------------------------------------

SAMPLE_EQUIPMENT = {
    "full": frozenset(specs.EQUIPMENT),
    "home": frozenset({"none", "mat", "belt", "wall", "chair", "step", "mini_band"}),
    "none": frozenset({"none", "wall", "chair"}),
}


def sample_runner(*, condition: str, irritability: str, equipment: str) -> specs.RunnerContext:
    """A typical runner for the preview: three strength days, long run on Sunday."""
    today = timezone.localdate()
    monday = today + dt.timedelta(days=(7 - today.weekday()) % 7)
    return specs.RunnerContext(
        condition=condition,
        irritability=irritability if irritability in specs.IRRITABILITY else "moderate",
        baseline_pain=3.0,
        equipment=SAMPLE_EQUIPMENT.get(equipment, SAMPLE_EQUIPMENT["full"]),
        strength_days_per_week=3,
        preferred_weekdays=(0, 2, 4),
        long_run_weekday=6,
        hard_session_weekdays=(),
        running=specs.RunningStatus(mode="continuous", weekly_minutes=120),
        start_date=monday,
        timezone="Europe/Amsterdam",
    )


def preview_weeks(draft: specs.PlanDraft, spec: specs.TemplateSpec) -> list[dict]:
    """The draft with exercise names resolved, ready for the template."""
    names = {slug: e.name for slug, e in spec.exercises.items()}
    weeks = []
    for week in draft.weeks:
        sessions = [
            {
                "date": session.date,
                "kind": session.kind,
                "items": [
                    {"rx": rx, "name": names.get(rx.exercise, rx.exercise)}
                    for rx in session.prescriptions
                ],
            }
            for session in week.sessions
        ]
        weeks.append({"week": week, "sessions": sessions})
    return weeks
