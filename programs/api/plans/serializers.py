"""Input and output shapes of the plan endpoints. Inputs only parse; rules live in services."""

from __future__ import annotations

from typing import cast

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from programs.content.models import Equipment, EvidenceSource, ProgramTemplate
from programs.engine.screening import RED_FLAGS
from programs.engine.specs import IRRITABILITY, Policy
from programs.plans.models import Decision, Plan, PlanSession, PlanWeek, Prescription
from programs.plans.services.lifecycle import POLICY_EDITABLE
from rehab.core.api import IdField

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
    sources: serializers.SlugRelatedField[EvidenceSource] = serializers.SlugRelatedField(
        slug_field="key", many=True, read_only=True
    )

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

    runner = IdField(
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
                low, high = cast(tuple[int, int], bounds)  # a number's bounds, of its type
                fields[name] = serializers.IntegerField(
                    min_value=low, max_value=high, required=False
                )
            else:
                low_f, high_f = cast(tuple[float, float], bounds)  # a number's bounds
                fields[name] = serializers.FloatField(
                    min_value=low_f, max_value=high_f, required=False
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
    provisional = serializers.BooleanField(
        read_only=True,
        help_text="The week comes after the current phase's expected end: what it holds "
        "depends on that phase's exit criteria (see `outlook`), so it may still change.",
    )
    provisional_from = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="For a provisional week, the first provisional week of the plan.",
    )

    class Meta:
        model = PlanWeek
        fields = [
            "number",
            "phase_key",
            "starts_on",
            "deload",
            "run",
            "education",
            "provisional",
            "provisional_from",
        ]


class ExitCriterionOutput(serializers.Serializer):
    metric = serializers.CharField(help_text="The figure the criterion compares (a code).")
    text = serializers.CharField(help_text="The criterion with its threshold, in words.")
    explanation = serializers.CharField(help_text="What that kind of criterion measures.")


class OutlookOutput(serializers.Serializer):
    """The phase in force and what the provisional weeks depend on, in the caller's language."""

    phase = serializers.CharField(source="phase_key")
    phase_name = serializers.CharField()
    phase_number = serializers.IntegerField()
    phase_count = serializers.IntegerField()
    next_phase_name = serializers.CharField(allow_null=True)
    provisional_from = serializers.IntegerField(
        source="from_week",
        allow_null=True,
        help_text="From about this week the plan moves on to the next phase, if every exit "
        "criterion holds; null when nothing is provisional.",
    )
    criteria = serializers.ListField(
        child=serializers.CharField(), help_text="The current phase's exit criteria, in words."
    )
    pending_phase_name = serializers.CharField(
        allow_null=True,
        help_text="A phase change waiting for the physiotherapist's approval: not in force.",
    )
    phase_goal = serializers.CharField(help_text="What the phase in force is about, in words.")
    exit_criteria = ExitCriterionOutput(
        many=True,
        help_text="The phase's exit criteria: each one's text and what its kind measures.",
    )
    note = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_note(self, obj) -> str:
        return obj.note()


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
    outlook = OutlookOutput(allow_null=True)

    class Meta(PlanOutput.Meta):
        fields = [*PlanOutput.Meta.fields, "weeks", "outlook"]


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
            "substituted_for",
            "substitution_reason",
        ]
        extra_kwargs = {
            "substituted_for": {
                "help_text": "Slug of the template's exercise this one replaces, or empty."
            },
            "substitution_reason": {
                "help_text": "Why it was replaced: equipment, compression or condition."
            },
        }


class PlanSessionOutput(serializers.ModelSerializer):
    week = serializers.IntegerField(source="week.number")
    logged = serializers.BooleanField()
    prescriptions = PrescriptionOutput(many=True)

    class Meta:
        model = PlanSession
        fields = ["id", "date", "kind", "week", "logged", "prescriptions"]


class RunNumbersOutput(serializers.Serializer):
    """The week's running in figures and words (programs.engine.running, ui.running)."""

    mode = serializers.CharField()
    runs_per_week = serializers.IntegerField(help_text="Runs planned this week; 0: no running.")
    minutes_per_run = serializers.IntegerField(
        help_text="Running minutes in each run, walking breaks not counted."
    )
    session_minutes = serializers.IntegerField(
        help_text="One outing from start to finish, walking breaks included."
    )
    weekly_minutes = serializers.IntegerField(help_text="Running minutes of the week.")
    volume_pct = serializers.IntegerField(
        allow_null=True,
        help_text="The week's minutes as a share of the runner's usual weekly minutes.",
    )
    walk_run_stage = serializers.IntegerField(allow_null=True)
    stage_repeats = serializers.IntegerField(allow_null=True)
    stage_run_minutes = serializers.FloatField(allow_null=True)
    stage_walk_minutes = serializers.FloatField(allow_null=True)
    stage_continuous_minutes = serializers.IntegerField(allow_null=True)
    stage_text = serializers.CharField(
        help_text='The walk-run stage spelled out, e.g. "R3: 5 \N{MULTIPLICATION SIGN} (2 min run, 3 min walk)".'
    )
    summary = serializers.CharField(help_text="The week's running in one sentence.")
    per_run = serializers.CharField(help_text="One run in minutes, in words.")
    run_today = serializers.BooleanField(help_text="A run is planned on the runner's today.")
    today_text = serializers.CharField(help_text="Today's run in one line, or empty.")


class CurrentWeekOutput(serializers.Serializer):
    plan = serializers.IntegerField()
    plan_status = serializers.CharField()
    week = PlanWeekOutput()
    week_count = serializers.IntegerField(help_text="How many weeks the plan has.")
    ends_on = serializers.DateField()
    today = serializers.DateField()
    sessions = PlanSessionOutput(many=True)
    outlook = OutlookOutput(allow_null=True)
    running = RunNumbersOutput(help_text="The week's running in figures and words.")
    checkin_due = serializers.BooleanField(help_text="The morning check-in is due today.")


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
            "physio_message",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_explanation(self, obj: Decision) -> str:
        texts = obj.explanation or {}
        return texts.get(get_language() or "en") or texts.get("en") or ""


class DecisionsBulkInput(serializers.Serializer):
    decisions = serializers.ListField(
        child=IdField(),
        min_length=1,
        max_length=100,
        help_text="Ids of pending decisions of your linked runners (1-100).",
    )
    verdict = serializers.ChoiceField(choices=["approve", "reject"])
    message = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Optional message to the runner, shown with each change (never emailed).",
    )


class FlareUpInput(serializers.Serializer):
    date = serializers.DateField(required=False, help_text="Defaults to the runner's today.")
    severity = serializers.IntegerField(
        min_value=0, max_value=10, help_text="How bad the flare-up is, 0-10 (required)."
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    red_flags = serializers.ListField(
        child=serializers.ChoiceField(choices=list(RED_FLAGS)), max_length=20, default=list
    )


class FlareUpOutput(serializers.Serializer):
    id = serializers.IntegerField()
    date = serializers.DateField()
    severity = serializers.IntegerField()
    note = serializers.CharField()
    red_flags = serializers.ListField(child=serializers.CharField())
    plan_status = serializers.CharField()
    plan_change = serializers.ChoiceField(
        choices=["applied", "pending", "referred", "none"],
        help_text=(
            "applied: the plan is lighter now; pending: the lighter plan waits for the "
            "physiotherapist's approval; referred: a warning sign paused the plan; none: "
            "no change was needed."
        ),
    )
    message = serializers.CharField(
        help_text="What happened to the plan, in the caller's language."
    )


# --- A physiotherapist's edits (programs/api/plans/prescriptions.py) -----------------------


class PrescriptionEditOutput(serializers.ModelSerializer):
    exercise = serializers.CharField(source="exercise.slug")
    exercise_name = serializers.CharField(source="exercise.name")
    session = serializers.IntegerField(source="session_id")
    date = serializers.DateField(source="session.date")
    kind = serializers.CharField(source="session.kind")
    note = serializers.CharField(source="notes")

    class Meta:
        model = Prescription
        fields = [
            "id",
            "session",
            "date",
            "kind",
            "slot_key",
            "exercise",
            "exercise_name",
            "sets",
            "reps",
            "hold_seconds",
            "load_kg",
            "rest_seconds",
            "tempo",
            "note",
        ]


class PrescriptionEditInput(serializers.Serializer):
    """Any of the dose fields and the note; `scope` says for how long the dose holds."""

    sets = serializers.IntegerField(min_value=1, max_value=10, required=False)
    reps = serializers.IntegerField(min_value=1, max_value=100, required=False, allow_null=True)
    hold_seconds = serializers.IntegerField(
        min_value=1, max_value=300, required=False, allow_null=True
    )
    load_kg = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=0, max_value=500, required=False, allow_null=True
    )
    rest_seconds = serializers.IntegerField(min_value=0, max_value=600, required=False)
    tempo = serializers.CharField(max_length=20, required=False, allow_blank=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    scope = serializers.ChoiceField(choices=["future", "week"], required=False)
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True)

    def validate(self, attrs):
        edited = set(attrs) - {"scope", "reason"}
        if not edited:
            raise serializers.ValidationError(
                {"sets": [_("Change at least one part of the dose, or the note.")]}
            )
        return attrs


class SwapInput(serializers.Serializer):
    exercise = serializers.SlugField(max_length=80)
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class PlanNoteInput(serializers.Serializer):
    """The note to the runner on the whole plan; an empty text removes it."""

    text = serializers.CharField(max_length=1000, allow_blank=True, trim_whitespace=True)
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class PlanNoteOutput(serializers.Serializer):
    text = serializers.CharField()


class SessionCreateInput(serializers.Serializer):
    """A session on `date`; with `from_date`, the session of that day moves there."""

    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=PlanSession.Kind.choices, default="strength")
    from_date = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class RuleNoteOutput(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()
    section = serializers.CharField(help_text="Section of the clinical evidence it rests on.")


class AlternativeOutput(serializers.Serializer):
    exercise = serializers.CharField(help_text="Slug, as POST .../swap/ takes it.")
    name = serializers.CharField()
    level = serializers.IntegerField()
    compression = serializers.CharField()
    family = serializers.CharField()
    movement_pattern = serializers.CharField()
    allowed = serializers.BooleanField(help_text="Passes every rule of the plan.")
    reasons = RuleNoteOutput(many=True)
    broken = RuleNoteOutput(many=True, help_text="Rules a swap to it would override.")
