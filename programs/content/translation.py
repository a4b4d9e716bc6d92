"""Fields shown in English and Dutch (name_en / name_nl) by django-modeltranslation."""

from modeltranslation.translator import TranslationOptions, register

from programs.content.models import (
    Condition,
    EducationTopic,
    EvidenceSource,
    Exercise,
    Phase,
    PhaseExitCriterion,
    ProgramTemplate,
    WalkRunStage,
)


@register(EvidenceSource)
class EvidenceSourceTranslation(TranslationOptions):
    fields = ("finding",)
    required_languages = ("en", "nl")


@register(Exercise)
class ExerciseTranslation(TranslationOptions):
    fields = ("name", "setup", "cues", "common_errors", "contraindications")
    required_languages = ("en", "nl")  # contraindications stay optional (blank=True)


@register(EducationTopic)
class EducationTopicTranslation(TranslationOptions):
    fields = ("title", "summary", "body")
    required_languages = ("en", "nl")


@register(Condition)
class ConditionTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("en", "nl")


@register(ProgramTemplate)
class ProgramTemplateTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("en", "nl")


@register(Phase)
class PhaseTranslation(TranslationOptions):
    fields = ("name", "goal", "entry_criteria")
    required_languages = ("en", "nl")


@register(PhaseExitCriterion)
class PhaseExitCriterionTranslation(TranslationOptions):
    fields = ("text",)
    required_languages = ("en", "nl")


@register(WalkRunStage)
class WalkRunStageTranslation(TranslationOptions):
    fields = ("description",)
    required_languages = ("en", "nl")
