"""Program templates: ProgramTemplate -> Phase -> Slot, plus the walk-run ladder.

The models hold the content; `selectors.template_spec` turns a template into the pure
`specs.TemplateSpec` the planner and the progression engine work on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programs.content.models import (
    Compression,
    ConditionCode,
    ContentModel,
    EducationTopic,
    EvidenceSource,
    Exercise,
)
from programs.content.models.library import ContentManager
from programs.engine import specs
from programs.engine.vocabulary import (
    EXIT_METRICS,
    EXIT_OPS,
    RUN_MODES,
    SCHEMES,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


def _choices(mapping: dict[str, StrPromise]) -> list[tuple[str, StrPromise]]:
    return list(mapping.items())


class Condition(ContentModel):
    objects: ClassVar[ContentManager[Condition]]  # see ContentModel.objects
    code = models.CharField(_("code"), max_length=32, unique=True, choices=ConditionCode)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")

    def __str__(self) -> str:
        return self.name


class ProgramTemplate(ContentModel):
    objects: ClassVar[ContentManager[ProgramTemplate]]  # see ContentModel.objects
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    condition = models.ForeignKey(
        Condition, verbose_name=_("condition"), on_delete=models.PROTECT, related_name="templates"
    )
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"))
    is_block = models.BooleanField(
        _("reusable block"),
        default=False,
        help_text=_("A block (such as the walk-run ladder) is reused inside other plans."),
    )
    sources = models.ManyToManyField(
        EvidenceSource, verbose_name=_("sources"), related_name="templates"
    )

    class Meta:
        ordering = ["condition__code", "slug"]
        verbose_name = _("program template")
        verbose_name_plural = _("program templates")

    def __str__(self) -> str:
        return self.name


class Phase(ContentModel):
    objects: ClassVar[ContentManager[Phase]]  # see ContentModel.objects
    # added by django-modeltranslation (programs/content/translation.py), for the checker:
    name_en: str | None
    name_nl: str | None

    template = models.ForeignKey(
        ProgramTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="phases"
    )
    key = models.SlugField(_("key"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=160)
    goal = models.TextField(_("goal"))
    entry_criteria = models.TextField(_("entry criteria"))
    weeks_min = models.PositiveSmallIntegerField(
        _("minimum weeks"), validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    weeks_max = models.PositiveSmallIntegerField(
        _("maximum weeks"), validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    max_compression = models.CharField(
        _("highest compression class"), max_length=2, choices=Compression
    )
    strength_days = models.PositiveSmallIntegerField(
        _("strength days a week"), validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    early = models.BooleanField(
        _("early phase"), default=False, help_text=_("Early phases never hold C2 exercises.")
    )
    run_mode = models.CharField(_("running mode"), max_length=12, choices=_choices(RUN_MODES))
    run_weekly_volume_pct = models.PositiveSmallIntegerField(
        _("weekly running volume (percent of usual)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
    )
    run_walk_run_stage_min = models.PositiveSmallIntegerField(
        _("first walk-run stage"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    run_walk_run_stage_max = models.PositiveSmallIntegerField(
        _("last walk-run stage"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    run_cadence_increase_pct = models.PositiveSmallIntegerField(
        _("cadence increase (%)"), default=0, validators=[MaxValueValidator(15)]
    )
    run_terrain_rules = models.JSONField(_("terrain rules"), default=list, blank=True)
    run_runs_per_week = models.PositiveSmallIntegerField(
        _("runs a week"), default=3, validators=[MaxValueValidator(7)]
    )
    education = models.ManyToManyField(
        EducationTopic, verbose_name=_("education topics"), related_name="phases", blank=True
    )
    sources = models.ManyToManyField(
        EvidenceSource, verbose_name=_("sources"), related_name="phases"
    )

    class Meta:
        ordering = ["template", "order"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [
            models.UniqueConstraint(fields=["template", "key"], name="phase_key_per_template"),
            models.CheckConstraint(
                condition=Q(weeks_max__gte=models.F("weeks_min")), name="phase_weeks_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template.slug} / {self.key}"

    def run_guidance(self) -> specs.RunGuidance:
        return specs.RunGuidance(
            mode=self.run_mode,
            weekly_volume_pct=self.run_weekly_volume_pct,
            walk_run_stage_min=self.run_walk_run_stage_min,
            walk_run_stage_max=self.run_walk_run_stage_max,
            cadence_increase_pct=self.run_cadence_increase_pct,
            terrain_rules=tuple(self.run_terrain_rules),
            runs_per_week=self.run_runs_per_week,
        )


class PhaseExitCriterion(models.Model):
    objects: ClassVar[models.Manager[PhaseExitCriterion]]  # see ContentModel.objects
    # added by django-modeltranslation (programs/content/translation.py), for the checker:
    text_en: str | None
    text_nl: str | None

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="exit_criteria")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    metric = models.CharField(_("metric"), max_length=40, choices=_choices(EXIT_METRICS))
    op = models.CharField(_("comparison"), max_length=2, choices=[(o, o) for o in EXIT_OPS])
    value = models.FloatField(_("value"))
    text = models.CharField(_("explanation"), max_length=300)

    class Meta:
        ordering = ["phase", "order"]
        verbose_name = _("exit criterion")
        verbose_name_plural = _("exit criteria")

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.value:g}"

    def to_spec(self) -> specs.ExitCriterion:
        return specs.ExitCriterion(metric=self.metric, op=self.op, value=self.value, text=self.text)


class Slot(ContentModel):
    objects: ClassVar[ContentManager[Slot]]  # see ContentModel.objects
    phase = models.ForeignKey(
        Phase, verbose_name=_("phase"), on_delete=models.CASCADE, related_name="slots"
    )
    key = models.SlugField(_("key"), max_length=60)
    exercise = models.ForeignKey(
        Exercise, verbose_name=_("exercise"), on_delete=models.PROTECT, related_name="slots"
    )
    sets = models.PositiveSmallIntegerField(_("sets"))
    reps_min = models.PositiveSmallIntegerField(_("reps (low)"), null=True, blank=True)
    reps_max = models.PositiveSmallIntegerField(_("reps (high)"), null=True, blank=True)
    hold_seconds = models.PositiveSmallIntegerField(_("hold (s)"), null=True, blank=True)
    hold_seconds_max = models.PositiveSmallIntegerField(
        _("longest hold (s)"), null=True, blank=True
    )
    rest_seconds = models.PositiveSmallIntegerField(_("rest (s)"), default=60)
    per_week = models.PositiveSmallIntegerField(
        _("sessions a week"), default=3, validators=[MinValueValidator(1), MaxValueValidator(14)]
    )
    daily = models.BooleanField(_("daily"), default=False)
    scheme = models.CharField(
        _("progression scheme"),
        max_length=20,
        choices=_choices(SCHEMES),
        default="reps_level_load",
    )
    min_level = models.PositiveSmallIntegerField(
        _("lowest level"), default=1, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    max_level = models.PositiveSmallIntegerField(
        _("highest level"), default=5, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    heavy = models.BooleanField(_("heavy"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["phase", "order", "key"]
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        constraints = [
            models.UniqueConstraint(fields=["phase", "key"], name="slot_key_per_phase"),
            models.CheckConstraint(condition=Q(sets__gte=1, sets__lte=10), name="slot_sets_1_10"),
        ]

    def __str__(self) -> str:
        return self.key

    def to_spec(self) -> specs.SlotSpec:
        return specs.SlotSpec(
            key=self.key,
            exercise=self.exercise.slug,
            sets=self.sets,
            reps_min=self.reps_min,
            reps_max=self.reps_max,
            hold_seconds=self.hold_seconds,
            hold_seconds_max=self.hold_seconds_max,
            rest_seconds=self.rest_seconds,
            per_week=self.per_week,
            daily=self.daily,
            scheme=self.scheme,
            min_level=self.min_level,
            max_level=self.max_level,
            heavy=self.heavy,
            order=self.order,
        )


class WalkRunStage(models.Model):
    """One stage (R1..R10) of the return-to-run ladder of a block template."""

    objects: ClassVar[models.Manager[WalkRunStage]]  # see ContentModel.objects
    # added by django-modeltranslation (programs/content/translation.py), for the checker:
    description_en: str | None
    description_nl: str | None

    template = models.ForeignKey(
        ProgramTemplate, on_delete=models.CASCADE, related_name="walk_run_stages"
    )
    number = models.PositiveSmallIntegerField(
        _("stage"), validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    repeats = models.PositiveSmallIntegerField(_("repeats"), default=0)
    walk_minutes = models.FloatField(_("walk (min)"), default=0)
    run_minutes = models.FloatField(_("run (min)"), default=0)
    continuous_minutes = models.PositiveSmallIntegerField(_("continuous run (min)"), default=0)
    description = models.CharField(_("description"), max_length=300)

    class Meta:
        ordering = ["template", "number"]
        verbose_name = _("walk-run stage")
        verbose_name_plural = _("walk-run stages")
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="walkrunstage_unique")
        ]

    def __str__(self) -> str:
        return f"R{self.number}"

    def to_spec(self) -> specs.WalkRunStage:
        return specs.WalkRunStage(
            number=self.number,
            repeats=self.repeats,
            walk_minutes=self.walk_minutes,
            run_minutes=self.run_minutes,
            continuous_minutes=self.continuous_minutes,
            description=self.description,
        )
