"""Rebuilding every commune's rows, and checking the stored rows against a recount."""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import connection, transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone

from hocvuso.core.dates import month_of
from hocvuso.geo.models import Commune
from hocvuso.kpi.measures import (
    COMMUNE_COLUMNS,
    HOUSEHOLD_COLUMNS,
    PERSON_COLUMNS,
    commune_counts,
)
from hocvuso.kpi.models import (
    CohortSummary,
    CommuneSummary,
    MonthSummary,
    ProvinceMonthSummary,
    VillageSummary,
)
from hocvuso.kpi.summaries import locks
from hocvuso.kpi.summaries.households import FACTS, differing_facts, recount_facts
from hocvuso.kpi.summaries.periods import close_months
from hocvuso.kpi.summaries.recount import households_counts, people_counts, recount_network
from hocvuso.kpi.summaries.write import CHUNK, snapshot_months
from hocvuso.registry.models import Household


def _all_communes() -> list[str]:
    return list(Commune.objects.order_by("code").values_list("code", flat=True))


# Communes per statement of the set-based rebuild and check on SQLite, or when a batch is asked
# for: large enough that a batch is one scan of its people, small enough that a background job
# checkpoints often. On PostgreSQL the default is every commune at once (:func:`whole_table`).
SET_BATCH = 1000


def whole_table(batch: int | None) -> bool:
    """Recount every commune in one statement per table rather than batch by batch: the default
    on PostgreSQL, whose batches each hash-joined their people with the *whole* household and
    status tables (four batches read them four times; at 10M persons the recount, not the
    writing, was the cost). One transaction then rebuilds everything: a job killed in it
    starts that step again (nothing of it was committed)."""
    return batch is None and connection.vendor == "postgresql"


Progress = Callable[[int, int, str], None]


def rebuild(
    *,
    today: dt.date | None = None,
    progress: Progress | None = None,
    after: str | None = None,
    batch: int | None = None,
) -> int:
    """Recount every commune from the raw records, set-based: per batch of communes, the
    grouped recount of :mod:`.recount` run inside the database into a temporary table (one pass
    over the batch's people, one over its households; no row through Python), merged into the
    cohort and village tables (``INSERT … SELECT`` of the new and differing rows only, ``DELETE``
    of the keys gone), then the commune rows from the cohorts and this month's rows. Each batch
    is its own transaction (a commune is never seen half rebuilt); ``batch`` ``None``: every
    commune at once on PostgreSQL (:func:`whole_table`), :data:`SET_BATCH` elsewhere.
    ``after``: resume after that commune code (a checkpoint); ``progress(done, total,
    last_code)`` is called after each batch. Returns the communes rebuilt."""
    day = today or timezone.localdate()
    codes = _all_communes()
    total = len(codes)
    todo = [c for c in codes if after is None or c > after]
    done = total - len(todo)
    whole = whole_table(batch) and after is None
    size = len(todo) if whole else (batch or SET_BATCH)
    for start in range(0, len(todo), max(size, 1)):
        part = todo[start : start + size]
        rebuild_communes(part, day, whole=whole)
        done += len(part)
        if progress:
            progress(done, total, part[-1])
    if connection.vendor == "postgresql":
        # Fresh statistics, or the planner guesses a few hundred rows and sorts on disk.
        with connection.cursor() as cursor:
            for model in (CohortSummary, VillageSummary, CommuneSummary, MonthSummary):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(str(model._meta.db_table))}")
    return len(todo)


# The recount of a batch, kept for the length of its transaction: written once (one grouped
# pass over the batch's people or households), then merged into the summary table or compared
# with it.
COHORT = ("kpi_recount_cohort", ("commune_id", "village_id", "birth_year"), PERSON_COLUMNS)
VILLAGE = ("kpi_recount_village", ("commune_id", "village_id"), HOUSEHOLD_COLUMNS)
Recounted = tuple[str, tuple[str, ...], tuple[str, ...]]


def _recount_into(table: Recounted, qs: QuerySet[Any]) -> None:
    """``CREATE TEMP TABLE … AS`` the grouped recount ``qs`` (its keys then its columns, named
    as the summary table's); dropped at commit on PostgreSQL, by the next batch on SQLite."""
    q = connection.ops.quote_name
    name, keys, columns = table
    inner, params = qs.query.sql_with_params()
    names = [*qs.query.values_select, *qs.query.annotation_select]
    assert len(names) == len(keys) + len(columns)
    select = ", ".join(
        (f"CAST(r.{q(n)} AS integer)" if c == "birth_year" else f"r.{q(n)}") + f" AS {q(c)}"
        for n, c in zip(names, [*keys, *columns], strict=True)
    )
    on_commit = " ON COMMIT DROP" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {q(name)}")
        cursor.execute(
            f"CREATE TEMP TABLE {q(name)}{on_commit} AS SELECT {select} FROM ({inner}) r",  # noqa: S608
            params,
        )
        # Statistics, so that the comparisons below hash-join it rather than loop over it.
        cursor.execute(f"ANALYZE {q(name)}")


def _in(column: str, codes: Sequence[str] | None) -> tuple[str, list[Any]]:
    """``column`` is one of ``codes`` (``None``: any)."""
    if codes is None:
        return "1 = 1", []
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(codes)]
    return f"{column} IN ({', '.join(['%s'] * len(codes))})", list(codes)


def _merge(model: Any, table: Recounted, codes: Sequence[str] | None) -> None:
    """Make the summary rows of ``codes`` (``None``: every row) those of the recount: insert the
    new keys, update the rows that differ (an unchanged row is not written: no new row version,
    no index entry), delete the keys the recount no longer has."""
    q = connection.ops.quote_name
    name, keys, columns = table
    target = q(model._meta.db_table)
    cols = ", ".join(q(c) for c in (*keys, *columns))
    sets = ", ".join(f"{q(c)} = excluded.{q(c)}" for c in columns)
    same_key = " AND ".join(f"t.{q(k)} = {target}.{q(k)}" for k in keys)
    on = " AND ".join(f"s.{q(k)} = t.{q(k)}" for k in keys)
    differs = " OR ".join(f"s.{q(c)} <> t.{q(c)}" for c in columns)
    where, params = _in(f"{target}.{q('commune_id')}", codes)
    with connection.cursor() as cursor:
        if codes is None and connection.vendor == "postgresql":
            cursor.execute(f"SELECT 1 FROM {target} LIMIT 1")  # noqa: S608
            if cursor.fetchone() is None:
                # An empty table (a first rebuild): every row is new. A plain INSERT in key
                # order, with no join to the empty table and no conflict to look for, fills
                # the unique index from left to right (at 10M persons, 2.98M cohort rows).
                # No live writer can add a row meanwhile: they wait for the rebuild's lock.
                order = ", ".join(q(k) for k in keys)
                cursor.execute(
                    f"INSERT INTO {target} ({cols}) SELECT {cols} FROM {q(name)} "  # noqa: S608
                    f"ORDER BY {order}"
                )
                return
        # Only the new and the differing rows reach the upsert: an unchanged row is neither
        # written nor locked (writers of the live deltas never wait for a repair that has
        # nothing to repair there).
        cursor.execute(
            f"INSERT INTO {target} ({cols}) SELECT {', '.join(f't.{q(c)}' for c in (*keys, *columns))} "  # noqa: E501, S608
            f"FROM {q(name)} t LEFT JOIN {target} s ON {on} "
            f"WHERE s.{q(keys[0])} IS NULL OR {differs} "
            f"ON CONFLICT ({', '.join(q(k) for k in keys)}) DO UPDATE SET {sets}"
        )
        cursor.execute(
            f"DELETE FROM {target} WHERE {where} "  # noqa: S608
            f"AND NOT EXISTS (SELECT 1 FROM {q(name)} t WHERE {same_key})",
            params,
        )


def bulk_session(whole: bool = False) -> None:
    """PostgreSQL, for the grouped statements of this transaction: no JIT (compiling their
    expressions cost more than running them: 1.2 s of a 1.1 s statement at 1M persons) and room
    to sort and hash in memory instead of on disk (the whole-table recount groups ~0.5 rows a
    person into cohorts: ~240 MB of hash table per million persons, so it may take
    ``HOCVUSO_REBUILD_WORK_MEM``, 1 GB by default, times ``hash_mem_multiplier``, beyond which
    PostgreSQL spills to disk rather than fail). Whole tables are compared by hashing, not by
    merging: a merge join sorted the recount (a 4.2 s delete at 1M persons, 0.8 s hashed)."""
    if connection.vendor == "postgresql":
        memory = os.environ.get("HOCVUSO_REBUILD_WORK_MEM", "1GB") if whole else "256MB"
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SELECT set_config('work_mem', %s, true)", [memory])
            if whole:
                cursor.execute("SET LOCAL enable_mergejoin = off")
                # Group by hashing: at 10M persons the planner sorted the 10M joined rows
                # instead (46 s against 33 s for the hash aggregate, 1.4 GB of memory).
                cursor.execute("SET LOCAL enable_sort = off")


def rebuild_communes(codes: Sequence[str], day: dt.date, *, whole: bool = False) -> None:
    """Replace the summary rows of ``codes`` by a recount, in one transaction; ``whole``:
    ``codes`` are every commune, recounted without a filter."""
    scope = None if whole else codes
    with transaction.atomic():
        locks.hold_exclusive()  # live writers in flight finish first; new ones wait (.locks)
        bulk_session(whole)
        _recount_into(COHORT, people_counts(scope))
        _merge(CohortSummary, COHORT, scope)
        _recount_into(VILLAGE, households_counts(scope))
        _merge(VillageSummary, VILLAGE, scope)
        rows = _commune_rows(codes, day.year, _stored_cohorts(scope), _stored_villages(scope))
        provinces = dict(Commune.objects.filter(code__in=codes).values_list("code", "province_id"))
        CommuneSummary.objects.bulk_create(
            [
                CommuneSummary(
                    commune_id=c,
                    province_id=provinces[c],
                    year=day.year,
                    **dict(zip(COMMUNE_COLUMNS, n, strict=True)),
                )
                for c, n in rows.items()
            ],
            update_conflicts=True,
            unique_fields=["commune"],
            update_fields=["province", "year", *COMMUNE_COLUMNS, "updated_at"],
            batch_size=CHUNK,
        )
        snapshot_months(codes, day)
        recount_facts(_households(scope), year=day.year)


def _households(codes: Sequence[str] | None) -> QuerySet[Household]:
    everyone = Household.all_objects.all()
    return everyone if codes is None else everyone.filter(commune_id__in=codes)


def _household_differences(codes: Sequence[str] | None, year: int) -> Iterator[Difference]:
    """Each household of ``codes`` (``None``: every household) whose stored list facts differ
    from a recount (one grouped statement)."""
    for pk, stored, counted in differing_facts(_households(codes), year=year):
        for name, a, b in zip(FACTS, stored, counted, strict=True):
            if a != b:
                yield Difference("household", str(pk), name, a, b)


def _summary_rows(model: Any, codes: Sequence[str] | None) -> QuerySet[Any]:
    rows = model.objects.all()
    return rows if codes is None else rows.filter(commune_id__in=codes)


def _stored_cohorts(codes: Sequence[str] | None) -> dict[str, dict[int, list[int]]]:
    """The stored cohort rows of ``codes`` (``None``: all) added up per commune and year of
    birth (a hundred rows a commune, whatever its size)."""
    out: dict[str, dict[int, list[int]]] = defaultdict(dict)
    for commune, by, *n in (
        _summary_rows(CohortSummary, codes)
        .values("commune_id", "birth_year")
        .annotate(**{f"s_{c}": Sum(c) for c in PERSON_COLUMNS})
        .values_list("commune_id", "birth_year", *(f"s_{c}" for c in PERSON_COLUMNS))
        .order_by()
    ):
        out[commune][int(by)] = [int(v) for v in n]
    return out


def _stored_villages(codes: Sequence[str] | None) -> dict[str, list[int]]:
    """The stored village rows of ``codes`` (``None``: all) added up per commune."""
    return {
        commune: [int(v) for v in n]
        for commune, *n in _summary_rows(VillageSummary, codes)
        .values("commune_id")
        .annotate(**{f"s_{c}": Sum(c) for c in HOUSEHOLD_COLUMNS})
        .values_list("commune_id", *(f"s_{c}" for c in HOUSEHOLD_COLUMNS))
        .order_by()
    }


def _commune_rows(
    codes: Sequence[str],
    year: int,
    cohorts: Mapping[str, Mapping[int, Sequence[int]]],
    villages: Mapping[str, Sequence[int]],
) -> dict[str, tuple[int, ...]]:
    """Every commune's row (COMMUNE_COLUMNS order) from its cohorts per year of birth, its
    households and its network counts now (the one :func:`~hocvuso.kpi.measures.commune_counts`)."""
    network = recount_network(codes)
    return {
        c: commune_counts(
            list(cohorts.get(c, {}).items()),
            [villages[c]] if c in villages else [],
            network[c],
            year,
        )
        for c in codes
    }


@dataclass(frozen=True)
class Difference:
    table: str
    key: str
    column: str
    # a count; a text for a household's village sort key; a time (or None) for its last visit
    stored: int | str | dt.datetime | None
    counted: int | str | dt.datetime | None

    def __str__(self) -> str:
        return (
            f"{self.table} {self.key} {self.column}: stored {self.stored}, counted {self.counted}"
        )


def _diff(
    table: str,
    stored: Mapping[Any, Sequence[int]],
    counted: Mapping[Any, Sequence[int]],
    columns: Sequence[str],
) -> Iterator[Difference]:
    zero = (0,) * len(columns)
    for key in sorted(set(stored) | set(counted), key=str):
        a, b = stored.get(key, zero), counted.get(key, zero)
        for name, x, y in zip(columns, a, b, strict=True):
            if x != y:
                yield Difference(
                    table,
                    "/".join(str(k) for k in (key if isinstance(key, tuple) else (key,))),
                    name,
                    x,
                    y,
                )


def _province_months() -> dict[tuple[str, str, bool], tuple[int, ...]]:
    names = [*COMMUNE_COLUMNS, "communes", "communes_with_desk"]
    return {
        (p, str(m), r): tuple(n)
        for p, m, r, *n in ProvinceMonthSummary.objects.values_list(
            "province_id", "month", "remote", *names
        )
    }


def check_closed_months() -> list[Difference]:
    """Closed months per province must equal their communes' month rows added up."""
    stored = _province_months()
    months = sorted({dt.date.fromisoformat(m) for _p, m, _r in stored})
    if not months:
        return []
    with transaction.atomic():
        sid = transaction.savepoint()
        close_months(months)
        counted = _province_months()
        transaction.savepoint_rollback(sid)
    names = [*COMMUNE_COLUMNS, "communes", "communes_with_desk"]
    return list(_diff("province_month", stored, counted, names))


def _differing(
    model: Any, table: Recounted, codes: Sequence[str] | None
) -> list[tuple[tuple[Any, ...], list[int], list[int]]]:
    """The keys of ``codes`` whose stored row differs from the recount in ``table`` (written by
    :func:`_recount_into`), found in the database: stored rows the recount lacks or disagrees
    with, and recounted keys with no stored row. Returns (key, stored, counted) — nothing at all
    when everything agrees."""
    q = connection.ops.quote_name
    name, keys, columns = table
    target = q(model._meta.db_table)
    on = " AND ".join(f"t.{q(k)} = s.{q(k)}" for k in keys)
    differs = " OR ".join(f"s.{q(c)} <> t.{q(c)}" for c in columns)
    where, params = _in(f"s.{q('commune_id')}", codes)
    zeros = ", ".join("0" for _ in columns)
    if connection.vendor == "postgresql":
        # One hash full join: both sides read once.
        where, params = _in(f"s.{q('commune_id')}", codes)
        sql = (
            f"SELECT {', '.join(f'COALESCE(s.{q(k)}, t.{q(k)})' for k in keys)}, "  # noqa: S608
            f"{', '.join(f'COALESCE(s.{q(c)}, 0)' for c in columns)}, "
            f"{', '.join(f'COALESCE(t.{q(c)}, 0)' for c in columns)} "
            f"FROM (SELECT * FROM {target} s WHERE {where}) s FULL JOIN {q(name)} t ON {on} "
            f"WHERE s.{q(keys[0])} IS NULL OR t.{q(keys[0])} IS NULL OR {differs}"
        )
    else:
        sql = (
            f"SELECT {', '.join(f's.{q(k)}' for k in keys)}, "  # noqa: S608
            f"{', '.join(f's.{q(c)}' for c in columns)}, "
            f"{', '.join(f'COALESCE(t.{q(c)}, 0)' for c in columns)} "
            f"FROM {target} s LEFT JOIN {q(name)} t ON {on} "
            f"WHERE {where} AND (t.{q(keys[0])} IS NULL OR {differs}) "
            f"UNION ALL SELECT {', '.join(f't.{q(k)}' for k in keys)}, {zeros}, "
            f"{', '.join(f't.{q(c)}' for c in columns)} FROM {q(name)} t "
            f"WHERE NOT EXISTS (SELECT 1 FROM {target} s WHERE {on})"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    n = len(keys)
    m = len(columns)
    return [
        (tuple(r[:n]), [int(v) for v in r[n : n + m]], [int(v) for v in r[n + m :]]) for r in rows
    ]


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def check(
    *,
    today: dt.date | None = None,
    batch: int | None = None,
    after: str | None = None,
    progress: Callable[[int, int, str, list[Difference]], None] | None = None,
) -> list[Difference]:
    """Recount every commune from the raw records and compare with the stored rows, set-based:
    per batch of communes the recount goes to a temporary table and is joined with the stored
    cohort and village rows inside the database (only the differing keys come back); the
    commune rows are the stored cohorts and villages added
    up, corrected by those differences — the recount's own commune rows — and compared with the
    stored commune rows and this month's rows. ``after``: only the communes after that code
    (resuming; the closed months are then not checked again); ``progress(done, total, last,
    found)`` after each batch, with the differences found in it; ``batch`` as for
    :func:`rebuild` (every commune at once on PostgreSQL by default)."""
    day = today or timezone.localdate()
    out: list[Difference] = check_closed_months() if after is None else []
    codes = _all_communes()
    first = 0 if after is None else sum(1 for c in codes if c <= after)
    whole = whole_table(batch) and after is None
    size = len(codes) if whole else (batch or SET_BATCH)
    for start in range(first, len(codes), max(size, 1)):
        part = codes[start : start + size]
        scope = None if whole else part
        found_before = len(out)
        with transaction.atomic():
            bulk_session(whole)
            _recount_into(COHORT, people_counts(scope))
            cohort_diffs = _differing(CohortSummary, COHORT, scope)
            _recount_into(VILLAGE, households_counts(scope))
            village_diffs = _differing(VillageSummary, VILLAGE, scope)
        cohorts = _stored_cohorts(scope)
        villages = _stored_villages(scope)
        for (c, v, by), stored, counted in cohort_diffs:
            key = (c, _uuid(v), int(by))
            out.extend(_diff("cohort", {key: stored}, {key: counted}, PERSON_COLUMNS))
            row = cohorts[c].setdefault(int(by), [0] * len(PERSON_COLUMNS))
            for i, (a, b) in enumerate(zip(stored, counted, strict=True)):
                row[i] += b - a
        for (c, v), stored, counted in village_diffs:
            key2 = (c, _uuid(v))
            out.extend(_diff("village", {key2: stored}, {key2: counted}, HOUSEHOLD_COLUMNS))
            house = villages.setdefault(c, [0] * len(HOUSEHOLD_COLUMNS))
            for i, (a, b) in enumerate(zip(stored, counted, strict=True)):
                house[i] += b - a
        communes: dict[str, tuple[int, ...]] = {}
        years: dict[str, int] = {}
        for c, year, *n in CommuneSummary.objects.filter(commune_id__in=part).values_list(
            "commune_id", "year", *COMMUNE_COLUMNS
        ):
            communes[c] = tuple(n)
            years[c] = year
        month = {
            c: tuple(n)
            for c, *n in MonthSummary.objects.filter(
                commune_id__in=part, month=month_of(day)
            ).values_list("commune_id", *COMMUNE_COLUMNS)
        }
        want = _commune_rows(part, day.year, cohorts, villages)
        # A commune with nothing at all may have no row; one with anything must have one.
        want = {c: n for c, n in want.items() if any(n) or c in communes}
        out.extend(_diff("commune", communes, want, COMMUNE_COLUMNS))
        out.extend(
            _diff(
                "month",
                {c: n for c, n in month.items()},
                {c: n for c, n in want.items() if c in communes},
                COMMUNE_COLUMNS,
            )
        )
        for c, year in years.items():
            if year != day.year:
                out.append(Difference("commune", c, "year", year, day.year))
        out.extend(_household_differences(scope, day.year))
        if progress:
            progress(start + len(part), len(codes), part[-1], out[found_before:])
    return out
