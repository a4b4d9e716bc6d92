"""The plan on paper: every week with its sessions and doses, and each exercise once with
its cues and the physiotherapist's notes. Read for the printable page and the PDF, which
the physiotherapist's runner page and the runner's settings page both offer.

Render it inside translation.override(runner.language): exercise names and cues are
translated fields, read in the active language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch

from programs.plans.models import Plan, PlanSession, Prescription


@dataclass
class PrintDose:
    exercise: str
    slug: str
    sets: int
    reps: int | None
    hold_seconds: int | None
    load_kg: float | None
    rest_seconds: int
    notes: str


@dataclass
class PrintSessionKind:
    kind: str
    label: str
    dates: list[dt.date] = field(default_factory=list)
    doses: list[PrintDose] = field(default_factory=list)


@dataclass
class PrintWeek:
    number: int
    starts_on: dt.date
    ends_on: dt.date
    deload: bool
    provisional: bool
    kinds: list[PrintSessionKind]


@dataclass
class PrintExercise:
    slug: str
    name: str
    setup: str
    cues: list[str]
    notes: list[str]


@dataclass
class PlanPrint:
    plan: Plan
    weeks: list[PrintWeek]
    exercises: list[PrintExercise]
    plan_note: str


def plan_print(*, plan: Plan) -> PlanPrint:
    """Three queries: weeks, sessions, prescriptions with their exercises."""
    sessions = (
        PlanSession.objects.filter(plan=plan)
        .order_by("date", "kind")
        .prefetch_related(
            Prefetch(
                "prescriptions",
                queryset=Prescription.objects.select_related("exercise").order_by("order"),
            )
        )
    )
    by_week: dict[int, list[PlanSession]] = {}
    for session in sessions:
        by_week.setdefault(session.week_id, []).append(session)
    weeks: list[PrintWeek] = []
    exercises: dict[str, PrintExercise] = {}
    for week in plan.weeks.order_by("number"):
        kinds: dict[str, PrintSessionKind] = {}
        for session in by_week.get(week.pk, []):
            entry = kinds.get(session.kind)
            if entry is None:
                entry = kinds[session.kind] = PrintSessionKind(
                    kind=session.kind, label=session.get_kind_display()
                )
                for rx in session.prescriptions.all():
                    entry.doses.append(
                        PrintDose(
                            exercise=rx.exercise.name,
                            slug=rx.exercise.slug,
                            sets=rx.sets,
                            reps=rx.reps,
                            hold_seconds=rx.hold_seconds,
                            load_kg=float(rx.load_kg) if rx.load_kg is not None else None,
                            rest_seconds=rx.rest_seconds,
                            notes=rx.notes,
                        )
                    )
            entry.dates.append(session.date)
            for rx in session.prescriptions.all():
                item = exercises.get(rx.exercise.slug)
                if item is None:
                    item = exercises[rx.exercise.slug] = PrintExercise(
                        slug=rx.exercise.slug,
                        name=rx.exercise.name,
                        setup=rx.exercise.setup,
                        cues=[c.strip() for c in rx.exercise.cues.splitlines() if c.strip()],
                        notes=[],
                    )
                if rx.notes and rx.notes not in item.notes:
                    item.notes.append(rx.notes)
        weeks.append(
            PrintWeek(
                number=week.number,
                starts_on=week.starts_on,
                ends_on=week.starts_on + dt.timedelta(days=6),
                deload=week.deload,
                provisional=week.provisional,
                kinds=list(kinds.values()),
            )
        )
    return PlanPrint(
        plan=plan,
        weeks=weeks,
        exercises=list(exercises.values()),
        # A plan-wide note from the physiotherapist, where the plan model carries one.
        plan_note=getattr(plan, "note", "") or "",
    )
