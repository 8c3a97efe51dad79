"""Rebuilding every commune's rows, and checking the stored rows against a recount."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from hocvuso.core.dates import month_of
from hocvuso.geo.models import Commune
from hocvuso.kpi.measures import COMMUNE_COLUMNS, HOUSEHOLD_COLUMNS, PERSON_COLUMNS
from hocvuso.kpi.models import (
    CohortSummary,
    CommuneSummary,
    MonthSummary,
    ProvinceMonthSummary,
    VillageSummary,
)
from hocvuso.kpi.summaries.periods import close_months
from hocvuso.kpi.summaries.recount import BATCH_COMMUNES, recount
from hocvuso.kpi.summaries.write import refresh


def _all_communes() -> list[str]:
    return list(Commune.objects.order_by("code").values_list("code", flat=True))


def rebuild(*, today: dt.date | None = None, progress: Any = None) -> int:
    """Recount every commune; returns how many."""
    codes = _all_communes()
    for start in range(0, len(codes), BATCH_COMMUNES):
        refresh(codes[start : start + BATCH_COMMUNES], today=today)
        if progress:
            progress(min(start + BATCH_COMMUNES, len(codes)), len(codes))
    if connection.vendor == "postgresql":
        # Fresh statistics, or the planner guesses a few hundred rows and sorts on disk.
        with connection.cursor() as cursor:
            for model in (CohortSummary, VillageSummary, CommuneSummary, MonthSummary):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(str(model._meta.db_table))}")
    return len(codes)


@dataclass(frozen=True)
class Difference:
    table: str
    key: str
    column: str
    stored: int
    counted: int

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


def check(*, today: dt.date | None = None) -> list[Difference]:
    """Recount every commune from the raw records and compare with the stored rows."""
    day = today or timezone.localdate()
    out: list[Difference] = check_closed_months()
    codes = _all_communes()
    for start in range(0, len(codes), BATCH_COMMUNES):
        batch = codes[start : start + BATCH_COMMUNES]
        counted = recount(batch)
        cohorts = {
            (c, v, by): tuple(n)
            for c, v, by, *n in CohortSummary.objects.filter(commune_id__in=batch).values_list(
                "commune_id", "village_id", "birth_year", *PERSON_COLUMNS
            )
        }
        villages = {
            (c, v): tuple(n)
            for c, v, *n in VillageSummary.objects.filter(commune_id__in=batch).values_list(
                "commune_id", "village_id", *HOUSEHOLD_COLUMNS
            )
        }
        communes: dict[str, tuple[int, ...]] = {}
        years: dict[str, int] = {}
        for c, year, *n in CommuneSummary.objects.filter(commune_id__in=batch).values_list(
            "commune_id", "year", *COMMUNE_COLUMNS
        ):
            communes[c] = tuple(n)
            years[c] = year
        month = {
            c: tuple(n)
            for c, *n in MonthSummary.objects.filter(
                commune_id__in=batch, month=month_of(day)
            ).values_list("commune_id", *COMMUNE_COLUMNS)
        }
        want = counted.commune_rows(batch, day.year)
        # A commune with nothing at all may have no row; one with anything must have one.
        want = {c: n for c, n in want.items() if any(n) or c in communes}
        out.extend(_diff("cohort", cohorts, counted.cohorts, PERSON_COLUMNS))
        out.extend(_diff("village", villages, counted.villages, HOUSEHOLD_COLUMNS))
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
    return out
