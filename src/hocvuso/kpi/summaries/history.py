"""History: month rows rebuilt from the dated raw records (for backfills and the demo)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, Exists, F, OuterRef, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from hocvuso.core.dates import month_end, month_of, previous_month
from hocvuso.geo.models import Commune
from hocvuso.kpi.measures import (
    AGE_LIMITS,
    COMMUNE_COLUMNS,
    NETWORK_COLUMNS,
    PERSON_COLUMNS,
    commune_counts,
)
from hocvuso.kpi.models import CommuneSummary, MonthSummary
from hocvuso.kpi.summaries.check import bulk_session, whole_table
from hocvuso.kpi.summaries.network import network_counts
from hocvuso.kpi.summaries.periods import close_months
from hocvuso.kpi.summaries.write import CHUNK
from hocvuso.registry.ages import birth_year_expr, latest_birth_year
from hocvuso.registry.models import Household, Person
from hocvuso.skills.facts import (
    BANK_ACCOUNT,
    BASIC_SET,
    T4_ALL,
    T4_CODES,
    T4_OCCUPATIONS,
    T4_SET,
    VNEID_LEVEL2,
    SetIndex,
    skill_sets,
)
from hocvuso.skills.models import SkillEvent
from hocvuso.teams.models import Visit, VisitPerson


def _members(sets: SetIndex, provinces: Sequence[str]) -> tuple[str, list[Any]]:
    """Each province's sets as rows (province, skill code, in the basic set 0/1, its 4T bit, the
    size of the basic set): a ``VALUES`` list (one row that matches nothing when empty), so that
    the database resolves a person's basic set and 4T with their province as
    :func:`~hocvuso.skills.facts.status_compute` does."""
    rows: list[tuple[str, str, int, int, int]] = []
    for province in sorted(set(provinces)):
        basic = sets.of(BASIC_SET, province)
        t4 = [c for c in sets.of(T4_SET, province) if c in T4_CODES]
        for code in sorted(set(basic) | set(t4)):
            bit = 1 << T4_CODES.index(code) if code in t4 else 0
            rows.append((province, code, int(code in basic), bit, len(basic)))
    if not rows:
        rows.append(("", "", 0, 0, 0))
    one = "(" + ", ".join(["%s"] * 5) + ")"
    return "VALUES " + ", ".join([one] * len(rows)), [v for r in rows for v in r]


def _sql(qs: QuerySet[Any]) -> tuple[str, list[Any]]:
    sql, params = qs.query.sql_with_params()
    return f"({sql})", list(params)


def _age_bucket(column: str, year: int) -> tuple[str, list[Any]]:
    """The year of birth reduced to what the age-based columns of ``year`` see of it (0, or
    the latest year of birth of each age limit, or one year after the youngest limit): every
    year of a bucket counts alike in :func:`~hocvuso.kpi.measures.age_counts`, so a commune
    needs one row per bucket, not per year of birth."""
    limits = sorted(AGE_LIMITS, reverse=True)
    whens = " ".join(f"WHEN {column} <= %s THEN %s" for _ in limits)
    params: list[Any] = []
    for age in limits:
        params += [latest_birth_year(age, year)] * 2
    youngest = latest_birth_year(min(limits), year) + 1
    return f"CASE WHEN {column} = 0 THEN 0 {whens} ELSE %s END", [*params, youngest]


def _as_of(
    communes: Sequence[str] | None, end: dt.date, sets: SetIndex
) -> tuple[dict[str, list[tuple[int, tuple[int, ...]]]], dict[str, tuple[int, ...]]]:
    """Each commune's cohorts (per year-of-birth bucket, PERSON_COLUMNS order) and households
    (HOUSEHOLD_COLUMNS) as they stood at the end of ``end``'s day, counted in the database: the
    skills held then (gains on or before the day, not reversed by then), the flags of
    :func:`~hocvuso.skills.facts.status_compute` from them, the guided people and visited
    households of that day. Four statements, whatever the number of people."""
    q = connection.ops.quote_name
    held = SkillEvent.objects.filter(reverses__isnull=True, happened_on__lte=end).exclude(
        # (The reversals alone: the database hashes those, not every event.)
        Exists(
            SkillEvent.objects.filter(
                reverses__isnull=False, reverses=OuterRef("pk"), happened_on__lte=end
            )
        )
    )
    people = Person.objects.all()
    households = Household.objects.all()
    guided = VisitPerson.objects.filter(was_guided=True)
    visits = Visit.objects.all()
    if communes is not None:
        held = held.filter(person__commune_id__in=communes)
        people = people.filter(commune_id__in=communes)
        households = households.filter(commune_id__in=communes)
        guided = guided.filter(person__commune_id__in=communes)
        visits = visits.filter(household__commune_id__in=communes)
    e_sql, e_params = _sql(
        held.annotate(
            h_person=F("person_id"),
            h_code=F("skill__code"),
            h_province=F("person__commune__province_id"),
        ).values("h_person", "h_code", "h_province")
    )
    p_sql, p_params = _sql(
        people.annotate(
            k_id=F("pk"), k_commune=F("commune_id"), k_household=F("household_id"),
            k_by=birth_year_expr(), k_trader=Case(
                When(occupation__in=T4_OCCUPATIONS, then=Value(1)), default=Value(0)
            ),
        ).values("k_id", "k_commune", "k_household", "k_by", "k_trader")
    )  # fmt: skip
    g_sql, g_params = _sql(
        guided.annotate(day=TruncDate("visit__visited_at"))
        .filter(day__lte=end)
        .values("person_id")
        .distinct()
    )
    v_sql, v_params = _sql(
        visits.annotate(day=TruncDate("visited_at"))
        .filter(day__lte=end)
        .values("household_id")
        .distinct()
    )
    h_sql, h_params = _sql(households.values("id", "commune_id"))
    provinces = list(
        (Commune.objects.filter(code__in=communes) if communes is not None else Commune.objects)
        .values_list("province_id", flat=True)
        .distinct()
    )
    m_sql, m_params = _members(sets, provinces)
    flags = q("kpi_history_flags")
    on_commit = " ON COMMIT DROP" if connection.vendor == "postgresql" else ""
    bits = len(T4_CODES)
    person_sums = ", ".join(
        [
            "COUNT(*)",
            "SUM(COALESCE(f.vneid2, 0))",
            "SUM(COALESCE(f.bank, 0))",
            "SUM(COALESCE(f.basic, 0))",
            "SUM(CASE WHEN g.person_id IS NULL THEN 0 ELSE 1 END)",
            "SUM(p.k_trader)",
            *(
                f"SUM(CASE WHEN p.k_trader = 1 AND (COALESCE(f.mask, 0) & {1 << i}) > 0 "
                "THEN 1 ELSE 0 END)"
                for i in range(bits)
            ),
            f"SUM(CASE WHEN p.k_trader = 1 AND COALESCE(f.mask, 0) = {T4_ALL} THEN 1 ELSE 0 END)",
        ]
    )
    assert person_sums.count("SUM(") + 1 == len(PERSON_COLUMNS)
    bucket, b_params = _age_bucket("p.k_by", end.year)
    cohorts: dict[str, list[tuple[int, tuple[int, ...]]]] = defaultdict(list)
    houses: dict[str, tuple[int, ...]] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        bulk_session()  # no JIT; memory to group in (not the whole-table plan settings)
        cursor.execute(f"DROP TABLE IF EXISTS {flags}")
        # One row per person holding anything then: the status flags as of that day.
        cursor.execute(
            f"CREATE TEMP TABLE {flags}{on_commit} AS "  # noqa: S608
            "SELECT e.h_person AS person_id, "
            "MAX(CASE WHEN e.h_code = %s THEN 1 ELSE 0 END) AS vneid2, "
            "MAX(CASE WHEN e.h_code = %s THEN 1 ELSE 0 END) AS bank, "
            "CASE WHEN MAX(COALESCE(m.n_basic, 0)) > 0 AND COUNT(DISTINCT CASE WHEN m.basic = 1 "
            "THEN e.h_code END) = MAX(m.n_basic) THEN 1 ELSE 0 END AS basic, "
            "COALESCE(SUM(DISTINCT m.bit), 0) AS mask "
            f"FROM {e_sql} e LEFT JOIN (SELECT column1 AS province, column2 AS code, "
            "column3 AS basic, column4 AS bit, column5 AS n_basic "
            f"FROM ({m_sql}) mv) m ON m.province = e.h_province AND m.code = e.h_code "
            "GROUP BY e.h_person",
            [VNEID_LEVEL2, BANK_ACCOUNT, *e_params, *m_params],
        )
        cursor.execute(
            f"SELECT p.k_commune, {bucket}, {person_sums} "  # noqa: S608
            f"FROM {p_sql} p LEFT JOIN {flags} f ON f.person_id = p.k_id "
            f"LEFT JOIN {g_sql} g ON g.person_id = p.k_id "
            "GROUP BY 1, 2",
            [*b_params, *p_params, *g_params],
        )
        for commune, by, *n in cursor.fetchall():
            cohorts[commune].append((int(by), tuple(int(v) for v in n)))
        cursor.execute(
            "SELECT h.commune_id, COUNT(*), "  # noqa: S608
            "SUM(CASE WHEN t.k_household IS NULL THEN 0 ELSE 1 END), "
            "SUM(CASE WHEN v.household_id IS NULL THEN 0 ELSE 1 END) "
            f"FROM {h_sql} h "
            f"LEFT JOIN (SELECT DISTINCT p.k_household FROM {p_sql} p "
            f"JOIN {flags} f ON f.person_id = p.k_id WHERE f.basic = 1) t "
            "ON t.k_household = h.id "
            f"LEFT JOIN {v_sql} v ON v.household_id = h.id "
            "GROUP BY h.commune_id",
            [*h_params, *p_params, *v_params],
        )
        for commune, *n in cursor.fetchall():
            houses[commune] = tuple(int(v) for v in n)
        cursor.execute(f"DROP TABLE IF EXISTS {flags}")
    return cohorts, houses


def history(
    communes: Sequence[str], months: Sequence[dt.date], *, whole: bool = False
) -> dict[tuple[str, dt.date], tuple[int, ...]]:
    """Each commune's row as it stood at the end of each month (COMMUNE_COLUMNS order), rebuilt
    from the dated records: skills held by then (gains on or before the day, not reversed by
    then), home visits, and the network figures of each app as of that day. The people are
    today's registry (the denominators); ages are those of each month's year. For the current
    month it equals the live row (tested), which is what makes the rebuilt history believable.
    Set-based: per month a few grouped statements in the database (:func:`_as_of`), the commune
    rows then made from a few rows a commune by :func:`~hocvuso.kpi.measures.commune_counts`,
    as the live rows are; the network through the same figures (one grouped query each per
    month). ``whole``: ``communes`` are every commune, read without a filter."""
    sets = skill_sets()
    zero = (0,) * len(NETWORK_COLUMNS)
    out: dict[tuple[str, dt.date], tuple[int, ...]] = {}
    for month in months:
        end = month_end(month)
        cohorts, houses = _as_of(None if whole else communes, end, sets)
        network = network_counts(communes, end)
        for commune in communes:
            out[(commune, month)] = commune_counts(
                cohorts.get(commune, []),
                [houses[commune]] if commune in houses else [],
                network.get(commune, zero),
                end.year,
            )
    return out


def backfill(
    communes: Sequence[str], *, months: int, today: dt.date | None = None, whole: bool = False
) -> int:
    """Rebuild the month rows of the ``months`` months before this one from the dated records
    (this month's row is live). Returns the number of rows written. ``whole``: ``communes``
    are every commune (:func:`history`)."""
    day = today or timezone.localdate()
    wanted: list[dt.date] = []
    m = month_of(day)
    for _ in range(months):
        m = previous_month(m)
        wanted.append(m)
    provinces = dict(Commune.objects.filter(code__in=communes).values_list("code", "province_id"))
    rows = history(communes, wanted, whole=whole)
    with transaction.atomic():
        MonthSummary.objects.bulk_create(
            [
                MonthSummary(
                    commune_id=c,
                    province_id=provinces[c],
                    month=month,
                    **dict(zip(COMMUNE_COLUMNS, row, strict=True)),
                )
                for (c, month), row in rows.items()
            ],
            update_conflicts=True,
            unique_fields=["commune", "month"],
            update_fields=list(COMMUNE_COLUMNS),
            batch_size=CHUNK,
        )
        close_months(wanted)
    return len(rows)


# Communes per batch of the history where a batch is asked for or on SQLite (PostgreSQL reads
# every commune at once): each batch reads its people, events and visits once per month.
HISTORY_BATCH = 200


def backfill_all(
    *,
    months: int,
    after: str | None = None,
    progress: Callable[[int, int, str, int], None] | None = None,
    batch: int | None = None,
    today: dt.date | None = None,
) -> int:
    """:func:`backfill` for every commune with people: on PostgreSQL all at once (one pass
    over the tables per month, :func:`~.check.whole_table`), elsewhere or with ``batch``
    :data:`HISTORY_BATCH` communes a batch. ``after``: resume after that commune code;
    ``progress(done, total, last_code, rows)`` after each batch. Returns the rows written."""
    codes = list(
        CommuneSummary.objects.filter(persons__gt=0)
        .order_by("commune_id")
        .values_list("commune_id", flat=True)
    )
    todo = [c for c in codes if after is None or c > after]
    whole = whole_table(batch) and after is None
    size = max(len(todo) if whole else (batch or HISTORY_BATCH), 1)
    rows = 0
    for start in range(0, len(todo), size):
        part = todo[start : start + size]
        rows += backfill(part, months=months, today=today, whole=whole)
        if progress:
            progress(len(codes) - len(todo) + start + len(part), len(codes), part[-1], rows)
    return rows
