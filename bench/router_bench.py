"""What the replica router costs a dashboard: the same pages with the router and without, in
paired rounds.

    python bench/router_bench.py [--rounds 7] [--repeat 30] [--db sqlite|postgres]
        [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]

A fresh database (SQLite file, or PostgreSQL ``hv_router_bench_<pid>`` created and dropped
here), migrated, the official units loaded, the summaries rebuilt; a national admin logged in
with ``django.test.Client``. Each round measures the national, province (08) and commune (00715)
dashboards ``--repeat`` times each *without* the router (``django.db.router.routers = []``) and
*with* it (the project's ``ReplicaRouter`` and the pinning middleware's state, no replica
configured: what every deployment without replicas runs), in alternating order. It prints the
median of the per-round medians and the ratio with / without (median and range over the rounds),
the load average, and one line of JSON. Timing never fails anything.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

PAGES = {
    "national": "/bang-dieu-khien/ca-nuoc/",
    "province": "/bang-dieu-khien/tinh/08/",
    "commune": "/bang-dieu-khien/xa/00715/",
}


def run(rounds: int, repeat: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import router

    import dashboard_bench as db_bench
    from hocvuso.core.replicas import ReplicaRouter
    from hocvuso.kpi import summaries

    call_command("migrate", verbosity=0)
    call_command("load_units", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    summaries.rebuild()
    client, _how = db_bench.logged_in_client(db_bench.national_admin())
    with_router = [ReplicaRouter()]

    def measure(routers: list[Any]) -> dict[str, float]:
        router.routers = routers
        out = {}
        for name, url in PAGES.items():
            times = []
            for _ in range(repeat):
                t = time.perf_counter()
                r = client.get(url)
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, r.status_code
            out[name] = statistics.median(times)
        return out

    for _ in range(3):
        measure(with_router), measure([])
    rows: list[dict[str, dict[str, float]]] = []
    for n in range(rounds):
        if n % 2:
            on, off = measure(with_router), measure([])
        else:
            off, on = measure([]), measure(with_router)
        rows.append({"on": on, "off": off})
    result: dict[str, Any] = {"db_for_read_us": _per_call()}
    for name in PAGES:
        ratios = [r["on"][name] / r["off"][name] for r in rows]
        result[name] = {
            "without_ms": round(statistics.median(r["off"][name] for r in rows), 2),
            "with_ms": round(statistics.median(r["on"][name] for r in rows), 2),
            "ratio": round(statistics.median(ratios), 3),
            "ratio_range": [round(min(ratios), 3), round(max(ratios), 3)],
        }
    return result


def _per_call() -> dict[str, float]:
    """Microseconds per ``db_for_read``: outside a request, and inside a marked view with a
    replica already chosen for the request (the router's two paths; no database touched)."""
    import timeit

    from hocvuso.core import replicas
    from hocvuso.kpi.models import CommuneSummary

    r = replicas.ReplicaRouter()
    n = 200_000
    outside = timeit.timeit(lambda: r.db_for_read(CommuneSummary), number=n) / n * 1e6
    state = replicas._Reads(eligible=True, decided=True, chosen="replica1")
    token = replicas._state.set(state)
    try:
        routed = timeit.timeit(lambda: r.db_for_read(CommuneSummary), number=n) / n * 1e6
    finally:
        replicas._state.reset(token)
    return {"outside_a_request": round(outside, 3), "routed": round(routed, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run(args.rounds, args.repeat)))
        return
    folder = Path(tempfile.mkdtemp(prefix="hocvuso-router-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOCVUSO_", "DATABASE_"))}
    env.update(
        HOCVUSO_DATA_DIR=str(folder),
        DJANGO_SETTINGS_MODULE="hocvuso.config.settings",
        HOCVUSO_REQUIRE_2FA="0",
        HOCVUSO_LOG_LEVEL="WARNING",
    )
    name = f"hv_router_bench_{os.getpid()}"
    admin = args.postgres_url
    if args.db == "postgres":
        env["DATABASE_URL"] = urlunparse(urlparse(admin)._replace(path=f"/{name}"))
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)  # noqa: S607
    else:
        env["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    load_before = os.getloadavg()
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", "--rounds", str(args.rounds),
             "--repeat", str(args.repeat)],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
    finally:
        if args.db == "postgres":
            subprocess.run(
                ["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"],  # noqa: S607
                check=False,
            )
        subprocess.run(["rm", "-rf", str(folder)], check=False)  # noqa: S607
    result = json.loads(done.stdout.strip().splitlines()[-1])
    load_after = os.getloadavg()
    print(f"{args.db}; {args.rounds} paired rounds × {args.repeat} requests per page")
    print(f"{'page':<9} {'without ms':>11} {'with ms':>8} {'ratio (range)':>22}")
    calls = result.pop("db_for_read_us")
    for page, r in result.items():
        lo, hi = r["ratio_range"]
        print(f"{page:<9} {r['without_ms']:>11} {r['with_ms']:>8} {r['ratio']:>9} ({lo}–{hi})")
    outside, routed = calls["outside_a_request"], calls["routed"]
    print(f"db_for_read: {outside} µs outside a request, {routed} µs routed")
    result["db_for_read_us"] = calls
    loads = [round(x, 2) for x in (*load_before, *load_after)]
    print(f"load average before {loads[:3]}, after {loads[3:]}")
    print(json.dumps({"bench": "router", "db": args.db, "pages": result, "load": loads}))


if __name__ == "__main__":
    main()
