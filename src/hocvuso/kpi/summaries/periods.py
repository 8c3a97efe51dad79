"""Time: the age-based columns re-derived when the year changes, month rows opened, closed
months added up per province and area."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import connection, transaction
from django.utils import timezone

from hocvuso.core.dates import month_of
from hocvuso.geo.models import Commune
from hocvuso.kpi.measures import AGE_COLUMNS, COMMUNE_COLUMNS, PERSON_COLUMNS, age_counts
from hocvuso.kpi.models import CohortSummary, CommuneSummary, MonthSummary, ProvinceMonthSummary
from hocvuso.kpi.summaries import locks
from hocvuso.kpi.summaries.households import roll_priorities
from hocvuso.kpi.summaries.recount import BATCH_COMMUNES
from hocvuso.kpi.summaries.write import CHUNK, snapshot_months


def roll_forward(*, today: dt.date | None = None) -> int:
    """Re-derive the age-based columns of every commune row not yet derived for this year (from
    the cohorts, one grouped query), and make sure every commune has its row for this month.
    Returns the number of commune rows rolled forward. Run daily (``hocvuso roll_summaries``);
    dashboards call it too when they read a row of an earlier year."""
    day = today or timezone.localdate()
    years = dict(CommuneSummary.objects.exclude(year=day.year).values_list("commune_id", "year"))
    stale = list(years)
    if not stale and MonthSummary.objects.filter(month=month_of(day)).exists():
        return 0
    with transaction.atomic():
        locks.hold_exclusive()  # the age columns re-derived with no delta in flight (.locks)
        for start in range(0, len(stale), BATCH_COMMUNES * 10):
            _reage(stale[start : start + BATCH_COMMUNES * 10], day.year)
        # Households whose members turned 60 since: their priority (elderly only).
        for since in sorted(set(years.values())):
            communes = [c for c, y in years.items() if y == since]
            roll_priorities(communes, since=since, year=day.year)
        snapshot_months(None, day)
        # The months before this one are closed: add them up per province for the trends.
        closed = set(
            MonthSummary.objects.filter(month__lt=month_of(day))
            .values_list("month", flat=True)
            .distinct()
        )
        done = set(ProvinceMonthSummary.objects.values_list("month", flat=True).distinct())
        close_months(sorted(closed - done))
    return len(stale)


def close_months(months: Sequence[dt.date], provinces: Sequence[str] | None = None) -> None:
    """Add up the communes' month rows of ``months`` per province and area into
    ``ProvinceMonthSummary`` (one grouped INSERT … SELECT per month, replacing what was there);
    ``provinces``: only theirs (a commune's area flags changed)."""
    q = connection.ops.quote_name
    cols = [*COMMUNE_COLUMNS]
    target = q(ProvinceMonthSummary._meta.db_table)
    g = q(Commune._meta.db_table)
    remote = f"(g.{q('is_remote')} = %s OR g.{q('is_ethnic_minority')} = %s)"
    only, extra = "", []
    if provinces is not None:
        only = f"AND s.{q('province_id')} IN ({', '.join(['%s'] * len(provinces))}) "
        extra = list(provinces)
    sql = (
        f"INSERT INTO {target} ({q('province_id')}, {q('month')}, {q('remote')}, "  # noqa: S608
        f"{', '.join(q(c) for c in cols)}, {q('communes')}, {q('communes_with_desk')}) "
        f"SELECT s.{q('province_id')}, s.{q('month')}, CASE WHEN {remote} THEN %s ELSE %s END, "
        f"{', '.join(f'SUM(s.{q(c)})' for c in cols)}, COUNT(*), "
        f"SUM(CASE WHEN s.{q('desk_staff')} > 0 THEN 1 ELSE 0 END) "
        f"FROM {q(MonthSummary._meta.db_table)} s "
        f"JOIN {g} g ON g.{q('code')} = s.{q('commune_id')} "
        f"WHERE s.{q('month')} = %s {only}"
        f"GROUP BY s.{q('province_id')}, s.{q('month')}, CASE WHEN {remote} THEN %s ELSE %s END"
    )
    with transaction.atomic():
        for month in months:
            old = ProvinceMonthSummary.objects.filter(month=month)
            if provinces is not None:
                old = old.filter(province_id__in=provinces)
            old.delete()
            with connection.cursor() as cursor:
                cursor.execute(
                    sql, [True, True, True, False, month, *extra, True, True, True, False]
                )


def areas_changed(provinces: Sequence[str]) -> None:
    """Communes of these provinces changed their remote / ethnic-minority flags: their closed
    months are added up again by area (the area breakdowns count today's flags)."""
    months = sorted(
        MonthSummary.objects.filter(
            province_id__in=provinces, month__lt=month_of(timezone.localdate())
        )
        .values_list("month", flat=True)
        .distinct()
    )
    close_months(months, provinces=list(provinces))


def _reage(communes: Sequence[str], year: int) -> None:
    rows: dict[str, list[int]] = {c: [0] * len(AGE_COLUMNS) for c in communes}
    for commune, by, *counts in CohortSummary.objects.filter(commune_id__in=communes).values_list(
        "commune_id", "birth_year", *PERSON_COLUMNS
    ):
        for i, v in enumerate(age_counts(by, counts, year)):
            rows[commune][i] += v
    CommuneSummary.objects.bulk_update(
        [
            CommuneSummary(commune_id=c, year=year, **dict(zip(AGE_COLUMNS, v, strict=True)))
            for c, v in rows.items()
        ],
        ["year", *AGE_COLUMNS],
        batch_size=CHUNK,
    )
