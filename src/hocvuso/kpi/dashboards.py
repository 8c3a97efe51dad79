"""One dashboard, assembled once for the page, the exports and the API alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from hocvuso.geo.models import Commune, Province
from hocvuso.kpi import selectors, summaries
from hocvuso.kpi.models import Indicator
from hocvuso.kpi.selectors import Cell, Child, Figures, UnitRef


@dataclass(frozen=True)
class Row:
    """A unit below, with every indicator."""

    child: Child
    cells: list[Cell]

    def cell(self, code: str) -> Cell:
        return next(c for c in self.cells if c.indicator.code == code)


@dataclass(frozen=True)
class Dashboard:
    unit: UnitRef
    area: str
    year: int
    month: int
    as_of: dt.date
    indicators: list[Indicator]  # shown at this level
    figures: Figures
    cells: list[Cell]
    rows: list[Row]  # the units below (in their natural order)
    selected: Indicator | None  # the indicator the ranking, map and trend focus on
    ranking: list[Row]  # rows ranked by the selected indicator, lagging first
    trend: list[tuple[dt.date, dict[str, Any]]]  # month → {indicator code: value}
    child_level: str | None

    @property
    def lagging(self) -> int:
        return sum(1 for r in self.ranking if self.selected and r.cell(self.selected.code).lagging)

    def groups(self) -> list[tuple[str, list[Cell]]]:
        out: dict[str, list[Cell]] = {}
        for c in self.cells:
            out.setdefault(c.indicator.get_group_display(), []).append(c)
        return list(out.items())


def build(
    *,
    actor: Any,
    level: str,
    code: str = "",
    area: str = "all",
    indicator: str = "",
    today: dt.date | None = None,
    full: bool = True,
) -> Dashboard:
    """The dashboard of a unit the actor may see (not found otherwise). ``full=False``: the
    units below get only the selected indicator (what the page shows); exports and the API
    want them all."""
    day = today or timezone.localdate()
    unit = selectors.unit_get(actor=actor, level=level, code=code)
    if area not in selectors.AREAS or level in ("commune", "village"):
        area = "all"
    selectors.roll_if_stale(day)
    every = selectors.indicators()
    inds = [i for i in every if level in i.levels]
    child_level = selectors.CHILD[level]
    child_inds = [i for i in inds if child_level and child_level in i.levels]
    book = selectors.target_book(day.year, day.month, every)
    f = selectors.figures(unit, area=area, today=day)
    cells = selectors.cells(inds, f, book, unit)
    selected = next((i for i in child_inds if i.code == indicator), None) or (
        child_inds[0] if child_inds else None
    )
    shown = child_inds if full else [selected] if selected else []
    rows = [
        Row(child, selectors.cells(shown, child.figures, book, _as_unit(child, unit)))
        for child in selectors.children(unit, area=area, today=day)
    ]
    ranking = (
        [r for _c, r in selectors.ranked((r.cell(selected.code), r) for r in rows)]
        if selected
        else []
    )
    months = selectors.trend(unit, area=area, today=day, current=f)
    trend = [(month, {i.code: selectors.value_of(i, mf) for i in inds}) for month, mf in months]
    return Dashboard(
        unit=unit,
        area=area,
        year=day.year,
        month=day.month,
        as_of=day,
        indicators=inds,
        figures=f,
        cells=cells,
        rows=rows,
        selected=selected,
        ranking=ranking,
        trend=trend,
        child_level=child_level,
    )


def _as_unit(child: Child, parent: UnitRef) -> UnitRef:
    """A unit below as a unit (for the target chain)."""
    return UnitRef(
        level=child.level,
        code=child.code,
        name=child.name,
        province=parent.code if child.level == "commune" else parent.province,
        commune=parent.code if child.level == "village" else "",
        remote=child.remote,
    )


@dataclass(frozen=True)
class Report:
    """A month's report of the nation, a province or a commune: every indicator this month and
    last, with its target; for the nation, its provinces, for a province, its communes, on the
    first indicators shown at that level (``child_level``: "province", "commune" or "")."""

    unit: UnitRef
    month: dt.date
    previous: dt.date
    lines: list[tuple[Cell, Cell]]
    commune_indicators: list[Indicator]
    rows: list[tuple[str, list[Cell]]]
    has_data: bool
    months: list[dt.date]  # the months one may choose, newest first
    child_level: str = ""


REPORT_COMMUNE_INDICATORS = 6


def month_chosen(value: str, today: dt.date) -> dt.date:
    """``YYYY-MM`` from the query, never later than this month (this month when unreadable)."""
    this = today.replace(day=1)
    try:
        year, month = (int(x) for x in value.split("-"))
        return min(dt.date(year, month, 1), this)
    except ValueError:
        return this


def monthly_report(*, actor: Any, level: str, code: str, month: str = "") -> Report:
    today = timezone.localdate()
    unit = selectors.unit_get(actor=actor, level=level, code=code)
    selectors.roll_if_stale(today)
    chosen = month_chosen(month, today)
    previous = summaries.previous_month(chosen)
    book = selectors.target_book(chosen.year, chosen.month)
    inds = selectors.indicators(level)
    now, below = selectors.month_figures(unit, chosen)
    before, _b = selectors.month_figures(unit, previous)
    earlier = {c.indicator.code: c for c in selectors.cells(inds, before, book, unit)}
    lines = [(c, earlier[c.indicator.code]) for c in selectors.cells(inds, now, book, unit)]
    child_level = {"national": "province", "province": "commune"}.get(level, "")
    child_inds = [i for i in inds if (child_level or "commune") in i.levels]
    child_inds = child_inds[:REPORT_COMMUNE_INDICATORS]
    names: dict[str, str] = {}
    if level == "province":
        names = dict(Commune.objects.filter(province_id=unit.code).values_list("code", "name"))
    elif level == "national":
        names = dict(Province.objects.values_list("code", "name"))

    def child(c: str) -> UnitRef:
        if level == "national":
            return UnitRef("province", c, names.get(c, c))
        return UnitRef("commune", c, names.get(c, c), province=unit.code)

    rows = sorted(
        ((names.get(c, c), selectors.cells(child_inds, f, book, child(c))) for c, f in below),
        key=lambda row: row[0],
    )
    months = [today.replace(day=1)]
    for _i in range(11):
        months.append(summaries.previous_month(months[-1]))
    return Report(
        unit, chosen, previous, lines, child_inds, rows, any(now.values()), months, child_level
    )
