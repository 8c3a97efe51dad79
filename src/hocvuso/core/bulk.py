"""Bulk writes that stay one statement per batch at national scale.

Django's ``bulk_update`` writes ``SET f = CASE WHEN pk = … THEN … END`` for every row: the
statement grows with the batch and PostgreSQL spends more time planning it than running it
(10 s for 7,000 status rows in the dashboard benchmark). On PostgreSQL :func:`bulk_update`
sends one array per column instead and joins them with ``unnest``; on SQLite it joins a
``VALUES`` list per 500 rows; elsewhere it falls back to Django's.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from psycopg import pq
from psycopg.adapt import Dumper


def _text(field: models.Field[Any, Any], value: Any) -> str | None:
    """A value as PostgreSQL reads it back from text with a cast to the column's type."""
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return json.dumps(value, cls=field.encoder)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _fields(model: type[models.Model], names: Sequence[str]) -> list[models.Field[Any, Any]]:
    out = []
    for name in names:
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field)
        out.append(field)
    return out


def _json_default(value: Any) -> Any:
    """UUIDs, dates and times in a JSON document of rows (PostgreSQL casts them back)."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def json_rows(types: Sequence[str], names: Sequence[str]) -> str:
    """PostgreSQL: a ``SELECT`` of rows sent as one JSON document (a ``%s`` parameter holding
    ``json_document(rows)``), each column cast to its type (``jsonb`` columns taken as they
    are). psycopg builds an array parameter element by element in Python; ``json.dumps`` runs
    in C and PostgreSQL unpacks the document in one pass."""
    picks = [
        f"(e->{i}) AS {name}" if t == "jsonb" else f"(e->>{i})::{t} AS {name}"
        for i, (t, name) in enumerate(zip(types, names, strict=True))
    ]
    return f"SELECT {', '.join(picks)} FROM jsonb_array_elements(%s::jsonb) AS e"  # noqa: S608


def json_document(rows: Iterable[Sequence[Any]]) -> str:
    """The rows (tuples of plain values, UUIDs, dates and times) as the document
    :func:`json_rows` reads."""
    return json.dumps([list(r) for r in rows], default=_json_default, separators=(",", ":"))


# COPY's binary format: each value goes in its column type's own binary form, so PostgreSQL
# parses no text and psycopg formats no text (measured: 200,000 registry rows 0.32 s of Python
# instead of 0.90 s, bench/import_bench.py). The binary form depends on the exact type (an
# ``int2`` is two bytes), so the types come from the fields; a column of any other type keeps
# the text format for the whole COPY.
_BINARY_TYPES = {
    "uuid": "uuid",
    "timestamp with time zone": "timestamptz",
    "date": "date",
    "smallint": "int2",
    "integer": "int4",
    "bigint": "int8",
    "boolean": "bool",
    "jsonb": "jsonb",
    "double precision": "float8",
    "text": "text",
}


class _JsonTextBinary(Dumper):
    """A ``jsonb`` value already encoded as JSON text (callers encode with the field's encoder,
    or pass :class:`RawJson`): the binary form is a version byte and the text."""

    format = pq.Format.BINARY
    oid = 3802  # jsonb

    def dump(self, obj: Any) -> bytes:
        return b"\x01" + obj.encode()


def _copy_types(fields: Sequence[models.Field[Any, Any]]) -> list[str] | None:
    names = []
    for f in fields:
        target = f.target_field if f.is_relation else f  # type: ignore[attr-defined]
        db_type = (target.db_type(connection) or "").split("(")[0]
        if db_type == "varchar":
            db_type = "text"  # the same binary form: the UTF-8 bytes
        name = _BINARY_TYPES.get(db_type)
        if name is None:
            return None
        names.append(name)
    return names


def copy_in(
    cursor: Any,
    table: str,
    fields: Sequence[models.Field[Any, Any]],
    rows: Iterable[Sequence[Any]],
) -> int:
    """PostgreSQL: ``COPY table (fields' columns) FROM STDIN`` of ``rows`` through the raw
    psycopg ``cursor``, in the binary format when every column's type allows it. Values are
    what psycopg dumps for the column's type (a UUID, an aware datetime, a date, an int, a str;
    a JSON column's value already encoded as text). Returns the number of rows written."""
    q = connection.ops.quote_name
    columns = ", ".join(q(f.column) for f in fields)
    types = _copy_types(fields)
    count = 0
    if types is None:
        with cursor.copy(f"COPY {q(table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    cursor.adapters.register_dumper(None, _JsonTextBinary)  # this cursor only
    with cursor.copy(f"COPY {q(table)} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(types)
        write = copy.write_row
        for row in rows:
            write(row)
            count += 1
    return count


class RawJson(str):
    """A JSON column's value already encoded (by a caller that writes thousands of the same
    shape): :func:`insert_rows` stores it as it is instead of encoding it again."""

    __slots__ = ()


def bulk_update(
    model: type[models.Model], objs: Sequence[models.Model], fields: Sequence[str]
) -> None:
    if not objs:
        return
    if connection.vendor == "sqlite":
        _sqlite_update(model, objs, fields)
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(objs, list(fields), batch_size=500)
        return
    q = connection.ops.quote_name
    pk = model._meta.pk
    assert pk is not None
    columns = _fields(model, fields)
    table = q(model._meta.db_table)
    names = ["pk", *[f"c{i}" for i in range(len(columns))]]
    sets = ", ".join(
        f"{q(f.column)} = v.c{i}::{f.db_type(connection)}" for i, f in enumerate(columns)
    )
    sql = (
        f"UPDATE {table} SET {sets} "  # noqa: S608
        f"FROM unnest({', '.join(['%s::text[]'] * len(names))}) AS v({', '.join(names)}) "
        f"WHERE {table}.{q(pk.column)} = v.pk::{pk.db_type(connection)}"
    )
    arrays: list[list[str | None]] = [[str(o.pk) for o in objs]]
    for f in columns:
        arrays.append([_text(f, getattr(o, f.attname)) for o in objs])
    with connection.cursor() as cursor:
        cursor.execute(sql, arrays)


def _sqlite_update(
    model: type[models.Model], objs: Sequence[models.Model], fields: Sequence[str], chunk: int = 500
) -> None:
    """SQLite (≥ 3.33): ``UPDATE … FROM (VALUES …)`` per ``chunk`` rows, values prepared by the
    fields themselves (UUIDs as hex, JSON as text, booleans as 0/1)."""
    q = connection.ops.quote_name
    pk = model._meta.pk
    assert pk is not None
    columns = _fields(model, fields)
    table = q(model._meta.db_table)
    names = ", ".join(f"column{i + 2} AS c{i}" for i in range(len(columns)))
    sets = ", ".join(f"{q(f.column)} = v.c{i}" for i, f in enumerate(columns))
    one = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(objs), chunk):
            part = objs[start : start + chunk]
            params: list[Any] = []
            for o in part:
                params.append(pk.get_db_prep_value(o.pk, connection))
                params.extend(
                    f.get_db_prep_save(getattr(o, f.attname), connection) for f in columns
                )
            cursor.execute(
                f"UPDATE {table} SET {sets} FROM (SELECT column1 AS pk, {names} "  # noqa: S608
                f"FROM (VALUES {', '.join([one] * len(part))})) AS v "
                f"WHERE {table}.{q(pk.column)} = v.pk",
                params,
            )


def bulk_insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert ``objs`` (new rows, their keys already made — or left to the database for an
    auto-increment key) in one statement. On PostgreSQL a ``COPY … FROM STDIN`` of the rows:
    Django's ``bulk_create`` builds a placeholder per value and spent most of a field device's
    batch building and quoting them (3,000 skill events). Elsewhere, ``bulk_create`` by 500
    rows. ``auto_now`` / ``auto_now_add`` fields are filled as Django fills them; a duplicate
    key raises Django's ``IntegrityError`` as an insert would."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=500)
        return
    q = connection.ops.quote_name
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and isinstance(f, models.AutoField | models.BigAutoField))
    ]
    json_fields = [isinstance(f, models.JSONField) for f in fields]
    columns = ", ".join(q(f.column) for f in fields)
    sql = f"COPY {q(model._meta.db_table)} ({columns}) FROM STDIN"
    started = time.monotonic()

    def rows() -> Iterable[list[Any]]:
        for o in objs:
            row = []
            for f, is_json in zip(fields, json_fields, strict=True):
                value = f.pre_save(o, True)
                if is_json and value is not None:
                    value = json.dumps(value, cls=f.encoder)  # type: ignore[attr-defined]
                row.append(value)
            yield row

    with connection.cursor() as cursor, connection.wrap_database_errors:
        copy_in(cursor.cursor, model._meta.db_table, fields, rows())
    if connection.queries_logged:  # counted like any statement (query pins, debug toolbar)
        elapsed = f"{time.monotonic() - started:.3f}"
        connection.queries_log.append({"sql": f"{sql} -- {len(objs)} rows", "time": elapsed})


def insert_rows(
    model: type[models.Model], names: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert ``rows`` — plain tuples of the values of the fields ``names`` (attribute names:
    ``person_id``, not ``person``), in that order — without building a model instance per row.
    The model's other concrete fields (but an auto-increment key) take one value for the whole
    batch: ``auto_now`` / ``auto_now_add`` the time of the call, the others their default; so a
    field added to the model later is filled. Values are what the field holds in Python (a UUID,
    an aware datetime, a date, a dict for JSON): on PostgreSQL one ``COPY … FROM STDIN`` (into a
    partitioned table's parent as into a plain one), elsewhere ``executemany`` of one
    ``INSERT``, the values prepared by the fields. A duplicate key raises ``IntegrityError``.
    Counted as one statement in the query log (query pins, debug toolbar)."""
    if not rows:
        return
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    given = [by_attname[n] for n in names]
    now = dt.datetime.now(dt.UTC)
    extra: list[tuple[models.Field[Any, Any], Any]] = []
    for f in model._meta.concrete_fields:
        if f.attname in names or (f.primary_key and isinstance(f, models.AutoField)):
            continue
        if f.primary_key:  # one default for every row would give them all the same key
            raise ValueError(f"insert_rows: give {model.__name__}'s key ({f.attname})")
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now if isinstance(f, models.DateTimeField) else now.date()
        else:
            value = f.get_default()
        extra.append((f, value))
    fields = [*given, *(f for f, _v in extra)]
    tail = [v for _f, v in extra]
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    columns = ", ".join(q(f.column) for f in fields)
    started = time.monotonic()
    if connection.vendor == "postgresql":
        json_at = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
        tail = [
            json.dumps(v, cls=f.encoder) if isinstance(f, models.JSONField) else v for f, v in extra
        ]
        json_given = [i for i in json_at if i < len(given)]
        sql = f"COPY {table} ({columns}) FROM STDIN"

        def out_rows() -> Iterable[Sequence[Any]]:
            if json_given:
                for row in rows:
                    out = list(row)
                    for i in json_given:
                        if out[i] is not None and not isinstance(out[i], RawJson):
                            out[i] = json.dumps(out[i], cls=fields[i].encoder)  # type: ignore[attr-defined]
                    yield [*out, *tail]
            elif tail:
                for row in rows:
                    yield [*row, *tail]
            else:
                yield from rows

        with connection.cursor() as cursor, connection.wrap_database_errors:
            copy_in(cursor.cursor, model._meta.db_table, fields, out_rows())
        if connection.queries_logged:
            elapsed = f"{time.monotonic() - started:.3f}"
            connection.queries_log.append({"sql": f"{sql} -- {len(rows)} rows", "time": elapsed})
        return
    prep: list[Any] = [
        (lambda v, c, f=f: v if isinstance(v, RawJson) else f.get_db_prep_save(v, c))
        if isinstance(f, models.JSONField)
        else f.get_db_prep_save
        for f in given
    ]
    tail = [f.get_db_prep_save(v, connection) for f, v in extra]
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
            [[*(p(v, connection) for p, v in zip(prep, row, strict=True)), *tail] for row in rows],
        )


def update_rows(
    model: type[models.Model], names: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Like :func:`bulk_update` from plain tuples ``(pk, value of names[0], …)`` instead of
    model instances: on PostgreSQL one ``UPDATE … FROM unnest(arrays)``, on SQLite one
    ``UPDATE … FROM (VALUES …)`` per 500 rows."""
    if not rows:
        return
    q = connection.ops.quote_name
    pk = model._meta.pk
    assert pk is not None
    columns = _fields(model, names)
    table = q(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The rows as one JSON document, cast back per column (see json_rows).
            sets = ", ".join(f"{q(f.column)} = v.c{i}" for i, f in enumerate(columns))
            types = [str(pk.db_type(connection))] + [
                "jsonb" if isinstance(f, models.JSONField) else str(f.db_type(connection))
                for f in columns
            ]
            names_v = ["pk", *[f"c{i}" for i in range(len(columns))]]
            sql = (
                f"UPDATE {table} SET {sets} "  # noqa: S608
                f"FROM ({json_rows(types, names_v)}) AS v WHERE {table}.{q(pk.column)} = v.pk"
            )
            cursor.execute(sql, [json_document(rows)])
            return
        aliases = ", ".join(f"column{i + 2} AS c{i}" for i in range(len(columns)))
        sets = ", ".join(f"{q(f.column)} = v.c{i}" for i, f in enumerate(columns))
        one = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
        preps: list[Any] = [pk.get_db_prep_value, *(f.get_db_prep_save for f in columns)]
        for start in range(0, len(rows), 500):
            part = rows[start : start + 500]
            params = [p(v, connection) for r in part for p, v in zip(preps, r, strict=True)]
            cursor.execute(
                f"UPDATE {table} SET {sets} FROM (SELECT column1 AS pk, {aliases} "  # noqa: S608
                f"FROM (VALUES {', '.join([one] * len(part))})) AS v "
                f"WHERE {table}.{q(pk.column)} = v.pk",
                params,
            )
