"""Input and output shapes of the plan endpoints. Inputs only parse; rules live in services."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from programs.exercises.models import Equipment
from programs.logbook.screening import RED_FLAGS
from programs.plans.models import ProgramTemplate
from programs.plans.plan_models import Decision, Plan, PlanSession, PlanWeek, Prescription
from programs.plans.services import POLICY_EDITABLE
from programs.plans.specs import IRRITABILITY, Policy

DEFAULT_POLICY = Policy()


def weekday() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=6)


# --- Templates ---------------------------------------------------------------------------


class TemplateOutput(serializers.ModelSerializer):
    condition = serializers.CharField(source="condition.code")

    class Meta:
        model = ProgramTemplate
        fields = ["id", "slug", "name", "description", "condition", "is_block"]


class SlotOutput(serializers.Serializer):
    key = serializers.CharField()
    exercise = serializers.CharField(source="exercise.slug")
    exercise_name = serializers.CharField(source="exercise.name")
    sets = serializers.IntegerField()
    reps_min = serializers.IntegerField(allow_null=True)
    reps_max = serializers.IntegerField(allow_null=True)
    hold_seconds = serializers.IntegerField(allow_null=True)
    rest_seconds = serializers.IntegerField()
    per_week = serializers.IntegerField()


class PhaseOutput(serializers.Serializer):
    key = serializers.CharField()
    order = serializers.IntegerField()
    name = serializers.CharField()
    goal = serializers.CharField()
    weeks_min = serializers.IntegerField()
    weeks_max = serializers.IntegerField()
    max_compression = serializers.CharField()
    strength_days = serializers.IntegerField()
    slots = SlotOutput(many=True)


class TemplateDetailOutput(TemplateOutput):
    phases = PhaseOutput(many=True)
    sources = serializers.SlugRelatedField(slug_field="key", many=True, read_only=True)

    class Meta(TemplateOutput.Meta):
        fields = [*TemplateOutput.Meta.fields, "phases", "sources"]


# --- Plans -------------------------------------------------------------------------------


class RunningInput(serializers.Serializer):
    mode = serializers.ChoiceField(choices=["not_running", "walk_run", "continuous"])
    walk_run_stage = serializers.IntegerField(
        min_value=1, max_value=10, required=False, allow_null=True
    )
    weekly_minutes = serializers.IntegerField(min_value=0, max_value=1500, default=0)


class PlanCreateInput(serializers.Serializer):
    """A plan from a template. A runner creates their own; a physio names a linked runner."""

    runner = serializers.IntegerField(
        required=False, help_text="The runner's user id (physios only; runners omit it)."
    )
    template = serializers.CharField(max_length=80, help_text="Template slug or id.")
    start_date = serializers.DateField(required=False, help_text="Defaults to the runner's today.")
    irritability = serializers.ChoiceField(choices=list(IRRITABILITY), required=False)
    baseline_pain = serializers.FloatField(min_value=0, max_value=10, required=False)
    equipment = serializers.ListField(
        child=serializers.ChoiceField(choices=Equipment.choices), max_length=20, default=list
    )
    strength_days_per_week = serializers.IntegerField(min_value=1, max_value=7, default=3)
    preferred_weekdays = serializers.ListField(
        child=weekday(), max_length=7, default=lambda: [0, 2, 4]
    )
    long_run_weekday = serializers.IntegerField(
        min_value=0, max_value=6, required=False, allow_null=True
    )
    hard_session_weekdays = serializers.ListField(child=weekday(), max_length=7, default=list)
    running = RunningInput(required=False)

    def validate_preferred_weekdays(self, value):
        if len(set(value)) != len(value):
            raise serializers.ValidationError(_("Each weekday once."))
        return value


class PlanPolicyInput(serializers.Serializer):
    """The settings a physiotherapist may change. Send the plan's version (or If-Match)."""

    version = serializers.IntegerField(
        min_value=1, required=False, help_text="The plan version you read (or send If-Match)."
    )

    def get_fields(self):
        fields = super().get_fields()
        for name, bounds in POLICY_EDITABLE.items():
            if name == "require_approval":
                fields[name] = serializers.BooleanField(required=False)
            elif name == "locked_exercises":
                fields[name] = serializers.ListField(
                    child=serializers.SlugField(max_length=80), max_length=50, required=False
                )
            elif isinstance(getattr(DEFAULT_POLICY, name), int):
                fields[name] = serializers.IntegerField(
                    min_value=bounds[0], max_value=bounds[1], required=False
                )
            else:
                fields[name] = serializers.FloatField(
                    min_value=bounds[0], max_value=bounds[1], required=False
                )
        return fields

    def validate(self, attrs):
        if not set(attrs) - {"version"}:
            raise serializers.ValidationError(_("Send at least one setting to change."))
        return attrs


class VersionInput(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, required=False, help_text="Refuse the change if the plan moved on (409)."
    )


class RevisionOutput(serializers.Serializer):
    number = serializers.IntegerField()
    kind = serializers.CharField()
    effective_from = serializers.DateField()
    created_at = serializers.DateTimeField()


class PlanWeekOutput(serializers.ModelSerializer):
    run = serializers.JSONField()
    education = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = PlanWeek
        fields = ["number", "phase_key", "starts_on", "deload", "run", "education"]


class PlanOutput(serializers.ModelSerializer):
    template = serializers.CharField(source="template.slug")
    runner_email = serializers.EmailField(source="runner.email")
    policy = serializers.JSONField()
    current_revision = RevisionOutput(allow_null=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "runner",
            "runner_email",
            "template",
            "status",
            "condition",
            "start_date",
            "baseline_pain",
            "irritability",
            "policy",
            "version",
            "current_revision",
            "created_at",
        ]


class PlanDetailOutput(PlanOutput):
    weeks = PlanWeekOutput(many=True, source="weeks_list")

    class Meta(PlanOutput.Meta):
        fields = [*PlanOutput.Meta.fields, "weeks"]


class PrescriptionOutput(serializers.ModelSerializer):
    exercise = serializers.CharField(source="exercise.slug")
    exercise_name = serializers.CharField(source="exercise.name")

    class Meta:
        model = Prescription
        fields = [
            "id",
            "order",
            "slot_key",
            "exercise",
            "exercise_name",
            "sets",
            "reps",
            "hold_seconds",
            "load_kg",
            "rest_seconds",
            "notes",
        ]


class PlanSessionOutput(serializers.ModelSerializer):
    week = serializers.IntegerField(source="week.number")
    logged = serializers.BooleanField()
    prescriptions = PrescriptionOutput(many=True)

    class Meta:
        model = PlanSession
        fields = ["id", "date", "kind", "week", "logged", "prescriptions"]


class CurrentWeekOutput(serializers.Serializer):
    plan = serializers.IntegerField()
    plan_status = serializers.CharField()
    week = PlanWeekOutput()
    ends_on = serializers.DateField()
    today = serializers.DateField()
    sessions = PlanSessionOutput(many=True)


class DecisionOutput(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="plan_id")
    explanation = serializers.SerializerMethodField()
    sources = serializers.ListField(child=serializers.CharField())
    inputs = serializers.JSONField()
    changes = serializers.JSONField()

    class Meta:
        model = Decision
        fields = [
            "id",
            "plan",
            "kind",
            "rule",
            "status",
            "explanation",
            "sources",
            "inputs",
            "changes",
            "window_ends_on",
            "effective_from",
            "alert_physio",
            "decided_at",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_explanation(self, obj: Decision) -> str:
        texts = obj.explanation or {}
        return texts.get(get_language() or "en") or texts.get("en") or ""


class FlareUpInput(serializers.Serializer):
    date = serializers.DateField(required=False, help_text="Defaults to the runner's today.")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    red_flags = serializers.ListField(
        child=serializers.ChoiceField(choices=list(RED_FLAGS)), max_length=20, default=list
    )


class FlareUpOutput(serializers.Serializer):
    id = serializers.IntegerField()
    date = serializers.DateField()
    note = serializers.CharField()
    red_flags = serializers.ListField(child=serializers.CharField())
    plan_status = serializers.CharField()
