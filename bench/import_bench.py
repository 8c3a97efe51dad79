"""Bulk import benchmark: the full import against a raw COPY / executemany of the same rows.

    python bench/import_bench.py [--persons 200000] [--db sqlite|postgres|both]
        [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]

For each database it builds a fresh database (SQLite: a temporary file; PostgreSQL: a database
``hocvuso_bench`` created and dropped by the script), loads the units, makes N synthetic persons
as a clean CSV, then times

1. the full import: parse, validate, protect (hash + encrypt), dedupe, write — ``registry_import``;
2. the raw write of the very same final rows into the same table with the same indexes (after
   deleting them): ``COPY`` on PostgreSQL, one ``executemany`` on SQLite;
3. a second import of the same file (everything "unchanged").

It prints rows/s for each and the ratio full/raw, and ends with one line of JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlparse, urlunparse


def run_one(persons: int) -> dict[str, object]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from hocvuso.core.actors import SYSTEM
    from hocvuso.geo.models import Commune
    from hocvuso.registry.importing.service import (
        PERSON_COLUMNS,
        registry_import,
        write_person_rows,
    )
    from hocvuso.registry.models import Household, Person
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

    t0 = time.perf_counter()
    outcome = registry_import(
        actor=SYSTEM, commune=commune, data=data, filename="bench.csv", create_villages=True
    )
    full_s = time.perf_counter() - t0
    assert outcome.balanced, outcome.counts()
    written = outcome.inserted

    # The same final rows, raw, into the same table with the same indexes.
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
    Person.objects.all().delete()
    t0 = time.perf_counter()
    from django.db import transaction

    with transaction.atomic():
        raw_written = write_person_rows(rows)
    raw_s = time.perf_counter() - t0
    assert raw_written == written

    t0 = time.perf_counter()
    again = registry_import(actor=SYSTEM, commune=commune, data=data, filename="bench.csv")
    again_s = time.perf_counter() - t0

    return {
        "database": connection.vendor,
        "persons": written,
        "full_import_s": round(full_s, 2),
        "full_import_rows_per_s": round(written / full_s),
        "raw_write_s": round(raw_s, 2),
        "raw_write_rows_per_s": round(written / raw_s),
        "ratio_full_to_raw": round((written / full_s) / (written / raw_s), 3),
        "reimport_unchanged": again.unchanged,
        "reimport_s": round(again_s, 2),
        "reimport_rows_per_s": round(again.read / again_s),
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
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.persons)))
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
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute("DROP DATABASE IF EXISTS hocvuso_bench")
                conn.execute("CREATE DATABASE hocvuso_bench")
            env["DATABASE_URL"] = urlunparse(urlparse(admin)._replace(path="/hocvuso_bench"))
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--persons", str(args.persons)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            sys.exit(f"{target} run failed:\n{out.stderr[-3000:]}")
        result = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(result)
        print(
            f"{result['database']:>10}: {result['persons']:,} persons | full import "
            f"{result['full_import_s']} s = {result['full_import_rows_per_s']:,} rows/s | "
            f"raw write {result['raw_write_s']} s = {result['raw_write_rows_per_s']:,} rows/s | "
            f"ratio "
            f"{result['ratio_full_to_raw']:.1%} | re-import (all unchanged) "
            f"{result['reimport_rows_per_s']:,} rows/s"
        )
        if target == "postgres":
            import psycopg

            with psycopg.connect(args.postgres_url, autocommit=True) as conn:
                conn.execute("DROP DATABASE IF EXISTS hocvuso_bench")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(json.dumps({"bench": "import", "machine": machine, "results": results}))


if __name__ == "__main__":
    main()
