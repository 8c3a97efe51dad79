"""The dashboards' figures as JSON, scoped like the pages: out of scope answers 404, the same as
for a unit that does not exist. Values are numbers (percent 0–100, ratio, count) or null when
there is nothing to measure yet; targets carry where they come from."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from hocvuso.core.replicas import replica_reads
from hocvuso.core.schemas import ErrorOut
from hocvuso.kpi import dashboards, selectors, services
from hocvuso.kpi.dashboards import Dashboard
from hocvuso.kpi.selectors import Cell

router = Router(tags=["dashboards"])


class IndicatorOut(Schema):
    code: str
    group: str
    name_vi: str
    name_en: str
    numerator: str
    denominator: str
    unit: str = Field(description="percent, ratio or count")
    default_target: Decimal | None
    levels: list[str]
    breakdowns: list[str]


class CellOut(Schema):
    indicator: str
    value: Decimal | None
    target: Decimal | None
    target_from: str = Field(description="commune, province_remote, province, national, default")
    lagging: bool


class UnitOut(Schema):
    level: str
    code: str
    name: str
    remote: bool
    figures: dict[str, int]
    indicators: list[CellOut]


class TrendOut(Schema):
    month: dt.date
    values: dict[str, Decimal | None]


class DashboardOut(Schema):
    unit: UnitOut
    area: str
    as_of: dt.date
    year: int
    below: list[UnitOut] = Field(description="The units below, lagging first by `selected`")
    selected: str | None
    trend: list[TrendOut]


class Filters(Schema):
    vung: str = Field("all", description="all, remote (remote / ethnic-minority) or other")
    i: str = Field("", description="Indicator code the units below are ranked by")
    only: bool = Field(
        False,
        description="The units below carry only the ranked indicator (a light answer for a "
        "province's ~100 communes); the unit itself always carries them all",
    )


class TargetIn(Schema):
    indicator: str
    year: int
    month: int | None = None
    province: str | None = Field(
        None, description="Province code (with remote_only: its remote communes)"
    )
    commune: str | None = None
    remote_only: bool = False
    value: Decimal | None = Field(None, description="null clears the target")


class TargetOut(Schema):
    key: str | None
    value: Decimal | None


def _cells(cells: list[Cell]) -> list[dict[str, Any]]:
    return [
        {
            "indicator": c.indicator.code,
            "value": c.value,
            "target": c.target,
            "target_from": c.source,
            "lagging": c.lagging,
        }
        for c in cells
    ]


def _out(d: Dashboard) -> dict[str, Any]:
    """Plain dicts: the response schema validates them once (building schema objects first
    would validate everything twice)."""
    return {
        "unit": {
            "level": d.unit.level,
            "code": d.unit.code,
            "name": d.unit.name,
            "remote": d.unit.remote,
            "figures": d.figures,
            "indicators": _cells(d.cells),
        },
        "area": d.area,
        "as_of": d.as_of,
        "year": d.year,
        "below": [
            {
                "level": r.child.level,
                "code": r.child.code,
                "name": r.child.name,
                "remote": r.child.remote,
                "figures": r.child.figures,
                "indicators": _cells(r.cells),
            }
            for r in d.ranking
        ],
        "selected": d.selected.code if d.selected else None,
        "trend": [{"month": m, "values": v} for m, v in d.trend],
    }


@replica_reads
def _build(request: HttpRequest, level: str, code: str, f: Filters) -> Any:
    return _out(
        dashboards.build(
            actor=request.user,
            level=level,
            code=code,
            area=f.vung,
            indicator=f.i,
            full=not f.only,
        )
    )


@router.get("/indicators", response=list[IndicatorOut], url_name="kpi_indicators")
def indicator_list(request: HttpRequest) -> Any:
    return selectors.indicators()


@router.get("/national", response={200: DashboardOut, 404: ErrorOut}, url_name="kpi_national")
def national(request: HttpRequest, filters: Query[Filters]) -> Any:
    return _build(request, "national", "", filters)


@router.get(
    "/provinces/{code}", response={200: DashboardOut, 404: ErrorOut}, url_name="kpi_province"
)
def province(request: HttpRequest, code: str, filters: Query[Filters]) -> Any:
    return _build(request, "province", code, filters)


@router.get("/communes/{code}", response={200: DashboardOut, 404: ErrorOut}, url_name="kpi_commune")
def commune(request: HttpRequest, code: str, filters: Query[Filters]) -> Any:
    return _build(request, "commune", code, filters)


@router.get(
    "/villages/{village_id}", response={200: DashboardOut, 404: ErrorOut}, url_name="kpi_village"
)
def village(request: HttpRequest, village_id: UUID, filters: Query[Filters]) -> Any:
    return _build(request, "village", str(village_id), filters)


@router.post(
    "/targets", response={200: TargetOut, 404: ErrorOut, 422: ErrorOut}, url_name="kpi_target_set"
)
def target_set(request: HttpRequest, payload: TargetIn) -> TargetOut:
    place = selectors.target_place(
        province=payload.province or "",
        commune=payload.commune or "",
        remote_only=payload.remote_only,
    )
    target = services.target_set(
        actor=request.user,
        indicator=selectors.indicator_get(payload.indicator),
        year=payload.year,
        month=payload.month,
        value=payload.value,
        province=place.province,
        commune=place.commune,
        remote_only=place.remote_only,
    )
    return TargetOut(key=target.key if target else None, value=target.value if target else None)
