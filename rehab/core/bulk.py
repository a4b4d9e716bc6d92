"""Set-based writes for batch jobs: many rows in one statement with a fixed number of
parameters.

Django's bulk_create and bulk_update send one placeholder per value (bulk_update also
one CASE branch per row), so the statement text grows with the batch and building and
parsing it dominates a batch of a few thousand rows. On PostgreSQL these helpers send
the rows as one JSON document that the server turns into a record set: the statement
and its single parameter stay the same shape whatever the batch. Other databases fall
back to Django's bulk operations.

Why this is kept rather than Django's bulk ops (issue #12: keep the simpler code unless
this is clearly faster, > 1.5x). bench/bench_progression_scale.py runs the weekly
evaluation twice on the same plans, once per path (MODE below), on PostgreSQL 2 worker
processes, 500 plans a batch, 28 queries a batch either way; 2-core machine shared with
other jobs (load average 8-12), so single passes vary:

    10,000 plans: recordset 63.6 s and 30.0 s (two passes), Django 122.7 s  -> 1.9x-4.1x
    30,000 plans: recordset 187.2 s (160 plans/s), Django 346.2 s (87 plans/s) -> 1.85x

The same round trips, so the difference is the statements themselves (bulk_update's
CASE per row and field, a placeholder per value). A 100,000-plan run took 27 minutes to
build its data on this machine and its comparison was lost to a bench error (fixed), so
30,000 stands in for it. The recordset statement also keeps one parameter whatever the
batch, where Django's grow towards PostgreSQL's 65,535-parameter limit.

Rows are plain tuples in the order of `fields`; a foreign key is given by its id under
the field's name. A JSON column's value may be anything orjson writes, dataclasses
included (the engine's values are stored as they are: orjson writes a dataclass as
programs.engine.serialize.to_json does, in C). Values must already be valid: these
helpers run no model validation and no save() hooks. Columns missing from `fields` take their model default, and
auto_now / auto_now_add timestamps the current time.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import orjson
from django.db import connection, models
from django.utils import timezone

# Which path the helpers take on PostgreSQL: "recordset" (one JSON document, below) or
# "django" (Django's bulk_create / bulk_update, the path every other database takes).
# bench/bench_progression_scale.py switches it to measure the two against each other.
MODE = "recordset"


def _recordset_path() -> bool:
    return connection.vendor == "postgresql" and MODE == "recordset"


def returns_inserted_rows() -> bool:
    """Whether insert_rows(ignore_conflicts=True, returning=...) answers the rows it
    inserted. Only the recordset path can: Django's bulk_create cannot tell the rows it
    skipped apart, so there it answers none."""
    return _recordset_path()


def _field(model, name: str) -> models.Field:
    return model._meta.get_field(name)


def _column(model, name: str) -> str:
    column = _field(model, name).column
    if column is None:  # a many-to-many or reverse relation: no column of its own
        raise ValueError(f"{model.__name__}.{name} has no column")
    return column


def _complete(model, fields: Sequence[str], rows: Sequence[tuple], *, insert: bool):
    """Add the columns the caller left out: auto_now timestamps and, for inserts,
    auto_now_add timestamps and every other field's model default."""
    now = timezone.now()
    names, extra = list(fields), []
    for f in model._meta.concrete_fields:
        if f.name in fields or (f.primary_key and not f.has_default()):
            continue
        if isinstance(f, models.DateTimeField) and (f.auto_now or (insert and f.auto_now_add)):
            extra.append(lambda: now)
        elif insert:
            extra.append(f.get_default)  # "" for text, None without a default, as Django does
        else:
            continue
        names.append(f.name)
    if not extra:
        return names, rows
    return names, [(*row, *(make() for make in extra)) for row in rows]


def _default(value):
    """What orjson does not write itself: decimals as their text (as PostgreSQL reads them
    back), sets as sorted lists (as programs.engine.serialize.to_json writes them)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not a column value")


_OPTIONS = orjson.OPT_NON_STR_KEYS


def json_bytes(value) -> bytes:
    """`value` as the JSON text this module stores (dataclasses, dates and sets included)."""
    return orjson.dumps(value, default=_default, option=_OPTIONS)


def stored_json(value):
    """A JSON column's value as the plain lists and dicts the recordset path stores: the
    Django path (bulk_create, bulk_update) is given the same, dataclasses included."""
    if value is None or type(value) in (str, int, float, bool):
        return value
    return orjson.loads(json_bytes(value))


def _plain_json_columns(model, fields: Sequence[str], rows: Sequence[tuple]) -> Sequence[tuple]:
    json_at = {i for i, f in enumerate(fields) if isinstance(_field(model, f), models.JSONField)}
    if not json_at:
        return rows
    return [tuple(stored_json(v) if i in json_at else v for i, v in enumerate(row)) for row in rows]


def _recordset(model, fields: Sequence[str], rows: Sequence[tuple]):
    """(select list, FROM clause, params) for rows sent as one JSON document.

    One text parameter whatever the number of rows. The document is written by orjson
    (dates, times, datetimes and UUIDs in ISO form, 7-8x faster than json.dumps on a
    batch's decisions) and read by the server as jsonb: jsonb_to_recordset hands the
    nested values of jsonb columns over already parsed, where json_to_recordset parses
    them a second time (the weekly evaluation's decision insert: 83 -> 64 ms a batch).
    Floats must be finite: orjson writes NaN as null.
    """
    keys = [f"c{i}" for i in range(len(fields))]
    types = []
    for name in fields:
        field = _field(model, name)
        if isinstance(field, models.JSONField) and field.encoder is not None:
            raise ValueError(f"{model.__name__}.{name}: custom JSON encoders are not supported")
        types.append(field.db_type(connection))
    document = json_bytes([dict(zip(keys, row, strict=True)) for row in rows]).decode()
    columns = ", ".join(f"{key} {kind}" for key, kind in zip(keys, types, strict=True))
    return (
        [f"v.{key}" for key in keys],
        f"jsonb_to_recordset(%s::jsonb) AS v({columns})",
        [document],
    )


def insert_rows(
    model,
    fields: Sequence[str],
    rows: Sequence[tuple],
    *,
    ignore_conflicts: bool = False,
    returning: Sequence[str] = (),
) -> list[tuple]:
    """Insert `rows` and return the `returning` columns of each inserted row.

    With ignore_conflicts, rows that would break a unique constraint are skipped (and
    not returned). The order of the returned rows is not guaranteed: return a key with
    the id to match them up.
    """
    if not rows:
        return []
    fields, rows = _complete(model, fields, rows, insert=True)
    if not _recordset_path():
        return _insert_fallback(model, fields, rows, ignore_conflicts, returning)
    quote = connection.ops.quote_name
    selects, source, params = _recordset(model, fields, rows)
    # Identifiers come from model metadata and are quoted; every value is a parameter.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608
        f"({', '.join(quote(_column(model, f)) for f in fields)}) "
        f"SELECT {', '.join(selects)} FROM {source}"
    )
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    if returning:
        sql += f" RETURNING {', '.join(quote(_column(model, f)) for f in returning)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(r) for r in cursor.fetchall()] if returning else []


def _insert_fallback(model, fields, rows, ignore_conflicts, returning) -> list[tuple]:
    rows = _plain_json_columns(model, fields, rows)
    attnames = [_field(model, f).attname for f in fields]
    objects = [model(**dict(zip(attnames, row, strict=True))) for row in rows]
    created = model.objects.bulk_create(objects, ignore_conflicts=ignore_conflicts)
    if not returning or ignore_conflicts:  # skipped rows cannot be told apart here
        return []
    wanted = [_field(model, f).attname for f in returning]
    return [tuple(getattr(obj, a) for a in wanted) for obj in created]


def update_rows(model, fields: Sequence[str], rows: Sequence[tuple], *, key: str = "pk") -> int:
    """Set `fields` on the rows whose `key` is the first value of each row.

    Each row is (key value, *values in the order of `fields`). Returns the number of
    rows updated.
    """
    if not rows:
        return 0
    key_field = model._meta.pk if key == "pk" else _field(model, key)
    fields, rows = _complete(model, fields, rows, insert=False)
    if not _recordset_path():
        return _update_fallback(model, key_field, fields, rows)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    selects, source, params = _recordset(model, [key_field.name, *fields], rows)
    assignments = ", ".join(
        f"{quote(_column(model, f))} = {selects[i + 1]}" for i, f in enumerate(fields)
    )
    sql = (
        f"UPDATE {table} SET {assignments} FROM {source} "  # noqa: S608 - as in insert_rows
        f"WHERE {table}.{quote(_column(model, key_field.name))} = {selects[0]}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _update_fallback(model, key_field, fields, rows) -> int:
    rows = _plain_json_columns(model, [key_field.name, *fields], rows)
    attnames = [_field(model, f).attname for f in fields]
    if key_field.primary_key:
        pks = {row[0]: row[0] for row in rows}
    else:
        keys = [row[0] for row in rows]
        pks = dict(
            model.objects.filter(**{f"{key_field.name}__in": keys}).values_list(
                key_field.name, "pk"
            )
        )
    objects = []
    for key_value, *values in rows:
        if key_value not in pks:
            continue
        obj = model(pk=pks[key_value])
        for attname, value in zip(attnames, values, strict=True):
            setattr(obj, attname, value)
        objects.append(obj)
    return model.objects.bulk_update(objects, fields)
