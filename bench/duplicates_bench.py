"""Duplicates benchmark: the commune's duplicates worklist and a walk-in's matches.

    python bench/duplicates_bench.py [--persons 10000 50000] [--rounds 5]
        [--postgres-url postgres://postgres@127.0.0.1:5432/records_dup_bench]

For each size, in a fresh database (SQLite: a temporary file; PostgreSQL when ``--postgres-url``
is given: that database, created and dropped by the script — give it a name of your own):
``migrate``, ``load_units``, then one commune of ``--persons`` synthetic people (Faker vi_VN
names, seeded; ~3.6 a household, 6 villages) written with ``bulk_create``, 2 % of them a second
record of someone else (the same name and year of birth, a household of their own — what
walk-ins used to make). Then, ``--rounds`` times after one warm-up:

- the worklist page's part: ``registry.matching.pairs(limit=100)`` and ``pair_count``;
- every pair of the commune (``registry.matching.pairs``: the self-join on the (commune, name)
  index, the shared phones, the people of the pairs, the pairs dismissed);
- ``registry.matching.candidates`` for one walk-in (one query on the commune's name index).

Prints the median and range of each (ms), the pairs found against the duplicates made, and the
machine's load; ends with one line of JSON. Timing never fails anything.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any


def _run_child(args: argparse.Namespace, persons: int, url: str | None) -> dict[str, Any]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "hocvuso.config.settings"
    tmp = tempfile.mkdtemp(prefix="dupbench")
    env["HOCVUSO_DATA_DIR"] = tmp
    env["DATABASE_URL"] = url or f"sqlite:///{tmp}/bench.sqlite3"
    cmd = [sys.executable, __file__, "--child", str(persons), "--rounds", str(args.rounds)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.stderr.write(out.stderr[-3000:])
        raise SystemExit(out.returncode)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _timed(fn: Any, rounds: int) -> tuple[float, float, float, Any]:
    fn()
    times, result = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times), max(times), result


def child(persons: int, rounds: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("load_units", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    from faker import Faker

    from hocvuso.core.text import fold
    from hocvuso.geo.models import Commune, Village
    from hocvuso.registry import matching
    from hocvuso.registry.models import Household, Person

    commune = Commune.objects.get(code="00715")
    villages = [
        Village.objects.create(commune=commune, name=f"Thôn {i}", search_key=f"thon {i}")
        for i in range(6)
    ]
    fake = Faker("vi_VN")
    fake.seed_instance(19)
    rng = random.Random(19)
    households: list[Household] = []
    people: list[Person] = []
    made = 0
    while len(people) < persons:
        village = rng.choice(villages)
        h = Household(commune=commune, village=village, code=f"H{len(households):06d}")
        households.append(h)
        for _ in range(rng.choice([1, 2, 3, 4, 4, 5, 6])):
            name = fake.name()
            people.append(
                Person(
                    commune=commune,
                    household=h,
                    full_name=name,
                    search_key=fold(name),
                    birth_year=rng.randint(1940, 2020),
                    sex=rng.choice("MF"),
                )
            )
    originals = rng.sample(people, persons // 50)
    for p in originals:
        h = Household(commune=commune, village=p.household.village, code=f"Q{made:06d}")
        households.append(h)
        people.append(
            Person(
                commune=commune,
                household=h,
                full_name=p.full_name,
                search_key=p.search_key,
                birth_year=p.birth_year,
                sex=p.sex,
            )
        )
        made += 1
    Household.objects.bulk_create(households, batch_size=2000)
    Person.objects.bulk_create(people, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    qs = Person.objects.filter(commune=commune)
    p_med, p_lo, p_hi, found = _timed(lambda: matching.pairs(commune.code), rounds)
    g_med, g_lo, g_hi, _page = _timed(
        lambda: (matching.pairs(commune.code, limit=100), matching.pair_count(commune.code)),
        rounds,
    )
    probe = matching.Probe.of(full_name=originals[0].full_name, birth_year=originals[0].birth_year)
    m_med, m_lo, m_hi, matches = _timed(lambda: matching.candidates(qs, probe), rounds)
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "persons": len(people),
                "duplicates_made": made,
                "pairs_found": len(found),
                "pairs_name_year": sum(1 for x in found if x.reasons[0] == "name_year"),
                "pairs_ms": [round(p_med, 1), round(p_lo, 1), round(p_hi, 1)],
                "page_ms": [round(g_med, 1), round(g_lo, 1), round(g_hi, 1)],
                "matches": len(matches),
                "matches_ms": [round(m_med, 2), round(m_lo, 2), round(m_hi, 2)],
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, nargs="+", default=[10000, 50000])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres-url", default="")
    parser.add_argument("--child", type=int, default=0)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.rounds)
        return
    load = os.getloadavg()
    results = []
    for n in args.persons:
        for url in [None, *([args.postgres_url] if args.postgres_url else [])]:
            if url:
                _pg(url, create=True)
            try:
                r = _run_child(args, n, url)
            finally:
                if url:
                    _pg(url, create=False)
            results.append(r)
            print(
                f"{r['vendor']:<10} {r['persons']:>7} people: worklist page (100 pairs and the "
                f"count) {r['page_ms'][0]} ms ({r['page_ms'][1]}–{r['page_ms'][2]}); every pair "
                f"{r['pairs_ms'][0]} ms ({r['pairs_ms'][1]}–{r['pairs_ms'][2]}), "
                f"{r['pairs_found']} pairs "
                f"({r['pairs_name_year']} by name and year; {r['duplicates_made']} made); "
                f"a walk-in's matches {r['matches_ms'][0]} ms "
                f"({r['matches_ms'][1]}–{r['matches_ms'][2]})"
            )
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(json.dumps({"bench": "duplicates", "load": load, "results": results}))


def _pg(url: str, *, create: bool) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            con.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    main()
