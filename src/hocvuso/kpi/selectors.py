"""Reading the figures: every dashboard level adds up summary rows, never scans people.

Levels: ``national``, ``province`` (code), ``commune`` (code), ``village`` (id). Each read is a
fixed handful of queries whatever the population: the unit's totals, the units below it, the
targets of the year, the months of the trend.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import connection, connections, router
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.access.kpi import (
    can_open_targets,
    can_see_commune_dashboard,
    can_see_nation,
    can_see_province,
    can_see_village_dashboard,
    steered_provinces,
)
from hocvuso.core.errors import NotFound, ensure
from hocvuso.geo.models import Commune, Province, Village
from hocvuso.kpi import summaries
from hocvuso.kpi.measures import (
    ADULT_AGE,
    AGE_16,
    COMMUNE_COLUMNS,
    HOUSEHOLD_COLUMNS,
    PERSON_COLUMNS,
)
from hocvuso.kpi.models import (
    NO_VILLAGE,
    CohortSummary,
    CommuneSummary,
    Indicator,
    MonthSummary,
    ProvinceMonthSummary,
    Target,
    Unit,
    VillageSummary,
)

CHILD = {"national": "province", "province": "commune", "commune": "village", "village": None}
AREAS = ("all", "remote", "other")
TREND_MONTHS = 12

Figures = dict[str, int]


# --- Units and access -------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRef:
    level: str
    code: str  # "" for the nation; province / commune code; village id
    name: str
    province: str = ""  # the province code (for commune and village)
    commune: str = ""  # the commune code (for village)
    remote: bool = False  # a remote / ethnic-minority commune (or village)


@dataclass(frozen=True)
class SteeringHome:
    """What a steering committee member's home leads to: the nation's dashboard and report (a
    national admin), each province they oversee (a province officer)."""

    national: bool
    provinces: list[Province]


def steering_home(*, actor: Any) -> SteeringHome:
    """At most one query (the overseen provinces, by name)."""
    codes = steered_provinces(actor)
    return SteeringHome(
        national=can_see_nation(actor),
        provinces=list(Province.objects.filter(code__in=codes).order_by("name")) if codes else [],
    )


def unit_get(*, actor: Any, level: str, code: str = "") -> UnitRef:
    """The unit, if the actor's scope covers it; not found otherwise."""
    if level == "national":
        ensure(can_see_nation(actor))
        return UnitRef("national", "", "Việt Nam")
    if level == "province":
        p = Province.objects.filter(code=code).first()
        if p is None or not can_see_province(actor, p.code):
            raise NotFound()
        return UnitRef("province", p.code, p.name, province=p.code)
    if level == "commune":
        c = Commune.objects.filter(code=code).select_related("province").first()
        if c is None or not can_see_commune_dashboard(actor, c):
            raise NotFound()
        return UnitRef(
            "commune",
            c.code,
            c.name,
            province=c.province_id,
            remote=c.is_remote or c.is_ethnic_minority,
        )
    if level == "village":
        try:
            vid = UUID(str(code))
        except ValueError:
            raise NotFound() from None
        v = Village.objects.filter(pk=vid).select_related("commune").first()
        if v is None or not can_see_village_dashboard(actor, v):
            raise NotFound()
        return UnitRef(
            "village",
            str(v.pk),
            v.name,
            province=v.commune.province_id,
            commune=v.commune_id,
            remote=v.is_remote or v.is_ethnic_minority,
        )
    raise NotFound()


# --- Adding up --------------------------------------------------------------------------------


def _area(qs: QuerySet[Any], area: str, prefix: str = "commune__") -> QuerySet[Any]:
    remote = Q(**{f"{prefix}is_remote": True}) | Q(**{f"{prefix}is_ethnic_minority": True})
    if area == "remote":
        return qs.filter(remote)
    if area == "other":
        return qs.exclude(remote)
    return qs


_SUM_NAMES = (*COMMUNE_COLUMNS, "communes", "communes_with_desk")


@functools.cache
def _sum_sql(table: str, filter_on: str, area: str, group: str) -> str:
    """Hand-written (and built once) SQL adding up commune rows: the ORM would compile 28
    aggregate expressions on every request, which costs more than running the query."""
    q = connection.ops.quote_name
    cols = ", ".join(f"SUM(s.{q(c)})" for c in COMMUNE_COLUMNS)
    select = f"{'s.' + q(group) + ', ' if group else ''}{cols}, COUNT(*), "
    select += f"SUM(CASE WHEN s.{q('desk_staff')} > 0 THEN 1 ELSE 0 END)"
    sql = f"SELECT {select} FROM {q(table)} s"  # noqa: S608 — names, not values
    where = []
    if area != "all":
        sql += f" JOIN {q(Commune._meta.db_table)} g ON g.{q('code')} = s.{q('commune_id')}"
        remote = f"(g.{q('is_remote')} = %s OR g.{q('is_ethnic_minority')} = %s)"
        where.append(remote if area == "remote" else f"NOT {remote}")
    if filter_on:
        where.append(f"s.{q(filter_on)} = %s")
    if group == "month":
        where.append(f"s.{q('month')} >= %s AND s.{q('month')} <= %s")
    if where:
        sql += " WHERE " + " AND ".join(where)
    if group:
        sql += f" GROUP BY s.{q(group)}"
    return sql


def _sum(
    table: str,
    *,
    area: str,
    filter_on: str = "",
    value: Any = "",
    group: str = "",
    extra: Sequence[Any] = (),
) -> list[tuple[Any, Figures]]:
    """(group value, figures) per group of commune rows (one query)."""
    params: list[Any] = [True, True] if area != "all" else []
    if filter_on:
        params.append(value)
    params.extend(extra)
    # Raw SQL goes where the router sends the model's reads (a replica for a dashboard).
    with connections[router.db_for_read(CommuneSummary)].cursor() as cursor:
        cursor.execute(_sum_sql(table, filter_on, area, group), params)
        rows = cursor.fetchall()
    out = []
    for row in rows:
        key, values = (row[0], row[1:]) if group else (None, row)
        out.append((key, {n: int(v or 0) for n, v in zip(_SUM_NAMES, values, strict=True)}))
    return out


def _row_figures(r: dict[str, Any]) -> Figures:
    """One commune row's figures (it is one commune; with desk staff or not)."""
    return {
        **{c: r[c] for c in COMMUNE_COLUMNS},
        "communes": 1,
        "communes_with_desk": int(r["desk_staff"] > 0),
    }


# A commune with no summary row: nothing recorded yet, but a commune all the same.
_NO_ROW: Figures = {"communes": 1, "communes_with_desk": 0}


def _commune_rows(unit: UnitRef, area: str) -> QuerySet[CommuneSummary]:
    qs = CommuneSummary.objects.all()
    if unit.level == "province":
        qs = qs.filter(province_id=unit.code)
    elif unit.level == "commune":
        qs = qs.filter(commune_id=unit.code)
    return _area(qs, area)


def _village_sums(year: int) -> dict[str, Any]:
    is16 = Q(birth_year__gt=0, birth_year__lte=year - AGE_16)
    adult = Q(birth_year__gt=0, birth_year__lte=year - ADULT_AGE)

    def when(q: Q, column: str) -> Any:
        return Sum(Case(When(q, then=F(column)), default=Value(0), output_field=IntegerField()))

    out: dict[str, Any] = {f"s_{c}": Sum(c) for c in PERSON_COLUMNS}
    out |= {
        "s_persons_16": when(is16, "persons"),
        "s_vneid2_16": when(is16, "vneid2"),
        "s_bank_16": when(is16, "bank"),
        "s_adults": when(adult, "persons"),
        "s_basic_adults": when(adult, "basic"),
    }
    return out


def _villages(commune: str, village: UUID | None, year: int) -> dict[UUID, Figures]:
    """Figures per village of a commune, from its cohort and household rows (two queries)."""
    cohorts = CohortSummary.objects.filter(commune_id=commune)
    houses = VillageSummary.objects.filter(commune_id=commune)
    if village is not None:
        cohorts, houses = cohorts.filter(village_id=village), houses.filter(village_id=village)
    out: dict[UUID, Figures] = defaultdict(dict)
    for row in cohorts.values("village_id").annotate(**_village_sums(year)).order_by():
        out[row.pop("village_id")].update({k[2:]: int(v or 0) for k, v in row.items()})
    for row in houses.values("village_id", *HOUSEHOLD_COLUMNS):
        vid = row.pop("village_id")
        out[vid].update(row)
    return dict(out)


def village_households(commune: str) -> dict[UUID, int]:
    """Households per village of ``commune`` (``NO_VILLAGE`` for those without one), read from
    the summary table kept current by every write (one indexed read of a row per village, never
    a count over the commune's households); a village with none is absent."""
    rows = VillageSummary.objects.filter(commune_id=commune).values_list("village_id", "households")
    return dict(rows)


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def figures(unit: UnitRef, *, area: str = "all", today: dt.date | None = None) -> Figures:
    """The unit's totals. The caller checked access with :func:`unit_get`."""
    day = _today(today)
    if unit.level == "village":
        row = _villages(unit.commune, UUID(unit.code), day.year).get(UUID(unit.code), {})
        return {c: row.get(c, 0) for c in (*PERSON_COLUMNS, *_VILLAGE_MEASURES)}
    filter_on = {"province": "province_id", "commune": "commune_id"}.get(unit.level, "")
    totals = _sum(CommuneSummary._meta.db_table, area=area, filter_on=filter_on, value=unit.code)[
        0
    ][1]
    totals["communes"] = _commune_count(unit, area)
    return totals


def _commune_count(unit: UnitRef, area: str = "all") -> int:
    """Every commune of the unit counts, including those with no summary row yet; a retired one
    (merged into another by a newer official list) does not."""
    communes = _area(Commune.objects.filter(retired_at__isnull=True), area, prefix="")
    if unit.level == "province":
        communes = communes.filter(province_id=unit.code)
    elif unit.level == "commune":
        communes = communes.filter(code=unit.code)
    return communes.count()


_VILLAGE_MEASURES = (
    "persons_16",
    "vneid2_16",
    "bank_16",
    "adults",
    "basic_adults",
    *HOUSEHOLD_COLUMNS,
)


@dataclass(frozen=True)
class Child:
    level: str
    code: str
    name: str
    remote: bool
    figures: Figures
    latitude: float | None = None  # communes: where to draw them on the map
    longitude: float | None = None


def children(unit: UnitRef, *, area: str = "all", today: dt.date | None = None) -> list[Child]:
    """The units below, with their figures (provinces: one grouped query; communes: one query
    of rows; villages: two grouped queries)."""
    day = _today(today)
    if unit.level == "national":
        rows = dict(_sum(CommuneSummary._meta.db_table, area=area, group="province_id"))
        counts = dict(
            _area(Commune.objects.filter(retired_at__isnull=True), area, prefix="")
            .values("province_id")
            .annotate(n=Count("code"))
            .values_list("province_id", "n")
            .order_by()
        )
        return [
            Child(
                "province",
                p.code,
                p.name,
                False,
                {**rows.get(p.code, {}), "communes": counts.get(p.code, 0)},
            )
            for p in Province.objects.order_by("code")
        ]
    if unit.level == "province":
        rows = {
            r["commune_id"]: _row_figures(r)
            for r in _commune_rows(unit, area).values("commune_id", *COMMUNE_COLUMNS)
        }
        communes = list(
            _area(Commune.objects.filter(province_id=unit.code), area, prefix="").order_by("code")
        )
        rows = fold_retired(rows, communes)
        return [
            Child(
                "commune",
                c.code,
                c.name,
                c.is_remote or c.is_ethnic_minority,
                rows.get(c.code, _NO_ROW),
                c.latitude,
                c.longitude,
            )
            for c in communes
            if c.retired_at is None
        ]
    if unit.level == "commune":
        per = _villages(unit.code, None, day.year)
        villages = Village.objects.filter(commune_id=unit.code).order_by("name")
        out = [
            Child(
                "village", str(v.pk), v.name, v.is_remote or v.is_ethnic_minority, per.get(v.pk, {})
            )
            for v in villages
        ]
        if NO_VILLAGE in per:
            out.append(Child("village", "", "—", False, per[NO_VILLAGE]))
        return out
    return []


# --- Indicators, targets, values --------------------------------------------------------------


def indicators(level: str | None = None) -> list[Indicator]:
    rows = list(Indicator.objects.filter(active=True).order_by("order", "code"))
    return [i for i in rows if level is None or level in i.levels]


def value_of(ind: Indicator, f: Figures) -> Decimal | None:
    """The indicator's value from figures: a percent, a ratio or a count; None when the
    denominator is zero (nothing to measure yet)."""
    num = f.get(ind.numerator, 0)
    if not ind.denominator:
        return Decimal(num)
    den = f.get(ind.denominator, 0)
    if not den:
        return None
    if ind.unit == Unit.PERCENT:
        return Decimal(f"{num * 100 / den:.1f}")
    return Decimal(f"{num / den:.2f}")


@dataclass
class TargetBook:
    """Every target of a year, resolved per unit in memory (one query)."""

    year: int
    month: int | None
    rows: dict[tuple[str, str, str, bool], Decimal] = field(default_factory=dict)
    monthly: dict[tuple[str, str, str, bool], Decimal] = field(default_factory=dict)
    defaults: dict[str, Decimal | None] = field(default_factory=dict)

    def _get(self, key: tuple[str, str, str, bool]) -> Decimal | None:
        value = self.monthly.get(key) if self.monthly else None
        return value if value is not None else self.rows.get(key)

    def chain(self, indicator: str, unit: UnitRef) -> list[tuple[str, Decimal | None]]:
        """Where the target comes from, nearest first: (source, value)."""
        level, code, remote, province = unit.level, unit.code, unit.remote, unit.province
        out: list[tuple[str, Decimal | None]] = []
        if level in ("commune", "village"):
            commune = code if level == "commune" else unit.commune
            if commune:
                out.append(("commune", self._get((indicator, "", commune, False))))
            if remote:
                out.append(("province_remote", self._get((indicator, province, "", True))))
            out.append(("province", self._get((indicator, province, "", False))))
        elif level == "province":
            out.append(("province", self._get((indicator, code, "", False))))
        out.append(("national", self._get((indicator, "", "", False))))
        out.append(("default", self.defaults.get(indicator)))
        return out

    def target(self, indicator: str, unit: UnitRef) -> tuple[Decimal | None, str]:
        if not self.rows and not self.monthly:  # nothing set this year: the default
            value = self.defaults.get(indicator)
            return value, "default" if value is not None else ""
        for source, value in self.chain(indicator, unit):
            if value is not None:
                return value, source
        return None, ""


def target_book(
    year: int, month: int | None = None, inds: Sequence[Indicator] | None = None
) -> TargetBook:
    book = TargetBook(year=year, month=month)
    for t in Target.objects.filter(year=year).values(
        "indicator_id", "province_id", "commune_id", "remote_only", "month", "value"
    ):
        key = (t["indicator_id"], t["province_id"] or "", t["commune_id"] or "", t["remote_only"])
        if t["month"] is None:
            book.rows[key] = t["value"]
        elif t["month"] == month:
            book.monthly[key] = t["value"]
    if inds is None:
        book.defaults = dict(Indicator.objects.values_list("code", "default_target"))
    else:
        book.defaults = {i.code: i.default_target for i in inds}
    return book


@dataclass(frozen=True)
class Cell:
    """One indicator for one unit."""

    indicator: Indicator
    value: Decimal | None
    target: Decimal | None
    source: str  # where the target comes from

    @property
    def progress(self) -> float | None:
        """Value over target (1.0 = met), for the bar and the ranking."""
        if self.value is None or not self.target:
            return None
        return float(self.value / self.target)

    @property
    def lagging(self) -> bool:
        return self.target is not None and (self.value is None or self.value < self.target)

    @property
    def bar(self) -> int:
        """The progress bar's width in percent (0–100)."""
        p = self.progress
        return 0 if p is None else max(0, min(100, round(p * 100)))


def cells(
    inds: Sequence[Indicator],
    f: Figures,
    book: TargetBook,
    unit: UnitRef,
) -> list[Cell]:
    out = []
    for ind in inds:
        target, source = book.target(ind.code, unit)
        out.append(Cell(ind, value_of(ind, f), target, source))
    return out


def ranked(rows: Iterable[tuple[Cell, Any]]) -> list[tuple[Cell, Any]]:
    """Lagging units first: by progress towards the target (lowest first), then by value, then
    by name — a stable order officers can act on; units with no figure yet after them, flagged
    "no data"; units on target last. Items: (cell, unit row)."""

    def key(item: tuple[Cell, Any]) -> tuple[Any, ...]:
        cell, row = item
        p = cell.progress
        v = cell.value
        # Behind with figures first (furthest behind first), then the units with nothing to
        # measure yet (no one registered: a different job), then those on target.
        group = 1 if v is None else 0 if cell.lagging else 2
        return (
            group,
            0.0 if p is None else p,
            Decimal(0) if v is None else v,
            getattr(getattr(row, "child", row), "name", ""),
        )

    return sorted(rows, key=key)


# --- Trends -----------------------------------------------------------------------------------


def trend(
    unit: UnitRef,
    *,
    area: str = "all",
    today: dt.date | None = None,
    months: int = TREND_MONTHS,
    current: Figures | None = None,
) -> list[tuple[dt.date, Figures]]:
    """The unit's figures at the end of each of the last ``months`` months. A nation or a
    province reads its closed months from the province month rows (a few hundred rows) and this
    month from ``current`` (its live figures: the month row is the live row); a commune or a
    village reads its commune's month rows (villages have none of their own). The number of
    communes is today's in every month (the unit list does not change with the months)."""
    day = _today(today)
    this = summaries.month_of(day)
    first = this
    for _i in range(months - 1):
        first = summaries.previous_month(first)
    if unit.level in ("commune", "village"):
        rows = _sum(
            MonthSummary._meta.db_table,
            area="all",
            filter_on="commune_id",
            value=unit.code if unit.level == "commune" else unit.commune,
            group="month",
            extra=[first, this],
        )
        # SQLite's cursor hands dates back as text.
        out = [(m if isinstance(m, dt.date) else dt.date.fromisoformat(m), f) for m, f in rows]
        return sorted(out, key=lambda r: r[0])
    qs = ProvinceMonthSummary.objects.filter(month__gte=first, month__lt=this)
    if unit.level == "province":
        qs = qs.filter(province_id=unit.code)
    if area != "all":
        qs = qs.filter(remote=area == "remote")
    names = [*COMMUNE_COLUMNS, "communes", "communes_with_desk"]
    by_month: dict[dt.date, Figures] = {}
    for month, *values in qs.values_list("month", *names):
        f = by_month.setdefault(month, dict.fromkeys(names, 0))
        for name, v in zip(names, values, strict=True):
            f[name] += v
    if current is None:
        current = figures(unit, area=area, today=day)
    by_month[this] = dict(current)
    for f in by_month.values():
        f["communes"] = current.get("communes", 0)
    return sorted(by_month.items())


_rolled: set[tuple[int, int]] = set()


def roll_if_stale(today: dt.date | None = None) -> None:
    """Roll the summaries forward if the year or the month turned since the last write: checked
    once per month by each process (two queries), then remembered."""
    day = _today(today)
    if (day.year, day.month) in _rolled:
        return
    summaries.roll_forward(today=day)
    _rolled.add((day.year, day.month))


def all_communes(*, area: str = "all") -> list[tuple[Commune, Figures]]:
    """Every commune with its figures (two queries), for the national map's points."""
    rows = {
        r["commune_id"]: _row_figures(r)
        for r in _area(CommuneSummary.objects.all(), area).values("commune_id", *COMMUNE_COLUMNS)
    }
    communes = list(
        _area(Commune.objects.all(), area, prefix="")
        .only(
            "code",
            "name",
            "latitude",
            "longitude",
            "province_id",
            "is_remote",
            "is_ethnic_minority",
            "retired_at",
            "successor_id",
        )
        .order_by("code")
    )
    rows = fold_retired(rows, communes)
    return [(c, rows.get(c.code, _NO_ROW)) for c in communes if c.retired_at is None]


def fold_retired(rows: dict[str, Figures], communes: Iterable[Commune]) -> dict[str, Figures]:
    """A retired commune's figures (what stays on it: desk visits, classes …, and its people
    until the job has moved them) counted under its successor; the successor is still one
    commune. ``communes``: the rows already fetched (no query)."""
    out = dict(rows)
    for c in communes:
        if c.retired_at is None or c.successor_id is None or c.code not in out:
            continue
        mine = out.pop(c.code)
        into = dict(out.get(c.successor_id, _NO_ROW))
        for name, value in mine.items():
            if name in ("communes", "communes_with_desk"):
                continue
            into[name] = into.get(name, 0) + value
        into["communes_with_desk"] = int(
            into.get("desk_staff", 0) > 0 or bool(into.get("communes_with_desk", 0))
        )
        out[c.successor_id] = into
    return out


def month_figures(unit: UnitRef, month: dt.date) -> tuple[Figures, list[tuple[str, Figures]]]:
    """A unit's figures at the end of ``month`` and, for a province, each commune's, for the
    nation, each province's (from the month rows; one grouped query). The number of communes is
    today's, as on the dashboard."""
    filter_on = {"province": "province_id", "commune": "commune_id"}.get(unit.level, "")
    rows = _sum(
        MonthSummary._meta.db_table,
        area="all",
        filter_on=filter_on,
        value=unit.code,
        group="month",
        extra=[month, month],
    )
    total = rows[0][1] if rows else dict.fromkeys(_SUM_NAMES, 0)
    total["communes"] = _commune_count(unit)
    below: list[tuple[str, Figures]] = []
    if unit.level == "province":
        below = [
            (r["commune_id"], _row_figures(r))
            for r in MonthSummary.objects.filter(month=month, province_id=unit.code)
            .values("commune_id", *COMMUNE_COLUMNS)
            .order_by("commune_id")
        ]
    elif unit.level == "national":
        by_province: dict[str, Figures] = dict(
            _sum(
                MonthSummary._meta.db_table,
                area="all",
                filter_on="month",
                value=month,
                group="province_id",
            )
        )
        counts = dict(
            Commune.objects.values("province_id")
            .annotate(n=Count("code"))
            .values_list("province_id", "n")
            .order_by()
        )
        below = [
            (code, {**by_province.get(code, {}), "communes": counts.get(code, 0)})
            for code in Province.objects.order_by("code").values_list("code", flat=True)
        ]
    return total, below


# --- Targets: who sets which, and what is set -------------------------------------------------


def target_scope(
    actor: Any, province_code: str | None
) -> tuple[Province | None, list[tuple[str, str]]]:
    """The targets page of the nation (``None``) or of a province, if the actor sets targets
    there: the province and the units it offers ("" the nation, ``p:`` a province, ``r:`` the
    remote communes of a province, ``c:`` a commune). Not found otherwise."""
    ensure(can_open_targets(actor, province_code))
    if province_code is None:
        return None, [("", _("The whole country"))] + [
            (f"p:{p.code}", p.name) for p in Province.objects.order_by("code")
        ]
    prov = Province.objects.filter(code=province_code).first()
    if prov is None:
        raise NotFound()
    return prov, [(f"r:{prov.code}", _("All remote / ethnic-minority communes"))] + [
        (f"c:{c.code}", c.name) for c in Commune.objects.filter(province=prov).order_by("name")
    ]


def target_rows(province: Province | None, year: int) -> list[Target]:
    """Targets of this year and the last, set on the nation's page (nation and provinces) or on
    a province's page (its remote communes and each commune)."""
    qs = Target.objects.filter(year__gte=year - 1).select_related(
        "indicator", "province", "commune", "set_by"
    )
    if province is None:
        qs = qs.filter(commune__isnull=True, remote_only=False)
    else:
        qs = qs.filter(province=province, remote_only=True) | qs.filter(commune__province=province)
    return list(qs.order_by("-year", "indicator__order", "province_id", "commune__name"))


def indicator_get(code: str) -> Indicator:
    """An active indicator; not-found otherwise."""
    indicator = Indicator.objects.filter(code=code, active=True).first()
    if indicator is None:
        raise NotFound()
    return indicator


@dataclass(frozen=True)
class TargetPlace:
    """Where a target is set: the nation (both empty), a province, its remote communes
    (``remote_only``) or a commune."""

    province: Province | None = None
    commune: Commune | None = None
    remote_only: bool = False


def target_place(
    *, province: str = "", commune: str = "", remote_only: bool = False
) -> TargetPlace:
    """The units a target names by code; not-found for a code that names none."""
    prov = Province.objects.filter(code=province).first() if province else None
    comm = Commune.objects.filter(code=commune).first() if commune else None
    if (province and prov is None) or (commune and comm is None):
        raise NotFound()
    return TargetPlace(province=prov, commune=comm, remote_only=remote_only)


def target_place_of(unit: str) -> TargetPlace:
    """The place of a value of the targets page's list (:func:`target_scope`): "" the nation,
    ``p:``/``r:`` a province or its remote communes, ``c:`` a commune."""
    kind, _sep, code = unit.partition(":")
    if kind == "c":
        return target_place(commune=code)
    if kind in ("p", "r"):
        return target_place(province=code, remote_only=kind == "r")
    return TargetPlace()


def unit_names(unit: UnitRef) -> dict[str, str]:
    """The names of the province above a unit and of its commune (for the links up the
    hierarchy; a province's own name is on its page already)."""
    names: dict[str, str] = {}
    if unit.province and unit.level != "province":
        names["province"] = Province.objects.values_list("name", flat=True).get(code=unit.province)
    if unit.commune:
        names["commune"] = Commune.objects.values_list("name", flat=True).get(code=unit.commune)
    return names
