"""Reading the official unit list shipped by the ``vietnamadminunits`` package.

The package is MIT-licensed and ships a SQLite file (``data/dataset.db``, table ``admin_units``)
with the 34 provinces and 3,321 commune-level units of 1 July 2025, their official codes and
coordinates. We locate the file without importing the package (its import pulls in shapely and
geopy, which we do not need).
"""

from __future__ import annotations

import importlib.util
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from hocvuso.core.text import clean


@dataclass(frozen=True)
class UnitRow:
    province_code: str
    province_name: str
    province_short: str
    province_lat: float | None
    province_lon: float | None
    commune_code: str
    commune_name: str
    commune_short: str
    commune_type: str
    commune_lat: float | None
    commune_lon: float | None
    commune_area: float | None


def default_source() -> Path:
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the vietnamadminunits package is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "dataset.db"
    if not path.exists():
        raise FileNotFoundError(f"unit list not found in the vietnamadminunits package: {path}")
    return path


def read_units(source: Path) -> list[UnitRow]:
    con = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT provinceCode, province, provinceShort, provinceLat, provinceLon,"
            " wardCode, ward, wardShort, wardType, wardLat, wardLon, wardAreaKm2"
            " FROM admin_units ORDER BY wardCode"
        ).fetchall()
    finally:
        con.close()
    return [
        UnitRow(
            province_code=str(r[0]).zfill(2),
            province_name=clean(r[1]),
            province_short=clean(r[2]),
            province_lat=r[3],
            province_lon=r[4],
            commune_code=str(r[5]).zfill(5),
            commune_name=clean(r[6]),
            commune_short=clean(r[7]),
            commune_type=clean(r[8]),
            commune_lat=r[9],
            commune_lon=r[10],
            commune_area=r[11],
        )
        for r in rows
    ]
