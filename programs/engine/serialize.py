"""Engine dataclasses to JSON and back, for storing plan state and decisions.

Pure: works from the dataclasses' type hints, so a field added to specs.py is stored
without touching this module. The weekly evaluation reads and writes a plan state per
plan, so each type's converter is worked out once (from its hints) and cached; the
per-value work is then only the conversion itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Callable
from functools import cache
from typing import Any

# JSON values are untyped by nature: what goes in and comes out of json.dumps/loads.
Json = Any
Converter = Callable[[Any], Any]

_SCALARS = (str, int, float, bool, type(None))
PLAIN_TYPES = frozenset(_SCALARS)  # exact types, for fast paths (also progression.py)


def _identity(value: Any) -> Any:
    return value


# --- to JSON -----------------------------------------------------------------------------

_encoders: dict[type, Converter] = {}


def to_json(value: object) -> Json:
    """Dataclasses as dicts of their fields, dates as ISO text, sets as sorted lists,
    tuples as lists, dict keys as text; scalars as they are."""
    kind = type(value)
    if kind in PLAIN_TYPES:  # the common case first: this runs per field
        return value
    encoder = _encoders.get(kind)
    if encoder is None:
        encoder = _encoders[kind] = _encoder_for(kind)
    return encoder(value)


def _encoder_for(kind: type) -> Converter:
    if issubclass(kind, _SCALARS):  # str and int subclasses, e.g. TextChoices
        return _identity
    if dataclasses.is_dataclass(kind):
        names = tuple(f.name for f in dataclasses.fields(kind))
        return lambda value: {name: to_json(getattr(value, name)) for name in names}
    if issubclass(kind, dt.date):  # datetime is a date
        return lambda value: value.isoformat()
    if issubclass(kind, frozenset | set):
        return lambda value: sorted(to_json(v) for v in value)
    if issubclass(kind, tuple | list):
        return lambda value: [to_json(v) for v in value]
    if issubclass(kind, dict):
        return lambda value: {str(k): to_json(v) for k, v in value.items()}
    return _identity


# --- from JSON ---------------------------------------------------------------------------


def from_json(kind: Any, data: Json) -> Any:
    """Rebuild a value of type `kind` (a dataclass or a typing expression) from JSON.

    None stays None; keys a dataclass does not have are ignored and missing ones take
    the field's default; an int where a float is expected becomes a float.
    """
    return _decoder(kind)(data)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


@cache
def _decoder(kind: Any) -> Converter:
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        candidates = [a for a in args if a is not type(None)]
        return _decoder(candidates[0]) if len(candidates) == 1 else _identity
    if dataclasses.is_dataclass(kind):
        return _dataclass_decoder(kind)
    if kind is dt.date:
        return lambda data: None if data is None else dt.date.fromisoformat(data)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            if item is _identity:
                return lambda data: None if data is None else tuple(data)
            return lambda data: None if data is None else tuple(item(v) for v in data)
        items = tuple(_decoder(a) for a in args)
        return lambda data: (
            None if data is None else tuple(d(v) for d, v in zip(items, data, strict=False))
        )
    if origin is frozenset:
        item = _decoder(args[0])
        return lambda data: None if data is None else frozenset(item(v) for v in data)
    if origin is dict:
        value = _decoder(args[1])
        if value is _identity:
            return lambda data: None if data is None else dict(data)
        return lambda data: None if data is None else {k: value(v) for k, v in data.items()}
    if kind is float:
        return lambda data: float(data) if isinstance(data, int) else data
    return _identity


def _dataclass_decoder(cls: Any) -> Converter:
    """Field decoders are looked up on first use, so a dataclass may refer to itself."""
    fields: dict[str, Converter] = {}

    def decode(data: Json) -> Any:
        if data is None:
            return None
        if not fields:
            hints = _hints(cls)
            fields.update({f.name: _decoder(hints[f.name]) for f in dataclasses.fields(cls)})
        return cls(**{k: fields[k](v) for k, v in data.items() if k in fields})

    return decode
