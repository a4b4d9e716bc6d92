"""Hot reads whose SQL is compiled once per process.

Building and compiling a queryset costs Django about a millisecond when it carries
subqueries and joins, several times what PostgreSQL needs to plan and run it. A read that
every request of a hot endpoint makes (the runner's week, `GET /api/v1/plans/current/week/`)
can keep its SQL: `CompiledValues(build)` calls `build` once per process with stand-in
values, compiles the values() queryset it returns, finds where each stand-in
landed among the statement's parameters, and from then on sends the same statement with
the caller's values in those places. Rows come back through the compiler's own converters,
as dicts keyed like values() keys them, so what the caller gets is what the queryset
would have given.

The queryset stays the one definition: `build` is ordinary ORM code. Its arguments must be
ints, dates or strings that it only passes into lookups (not into Python-side logic, and
not as the length of an IN list), because the statement is compiled for their stand-ins.
A stand-in that does not show up exactly as a parameter is a programming error, raised
at the first call.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import QuerySet

_INT_BASE = -7_340_000_000  # far from any id or count a lookup meets
_DATE_BASE = dt.date(1, 1, 1)


def _stand_in(value: Any, index: int) -> Any:
    if isinstance(value, bool):
        raise TypeError("a boolean has no distinct stand-in; make it part of the query")
    if isinstance(value, int):
        return _INT_BASE - index
    if isinstance(value, dt.datetime):
        raise TypeError("datetimes are not supported; pass a date")
    if isinstance(value, dt.date):
        return _DATE_BASE + dt.timedelta(days=index)
    if isinstance(value, str):
        return f"\x1fcompiled-stand-in-{index}"
    raise TypeError(f"{type(value).__name__} is not supported")


@dataclass(frozen=True)
class _Statement:
    sql: str
    # Per parameter: the argument's name and whether the database wants it as text
    # (SQLite's dates), or None and the constant the query itself holds.
    slots: tuple[tuple[str | None, bool, Any], ...]
    compiler: Any  # the SQLCompiler that compiled it: its converters read the rows
    names: tuple[str, ...]


class CompiledValues:
    """`build(**values)` -> a values() queryset; calling this runs it for `values`."""

    def __init__(self, build: Callable[..., QuerySet]):
        self._build = build
        self._statement: _Statement | None = None
        self._lock = threading.Lock()

    def __call__(self, **values: Any) -> list[dict[str, Any]]:
        statement = self._statement or self._first(values)
        params = [
            constant if name is None else (str(values[name]) if as_text else values[name])
            for name, as_text, constant in statement.slots
        ]
        with connections[statement.compiler.using].cursor() as cursor:
            cursor.execute(statement.sql, params)
            rows = cursor.fetchall()
        names = statement.names
        return [
            dict(zip(names, row, strict=True)) for row in statement.compiler.results_iter([rows])
        ]

    def _first(self, values: dict[str, Any]) -> _Statement:
        # The project has one database and no router: the statement is compiled for the
        # alias the first queryset names (the test database's, in a test run).
        with self._lock:
            if self._statement is None:
                stand_ins = {
                    name: _stand_in(value, index)
                    for index, (name, value) in enumerate(sorted(values.items()))
                }
                self._statement = _compile(self._build(**stand_ins), stand_ins)
            return self._statement


def _compile(queryset: QuerySet, stand_ins: dict[str, Any]) -> _Statement:
    query = queryset.query
    compiler = query.get_compiler(queryset.db)
    sql, params = compiler.as_sql()
    by_value = {value: name for name, value in stand_ins.items()}
    by_text = {str(value): name for name, value in stand_ins.items() if isinstance(value, dt.date)}
    slots: list[tuple[str | None, bool, Any]] = []
    found = set()
    for param in params:
        name = by_value.get(param) if not isinstance(param, bool) else None
        if name is not None and type(param) is type(stand_ins[name]):
            slots.append((name, False, None))
        elif isinstance(param, str) and param in by_text:
            name = by_text[param]
            slots.append((name, True, None))
        else:
            slots.append((None, False, param))
            continue
        found.add(name)
    missing = set(stand_ins) - found
    if missing:
        raise ValueError(f"these arguments are not parameters of the query: {sorted(missing)}")
    if query.selected:
        names = tuple(query.selected)
    else:
        names = (*query.extra_select, *query.values_select, *query.annotation_select)
    return _Statement(sql, tuple(slots), compiler, names)
