"""Turning a dashboard into what a page draws: formatted values, colour classes, the map's
shapes and points, and the trend charts as SVG coordinates — all computed here, on the server,
so the phone downloads a small page with no script at all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from hocvuso.core.numbers import grouped
from hocvuso.kpi import maps
from hocvuso.kpi.models import Indicator, Unit
from hocvuso.kpi.selectors import Cell

BUCKETS = 5


def fmt_number(value: Decimal | int | float | None, places: int = 0) -> str:
    """1.234.567 and 85,3 in Vietnamese; 1,234,567 and 85.3 in English."""
    if value is None:
        return "—"
    return grouped(value, places)


def fmt_value(value: Decimal | int | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == Unit.PERCENT:
        return fmt_number(value, 1) + "%"
    if unit == Unit.RATIO:
        return fmt_number(value, 2)
    return fmt_number(value, 0)


def bucket(cell: Cell, scale: Sequence[Decimal] = ()) -> int:
    """Colour class 0–5: 0 nothing to show; 1–4 progress quarters towards the target; 5 met.
    Without a target (counts), quintile-like steps of ``scale`` (the sorted values shown)."""
    if cell.value is None:
        return 0
    p = cell.progress
    if p is not None:
        return 5 if p >= 1 else 1 + min(3, int(p * 4))
    if not scale:
        return 3
    top = scale[-1] or Decimal(1)
    return 1 + min(4, int(cell.value / top * 5)) if cell.value else 1


@dataclass(frozen=True)
class Shape:
    code: str
    name: str
    d: str
    css: str
    title: str
    url: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    css: str
    title: str
    url: str


@dataclass(frozen=True)
class Chart:
    """One trend line: SVG points, the area under it, labels."""

    width: int
    height: int
    points: str
    area: str
    dots: list[tuple[float, float, str]]  # x, y, label
    first: str
    last: str
    target_y: float | None
    empty: bool


def chart(
    months: Sequence[tuple[dt.date, Decimal | None]],
    ind: Indicator,
    target: Decimal | None,
    width: int = 300,
    height: int = 80,
) -> Chart:
    """A line over the months (percent: 0–100 fixed; others: 0–max)."""
    pad = 4
    values = [(m, v) for m, v in months if v is not None]
    if not values:
        return Chart(width, height, "", "", [], "", "", None, True)
    top = Decimal(100) if ind.unit == Unit.PERCENT else max(v for _m, v in values) or Decimal(1)
    if target is not None and ind.unit != Unit.PERCENT:
        top = max(top, target)
    n = max(1, len(months) - 1)
    index = {m: i for i, (m, _v) in enumerate(months)}

    def xy(m: dt.date, v: Decimal) -> tuple[float, float]:
        x = pad + (width - 2 * pad) * index[m] / n
        y = height - pad - float(v / top) * (height - 2 * pad)
        return round(x, 1), round(y, 1)

    pts = [xy(m, v) for m, v in values]
    line = " ".join(f"{x},{y}" for x, y in pts)
    area = f"{pts[0][0]},{height - pad} {line} {pts[-1][0]},{height - pad}"
    target_y = None
    if target is not None and top:
        target_y = round(height - pad - float(min(target, top) / top) * (height - 2 * pad), 1)
    dots = [
        (x, y, f"{m:%m/%Y}: {fmt_value(v, ind.unit)}")
        for (x, y), (m, v) in zip(pts, values, strict=True)
    ]
    return Chart(
        width,
        height,
        line,
        area,
        dots,
        f"{months[0][0]:%m/%Y}",
        f"{months[-1][0]:%m/%Y}",
        target_y,
        False,
    )


def province_shapes(items: Sequence[tuple[str, str, Cell, str]]) -> list[Shape]:
    """(code, name, cell, url) → the 34 coloured shapes."""
    data = maps.map_data()
    scale = sorted(c.value for _k, _n, c, _u in items if c.value is not None)
    out = []
    for code, name, cell, url in items:
        d = data.provinces.get(code)
        if not d:
            continue
        out.append(
            Shape(
                code,
                name,
                d,
                f"q{bucket(cell, scale)}",
                f"{name}: {fmt_value(cell.value, cell.indicator.unit)}",
                url,
            )
        )
    return out


def commune_points(items: Sequence[tuple[Any, str, Cell, str]]) -> list[Point]:
    """(commune, name, cell, url) → coloured points at the communes' coordinates."""
    scale = sorted(c.value for _k, _n, c, _u in items if c.value is not None)
    out = []
    for commune, name, cell, url in items:
        if commune.latitude is None or commune.longitude is None:
            continue
        x, y = maps.project(commune.longitude, commune.latitude)
        out.append(
            Point(
                x,
                y,
                f"q{bucket(cell, scale)}",
                f"{name}: {fmt_value(cell.value, cell.indicator.unit)}",
                url,
            )
        )
    return out


# --- SVG as text: one string join instead of thousands of template nodes ----------------------


def chart_svg(chart: Chart, css: str, radius: float) -> SafeString:
    """The trend line as inline SVG (numbers never localised: SVG wants 12.5, not 12,5)."""
    if chart.empty:
        return mark_safe("")
    label = escape(_("Trend from %(a)s to %(b)s") % {"a": chart.first, "b": chart.last})
    parts = [
        f'<svg class="{css}" viewBox="0 0 {chart.width} {chart.height}" role="img" '
        f'aria-label="{label}">'
    ]
    if chart.target_y is not None:
        y = chart.target_y
        parts.append(f'<line class="goal" x1="0" x2="{chart.width}" y1="{y}" y2="{y}"/>')
    parts.append(f'<polygon class="under" points="{chart.area}"/>')
    parts.append(f'<polyline points="{chart.points}"/>')
    parts.extend(
        f'<circle cx="{x}" cy="{y}" r="{radius}"><title>{escape(t)}</title></circle>'
        for x, y, t in chart.dots
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text part is escaped above


def map_svg(
    viewbox: str,
    label: str,
    shapes: Sequence[Shape],
    points: Sequence[Point],
    archipelagos: Sequence[Any],
    radius: float,
) -> SafeString:
    """The map as inline SVG: shapes (linked when they have a URL), islands, points.

    A map with links is a group of links (an image may not hold anything interactive: screen
    readers would not reach them), each link named by its unit; without links it is an image."""
    linked = any(s.url for s in shapes) or any(p.url for p in points)
    role = "group" if linked else "img"
    parts = [f'<svg viewBox="{viewbox}" role="{role}" aria-label="{escape(label)}">']
    for s in shapes:
        path = f'<path class="{s.css}" d="{s.d}"><title>{escape(s.title)}</title></path>'
        parts.append(
            f'<a href="{escape(s.url)}" aria-label="{escape(s.title)}">{path}</a>'
            if s.url
            else path
        )
    for a in archipelagos:
        parts.append(
            f'<g class="isles"><circle cx="{a.x}" cy="{a.y}" r="2"/>'
            f'<text x="{a.x}" y="{a.y}" dy="-4">{escape(a.name)}</text></g>'
        )
    parts.extend(
        f'<a href="{escape(p.url)}" aria-label="{escape(p.title)}">'
        f'<circle class="pt {p.css}" cx="{p.x}" cy="{p.y}" '
        f'r="{radius}"><title>{escape(p.title)}</title></circle></a>'
        for p in points
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text part is escaped above


def ranking_rows(ranking: Sequence[tuple[Any, Cell | None, str]]) -> SafeString:
    """The ranking table's rows (unit, bar, value / target, flag) as HTML."""
    remote = escape(_("Remote / ethnic-minority area"))
    no_data = escape(_("no data"))
    behind = escape(_("behind"))
    parts = []
    for n, (row, cell, url) in enumerate(ranking, start=1):
        if cell is None:
            continue
        name = escape(row.child.name)
        link = f'<a href="{escape(url)}">{name}</a>' if url else name
        flag = f' <span class="flag" title="{remote}">▲</span>' if row.child.remote else ""
        unit = cell.indicator.unit
        bar = target = ""
        if cell.target is not None:
            bar = (
                f'<meter min="0" max="100" low="50" high="99" optimum="100" '
                f'value="{cell.bar}">{cell.bar}%</meter>'
            )
            target = f'<br><span class="meta">/ {escape(fmt_value(cell.target, unit))}</span>'
        if cell.value is None:
            note = f'<br><span class="meta">{no_data}</span>'
        elif cell.lagging:
            note = f'<br><span class="lag">{behind}</span>'
        else:
            note = ""
        parts.append(
            f'<tr class="{"behind" if cell.lagging else ""}"><td class="i">{n}</td>'
            f'<th scope="row">{link}{flag}{bar}</th>'
            f'<td class="n"><strong>{escape(fmt_value(cell.value, unit))}</strong>'
            f"{target}{note}</td></tr>"
        )
    return mark_safe("".join(parts))  # noqa: S308 — every text part is escaped above
