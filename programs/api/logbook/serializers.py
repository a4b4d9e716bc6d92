from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from programs.engine.screening import (
    FEATURE_CODES,
    GT_FEATURES,
    HIP_JOINT_QUESTIONS,
    ITB_FEATURES,
    PAIN_LOCATIONS,
    PERSISTENT_SNAPPING_WEEKS,
    RED_FLAGS,
    SNAPPING_CHOICES,
    SNAPPING_PERSISTENT_QUESTION,
    SNAPPING_QUESTION,
    reason_text,
)
from programs.logbook import caseload_filters as cf
from programs.logbook.models import MorningCheckin, Referral, RunLog
from rehab.core.api import IdField


class ScreeningInput(serializers.Serializer):
    """Every question that can refer must be answered explicitly: the red flags and the
    signs of the hip joint (true or false), and the snapping question (none, painless,
    painful; when painful, snapping_persistent true or false). The pathway hints default
    to false."""

    pain_location = serializers.ChoiceField(choices=list(PAIN_LOCATIONS.items()))
    baseline_pain = serializers.IntegerField(min_value=0, max_value=10)
    hip_snapping = serializers.ChoiceField(
        choices=list(SNAPPING_CHOICES), help_text=str(SNAPPING_QUESTION)
    )
    snapping_persistent = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=str(SNAPPING_PERSISTENT_QUESTION % {"weeks": PERSISTENT_SNAPPING_WEEKS})
        + " Required when hip_snapping is painful.",
    )

    def get_fields(self):
        fields = super().get_fields()
        for code, (question, _reason, _sources) in RED_FLAGS.items():
            fields[code] = serializers.BooleanField(required=True, help_text=str(question))
        for code, question in HIP_JOINT_QUESTIONS.items():
            fields[code] = serializers.BooleanField(required=True, help_text=str(question))
        for code, question in {**GT_FEATURES, **ITB_FEATURES}.items():
            fields[code] = serializers.BooleanField(default=False, help_text=str(question))
        return fields

    def validate(self, attrs):
        if attrs.get("hip_snapping") == "painful" and attrs.get("snapping_persistent") is None:
            raise serializers.ValidationError(
                {"snapping_persistent": [_("Answer this question when the snapping hurts.")]}
            )
        return attrs


class ScreeningReason(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


@extend_schema_field(ScreeningReason(many=True))
class ReasonsField(serializers.Field):
    """Reason codes as {code, message} in the caller's language."""

    def to_representation(self, value):
        return [{"code": code, "message": reason_text(code)} for code in value]


class ReferralSummary(serializers.Serializer):
    id = serializers.IntegerField()
    # DRF's metaclass takes declared fields off the class, so this does not shadow the
    # serializer's own `source`; the stub cannot know that.
    source = serializers.ChoiceField(choices=Referral.Source.choices)  # type: ignore[assignment]
    opened_at = serializers.DateTimeField()
    reasons = ReasonsField()

    class Meta:
        ref_name = "ReferralSummary"


class ScreeningOutput(serializers.Serializer):
    id = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=["ok", "refer"])
    reasons = ScreeningReason(many=True)
    condition = serializers.CharField(allow_null=True)
    irritability = serializers.CharField(allow_null=True)
    recommended_template = serializers.CharField(
        allow_null=True, help_text="Slug of the template to pass to POST /api/v1/plans/."
    )
    sources = serializers.ListField(child=serializers.CharField())
    features = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(FEATURE_CODES)),
        help_text="Feature codes the plan is built with.",
    )
    referral = serializers.IntegerField(
        allow_null=True, help_text="The referral this screening opened, if it referred."
    )
    earlier_referrals = ReferralSummary(
        many=True,
        help_text="Referrals still open from before this screening: a new screening does "
        "not clear them.",
    )
    can_start_plan = serializers.BooleanField(
        help_text="True when the screening is clear and no referral is open."
    )


class ReferralOutput(serializers.ModelSerializer):
    reasons = ReasonsField()
    is_open = serializers.BooleanField()
    note = serializers.CharField(source="clearance_note")

    class Meta:
        model = Referral
        fields = [
            "id",
            "runner",
            "source",
            "reasons",
            "plan",
            "opened_at",
            "is_open",
            "cleared_at",
            "clearance",
            "cleared_by",
            "note",
            "clinician",
            "assessed_on",
        ]


class ReferralClearInput(serializers.Serializer):
    """A linked physiotherapist sends `note`; the runner sends `clinician`, `assessed_on`
    and `confirmed: true` (a clinician assessed them and cleared them to train)."""

    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    clinician = serializers.CharField(required=False, allow_blank=True, max_length=200)
    assessed_on = serializers.DateField(required=False, allow_null=True)
    confirmed = serializers.BooleanField(required=False, default=False)


# --- Logs --------------------------------------------------------------------------------


def pain_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=10, **kwargs)


def distance_field() -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=300,
        required=False,
        allow_null=True,
        coerce_to_string=False,
    )


def walk_run_stage_field() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=10, required=False, allow_null=True)


def rpe_field() -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=0, max_value=10, required=False, allow_null=True, help_text="Effort, RPE 0-10."
    )


def red_flags_field() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=list(RED_FLAGS)),
        max_length=len(RED_FLAGS),
        default=list,
        help_text="Warning-sign codes; any of them pauses the plan and refers.",
    )


class ExerciseLogInput(serializers.Serializer):
    """One exercise as done: name it by prescription id or slot key."""

    prescription = IdField(required=False)
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
    # many=True passes max_length on to the ListSerializer; the stub's __init__ lacks it.
    exercises = ExerciseLogInput(many=True, max_length=30)  # type: ignore[call-arg]
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


SETTLED_HELP = (
    "Asked later the same day when the morning pain is above the runner's baseline: has it "
    "settled by midday? (§D2: +1..+2 over baseline is amber only if settled, else red.)"
)


class CheckinInput(serializers.Serializer):
    date = serializers.DateField(required=False, help_text="Defaults to the runner's today.")
    pain = pain_field()
    stiffness_minutes = serializers.IntegerField(min_value=0, max_value=1440, default=0)
    settled_by_midday = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text=SETTLED_HELP
    )
    red_flags = red_flags_field()


class CheckinUpdateInput(serializers.Serializer):
    """Change a check-in already given (its date stays): send only what changes."""

    pain = pain_field(required=False)
    stiffness_minutes = serializers.IntegerField(min_value=0, max_value=1440, required=False)
    settled_by_midday = serializers.BooleanField(
        required=False, allow_null=True, help_text=SETTLED_HELP
    )
    red_flags = serializers.ListField(
        child=serializers.ChoiceField(choices=list(RED_FLAGS)),
        max_length=len(RED_FLAGS),
        required=False,
        help_text="Warning-sign codes; one not reported before pauses the plan and refers.",
    )

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(_("Send at least one field to change."))
        return attrs


class CheckinOutput(serializers.ModelSerializer):
    red_flags = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = MorningCheckin
        fields = [
            "id",
            "runner",
            "date",
            "pain",
            "stiffness_minutes",
            "settled_by_midday",
            "red_flags",
            "created_at",
        ]


class RunInput(serializers.Serializer):
    date = serializers.DateField(required=False, help_text="Defaults to the runner's today.")
    minutes = serializers.IntegerField(min_value=1, max_value=600)
    distance_km = distance_field()
    walk_run_stage = walk_run_stage_field()
    pain_during = pain_field()
    pain_after = pain_field(required=False, allow_null=True)
    rpe = rpe_field()
    pain_changed_movement = serializers.BooleanField(
        default=False, help_text="Pain changed the way you ran (a limp): pauses the plan."
    )
    terrain = serializers.ChoiceField(choices=RunLog.Terrain.choices, default=RunLog.Terrain.FLAT)
    red_flags = red_flags_field()
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RunUpdateInput(serializers.Serializer):
    """Change a run of your own: send only what changes. An imported run gets its pain here."""

    date = serializers.DateField(required=False)
    minutes = serializers.IntegerField(min_value=1, max_value=600, required=False)
    distance_km = distance_field()
    walk_run_stage = walk_run_stage_field()
    pain_during = pain_field(required=False)
    pain_after = pain_field(required=False, allow_null=True)
    rpe = rpe_field()
    pain_changed_movement = serializers.BooleanField(required=False)
    terrain = serializers.ChoiceField(choices=RunLog.Terrain.choices, required=False)
    red_flags = serializers.ListField(
        child=serializers.ChoiceField(choices=list(RED_FLAGS)),
        max_length=len(RED_FLAGS),
        required=False,
        help_text="Warning-sign codes; one not there before pauses the plan and refers.",
    )
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class RunImportInput(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        allow_empty=False,
        help_text=(
            "One or several GPX, TCX or FIT files (multipart, the field `files` repeated), "
            "up to 20 MB each and 10 at a time."
        ),
    )

    def validate_files(self, files):
        limit = settings.RUN_IMPORT_MAX_FILE_BYTES
        if len(files) > settings.RUN_IMPORT_MAX_FILES:
            raise serializers.ValidationError(
                _("At most %(n)s files at a time.") % {"n": settings.RUN_IMPORT_MAX_FILES}
            )
        problems = []
        for upload in files:
            if upload.size > limit:
                problems.append(
                    _("%(file)s: the file is larger than %(mb)s MB.")
                    % {"file": upload.name, "mb": limit // (1024 * 1024)}
                )
            elif not upload.size:
                problems.append(_("%(file)s: the file is empty.") % {"file": upload.name})
        if problems:
            raise serializers.ValidationError(problems)
        return files


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
            "rpe",
            "pain_changed_movement",
            "terrain",
            "red_flags",
            "notes",
            "source",
            "started_at",
            "elevation_gain_m",
            "hilly",
            "created_at",
        ]


class RunImportOutput(serializers.Serializer):
    created = RunOutput(many=True, help_text="Runs made from the files; their pain is asked next.")
    existing = RunOutput(many=True, help_text="Files imported before: those runs, not added again.")
    hilly_against_plan = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Ids of hilly runs in a week whose prescription asks for flat running (§F3).",
    )


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


class PatientQueryInput(serializers.Serializer):
    """GET /api/v1/patients/ filters, search and order: the caseload page's own."""

    flag = serializers.ChoiceField(
        choices=[c for c, _label in cf.FLAG_CHOICES],
        required=False,
        allow_blank=True,
        help_text='A flag; "attention" (referred, flare-up, lighter week, needs review or '
        'rising pain) or "none" (no flag, pain not rising).',
    )
    phase = serializers.SlugField(
        required=False, allow_blank=True, max_length=40, help_text="The current phase's key."
    )
    adherence = serializers.ChoiceField(
        choices=[c for c, _label in cf.ADHERENCE_CHOICES],
        required=False,
        allow_blank=True,
        help_text="Sessions done in 14 days: low < 50 %, medium 50-79 %, high >= 80 %, none "
        "(nothing planned).",
    )
    trend = serializers.ChoiceField(
        choices=[c for c, _label in cf.TREND_CHOICES], required=False, allow_blank=True
    )
    last_log = serializers.ChoiceField(
        choices=[c for c, _label in cf.LAST_LOG_CHOICES],
        required=False,
        allow_blank=True,
        help_text="week: in the last 7 days; month: 8-30 days ago; older; never.",
    )
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Search name or email."
    )
    sort = serializers.ChoiceField(
        choices=list(cf.SORTS),
        required=False,
        default="name",
        help_text='Order; "attention" puts who needs the physio first. Default: name.',
    )

    def query(self) -> cf.CaseloadQuery:
        data = self.validated_data
        return cf.CaseloadQuery(
            **{name: data.get(name) or "" for name in ("flag", "phase", "adherence", "trend")},
            last_log=data.get("last_log") or "",
            q=data.get("q") or "",
            sort=data.get("sort") or "name",
        )


class PatientPhaseOutput(serializers.Serializer):
    key = serializers.CharField(source="phase_key")
    name = serializers.CharField(source="phase_name")


class PatientCountsOutput(serializers.Serializer):
    """The caseload's summary, as at the top of the caseload page: every linked runner."""

    total = serializers.IntegerField(help_text="Runners linked to you with consent.")
    attention = serializers.IntegerField(
        help_text="Rising pain, a referral, a flare-up, a lighter week or a review due."
    )
    pending_approval = serializers.IntegerField(help_text="Changes waiting for your approval.")
    inactive = serializers.IntegerField(help_text="Nothing logged for 7 days.")


class PatientOutput(serializers.Serializer):
    runner = serializers.IntegerField(source="runner.pk")
    email = serializers.EmailField(source="runner.email")
    name = serializers.CharField(
        source="runner.display_name",
        help_text='"First L." or the local part of the email address.',
    )
    today = serializers.DateField()
    plan = serializers.IntegerField(source="plan_id", allow_null=True)
    plan_status = serializers.CharField(allow_null=True)
    adherence = AdherenceOutput()
    pain = PainTrendOutput()
    pending_approvals = serializers.IntegerField()
    last_log_on = serializers.DateField(allow_null=True)
    phase = serializers.SerializerMethodField()
    flags = serializers.ListField(
        child=serializers.ChoiceField(
            choices=[
                "referred",
                "pending_approval",
                "recent_deload",
                "recent_flare_up",
                "no_log_7_days",
                "needs_review",
            ]
        )
    )

    @extend_schema_field(PatientPhaseOutput(allow_null=True))
    def get_phase(self, row):
        return PatientPhaseOutput(row).data if row.phase_key else None
