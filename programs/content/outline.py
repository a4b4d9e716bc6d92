"""A process-local memo of the content that a runner's week shows on every request: a
template's active phases (with their exit criteria), its walk-run ladder, and the
exercises its prescriptions name.

Content is not health data, changes rarely (an editor in the admin, or a content load)
and is read on every week page and every `GET /api/v1/plans/current/week/`. Each process
keeps what it read for at most MEMO_SECONDS; a write in this process (the admin, the
loader) empties the memo at once and again when its transaction commits, so an edit is
seen here straight away and by the other processes within MEMO_SECONDS.

Rows are kept as model instances: their translated fields (django-modeltranslation) pick
the active language when read, so one memo serves English and Dutch. Callers only read
them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import transaction
from django.db.models import Q

from programs.content.models import Exercise, Phase, WalkRunStage

MEMO_SECONDS = 60.0

T = TypeVar("T")

_clock = time.monotonic
_memo: dict[tuple[str, int], tuple[float, object]] = {}
_lock = threading.Lock()


def _remembered(kind: str, template_id: int, load: Callable[[], T]) -> T:
    key = (kind, template_id)
    now = _clock()
    found = _memo.get(key)
    if found is not None and now - found[0] < MEMO_SECONDS:
        return found[1]  # type: ignore[return-value]
    value = load()
    with _lock:
        _memo[key] = (now, value)
    return value


def template_phases(template_id: int) -> tuple[Phase, ...]:
    """The template's active phases in order, each with its exit criteria prefetched."""

    def load() -> tuple[Phase, ...]:
        rows = (
            Phase.objects.filter(template_id=template_id, is_active=True)
            .order_by("order")
            .prefetch_related("exit_criteria")
        )
        return tuple(rows)

    return _remembered("phases", template_id, load)


def ladder_rows(template_id: int) -> tuple[WalkRunStage, ...]:
    """read_ladder_rows, remembered."""
    return _remembered("ladder", template_id, lambda: read_ladder_rows(template_id))


def read_ladder_rows(template_id: int) -> tuple[WalkRunStage, ...]:
    """The walk-run stages a plan from this template runs on: the template's own, else
    those of the first active walk-run block (ProgramTemplate.is_block), in one query."""
    rows = list(
        WalkRunStage.objects.filter(
            Q(template_id=template_id) | Q(template__is_block=True, template__is_active=True)
        ).order_by("template_id", "number")
    )
    own = [row for row in rows if row.template_id == template_id]
    if not own and rows:
        first_block = rows[0].template_id
        own = [row for row in rows if row.template_id == first_block]
    return tuple(own)


def exercises_by_id(ids) -> dict[int, Exercise]:
    """The library's exercises with these ids (active or not: a plan keeps naming an
    exercise taken out of the library). The whole library (a few dozen rows) is
    remembered; an id it lacks (an exercise added in another process since) makes it
    read the library again."""
    wanted = set(ids)

    def load() -> dict[int, Exercise]:
        return {exercise.pk: exercise for exercise in Exercise.objects.all()}

    library = _remembered("exercises", 0, load)
    if not wanted <= library.keys():
        with _lock:
            _memo.pop(("exercises", 0), None)
        library = _remembered("exercises", 0, load)
    return {pk: library[pk] for pk in wanted if pk in library}


def content_changed(**_signal_kwargs) -> None:
    """Forget everything now, and once more when the current transaction commits (a read
    between the write and its commit would otherwise remember the old rows)."""
    memo_clear()
    transaction.on_commit(memo_clear)


def memo_clear() -> None:
    """Forget every remembered row (tests start with an empty memo)."""
    with _lock:
        _memo.clear()
