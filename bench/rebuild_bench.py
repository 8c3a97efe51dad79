"""Rebuild benchmark: ``rebuild_summaries`` and ``check_summaries`` at national scale, the
set-based rebuild (``INSERT … SELECT``: on PostgreSQL every commune at once, one statement per
table) against the row-by-row one it replaced (``summaries.refresh`` per 100 communes: the
grouped recount read into Python, written back with ``bulk_create``), in paired rounds.

    python bench/rebuild_bench.py [--persons 1000000] [--db postgres|sqlite]
        [--rounds 3] [--old-max 2000000] [--postgres-url postgres://…/postgres]

For each size, in a child process: a fresh database (PostgreSQL
``rebuild_bench_<pid>_<time>``, a name of this run's own, created and dropped here; SQLite a
temporary file), ``migrate``, ``load_units``, the synthetic national population of
``bench/dashboard_bench.py`` (its ``build_population``: villages, households of ~3.6 people
over all 3,321 communes, status rows, teams, visits), then ``--rounds`` paired rounds of (old
rebuild, new rebuild) — the old only up to ``--old-max`` persons; the first new rebuild of a
fresh database inserts every row — and of ``check()`` after each new rebuild (must be empty);
then ``--empty-rounds`` rebuilds from emptied cohort and village tables (a first
installation: every row inserted). Prints median and range of each, with the CPU time the
database server's backend and this process spent on it (the figure a shared machine does not
inflate: wall time also waits for the CPU others use), the load average, and one line of JSON.
Timing never fails it; a difference found by the check does (exit 1).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

PG_DB = f"rebuild_bench_{os.getpid()}_{int(time.time())}"


def _dashboard_bench() -> Any:
    spec = importlib.util.spec_from_file_location(
        "dashboard_bench", Path(__file__).with_name("dashboard_bench.py")
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}Z] {msg}", file=sys.stderr, flush=True)


def load() -> float:
    return round(os.getloadavg()[0], 2)


def backend_cpu() -> float:
    """CPU seconds (user + system) of this connection's PostgreSQL backend so far, from /proc
    (the server runs on this machine); 0 on SQLite (the work is in this process)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Clock:
    """Wall time, this process's CPU and the backend's CPU of one step."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu, self.db = time.perf_counter(), time.process_time(), backend_cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu
        self.db = backend_cpu() - self.db

    def __str__(self) -> str:
        return f"{self.wall:.1f} s (backend CPU {self.db:.1f} s, Python CPU {self.cpu:.1f} s)"


def spread(values: list[float]) -> dict[str, Any]:
    return {
        "median_s": round(statistics.median(values), 2),
        "min_s": round(min(values), 2),
        "max_s": round(max(values), 2),
        "all_s": [round(v, 2) for v in values],
    }


def run_child(args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from hocvuso.geo.models import Commune
    from hocvuso.kpi import summaries
    from hocvuso.kpi.models import CohortSummary, VillageSummary

    dash = _dashboard_bench()
    persons = args.persons
    call_command("migrate", verbosity=0)
    call_command("load_units", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    t0 = time.perf_counter()
    counts = dash.build_population(persons, {})
    counts.pop("plan")
    result: dict[str, Any] = {"database": connection.vendor, "persons": persons, "counts": counts}
    result["build_s"] = round(time.perf_counter() - t0, 2)
    log(f"population built in {result['build_s']} s: {counts}")
    codes = list(Commune.objects.order_by("code").values_list("code", flat=True))

    def old_rebuild() -> None:
        for start in range(0, len(codes), 100):
            summaries.refresh(codes[start : start + 100])

    old: list[float] = []
    new: list[float] = []
    checks: list[float] = []
    cpu: dict[str, list[list[float]]] = {"rebuild": [], "check": [], "rebuild_from_empty": []}
    differences = 0
    loads = [load()]
    for r in range(args.rounds):
        if persons <= args.old_max:
            t0 = time.perf_counter()
            old_rebuild()
            old.append(time.perf_counter() - t0)
            log(f"round {r + 1}: old rebuild {old[-1]:.1f} s (load {load()})")
        with Clock() as c:
            summaries.rebuild()
        new.append(c.wall)
        cpu["rebuild"].append([round(c.db, 2), round(c.cpu, 2)])
        log(f"round {r + 1}: set-based rebuild {c} (load {load()})")
        with Clock() as c:
            found = summaries.check()
        checks.append(c.wall)
        cpu["check"].append([round(c.db, 2), round(c.cpu, 2)])
        differences += len(found)
        log(f"round {r + 1}: check {c}, {len(found)} differences (load {load()})")
        loads.append(load())
    # From empty tables (a first installation): every row inserted, none merged.
    empty: list[float] = []
    for _ in range(args.empty_rounds):
        CohortSummary.objects.all().delete()
        VillageSummary.objects.all().delete()
        with Clock() as c:
            summaries.rebuild()
        empty.append(c.wall)
        cpu["rebuild_from_empty"].append([round(c.db, 2), round(c.cpu, 2)])
        log(f"set-based rebuild from empty tables {c} (load {load()})")
        loads.append(load())
    if empty:
        found = summaries.check()
        differences += len(found)
        result["rebuild_from_empty"] = spread(empty)
    result["rows"] = {
        "cohort": CohortSummary.objects.count(),
        "village": VillageSummary.objects.count(),
    }
    result["old_rebuild"] = spread(old) if old else None
    result["rebuild"] = spread(new)
    result["check"] = spread(checks)
    result["differences"] = differences
    result["cpu_backend_python_s"] = cpu
    result["load"] = loads
    if old:
        ratios = [n / o for o, n in zip(old, new, strict=True)]
        result["new_over_old"] = {
            "median": round(statistics.median(ratios), 3),
            "min": round(min(ratios), 3),
            "max": round(max(ratios), 3),
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--old-max", type=int, default=2_000_000)
    parser.add_argument("--empty-rounds", type=int, default=1)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "HOCVUSO_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(args)))
        return
    tmp = tempfile.mkdtemp(prefix="hocvuso-rebuild-bench-")
    env = dict(os.environ, HOCVUSO_DATA_DIR=tmp, DJANGO_SETTINGS_MODULE="hocvuso.config.settings")
    for name in ("HOCVUSO_DEBUG", "HOCVUSO_ALLOWED_HOSTS", "HOCVUSO_ENV"):
        env.pop(name, None)
    admin = urlunparse(urlparse(args.postgres_url)._replace(path="/postgres"))
    try:
        if args.db == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        else:
            import psycopg

            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
                conn.execute(f"CREATE DATABASE {PG_DB}")
            env["DATABASE_URL"] = urlunparse(urlparse(admin)._replace(path=f"/{PG_DB}"))
        cmd = [
            sys.executable, __file__, "--child", "--persons", str(args.persons),
            "--rounds", str(args.rounds), "--old-max", str(args.old_max),
            "--empty-rounds", str(args.empty_rounds),
        ]  # fmt: skip
        started = time.perf_counter()
        out = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True, check=False)
        if out.returncode != 0:
            sys.exit(f"the run failed (exit {out.returncode})")
        result = json.loads(out.stdout.strip().splitlines()[-1])
        result["wall_s"] = round(time.perf_counter() - started, 1)
    finally:
        if args.db == "postgres":
            import psycopg

            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    print(f"{result['database']}, {result['persons']:,} persons ({result['counts']})")
    if result["old_rebuild"]:
        o = result["old_rebuild"]
        print(f"  old rebuild (row by row)  median {o['median_s']} s [{o['min_s']}–{o['max_s']}]")
    n, c = result["rebuild"], result["check"]
    print(f"  set-based rebuild         median {n['median_s']} s [{n['min_s']}–{n['max_s']}]")
    if "new_over_old" in result:
        q = result["new_over_old"]
        print(f"  new / old                 {q['median']} [{q['min']}–{q['max']}]")
    print(f"  set-based check           median {c['median_s']} s [{c['min_s']}–{c['max_s']}]")
    if result.get("rebuild_from_empty"):
        e = result["rebuild_from_empty"]
        print(f"  rebuild from empty tables median {e['median_s']} s [{e['min_s']}–{e['max_s']}]")
    print(f"  [backend CPU s, Python CPU s] {result['cpu_backend_python_s']}")
    print(f"  differences found         {result['differences']}")
    print(f"  load average (1 min)      {result['load']}")
    print(json.dumps({"bench": "rebuild", **result}))
    if result["differences"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
