"""The evidence-based content library: sources, exercises, education topics.

Rows are loaded from the version-controlled YAML files in ``content/`` by
``manage.py load_content`` and edited in the admin. Rows are never deleted by the
loader: a record that disappears from the files is deactivated (``is_active=False``)
so anything that points at it keeps working.
"""

from __future__ import annotations

from typing import ClassVar, Self, TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programs.engine import specs
from rehab.core.models import BaseModel

IMAGE_EXTENSIONS = ["jpg", "jpeg", "png", "gif", "webp", "svg"]
PHOTO_EXTENSIONS = ["jpg", "jpeg", "png", "webp"]
VIDEO_EXTENSIONS = ["mp4", "webm"]
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_VIDEO_BYTES = 50 * 1024 * 1024


def _file_head(upload, size: int = 16) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def validate_photo(upload) -> None:
    """A JPEG, PNG or WebP photo by its first bytes, not only its name (no SVG: it could
    carry script), at most 5 MB."""
    head = _file_head(upload)
    ok = (
        head.startswith(b"\xff\xd8\xff")
        or head.startswith(b"\x89PNG\r\n\x1a\n")
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
    )
    if not ok:
        raise ValidationError(_("The photo must be a JPEG, PNG or WebP image."))
    if upload.size and upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(_("The photo may be at most 5 MB."))


def validate_video(upload) -> None:
    """An MP4 or WebM video by its first bytes, at most 50 MB."""
    head = _file_head(upload)
    if not (head[4:8] == b"ftyp" or head.startswith(b"\x1a\x45\xdf\xa3")):
        raise ValidationError(_("The video must be an MP4 or WebM file."))
    if upload.size and upload.size > MAX_VIDEO_BYTES:
        raise ValidationError(_("The video may be at most 50 MB."))


class Muscle(models.TextChoices):
    GLUTEUS_MEDIUS = "gluteus_medius", _("gluteus medius")
    GLUTEUS_MINIMUS = "gluteus_minimus", _("gluteus minimus")
    GLUTEUS_MAXIMUS = "gluteus_maximus", _("gluteus maximus")
    TFL = "tfl", _("tensor fasciae latae")
    QUADRICEPS = "quadriceps", _("quadriceps")
    HAMSTRINGS = "hamstrings", _("hamstrings")
    TRUNK = "trunk", _("trunk")


class Compression(models.TextChoices):
    C0 = "C0", _("C0 non-compressive")
    C1 = "C1", _("C1 conditional")
    C2 = "C2", _("C2 compressive")


class DosageType(models.TextChoices):
    REPS = "reps", _("repetitions")
    HOLD = "hold", _("hold (seconds)")
    DISTANCE = "distance", _("distance")


class Equipment(models.TextChoices):
    NONE = "none", _("no equipment")
    MAT = "mat", _("mat")
    BELT = "belt", _("belt")
    WALL = "wall", _("wall")
    CHAIR = "chair", _("chair")
    STEP = "step", _("step")
    BOX = "box", _("box")
    BENCH = "bench", _("bench")
    MINI_BAND = "mini_band", _("mini band")
    LONG_BAND = "long_band", _("long resistance band")
    ANKLE_WEIGHT = "ankle_weight", _("ankle weight")
    DUMBBELL = "dumbbell", _("dumbbell")
    KETTLEBELL = "kettlebell", _("kettlebell")
    BARBELL = "barbell", _("barbell")
    CABLE = "cable", _("cable machine")


class ConditionCode(models.TextChoices):
    """The condition codes of specs.CONDITIONS (the Condition rows live in plans)."""

    GLUTEAL_TENDINOPATHY = "gluteal_tendinopathy", _("gluteal tendinopathy")
    PROXIMAL_ITBS = "proximal_itbs", _("proximal iliotibial band syndrome")
    LATERAL_HIP_PAIN = "lateral_hip_pain", _("lateral hip pain")
    PREVENTION = "prevention", _("prevention")


class MovementPattern(models.TextChoices):
    ISOMETRIC_ABDUCTION = "isometric_abduction", _("isometric abduction")
    BRIDGE = "bridge", _("bridge / hip extension")
    SQUAT = "squat", _("squat")
    HINGE = "hinge", _("hinge")
    STEP = "step", _("step-up")
    LATERAL_WALK = "lateral_walk", _("lateral walk")
    HIP_HITCH = "hip_hitch", _("hip hitch")
    ABDUCTION = "abduction", _("hip abduction")
    PLANK = "plank", _("plank")
    PLYOMETRIC = "plyometric", _("plyometric")
    STRETCH = "stretch", _("stretch")


class Position(models.TextChoices):
    SUPINE = "supine", _("lying on the back")
    PRONE = "prone", _("lying face down")
    SIDE_LYING = "side_lying", _("side-lying")
    QUADRUPED = "quadruped", _("on hands and knees")
    STANDING = "standing", _("standing, both legs")
    SINGLE_LEG = "single_leg", _("standing on one leg")
    MOVING = "moving", _("moving")


class StudyType(models.TextChoices):
    RCT = "rct", _("randomised controlled trial")
    PILOT_RCT = "pilot_rct", _("pilot randomised trial")
    PROTOCOL = "protocol", _("trial protocol")
    SYSTEMATIC_REVIEW = "systematic_review", _("systematic review")
    NARRATIVE_REVIEW = "narrative_review", _("narrative review")
    COHORT = "cohort", _("cohort or case-control study")
    CROSS_SECTIONAL = "cross_sectional", _("cross-sectional or diagnostic study")
    LAB_STUDY = "lab_study", _("laboratory study (EMG or biomechanics)")
    POSITION_STAND = "position_stand", _("position stand or textbook")
    MEASUREMENT = "measurement", _("measurement development study")


class EvidenceFlag(models.TextChoices):
    VERIFIED = "V", _("verified against the text")
    RECALLED = "R", _("recalled, verify before relying on it")
    SECONDARY = "S", _("reported by a secondary source")


_Content = TypeVar("_Content", bound="ContentModel", covariant=True)


class ContentQuerySet(models.QuerySet[_Content]):
    def active(self) -> Self:
        return self.filter(is_active=True)


ContentManager = models.Manager.from_queryset(ContentQuerySet)


class ContentModel(BaseModel):
    """A library record: never deleted by the loader, only deactivated."""

    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Inactive records are kept for history but are not offered for new plans."),
    )

    # django-modeltranslation swaps each model's manager for a subclass made at run time,
    # which the django-stubs plugin cannot see; so every concrete content model names the
    # type of its own manager (`objects: ClassVar[ContentManager[Model]]`).
    objects = ContentManager()

    class Meta:
        abstract = True


class EvidenceSource(ContentModel):
    objects: ClassVar[ContentManager[EvidenceSource]]  # see ContentModel.objects
    key = models.SlugField(_("key"), max_length=64, unique=True)
    authors = models.CharField(_("authors"), max_length=300)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    title = models.CharField(_("title"), max_length=400)
    journal = models.CharField(_("journal or publisher"), max_length=300)
    doi = models.CharField(_("DOI"), max_length=200, blank=True)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    study_type = models.CharField(_("study type"), max_length=24, choices=StudyType)
    flag = models.CharField(
        _("evidence flag"), max_length=1, choices=EvidenceFlag, default=EvidenceFlag.VERIFIED
    )
    finding = models.TextField(_("key finding"), help_text=_("One line: what this source shows."))

    class Meta:
        ordering = ["key"]
        verbose_name = _("evidence source")
        verbose_name_plural = _("evidence sources")
        constraints = [
            models.CheckConstraint(
                condition=~Q(doi="") | ~Q(url=""), name="evidencesource_doi_or_url"
            )
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def link(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else self.url


class Exercise(ContentModel):
    objects: ClassVar[ContentManager[Exercise]]  # see ContentModel.objects
    # added by django-modeltranslation (programs/content/translation.py), for the checker:
    name_en: str | None
    name_nl: str | None

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    code = models.CharField(
        _("catalogue code"), max_length=16, unique=True, help_text=_("For example ISO-1 or BR-2.")
    )
    name = models.CharField(_("name"), max_length=120)
    family = models.SlugField(
        _("family"), max_length=40, help_text=_("Movement family, for example bridge.")
    )
    movement_pattern = models.CharField(
        _("movement pattern"), max_length=24, choices=MovementPattern
    )
    position = models.CharField(_("position"), max_length=16, choices=Position)
    compression = models.CharField(_("compression class"), max_length=2, choices=Compression)
    level = models.PositiveSmallIntegerField(
        _("level"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    equipment = models.JSONField(
        _("equipment"), default=list, help_text=_("Every item is required; 'none' for none.")
    )
    dosage_type = models.CharField(_("dosage type"), max_length=8, choices=DosageType)
    default_sets = models.PositiveSmallIntegerField(
        _("default sets"), validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    default_reps = models.PositiveSmallIntegerField(_("default reps"), null=True, blank=True)
    default_hold_seconds = models.PositiveSmallIntegerField(
        _("default hold (s)"), null=True, blank=True
    )
    default_rest_seconds = models.PositiveSmallIntegerField(_("default rest (s)"), default=60)
    tempo = models.CharField(_("tempo"), max_length=60, blank=True)
    setup = models.TextField(_("setup"))
    cues = models.TextField(_("cues"), help_text=_("One cue per line."))
    common_errors = models.TextField(_("common errors"), help_text=_("One error per line."))
    contraindications = models.TextField(_("contraindications"), blank=True)
    regression = models.ForeignKey(
        "self",
        verbose_name=_("regression"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="progressions",
        help_text=_("The one easier exercise; the progressions are the exercises pointing here."),
    )
    substitute = models.ForeignKey(
        "self",
        verbose_name=_("substitute without equipment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="substitute_for",
        help_text=_(
            "An exercise with the same purpose that needs no equipment, with the same or a "
            "lower compression class and level, taken when the runner lacks the equipment."
        ),
    )
    loadable = models.BooleanField(_("can take external load"), default=False)
    isometric = models.BooleanField(_("isometric"), default=False)
    not_for_conditions = models.JSONField(
        _("not for conditions"),
        default=list,
        blank=True,
        help_text=_("Never prescribe this exercise in templates for these conditions."),
    )
    image = models.FileField(
        _("photo"),
        upload_to="exercises/",
        blank=True,
        validators=[FileExtensionValidator(PHOTO_EXTENSIONS), validate_photo],
        help_text=_("Optional: a JPEG, PNG or WebP photo shown beside the figure."),
    )
    video = models.FileField(
        _("video"),
        upload_to="exercises/video/",
        blank=True,
        validators=[FileExtensionValidator(VIDEO_EXTENSIONS), validate_video],
        help_text=_("Optional: an MP4 or WebM video shown beside the figure."),
    )
    video_url = models.URLField(_("video URL"), blank=True)
    figure = models.JSONField(
        _("figure"),
        default=dict,
        blank=True,
        help_text=_(
            "The animated figure: view, props, start and end poses (joint angles), an "
            "optional hold pose and the highlighted muscles. Every active exercise needs one."
        ),
    )
    sources = models.ManyToManyField(
        EvidenceSource, verbose_name=_("sources"), related_name="exercises"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("exercise")
        verbose_name_plural = _("exercises")
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="exercise_level_1_5"
            ),
            models.CheckConstraint(
                condition=Q(default_sets__gte=1, default_sets__lte=10), name="exercise_sets_1_10"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def primary_muscles(self) -> list[str]:
        return [m.muscle for m in self.muscle_roles.all() if m.role == ExerciseMuscle.Role.PRIMARY]

    def to_spec(self) -> specs.ExerciseSpec:
        """The pure spec; expects `regression`, `substitute` and `sources` to be prefetched
        for bulk use."""
        return specs.ExerciseSpec(
            slug=self.slug,
            name=self.name_en or self.name,
            name_nl=self.name_nl or "",
            level=self.level,
            compression=self.compression,
            family=self.family,
            equipment=tuple(self.equipment) or ("none",),
            dosage_type=self.dosage_type,
            default_sets=self.default_sets,
            default_reps=self.default_reps,
            default_hold_seconds=self.default_hold_seconds,
            default_rest_seconds=self.default_rest_seconds,
            loadable=self.loadable,
            isometric=self.isometric,
            regression=self.regression.slug if self.regression is not None else None,
            substitute=self.substitute.slug if self.substitute is not None else None,
            not_for_conditions=tuple(self.not_for_conditions),
            source_keys=tuple(sorted(s.key for s in self.sources.all())),
            movement_pattern=self.movement_pattern or "",
        )


class ExerciseMuscle(models.Model):
    """A target muscle of an exercise, primary or secondary."""

    class Role(models.TextChoices):
        PRIMARY = "primary", _("primary")
        SECONDARY = "secondary", _("secondary")

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="muscle_roles")
    muscle = models.CharField(_("muscle"), max_length=20, choices=Muscle)
    role = models.CharField(_("role"), max_length=10, choices=Role)

    class Meta:
        ordering = ["role", "muscle"]
        verbose_name = _("target muscle")
        verbose_name_plural = _("target muscles")
        constraints = [
            models.UniqueConstraint(fields=["exercise", "muscle"], name="exercisemuscle_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_muscle_display()} ({self.get_role_display()})"


class EmgFinding(models.Model):
    """Muscle activation (%MVIC) reported for an exercise by one source."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="emg_findings")
    muscle = models.CharField(_("muscle"), max_length=20, choices=Muscle)
    mvic_min = models.FloatField(_("%MVIC (low)"), validators=[MinValueValidator(0)])
    mvic_max = models.FloatField(
        _("%MVIC (high)"),
        null=True,
        blank=True,
        help_text=_("Leave empty when the source reports a single value."),
    )
    source = models.ForeignKey(
        EvidenceSource,
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        related_name="emg_findings",
    )
    flag = models.CharField(
        _("evidence flag"), max_length=1, choices=EvidenceFlag, default=EvidenceFlag.VERIFIED
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["exercise", "muscle", "source"]
        verbose_name = _("EMG finding")
        verbose_name_plural = _("EMG findings")
        constraints = [
            models.CheckConstraint(
                condition=Q(mvic_max__isnull=True) | Q(mvic_max__gte=models.F("mvic_min")),
                name="emgfinding_range_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_muscle_display()} {self.mvic_display}"

    @property
    def mvic_display(self) -> str:
        def fmt(v: float) -> str:
            return f"{v:g}"

        if self.mvic_max is None or self.mvic_max == self.mvic_min:
            return f"{fmt(self.mvic_min)}%"
        return f"{fmt(self.mvic_min)}-{fmt(self.mvic_max)}%"


class EducationTopic(ContentModel):
    objects: ClassVar[ContentManager[EducationTopic]]  # see ContentModel.objects
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=160)
    summary = models.TextField(_("summary"))
    body = models.TextField(_("body"))
    sources = models.ManyToManyField(
        EvidenceSource, verbose_name=_("sources"), related_name="education_topics"
    )

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("education topic")
        verbose_name_plural = _("education topics")

    def __str__(self) -> str:
        return self.title
