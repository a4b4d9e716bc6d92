"""Admin for the content library: sources, exercises (with muscles and EMG), education."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from programs.content.admin import rules as content_rules
from programs.content.admin.figures import FigureWidget, figure_preview
from programs.content.admin.rules import exercise_values
from programs.content.admin.yaml_io import ContentIOMixin
from programs.content.figures import figure_problems
from programs.content.models import (
    ConditionCode,
    EducationTopic,
    EmgFinding,
    Equipment,
    EvidenceSource,
    Exercise,
    ExerciseMuscle,
    Muscle,
)
from programs.engine.validation import (
    cycle_problems,
    regression_level_problems,
    substitute_problems,
)


@admin.register(EvidenceSource)
class EvidenceSourceAdmin(ContentIOMixin, TranslationAdmin):
    content_kind = "sources"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["key", "authors", "year", "study_type", "flag", "is_active"]
    list_filter = ["study_type", "flag", "is_active", "year"]
    search_fields = ["key", "authors", "title", "journal", "doi"]
    ordering = ["key"]
    readonly_fields = ["created_at", "updated_at"]


class ExerciseMuscleInline(admin.TabularInline):
    model = ExerciseMuscle
    extra = 0


class EmgFindingInline(admin.TabularInline):
    model = EmgFinding
    extra = 0
    autocomplete_fields = ["source"]


class ExerciseAdminForm(forms.ModelForm):
    equipment = forms.MultipleChoiceField(
        label=_("equipment"), choices=Equipment.choices, widget=forms.CheckboxSelectMultiple
    )
    not_for_conditions = forms.MultipleChoiceField(
        label=_("not for conditions"),
        choices=ConditionCode.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Exercise
        fields = "__all__"  # noqa: DJ007 - the ModelAdmin chooses the fields

    def clean(self):
        super().clean()
        data = self.cleaned_data  # clean() may return None in a subclass
        needed = ("level", "compression", "equipment", "dosage_type", "default_sets")
        if any(data.get(name) in (None, "") for name in needed):
            return data  # field errors are already shown
        problems = content_rules.exercise_problems(data)
        if data.get("is_active", True):
            problems += figure_problems(data.get("figure"))
        problems += self._regression_problems(data)
        problems += self._substitute_problems(data)
        problems += self._slot_problems(data)
        if problems:
            raise forms.ValidationError(problems)
        return data

    def _regression_problems(self, data) -> list[str]:
        regression = data.get("regression")
        slug = data.get("slug") or self.instance.slug or "?"
        if regression is None:
            return []
        links = dict(
            Exercise.objects.exclude(pk=self.instance.pk).values_list("slug", "regression__slug")
        )
        if self.instance.pk:  # other exercises may still point at the old slug
            links = {s: (slug if r == self.instance.slug else r) for s, r in links.items()}
        links[slug] = regression.slug
        problems = cycle_problems(links)
        problems += regression_level_problems(
            level=data["level"], regression_slug=regression.slug, regression_level=regression.level
        )
        return problems

    def _substitute_problems(self, data) -> list[str]:
        target = data.get("substitute")
        if target is None:
            return []
        return substitute_problems(
            slug=data.get("slug") or self.instance.slug or "?",
            substitute_slug=target.slug,
            substitute={
                "equipment": target.equipment,
                "compression": target.compression,
                "level": target.level,
                "dosage_type": target.dosage_type,
            },
            compression=data["compression"],
            level=data["level"],
            dosage_type=data["dosage_type"],
        )

    def _slot_problems(self, data) -> list[str]:
        """An edited exercise must still fit every slot that uses it."""
        if not self.instance.pk:
            return []
        edited = exercise_values(data, slug=self.instance.slug)
        problems = []
        for slot in self.instance.slots.filter(is_active=True).select_related(
            "phase__template__condition"
        ):
            problems += content_rules.slot_problems(
                slot,
                exercise=edited,
                phase=slot.phase,
                condition=slot.phase.template.condition.code,
            )
        return list(dict.fromkeys(problems))


class EquipmentFilter(admin.SimpleListFilter):
    title = _("equipment")
    parameter_name = "equipment"

    def lookups(self, request, model_admin):
        return Equipment.choices

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        pks = [pk for pk, items in queryset.values_list("pk", "equipment") if self.value() in items]
        return queryset.filter(pk__in=pks)


class ExcludedConditionFilter(admin.SimpleListFilter):
    title = _("allowed for condition")
    parameter_name = "condition"

    def lookups(self, request, model_admin):
        return ConditionCode.choices

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        pks = [
            pk
            for pk, excluded in queryset.values_list("pk", "not_for_conditions")
            if self.value() not in excluded
        ]
        return queryset.filter(pk__in=pks)


class MuscleFilter(admin.SimpleListFilter):
    title = _("primary muscle")
    parameter_name = "muscle"

    def lookups(self, request, model_admin):
        return Muscle.choices

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(
            muscle_roles__muscle=self.value(), muscle_roles__role=ExerciseMuscle.Role.PRIMARY
        ).distinct()


@admin.register(Exercise)
class ExerciseAdmin(ContentIOMixin, TranslationAdmin):
    content_kind = "exercises"
    form = ExerciseAdminForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "code",
        "name",
        "level",
        "compression",
        "dosage_type",
        "family",
        "regression",
        "is_active",
    ]
    list_filter = [
        "level",
        "compression",
        EquipmentFilter,
        MuscleFilter,
        ExcludedConditionFilter,
        "dosage_type",
        "movement_pattern",
        "is_active",
    ]
    list_select_related = ["regression"]
    search_fields = ["code", "slug", "name_en", "name_nl", "family"]
    autocomplete_fields = ["regression", "substitute", "sources"]
    inlines = [ExerciseMuscleInline, EmgFindingInline]
    readonly_fields = ["progressions_list", "created_at", "updated_at"]
    prepopulated_fields = {"slug": ["name_en"]}
    ordering = ["code"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "figure":
            kwargs["widget"] = FigureWidget(preview_url=reverse("admin:content_exercise_figure"))
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_urls(self):
        custom = [
            path(
                "figure-preview/",
                self.admin_site.admin_view(figure_preview),
                name="content_exercise_figure",
            )
        ]
        return custom + super().get_urls()

    @admin.display(description=_("progressions"))
    def progressions_list(self, obj):
        return ", ".join(str(e) for e in obj.progressions.all()) or "-"


@admin.register(EmgFinding)
class EmgFindingAdmin(admin.ModelAdmin):
    list_display = ["exercise", "muscle", "mvic_display", "source", "flag"]
    list_filter = ["muscle", "flag", "exercise__level"]
    list_select_related = ["exercise", "source"]
    search_fields = ["exercise__code", "exercise__name_en", "source__key", "note"]
    autocomplete_fields = ["exercise", "source"]


@admin.register(EducationTopic)
class EducationTopicAdmin(ContentIOMixin, TranslationAdmin):
    content_kind = "education"
    list_display = ["order", "slug", "title", "source_count", "is_active"]
    list_display_links = ["slug"]
    list_filter = ["is_active"]
    search_fields = ["slug", "title_en", "title_nl", "summary_en", "summary_nl"]
    autocomplete_fields = ["sources"]
    readonly_fields = ["created_at", "updated_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_sources=Count("sources"))

    @admin.display(description=_("sources"), ordering="_sources")
    def source_count(self, obj):
        return obj._sources
