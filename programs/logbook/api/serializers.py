from __future__ import annotations

from rest_framework import serializers

from programs.logbook.screening import GT_FEATURES, ITB_FEATURES, PAIN_LOCATIONS, RED_FLAGS


class ScreeningInput(serializers.Serializer):
    """Every red-flag question must be answered explicitly (true or false)."""

    pain_location = serializers.ChoiceField(choices=list(PAIN_LOCATIONS.items()))
    baseline_pain = serializers.IntegerField(min_value=0, max_value=10)

    def get_fields(self):
        fields = super().get_fields()
        for code, (question, _reason, _sources) in RED_FLAGS.items():
            fields[code] = serializers.BooleanField(required=True, help_text=str(question))
        for code, question in {**GT_FEATURES, **ITB_FEATURES}.items():
            fields[code] = serializers.BooleanField(default=False, help_text=str(question))
        return fields


class ScreeningReason(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class ScreeningOutput(serializers.Serializer):
    id = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=["ok", "refer"])
    reasons = ScreeningReason(many=True)
    condition = serializers.CharField(allow_null=True)
    irritability = serializers.CharField(allow_null=True)
    recommended_template = serializers.CharField(allow_null=True)
    sources = serializers.ListField(child=serializers.CharField())
