"""Content-library helpers for tests: the real YAML library, loaded or copied and edited."""

from __future__ import annotations

import shutil
from pathlib import Path

import factory
import yaml

from programs.content.loader import content_load_directory
from programs.content.models import (
    Condition,
    EvidenceSource,
    Exercise,
    Phase,
    ProgramTemplate,
    Slot,
)
from programs.content.reading import CONTENT_DIR


def load_library():
    """Load the shipped content library into the test database."""
    return content_load_directory()


def copy_library(target: Path) -> Path:
    """A writable copy of the content folder."""
    folder = Path(target) / "content"
    shutil.copytree(CONTENT_DIR, folder)
    return folder


def read_kind(folder: Path, kind: str) -> list[dict]:
    return yaml.safe_load((folder / f"{kind}.yaml").read_text(encoding="utf-8"))[kind]


def write_kind(folder: Path, kind: str, records: list[dict]) -> None:
    (folder / f"{kind}.yaml").write_text(
        yaml.safe_dump({kind: records}, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


def edit_kind(folder: Path, kind: str, change) -> None:
    """Apply `change(records)` to one file of a copied library."""
    records = read_kind(folder, kind)
    change(records)
    write_kind(folder, kind, records)


def by_key(records: list[dict], value: str, field: str = "slug") -> dict:
    return next(r for r in records if r[field] == value)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvidenceSource
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"source{n}")
    authors = "Author A"
    year = 2020
    title = "A study"
    journal = "A journal"
    doi = factory.Sequence(lambda n: f"10.1000/{n}")
    study_type = "rct"
    finding_en = "It worked."
    finding_nl = "Het werkte."


class ExerciseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exercise
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"exercise-{n}")
    code = factory.Sequence(lambda n: f"EX-{n}")
    name_en = factory.Sequence(lambda n: f"Exercise {n}")
    name_nl = factory.Sequence(lambda n: f"Oefening {n}")
    family = "bridge"
    movement_pattern = "bridge"
    position = "supine"
    compression = "C0"
    level = 1
    equipment = factory.LazyFunction(lambda: ["mat"])
    dosage_type = "reps"
    default_sets = 3
    default_reps = 10
    setup_en = "Lie down."
    setup_nl = "Ga liggen."
    cues_en = "Lift."
    cues_nl = "Til op."
    common_errors_en = "Rushing."
    common_errors_nl = "Haasten."

    @factory.post_generation
    def sources(self, create, extracted, **kwargs):
        if create:
            self.sources.set(extracted or [SourceFactory()])


class ConditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Condition
        django_get_or_create = ("code",)

    code = "gluteal_tendinopathy"
    name_en = "Gluteal tendinopathy"
    name_nl = "Gluteustendinopathie"
    description_en = "Lateral hip pain."
    description_nl = "Pijn aan de buitenkant van de heup."


class TemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramTemplate
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"template-{n}")
    condition = factory.SubFactory(ConditionFactory)
    name_en = "Template"
    name_nl = "Sjabloon"
    description_en = "A template."
    description_nl = "Een sjabloon."

    @factory.post_generation
    def sources(self, create, extracted, **kwargs):
        if create:
            self.sources.set(extracted or [SourceFactory()])


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phase
        skip_postgeneration_save = True

    template = factory.SubFactory(TemplateFactory)
    key = factory.Sequence(lambda n: f"phase-{n}")
    order = factory.Sequence(lambda n: n + 1)
    name_en = "Phase"
    name_nl = "Fase"
    goal_en = "Get stronger."
    goal_nl = "Sterker worden."
    entry_criteria_en = "None."
    entry_criteria_nl = "Geen."
    weeks_min = 1
    weeks_max = 2
    max_compression = "C1"
    strength_days = 3
    early = True
    run_mode = "reduce"

    @factory.post_generation
    def sources(self, create, extracted, **kwargs):
        if create:
            self.sources.set(extracted or [SourceFactory()])


class SlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Slot

    phase = factory.SubFactory(PhaseFactory)
    key = factory.Sequence(lambda n: f"slot-{n}")
    exercise = factory.SubFactory(ExerciseFactory)
    sets = 3
    reps_min = 8
    reps_max = 12
