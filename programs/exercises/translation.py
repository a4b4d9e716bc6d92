"""Fields shown in English and Dutch (name_en / name_nl) by django-modeltranslation."""

from modeltranslation.translator import TranslationOptions, register

from programs.exercises.models import EducationTopic, EvidenceSource, Exercise


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
