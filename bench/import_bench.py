"""Bulk import benchmark: the full import against a raw COPY / executemany of the same rows.

    python bench/import_bench.py [--persons 200000] [--db sqlite|postgres|both]
        [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]

For each database it builds a fresh database (SQLite: a temporary file; PostgreSQL: a database
named for this run, ``hocvuso_bench_<pid>_<random>``, created and dropped by the script — two runs
at once never touch each other's), loads the units, makes N synthetic persons
as a clean CSV, then times

1. the full import: parse, validate, protect (hash + encrypt), dedupe, write — ``registry_import``;
2. the raw write of the very same final rows into the same table with the same indexes, emptied
   and compacted first (VACUUM FULL / VACUUM, so the baseline is not slowed by dead rows): ``COPY``
   on PostgreSQL, one ``executemany`` on SQLite;
   1 and 2 alternate for ``--rounds`` paired rounds (default 3) on freshly emptied tables; the
   medians and ranges are printed, with the machine's load;
3. a second import of the same file (everything "unchanged").

The full import writes, besides the people and households, its audit entry and one audit item per
person created or changed (their own audit trail), in the same transaction.

It prints rows/s for each and the ratio full/raw, the load average at each timed phase, and ends
with one line of JSON.

4. The import's memory by file size (``--memory-sizes``, default a quarter, a half and all of
   ``--persons``): each file imported into the emptied tables by a fresh process that does nothing
   else, its peak RSS read with ``getrusage`` (the bench's own process holds the population and
   the raw rows, so its RSS says nothing about the import's). Given for the importing process,
   as the growth over what it held before the import (Django, the database connection and the
   file's bytes), and for its protecting child (a forked process's RSS also counts the parent's
   pages it only reads).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlparse, urlunparse


def _high_water_mb() -> float:
    """This process's peak RSS (``VmHWM``, of its own address space: ``getrusage`` carries a
    parent's peak over ``exec``)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory_one(path: str) -> dict[str, object]:
    """One import of the file at ``path`` into the emptied tables, in this fresh process."""
    import django

    django.setup()
    from django.db import connection

    from hocvuso.core.actors import SYSTEM
    from hocvuso.geo.models import Commune
    from hocvuso.registry.importing.service import registry_import

    commune = Commune.objects.get(code="00715")
    with open(path, "rb") as f:
        data = f.read()
    connection.ensure_connection()
    before = _high_water_mb()
    t0 = time.perf_counter()
    outcome = registry_import(
        actor=SYSTEM, commune=commune, data=data, filename="bench.csv", create_villages=True
    )
    took = time.perf_counter() - t0
    peak = _high_water_mb()
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "rows": outcome.read,
        "inserted": outcome.inserted,
        "csv_mb": round(len(data) / 1e6, 1),
        "import_s": round(took, 2),
        "rss_before_mb": round(before),
        "peak_rss_mb": round(peak),
        "growth_mb": round(peak - before),
        "child_peak_rss_mb": round(child),
    }


def run_one(persons: int, rounds: int, memory_sizes: list[int]) -> dict[str, object]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from hocvuso.core.actors import SYSTEM
    from hocvuso.core.models import AuditItem
    from hocvuso.geo.models import Commune
    from hocvuso.registry.importing.service import (
        PERSON_COLUMNS,
        registry_import,
        write_person_rows,
    )
    from hocvuso.registry.models import Household
    from hocvuso.registry.synthetic import VILLAGE_NAMES, clean_csv, population_for

    call_command("migrate", verbosity=0)
    call_command("load_units", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    commune = Commune.objects.get(code="00715")
    population = population_for(commune.province_id, seed=7)
    households = []
    count = 0
    i = 0
    while count < persons:
        i += 1
        hh = population.household(f"B-{i:07d}", VILLAGE_NAMES[i % 12])
        households.append(hh)
        count += len(hh.members)
    data = clean_csv(households)

    def clean(tables: list[str]) -> None:
        """Empty tables and leave them as a fresh database would have them (no dead rows, no
        bloated indexes): a baseline on a dirty table would flatter the import."""
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
            else:
                if "registry_household" in tables:  # its head points at a person
                    cursor.execute("UPDATE registry_household SET head_id = NULL")
                for table in tables:
                    cursor.execute(f"DELETE FROM {table}")
                cursor.execute("VACUUM")

    everything = [
        "registry_person",
        "registry_household",
        "core_auditlog",
        "core_audititem",
        "geo_village",
    ]
    fulls: list[float] = []
    raws: list[float] = []
    loads: list[float] = []
    written = 0
    rows: list[tuple] = []
    for _round in range(rounds):
        clean(everything)
        t0 = time.perf_counter()
        outcome = registry_import(
            actor=SYSTEM, commune=commune, data=data, filename="bench.csv", create_villages=True
        )
        fulls.append(time.perf_counter() - t0)
        loads.append(os.getloadavg()[0])
        assert outcome.balanced, outcome.counts()
        written = outcome.inserted

        # The same final rows, raw, into the same (clean) table with the same indexes.
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(PERSON_COLUMNS)} FROM registry_person")
            rows = cursor.fetchall()
        if connection.vendor == "sqlite":
            import datetime as dt
            import uuid

            def back(r: tuple) -> tuple:
                r = list(r)
                r[0], r[4] = uuid.UUID(r[0]), uuid.UUID(r[4])
                r[1] = dt.datetime.fromisoformat(r[1]) if isinstance(r[1], str) else r[1]
                r[2] = dt.datetime.fromisoformat(r[2]) if isinstance(r[2], str) else r[2]
                r[7] = dt.date.fromisoformat(r[7]) if isinstance(r[7], str) else r[7]
                return tuple(r)

            rows = [back(r) for r in rows]
        Household.objects.update(head=None)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM registry_person")
            cursor.execute(
                "VACUUM FULL registry_person" if connection.vendor == "postgresql" else "VACUUM"
            )
        t0 = time.perf_counter()
        from django.db import transaction

        with transaction.atomic():
            raw_written = write_person_rows(rows)
        raws.append(time.perf_counter() - t0)
        loads.append(os.getloadavg()[0])
        assert raw_written == written

    t0 = time.perf_counter()
    again = registry_import(actor=SYSTEM, commune=commune, data=data, filename="bench.csv")
    again_s = time.perf_counter() - t0

    memory = []
    folder = tempfile.mkdtemp(prefix="hocvuso-bench-memory-")
    for size in sorted(memory_sizes):
        part, count = [], 0
        for hh in households:
            if count >= size:
                break
            part.append(hh)
            count += len(hh.members)
        path = os.path.join(folder, f"people-{size}.csv")
        with open(path, "wb") as f:
            f.write(clean_csv(part))
        clean(everything)
        out = subprocess.run(
            [sys.executable, __file__, "--memory-child", path],
            env=os.environ,
            capture_output=True,
            text=True,
            check=False,
        )
        os.unlink(path)
        if out.returncode != 0:
            raise RuntimeError(f"memory run failed:\n{out.stderr[-3000:]}")
        memory.append(json.loads(out.stdout.strip().splitlines()[-1]))
    os.rmdir(folder)
    full_s, raw_s = statistics.median(fulls), statistics.median(raws)
    ratios = sorted(r / f for f, r in zip(fulls, raws, strict=True))

    return {
        "database": connection.vendor,
        "persons": written,
        "rounds": rounds,
        "full_import_s": round(full_s, 2),
        "full_import_s_range": [round(min(fulls), 2), round(max(fulls), 2)],
        "full_import_rows_per_s": round(written / full_s),
        "raw_write_s": round(raw_s, 2),
        "raw_write_s_range": [round(min(raws), 2), round(max(raws), 2)],
        "raw_write_rows_per_s": round(written / raw_s),
        "ratio_full_to_raw": round(statistics.median(ratios), 3),
        "ratio_range": [round(ratios[0], 3), round(ratios[-1], 3)],
        "audit_items_per_person": round(
            AuditItem.objects.filter(action="person.import_create").count() / written, 3
        ),
        "reimport_unchanged": again.unchanged,
        "reimport_s": round(again_s, 2),
        "reimport_rows_per_s": round(again.read / again_s),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "load_average_1m_range": [round(min(loads), 2), round(max(loads), 2)],
        "csv_mb": round(len(data) / 1e6, 1),
        "memory": memory,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=200_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "HOCVUSO_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--rounds", type=int, default=3, help="paired rounds (import, raw)")
    parser.add_argument(
        "--memory-sizes",
        type=int,
        nargs="*",
        help="file sizes (persons) whose import's peak RSS is measured (default: 1/4, 1/2, all)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        print(json.dumps(memory_one(args.memory_child)))
        return
    sizes = args.memory_sizes
    if sizes is None:
        sizes = [args.persons // 4, args.persons // 2, args.persons]
    if args.child:
        print(json.dumps(run_one(args.persons, args.rounds, sizes)))
        return

    results = []
    tmp = tempfile.mkdtemp(prefix="hocvuso-bench-")
    targets = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for target in targets:
        env = dict(
            os.environ, HOCVUSO_DATA_DIR=tmp, DJANGO_SETTINGS_MODULE="hocvuso.config.settings"
        )
        if target == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        else:
            import psycopg

            admin = args.postgres_url
            name = f"hocvuso_bench_{os.getpid()}_{secrets.token_hex(3)}"
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {name}")
            env["DATABASE_URL"] = urlunparse(urlparse(admin)._replace(path=f"/{name}"))
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                "--persons",
                str(args.persons),
                "--rounds",
                str(args.rounds),
                "--memory-sizes",
                *[str(n) for n in sizes],
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if target == "postgres":
            import psycopg

            with psycopg.connect(args.postgres_url, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name}")
        if out.returncode != 0:
            sys.exit(f"{target} run failed:\n{out.stderr[-3000:]}")
        result = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(result)
        print(
            f"{result['database']:>10}: {result['persons']:,} persons | full import "
            f"{result['full_import_s']} s = {result['full_import_rows_per_s']:,} rows/s | "
            f"raw write {result['raw_write_s']} s = {result['raw_write_rows_per_s']:,} rows/s | "
            f"ratio {result['ratio_full_to_raw']:.1%} (range {result['ratio_range'][0]:.1%}–"
            f"{result['ratio_range'][1]:.1%}, {result['rounds']} paired rounds, load "
            f"{result['load_average_1m_range'][0]}–{result['load_average_1m_range'][1]}) | "
            f"re-import (all unchanged) {result['reimport_rows_per_s']:,} rows/s"
        )
        for m in result["memory"]:
            print(
                f"{'':>10}  memory: {m['rows']:,} rows ({m['csv_mb']} MB file) | importing "
                f"process +{m['growth_mb']} MB over {m['rss_before_mb']} MB (peak "
                f"{m['peak_rss_mb']} MB) | protecting child peak {m['child_peak_rss_mb']} MB | "
                f"{m['import_s']} s"
            )
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(json.dumps({"bench": "import", "machine": machine, "results": results}))


if __name__ == "__main__":
    main()
