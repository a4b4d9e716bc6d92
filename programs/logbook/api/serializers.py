from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from programs.logbook.models import MorningCheckin, RunLog
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


# --- Logs --------------------------------------------------------------------------------


def pain_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=10, **kwargs)


def red_flags_field() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=list(RED_FLAGS)),
        max_length=len(RED_FLAGS),
        default=list,
        help_text="Warning-sign codes; any of them pauses the plan and refers.",
    )


class ExerciseLogInput(serializers.Serializer):
    """One exercise as done: name it by prescription id or slot key."""

    prescription = serializers.IntegerField(required=False, min_value=1)
    slot_key = serializers.CharField(required=False, max_length=60)
    sets_done = serializers.IntegerField(min_value=1, max_value=10)
    reps_done = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=200), max_length=10, default=list
    )
    hold_seconds = serializers.IntegerField(
        min_value=0, max_value=600, required=False, allow_null=True
    )
    load_kg = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        min_value=0,
        max_value=500,
        required=False,
        allow_null=True,
        coerce_to_string=False,
    )
    rpe = pain_field(required=False, allow_null=True, help_text="Effort 0-10.")
    pain_during = pain_field()
    pain_changed_movement = serializers.BooleanField(default=False)

    def validate(self, attrs):
        if attrs.get("prescription") is None and not attrs.get("slot_key"):
            raise serializers.ValidationError(_("Name the prescription or the slot key."))
        return attrs


class SessionLogInput(serializers.Serializer):
    completed = serializers.BooleanField(default=True)
    exercises = ExerciseLogInput(many=True, max_length=30)
    pain_after = pain_field(required=False, allow_null=True)
    single_leg_stance_pain = pain_field(required=False, allow_null=True)
    red_flags = red_flags_field()
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ExerciseLogOutput(serializers.Serializer):
    prescription = serializers.IntegerField(source="prescription_id", allow_null=True)
    slot_key = serializers.CharField()
    exercise = serializers.CharField(source="exercise.slug")
    sets_done = serializers.IntegerField()
    reps_done = serializers.ListField(child=serializers.IntegerField())
    hold_seconds = serializers.IntegerField(allow_null=True)
    load_kg = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True, coerce_to_string=False
    )
    rpe = serializers.IntegerField(allow_null=True)
    pain_during = serializers.IntegerField()
    pain_changed_movement = serializers.BooleanField()


class SessionLogOutput(serializers.Serializer):
    id = serializers.IntegerField()
    session = serializers.IntegerField(source="session_id")
    date = serializers.DateField()
    completed = serializers.BooleanField()
    pain_after = serializers.IntegerField(allow_null=True)
    single_leg_stance_pain = serializers.IntegerField(allow_null=True)
    red_flags = serializers.ListField(child=serializers.CharField())
    notes = serializers.CharField()
    exercises = ExerciseLogOutput(many=True, source="exercises.all")


class CheckinInput(serializers.Serializer):
    date = serializers.DateField(required=False, help_text="Defaults to the runner's today.")
    pain = pain_field()
    stiffness_minutes = serializers.IntegerField(min_value=0, max_value=1440, default=0)
    red_flags = red_flags_field()


class CheckinOutput(serializers.ModelSerializer):
    red_flags = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = MorningCheckin
        fields = ["id", "runner", "date", "pain", "stiffness_minutes", "red_flags", "created_at"]


class RunInput(serializers.Serializer):
    date = serializers.DateField(required=False, help_text="Defaults to the runner's today.")
    minutes = serializers.IntegerField(min_value=1, max_value=600)
    distance_km = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=300,
        required=False,
        allow_null=True,
        coerce_to_string=False,
    )
    walk_run_stage = serializers.IntegerField(
        min_value=1, max_value=10, required=False, allow_null=True
    )
    pain_during = pain_field()
    pain_after = pain_field(required=False, allow_null=True)
    terrain = serializers.ChoiceField(choices=RunLog.Terrain.choices, default=RunLog.Terrain.FLAT)
    red_flags = red_flags_field()
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RunOutput(serializers.ModelSerializer):
    red_flags = serializers.ListField(child=serializers.CharField())
    distance_km = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, coerce_to_string=False
    )

    class Meta:
        model = RunLog
        fields = [
            "id",
            "runner",
            "date",
            "minutes",
            "distance_km",
            "walk_run_stage",
            "pain_during",
            "pain_after",
            "terrain",
            "red_flags",
            "notes",
            "created_at",
        ]


# --- Caseload ----------------------------------------------------------------------------


class AdherenceOutput(serializers.Serializer):
    completed = serializers.IntegerField()
    planned = serializers.IntegerField()
    percent = serializers.IntegerField(allow_null=True)


class PainTrendOutput(serializers.Serializer):
    weekly_means = serializers.ListField(
        child=serializers.FloatField(allow_null=True),
        help_text="Weekly mean pain, oldest first; the last week ends today.",
    )
    direction = serializers.ChoiceField(choices=["rising", "falling", "stable", "unknown"])
    zone = serializers.CharField(allow_null=True)


class PatientOutput(serializers.Serializer):
    runner = serializers.IntegerField(source="runner.pk")
    email = serializers.EmailField(source="runner.email")
    name = serializers.CharField(source="runner.get_full_name")
    today = serializers.DateField()
    plan = serializers.IntegerField(source="plan_id", allow_null=True)
    plan_status = serializers.CharField(allow_null=True)
    adherence = AdherenceOutput()
    pain = PainTrendOutput()
    pending_approvals = serializers.IntegerField()
    last_log_on = serializers.DateField(allow_null=True)
    flags = serializers.ListField(
        child=serializers.ChoiceField(
            choices=[
                "referred",
                "pending_approval",
                "recent_deload",
                "recent_flare_up",
                "no_log_7_days",
            ]
        )
    )
