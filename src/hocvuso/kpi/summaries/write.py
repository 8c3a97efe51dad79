"""Writing the summary tables: upserts of deltas (one statement per table per batch), the
commune recount that replaces a commune's rows, and the network recount."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from django.db import connection, transaction
from django.utils import timezone

from hocvuso.core.bulk import json_document, json_rows
from hocvuso.core.dates import month_of
from hocvuso.geo.models import Commune
from hocvuso.kpi.measures import (
    AGE_COLUMNS,
    COMMUNE_COLUMNS,
    HOUSEHOLD_COLUMNS,
    NETWORK_COLUMNS,
    PERSON_COLUMNS,
    PLAIN_PERSON_COLUMNS,
    age_counts,
)
from hocvuso.kpi.models import CohortSummary, CommuneSummary, MonthSummary, VillageSummary
from hocvuso.kpi.summaries import locks
from hocvuso.kpi.summaries.recount import (
    BATCH_COMMUNES,
    CohortKey,
    Recount,
    VillageKey,
    recount,
    recount_network,
)

CHUNK = 500


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _table(model: Any) -> str:
    return str(model._meta.db_table)


def _upsert_add(model: Any, keys: Sequence[str], columns: Sequence[str], rows: list[tuple]) -> None:
    """INSERT … ON CONFLICT (keys) DO UPDATE SET c = c + excluded.c: on PostgreSQL one
    statement of unnested arrays, on SQLite (≥ 3.24) one per ``CHUNK`` rows."""
    if not rows:
        return
    table = connection.ops.quote_name(_table(model))
    names = [*keys, *columns]
    q = connection.ops.quote_name
    sets = ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in columns)
    conflict = f"ON CONFLICT ({', '.join(q(k) for k in keys)}) DO UPDATE SET {sets}"
    if connection.vendor == "postgresql":
        # One statement whatever the batch: the rows as one JSON document (core.bulk.json_rows:
        # psycopg would build typed arrays element by element in Python).
        select = json_rows(_pg_types(model, names), [q(n) for n in names])
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(q(n) for n in names)}) {select} {conflict}",
                [json_document(rows)],
            )
        return
    one = "(" + ", ".join(["%s"] * len(names)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            sql = (
                f"INSERT INTO {table} ({', '.join(q(n) for n in names)}) "  # noqa: S608
                f"VALUES {', '.join([one] * len(chunk))} {conflict}"
            )
            cursor.execute(sql, [v for row in chunk for v in row])


def _pg_types(model: Any, names: Sequence[str]) -> list[str]:
    """The PostgreSQL column types of ``names`` (``commune_id`` → the commune key's type)."""
    out = []
    for name in names:
        f = model._meta.get_field(
            name[:-3] if name.endswith("_id") and name != "village_id" else name
        )
        out.append(str(f.db_type(connection)))
    return out


def _village_param(v: UUID) -> Any:
    """UUIDs as the backend stores them (char(32) hex on SQLite, uuid on PostgreSQL)."""
    return v if connection.vendor == "postgresql" else v.hex


def snapshot_months(communes: Sequence[str] | None, day: dt.date) -> None:
    """Copy the commune rows into their month row (one statement per chunk of communes)."""
    q = connection.ops.quote_name
    cols = ", ".join(q(c) for c in COMMUNE_COLUMNS)
    sets = ", ".join(f"{q(c)} = excluded.{q(c)}" for c in COMMUNE_COLUMNS)
    base = (
        f"INSERT INTO {q(_table(MonthSummary))} (commune_id, province_id, month, {cols}) "  # noqa: S608
        f"SELECT commune_id, province_id, %s, {cols} FROM {q(_table(CommuneSummary))} "
    )
    tail = f" ON CONFLICT (commune_id, month) DO UPDATE SET {sets}"
    with connection.cursor() as cursor:
        if communes is None:
            cursor.execute(base + "WHERE 1 = 1" + tail, [month_of(day)])
            return
        if connection.vendor == "postgresql":
            cursor.execute(
                base + "WHERE commune_id = ANY(%s)" + tail, [month_of(day), list(communes)]
            )
            return
        for start in range(0, len(communes), CHUNK):
            chunk = list(communes[start : start + CHUNK])
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(base + f"WHERE commune_id IN ({marks})" + tail, [month_of(day), *chunk])


def _write(communes: Sequence[str], counted: Recount, year: int) -> None:
    CohortSummary.objects.filter(commune_id__in=communes).delete()
    VillageSummary.objects.filter(commune_id__in=communes).delete()
    CohortSummary.objects.bulk_create(
        [
            CohortSummary(
                commune_id=c,
                village_id=v,
                birth_year=by,
                **dict(zip(PERSON_COLUMNS, n, strict=True)),
            )
            for (c, v, by), n in counted.cohorts.items()
        ],
        batch_size=CHUNK,
    )
    VillageSummary.objects.bulk_create(
        [
            VillageSummary(
                commune_id=c, village_id=v, **dict(zip(HOUSEHOLD_COLUMNS, n, strict=True))
            )
            for (c, v), n in counted.villages.items()
        ],
        batch_size=CHUNK,
    )
    provinces = dict(Commune.objects.filter(code__in=communes).values_list("code", "province_id"))
    rows = counted.commune_rows(communes, year)
    CommuneSummary.objects.bulk_create(
        [
            CommuneSummary(
                commune_id=c,
                province_id=provinces[c],
                year=year,
                **dict(zip(COMMUNE_COLUMNS, n, strict=True)),
            )
            for c, n in rows.items()
        ],
        update_conflicts=True,
        unique_fields=["commune"],
        update_fields=["province", "year", *COMMUNE_COLUMNS, "updated_at"],
        batch_size=CHUNK,
    )


def refresh(communes: Iterable[str], *, today: dt.date | None = None, locked: bool = False) -> None:
    """Recount ``communes`` from the raw records and replace their summary rows. A live
    writer's (:mod:`.locks`): ``locked``, its caller already holds the shared lock."""
    day = _today(today)
    codes = sorted(set(communes))
    for start in range(0, len(codes), BATCH_COMMUNES):
        batch = codes[start : start + BATCH_COMMUNES]
        with transaction.atomic():
            if not locked:
                locks.hold_shared()
            _write(batch, recount(batch), day.year)
            snapshot_months(batch, day)


def touch_network(*communes: str | None) -> None:
    """A service changed mentors, desks or classes of these communes: recount those columns."""
    codes = sorted({c for c in communes if c})
    if not codes:
        return
    with transaction.atomic(savepoint=False):  # the lock lasts until the commit
        if len(locks.stored_years(codes)) < len(codes):
            refresh(codes, locked=True)
            return
        counts = recount_network(codes)
        rows = [
            CommuneSummary(commune_id=c, **dict(zip(NETWORK_COLUMNS, n, strict=True)))
            for c, n in counts.items()
        ]
        with transaction.atomic():
            CommuneSummary.objects.bulk_update(rows, list(NETWORK_COLUMNS))
            snapshot_months(codes, timezone.localdate())


def apply_deltas(
    cohort: dict[CohortKey, list[int]], villages: dict[VillageKey, list[int]], day: dt.date
) -> None:
    """Add cohort and village deltas to their tables, to the commune rows (age-based columns
    for the rows' year) and to this month's rows; in one transaction (the caller's, if any),
    which holds the live writers' lock (:mod:`.locks`) to its end."""
    with transaction.atomic(savepoint=False):
        _apply_deltas(cohort, villages, day)


def _apply_deltas(
    cohort: dict[CohortKey, list[int]], villages: dict[VillageKey, list[int]], day: dt.date
) -> None:
    cohort = {k: d for k, d in cohort.items() if any(d)}
    villages = {k: d for k, d in villages.items() if any(d)}
    communes = sorted({k[0] for k in cohort} | {k[0] for k in villages})
    if not communes:
        return
    stored = locks.stored_years(communes)  # and the live writers' lock (.locks)
    present = [c for c in communes if stored.get(c) == day.year]
    missing = [c for c in communes if stored.get(c) != day.year]
    commune_delta: dict[str, list[int]] = defaultdict(lambda: [0] * len(COMMUNE_COLUMNS))
    plain = [(COMMUNE_COLUMNS.index(c), PERSON_COLUMNS.index(c)) for c in PLAIN_PERSON_COLUMNS]
    ages = [COMMUNE_COLUMNS.index(c) for c in AGE_COLUMNS]
    houses = [COMMUNE_COLUMNS.index(c) for c in HOUSEHOLD_COLUMNS]
    for (commune, _v, by), d in cohort.items():
        row = commune_delta[commune]
        for i, j in plain:
            row[i] += d[j]
        for i, v in zip(ages, age_counts(by, d, day.year), strict=True):
            row[i] += v
    for (commune, _v), d in villages.items():
        row = commune_delta[commune]
        for i, v in zip(houses, d, strict=True):
            row[i] += v
    _upsert_add(
        CohortSummary,
        ["commune_id", "village_id", "birth_year"],
        PERSON_COLUMNS,
        # In key order: neighbouring index entries, fewer pages touched.
        [(c, _village_param(v), by, *d) for (c, v, by), d in sorted(cohort.items())],
    )
    _upsert_add(
        VillageSummary,
        ["commune_id", "village_id"],
        HOUSEHOLD_COLUMNS,
        [(c, _village_param(v), *d) for (c, v), d in villages.items()],
    )
    _drop_empty(
        [k for k, d in cohort.items() if d[0] < 0], [k for k, d in villages.items() if d[0] < 0]
    )
    if present:
        _update_add(present, [commune_delta[c] for c in present])
        snapshot_months(present, day)
    if missing:
        # Never counted (or counted for another year): recount them whole, deltas included.
        refresh(missing, today=day, locked=True)


def _drop_empty(cohorts: Iterable[CohortKey], villages: Iterable[VillageKey]) -> None:
    """Rows left with nothing (everyone moved out of a cohort) go, as a recount has none; only
    the rows a delta lowered are looked at."""
    for commune, village, by in cohorts:
        CohortSummary.objects.filter(
            commune_id=commune, village_id=village, birth_year=by, persons=0
        ).delete()
    for commune, village in villages:
        VillageSummary.objects.filter(commune_id=commune, village_id=village, households=0).delete()


def _update_add(communes: Sequence[str], rows: Sequence[Sequence[int]]) -> None:
    """Add ``rows`` to the commune rows: on PostgreSQL one UPDATE … FROM unnest(arrays); on
    SQLite one UPDATE … FROM (VALUES …) per chunk."""
    q = connection.ops.quote_name
    table = q(_table(CommuneSummary))
    cols = ["commune_id", *COMMUNE_COLUMNS]
    sets = ", ".join(f"{q(c)} = {table}.{q(c)} + v.{q(c)}" for c in COMMUNE_COLUMNS)
    if connection.vendor == "postgresql":
        select = json_rows(["varchar"] + ["integer"] * len(COMMUNE_COLUMNS), [q(c) for c in cols])
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {sets}, updated_at = %s "  # noqa: S608
                f"FROM ({select}) AS v WHERE {table}.commune_id = v.commune_id",
                [
                    timezone.now(),
                    json_document((c, *r) for c, r in zip(communes, rows, strict=True)),
                ],
            )
        return
    with connection.cursor() as cursor:
        for start in range(0, len(communes), CHUNK):
            part = list(
                zip(communes[start : start + CHUNK], rows[start : start + CHUNK], strict=True)
            )
            one = "(" + ", ".join(["%s"] * len(cols)) + ")"
            inner = ", ".join([one] * len(part))
            names = ", ".join(f"column{i + 1} AS {q(c)}" for i, c in enumerate(cols))
            values = f"(SELECT {names} FROM (VALUES {inner})) AS v"  # noqa: S608
            sql = (
                f"UPDATE {table} SET {sets}, updated_at = %s FROM {values} "  # noqa: S608
                f"WHERE {table}.commune_id = v.commune_id"
            )
            params: list[Any] = [timezone.now()]
            for commune, row in part:
                params.extend([commune, *row])
            cursor.execute(sql, params)
