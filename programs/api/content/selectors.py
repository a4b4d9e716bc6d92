"""Reads of the content library for the API (active rows only)."""

from __future__ import annotations

from django.db.models import QuerySet

from programs.content.models import EducationTopic, Exercise


def exercises_list(
    *,
    condition: str | None = None,
    level: int | None = None,
    equipment: str | None = None,
    compression: str | None = None,
) -> QuerySet[Exercise]:
    """Active exercises; `condition` keeps those suitable for it, `equipment` those using it.

    The JSON list fields are matched in Python (the table holds tens of rows), so the
    filter works the same on SQLite and PostgreSQL.
    """
    qs = (
        Exercise.objects.active()
        .select_related("regression", "substitute")
        .prefetch_related("sources")
    )
    if level is not None:
        qs = qs.filter(level=level)
    if compression is not None:
        qs = qs.filter(compression=compression)
    if condition is not None or equipment is not None:
        rows = Exercise.objects.active().values_list("pk", "equipment", "not_for_conditions")
        keep = [
            pk
            for pk, needs, not_for in rows
            if (condition is None or condition not in (not_for or []))
            and (equipment is None or equipment in (needs or []))
        ]
        qs = qs.filter(pk__in=keep)
    return qs.order_by("code")


def education_topics_list() -> QuerySet[EducationTopic]:
    return EducationTopic.objects.active().prefetch_related("sources").order_by("order", "slug")
