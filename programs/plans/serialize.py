"""Engine dataclasses to JSON and back, for storing plan state and decisions.

Pure: works from the dataclasses' type hints, so a field added to specs.py is stored
without touching this module.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from functools import cache

_SCALARS = (str, int, float, bool, type(None))


@cache
def _field_names(cls) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def to_json(value):
    if isinstance(value, _SCALARS):  # the common case first: this runs per field
        return value
    names = _field_names(type(value)) if dataclasses.is_dataclass(value) else None
    if names is not None and not isinstance(value, type):
        return {name: to_json(getattr(value, name)) for name in names}
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(to_json(v) for v in value)
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return value


@cache
def _hints(cls) -> dict:
    return typing.get_type_hints(cls)


def from_json(kind, data):
    """Rebuild a value of type `kind` (a dataclass or a typing expression) from JSON."""
    if data is None:
        return None
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        candidates = [a for a in args if a is not type(None)]
        return from_json(candidates[0], data) if len(candidates) == 1 else data
    if dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        names = {f.name for f in dataclasses.fields(kind)}
        return kind(**{k: from_json(hints[k], v) for k, v in data.items() if k in names})
    if kind is dt.date:
        return dt.date.fromisoformat(data)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_json(args[0], v) for v in data)
        return tuple(from_json(a, v) for a, v in zip(args, data, strict=False))
    if origin is frozenset:
        return frozenset(from_json(args[0], v) for v in data)
    if origin is dict:
        return {k: from_json(args[1], v) for k, v in data.items()}
    if kind is float and isinstance(data, int):
        return float(data)
    return data
