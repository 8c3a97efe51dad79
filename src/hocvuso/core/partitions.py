"""Monthly range partitions of the append-only tables on PostgreSQL (SQLite keeps plain tables).

The tables that grow without bound and that nothing needs to find by an id alone — the audit
log, learning events, home visits — are partitioned by **month of a time that never changes once
written** (:data:`PARTITIONED`): the audit row's time, or the client-made UUID v7 ``id`` of a
learning event or a visit, whose leading bits are the time it was made (so the primary key, the
idempotent insert on it and the foreign keys pointing at it all stay). Skill events are not
partitioned: docs/architecture.md ("Partitions") says why and what it would take. Each table
has one partition per month (``<table>_pYYYYMM``) and a default partition that catches a row of a
month not made yet (so an insert never fails, even if the scheduler stopped for months).

- :func:`partition` turns a plain table into a partitioned one (a migration, PostgreSQL only):
  a new parent with the same columns, partitioned by ``RANGE (column)``, the primary key
  ``id`` — or ``(id, column)`` for a time column: PostgreSQL requires a partitioned table's
  unique keys to include its partition key —, the table's other indexes and its foreign keys
  under their names, the rows copied, the old table dropped. Foreign keys pointing at the table
  are made again when ``id`` is the partition key (the audit log, keyed by time, has none).
- :func:`extend` (daily, by the scheduler's ``partitions`` job) makes the partitions of this
  month and the next :data:`AHEAD` months, moving into a new partition any rows the default
  partition caught for it.
- :func:`archive` / :func:`restore`: an old month detached, dumped with ``pg_dump`` (custom
  format) and dropped; a dump restored and attached again.

Inserts (``bulk_insert``'s COPY included) go to the parent, which routes each row.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

AHEAD = 3  # months made ahead of time


@dataclass(frozen=True)
class Partitioned:
    table: str
    # The partition key: a time that never changes once written, or ``id`` — a UUID v7 made by
    # the client when the record was made, whose first 48 bits are that time in milliseconds.
    column: str


PARTITIONED: tuple[Partitioned, ...] = (
    Partitioned("core_auditlog", "at"),
    Partitioned("learning_learningevent", "id"),
    Partitioned("teams_visit", "id"),
)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def partition_name(table: str, month: dt.date) -> str:
    return f"{table}_p{month:%Y%m}"


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def uuid7_floor(moment: dt.datetime) -> uuid.UUID:
    """The smallest UUID v7 made at or after ``moment`` (its 48-bit millisecond time, the rest
    zero): ids sort by the time they were made, so a month of them is a range."""
    ms = int(moment.timestamp() * 1000)
    return uuid.UUID(int=(ms & 0xFFFF_FFFF_FFFF) << 80)


def _bounds(month: dt.date, column: str = "") -> tuple[str, str]:
    """The month's bounds in the platform's time zone (Vietnam's months, as every figure
    counts them): timestamps with their offset, or for ``id`` the UUID v7 bounds."""
    tz = timezone.get_default_timezone()
    lo = dt.datetime.combine(month, dt.time(), tz)
    hi = dt.datetime.combine(next_month(month), dt.time(), tz)
    if column == "id":
        return str(uuid7_floor(lo)), str(uuid7_floor(hi))
    return lo.isoformat(), hi.isoformat()


def column_of(table: str) -> str:
    column = next((p.column for p in PARTITIONED if p.table == table), None)
    if column is None:
        raise LookupError(f"{table} is not one of the partitioned tables")
    return column


def is_partitioned(table: str) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = %s AND n.nspname = current_schema()",
            [table],
        )
        row = cursor.fetchone()
    return bool(row and row[0] == "p")


def partitions_of(table: str) -> list[str]:
    """The partitions attached to ``table``, by name (the default one included)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s ORDER BY 1",
            [table],
        )
        return [r[0] for r in cursor.fetchall()]


def partition(schema_editor: Any, table: str, column: str) -> None:
    """Turn the plain ``table`` into one partitioned by month of ``column`` (PostgreSQL; a
    no-op elsewhere or when already done). For a migration's ``RunPython``."""
    if schema_editor.connection.vendor != "postgresql" or is_partitioned(table):
        return
    old = f"{table}_plain"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid), x.indisunique, x.indisprimary "
            "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "JOIN pg_class t ON t.oid = x.indrelid WHERE t.relname = %s",
            [table],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT c.conname, pg_get_constraintdef(c.oid), c.confrelid = c.conrelid "
            "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
            "WHERE t.relname = %s AND c.contype = 'f'",
            [table],
        )
        outward = cursor.fetchall()
        cursor.execute(
            "SELECT c.conname, c.conrelid::regclass::text, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c JOIN pg_class t ON t.oid = c.confrelid "
            "WHERE t.relname = %s AND c.contype = 'f' AND c.conrelid <> c.confrelid",
            [table],
        )
        inward = cursor.fetchall()
        cursor.execute(
            "SELECT pg_get_triggerdef(g.oid) FROM pg_trigger g "
            "JOIN pg_class t ON t.oid = g.tgrelid WHERE t.relname = %s AND NOT g.tgisinternal",
            [table],
        )
        triggers = [r[0] for r in cursor.fetchall()]  # the audit log's append-only trigger
        cursor.execute(f"ALTER TABLE {_q(table)} RENAME TO {_q(old)}")
        for name, _definition, _unique, _primary in indexes:
            cursor.execute(f"ALTER INDEX {_q(name)} RENAME TO {_q(name + '_plain')}")
        cursor.execute(
            f"CREATE TABLE {_q(table)} (LIKE {_q(old)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
            f"INCLUDING IDENTITY) PARTITION BY RANGE ({_q(column)})"
        )
        key = "id" if column == "id" else f"id, {_q(column)}"
        cursor.execute(
            f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(table + '_pkey')} PRIMARY KEY ({key})"
        )
        for name, definition, _unique, primary in indexes:
            if primary:
                continue
            # Unique ones become plain indexes (a partitioned table's unique keys must hold the
            # partition key); the services keep those rules (docs/architecture.md).
            body = definition.split(" USING ", 1)[1]
            cursor.execute(f"CREATE INDEX {_q(name)} ON {_q(table)} USING {body}")
        for name, definition, to_itself in outward:
            if to_itself:
                continue  # a key to the table itself cannot reference a partitioned table's id
            cursor.execute(f"ALTER TABLE {_q(old)} DROP CONSTRAINT {_q(name)}")
            cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {definition}")
        cursor.execute(f"CREATE TABLE {_q(table + '_default')} PARTITION OF {_q(table)} DEFAULT")
    today = timezone.localdate()
    # The months of the last year made at once (older rows, if any, land in the default
    # partition, and ``extend(start=…)`` can make their months later).
    start = month_start(today)
    for _ in range(12):
        start = month_start(start - dt.timedelta(days=1))
    extend(table, start=start, today=today)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_q(table)} OVERRIDING SYSTEM VALUE SELECT * FROM {_q(old)}"  # noqa: S608
        )
        # An identity key (the audit log's) goes on from the last id copied.
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        if sequence:
            cursor.execute(
                f"SELECT setval(%s, COALESCE((SELECT max(id) FROM {_q(table)}), 0) + 1, false)",  # noqa: S608
                [sequence],
            )
        # CASCADE drops the foreign keys pointing at the old table; with ``id`` as the
        # partition key they point at the new one again (its primary key is still ``id``).
        cursor.execute(f"DROP TABLE {_q(old)} CASCADE")
        if column == "id":
            for name, referencing, definition in inward:
                cursor.execute(f"ALTER TABLE {referencing} ADD CONSTRAINT {_q(name)} {definition}")
        for definition in triggers:  # on the parent, so on every partition
            cursor.execute(definition)


def unpartition(schema_editor: Any, table: str) -> None:
    """The reverse of :func:`partition` for a migration: a plain table again, with its rows
    (the foreign keys pointing at it come back with the migrations that made them only if
    migrated from scratch)."""
    if schema_editor.connection.vendor != "postgresql" or not is_partitioned(table):
        return
    old = f"{table}_parted"
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {_q(table)} RENAME TO {_q(old)}")
        cursor.execute(
            f"CREATE TABLE {_q(table)} (LIKE {_q(old)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        )
        cursor.execute(f"INSERT INTO {_q(table)} SELECT * FROM {_q(old)}")  # noqa: S608
        cursor.execute(f"DROP TABLE {_q(old)} CASCADE")
        cursor.execute(f"ALTER TABLE {_q(table)} ADD PRIMARY KEY (id)")


def extend(
    table: str, *, start: dt.date | None = None, today: dt.date | None = None, ahead: int = AHEAD
) -> list[str]:
    """Make the monthly partitions of ``table`` from ``start`` (default: this month) to
    ``ahead`` months after this one; rows the default partition caught for a month made now
    are moved into it. Returns the partitions made. A no-op on a table not partitioned."""
    if not is_partitioned(table):
        return []
    today = today or timezone.localdate()
    month = month_start(start or today)
    last = month_start(today)
    for _ in range(ahead):
        last = next_month(last)
    present = set(partitions_of(table))
    column = column_of(table)
    made = []
    while month <= last:
        name = partition_name(table, month)
        if name not in present:
            lo, hi = _bounds(month, column)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"CREATE TABLE {_q(name)} (LIKE {_q(table)} INCLUDING DEFAULTS "
                    f"INCLUDING CONSTRAINTS)"
                )
                # What the default partition caught for this month moves in, then the
                # partition is attached (PostgreSQL refuses it while the default holds such rows).
                # The move is not a deletion: the append-only trigger is held for it.
                default = _q(table + "_default")
                where = f"{_q(column)} >= %s AND {_q(column)} < %s"
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {default} WHERE {where})", [lo, hi])  # noqa: S608
                if cursor.fetchone()[0]:
                    # Deferred checks of this transaction's earlier writes run now (a table
                    # with pending trigger events cannot be altered).
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    cursor.execute(f"ALTER TABLE {default} DISABLE TRIGGER USER")
                    cursor.execute(
                        f"WITH moved AS (DELETE FROM {default} WHERE {where} RETURNING *) "  # noqa: S608
                        f"INSERT INTO {_q(name)} SELECT * FROM moved",
                        [lo, hi],
                    )
                    cursor.execute(f"ALTER TABLE {default} ENABLE TRIGGER USER")
                cursor.execute(
                    f"ALTER TABLE {_q(table)} ATTACH PARTITION {_q(name)} "
                    f"FOR VALUES FROM (%s) TO (%s)",
                    [lo, hi],
                )
            made.append(name)
        month = next_month(month)
    return made


def extend_all(today: dt.date | None = None) -> dict[str, list[str]]:
    """:func:`extend` for every partitioned table (the scheduler's daily ``partitions`` job)."""
    return {p.table: extend(p.table, today=today) for p in PARTITIONED if is_partitioned(p.table)}


def _dump_args() -> tuple[list[str], dict[str, str], str]:
    from hocvuso.core.backup import _pg_args

    args, env = _pg_args(connection.settings_dict)
    return args, env, str(connection.settings_dict["NAME"])


def archive(table: str, month: dt.date, path: Path) -> int:
    """Detach the partition of ``month`` from ``table``, dump it to ``path`` (``pg_dump``,
    custom format) and drop it. Returns the rows archived. The dump is checked (it lists the
    table) before the partition is dropped."""
    from hocvuso.core.backup import BackupError, _program

    name = partition_name(table, month_start(month))
    if name not in partitions_of(table):
        raise LookupError(f"no partition {name}")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {_q(name)}")  # noqa: S608
        rows = int(cursor.fetchone()[0])
        cursor.execute(f"ALTER TABLE {_q(table)} DETACH PARTITION {_q(name)}")
    args, env, db = _dump_args()
    path.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(  # noqa: S603
        [_program("pg_dump"), *args, "--format=custom", "--no-owner", "--table", name,
         "--file", str(path), db],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    listed = subprocess.run(  # noqa: S603
        [_program("pg_restore"), "--list", str(path)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0 or name not in listed.stdout:
        with connection.cursor() as cursor:  # put it back: nothing is lost
            lo, hi = _bounds(month_start(month), column_of(table))
            cursor.execute(
                f"ALTER TABLE {_q(table)} ATTACH PARTITION {_q(name)} FOR VALUES FROM (%s) TO (%s)",
                [lo, hi],
            )
        raise BackupError(done.stderr.strip() or "the dump does not hold the partition")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {_q(name)}")
    return rows


def restore(table: str, month: dt.date, path: Path) -> int:
    """Restore an archived month (:func:`archive`) and attach it again. Returns its rows."""
    from hocvuso.core.backup import BackupError, _program

    name = partition_name(table, month_start(month))
    args, env, db = _dump_args()
    done = subprocess.run(  # noqa: S603
        [_program("pg_restore"), *args, "--no-owner", "--dbname", db, str(path)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise BackupError(done.stderr.strip() or "pg_restore failed")
    lo, hi = _bounds(month_start(month), column_of(table))
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER TABLE {_q(table)} ATTACH PARTITION {_q(name)} FOR VALUES FROM (%s) TO (%s)",
            [lo, hi],
        )
        cursor.execute(f"SELECT count(*) FROM {_q(name)}")  # noqa: S608
        return int(cursor.fetchone()[0])
