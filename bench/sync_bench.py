"""Sync benchmark: eight devices of one commune pushing at once, the first and an idle pull of
a team's work set, then pushing batches of field records and replaying them, in rounds.

    python bench/sync_bench.py [--households 500] [--batches 2] [--rounds 5] [--devices 8]
        [--postgres-url postgres://postgres@127.0.0.1:5432/postgres] [--db-prefix hocvuso]

In a child process, on a fresh PostgreSQL database (``<prefix>_sync_bench_<pid>_<random>``,
created and dropped by the script):

1. ``migrate``, ``load_units``; ``--households`` synthetic households (about 3.6 people each)
   imported into one commune over three villages; a team over them, ``--devices`` members, each
   with a registered field device;
2. **eight devices at once**: each device, in its own thread and connection, pushes visits to
   households of its own (one visit each); errors (deadlocks), throughput, and the commune's
   summary row against a recount of the visits (no lost update);
3. **pull**: a device's first sync of the team's work set (every household visited once),
   page after page, gzip — bytes on the wire and server time — then an incremental pull with
   nothing new (bytes);
4. **push**, ``--rounds`` rounds of ``--batches`` batches of 500 visit records each (3 people at
   home, 2 skills gained each: ~1,370 people at home and ~2,740 skill events a batch) sent by one
   device through the real endpoint (``POST /api/v1/sync/push``, test client, bearer token):
   records per second of wall time, per CPU second of the application, and per CPU second of
   the application and its PostgreSQL backend together (read from ``/proc``: the same machine);
   the machine's load at each round; fresh statistics (``ANALYZE``) before each round, as
   autovacuum keeps them on a live database;
5. **replay**, alternated with the push in each round: the same batches again (every answer
   ``duplicate``, nothing written: the row counts are compared), and the ratio of its time to
   the push's. Medians and ranges over the rounds.

It prints the figures with the issue's targets beside them (never failing on them) and ends
with one line of JSON. ``SYNC_BENCH_PROFILE=1`` profiles the last push batch (cProfile on CPU
time, sorted by ``SYNC_BENCH_SORT``, default ``cumulative``; ``SYNC_BENCH_FILTER`` narrows it)
to stderr; ``SYNC_BENCH_SQL=1`` prints that batch's slowest statements.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any
from urllib.parse import urlparse, urlunparse

BATCH = 500
GAINS = ["bank.account", "3.1"]


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}Z] {msg}", file=sys.stderr, flush=True)


def run(households: int, batches: int, devices: int, rounds: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import Client
    from django.utils import timezone

    from hocvuso.core.actors import SYSTEM
    from hocvuso.core.ids import uuid7
    from hocvuso.geo.models import Commune, Village
    from hocvuso.kpi.models import CommuneSummary
    from hocvuso.registry.importing.service import registry_import
    from hocvuso.registry.models import Household, Person
    from hocvuso.registry.synthetic import clean_csv, population_for
    from hocvuso.skills.models import SkillEvent
    from hocvuso.sync.services import device_register, push_apply
    from hocvuso.teams.models import Visit, VisitPerson
    from hocvuso.teams.services import team_create, team_member_add

    settings.ALLOWED_HOSTS = ["*"]
    settings.HOCVUSO_SYNC_PULL_OVERLAP_SECONDS = 0
    call_command("migrate", verbosity=0)
    call_command("load_units", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    commune = Commune.objects.get(code="00715")
    population = population_for(commune.province_id, seed=7)
    names = ["Thôn Một", "Thôn Hai", "Thôn Ba"]
    rows = [population.household(f"B-{i:05d}", names[i % 3]) for i in range(households)]
    t = time.perf_counter()
    registry_import(
        actor=SYSTEM, commune=commune, data=clean_csv(rows), filename="b.csv", create_villages=True
    )
    log(f"imported {households} households in {time.perf_counter() - t:.1f} s")
    villages = list(Village.objects.filter(commune=commune))
    team = team_create(actor=SYSTEM, commune=commune, name="Tổ 1", villages=villages)
    from django.contrib.auth import get_user_model

    phones = []
    for i in range(devices):
        user = get_user_model().objects.create_user(username=f"to.{i}", password="x" * 12)
        team_member_add(actor=SYSTEM, team=team, user=user)
        device, secret = device_register(actor=user, name=f"Máy {i}")
        phones.append({"device": device, "secret": secret, "seq": 0})
    members: dict[Any, list[Any]] = {}
    for pk, hh in Person.objects.filter(commune=commune).values_list("pk", "household_id"):
        members.setdefault(hh, []).append(pk)
    hh_ids = sorted(members)
    members_all = [p for hh in hh_ids for p in members[hh][:3]]
    now = timezone.now()

    def visit(phone: dict[str, Any], hh: Any, minutes: int) -> dict[str, Any]:
        phone["seq"] += 1
        at = (now - dt.timedelta(minutes=minutes)).isoformat()
        return {
            "id": str(uuid7()), "seq": phone["seq"], "kind": "visit", "at": at,
            "data": {"household_id": str(hh), "visited_at": at, "present": [
                {"person_id": str(p), "guided": ["vneid.install"], "gained": GAINS}
                for p in members[hh][:3]]},
        }  # fmt: skip

    def counts() -> tuple[int, int, int]:
        return Visit.objects.count(), VisitPerson.objects.count(), SkillEvent.objects.count()

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    def db_cpu() -> float:
        """The CPU seconds of this connection's PostgreSQL backend so far (same machine)."""
        with open(f"/proc/{backend}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    # --- 2. eight devices at once -------------------------------------------------------------
    per_device = len(hh_ids) // devices
    jobs = []
    for i, phone in enumerate(phones):
        own = hh_ids[i * per_device : (i + 1) * per_device]
        records_i = [visit(phone, hh, 10) for hh in own]
        jobs.append((phone, [records_i[j : j + BATCH] for j in range(0, len(records_i), BATCH)]))
    errors: list[str] = []

    def worker(phone: dict[str, Any], chunks: list[list[dict[str, Any]]]) -> None:
        try:
            for chunk in chunks:
                result = push_apply(device=phone["device"], records=chunk)
                bad = [a for a in result.answers if a.status != "accepted"]
                if bad:
                    errors.append(f"{bad[0].status} {bad[0].code}")
        except Exception as exc:  # a deadlock or a lost update would surface here
            errors.append(repr(exc)[:200])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=job) for job in jobs]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    parallel_s = time.perf_counter() - t
    parallel_records = sum(len(c) for _p, chunks in jobs for c in chunks)
    summary = CommuneSummary.objects.get(commune=commune)
    visited = (
        Visit.objects.filter(household__commune=commune).values("household").distinct().count()
    )
    guided = (
        VisitPerson.objects.filter(visit__household__commune=commune, was_guided=True)
        .values("person")
        .distinct()
        .count()
    )
    log(f"{devices} devices: {parallel_records} visits in {parallel_s:.2f} s, errors {errors[:3]}")
    # --- 3. pull (the team's first sync, after one visit to each household) ---------------
    puller = Client()
    pull_load = os.getloadavg()[0]
    pull_auth = {
        "HTTP_AUTHORIZATION": f"Bearer {phones[1]['secret']}",
        "HTTP_ACCEPT_ENCODING": "gzip",
    }
    wire = 0
    pages = 0
    changes = 0
    cursor = None
    t, pull_cpu = time.perf_counter(), time.process_time() + db_cpu()
    while True:
        r = puller.get("/api/v1/sync/pull", {"cursor": cursor} if cursor else {}, **pull_auth)
        assert r.status_code == 200
        wire += len(r.content)
        import gzip

        body = json.loads(gzip.decompress(r.content))
        pages += 1
        changes += len(body["changes"])
        cursor = body["cursor"]
        if not body["more"]:
            break
    pull_s = time.perf_counter() - t
    # The test client runs the server in this process; the puller's queries go through this
    # process's connection, whose backend is the one measured.
    pull_cpu = time.process_time() + db_cpu() - pull_cpu
    r = puller.get("/api/v1/sync/pull", {"cursor": cursor}, **pull_auth)
    idle = len(r.content)
    # --- 4./5. push and replay, in rounds ----------------------------------------------------
    first = phones[0]
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {first['secret']}"}

    def send(batch: list[dict[str, Any]], want: str) -> tuple[float, float, float]:
        body = json.dumps({"records": batch})
        t, c, d = time.perf_counter(), time.process_time(), db_cpu()
        r = client.post("/api/v1/sync/push", body, content_type="application/json", **auth)
        wall, cpu, dbc = time.perf_counter() - t, time.process_time() - c, db_cpu() - d
        assert r.status_code == 200, r.content[:300]
        statuses = {a["status"] for a in r.json()["answers"]}
        assert statuses == {want}, statuses
        return wall, cpu, dbc

    profile = os.environ.get("SYNC_BENCH_PROFILE") == "1"
    rounds_out = []
    before = counts()
    minutes = 5000

    def analyze() -> None:
        """Fresh statistics, as autovacuum keeps them on a live database: the bench's tables
        were filled seconds ago, and a plan made for an empty table reads every event."""
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    for rnd in range(rounds):
        analyze()
        sent = []
        for b in range(batches):
            chunk = [hh_ids[(b * BATCH + i) % len(hh_ids)] for i in range(BATCH)]
            minutes -= 1
            sent.append([visit(first, hh, minutes) for hh in chunk])
        load_push = os.getloadavg()[0]
        push = []
        for n, batch in enumerate(sent):
            last = rnd == rounds - 1 and n == len(sent) - 1
            if profile and last:
                import cProfile
                import pstats

                prof = cProfile.Profile(time.process_time)
                prof.enable()
            if os.environ.get("SYNC_BENCH_SQL") == "1" and last:
                timings: list[tuple[float, str]] = []

                def clock(
                    execute: Any,
                    sql: str,
                    params: Any,
                    many: bool,
                    ctx: Any,
                    timings: Any = timings,
                ) -> Any:
                    t0 = time.perf_counter()
                    try:
                        return execute(sql, params, many, ctx)
                    finally:
                        timings.append((time.perf_counter() - t0, sql[:150]))

                with connection.execute_wrapper(clock):
                    push.append(send(batch, "accepted"))
                for took, sql in sorted(timings, reverse=True)[:25]:
                    print(f"{took * 1000:8.1f} ms  {sql}", file=sys.stderr)
                if os.environ.get("SYNC_BENCH_EXPLAIN") == "1":
                    from hocvuso.skills.models import SkillEvent as SE

                    qs = SE.objects.filter(
                        person_id__any=list(members_all),
                        reverses__isnull=True,
                        reversed_by__isnull=True,
                    ).values_list("person_id", "skill__code", "person__commune__province_id")
                    print(qs.explain(analyze=True), file=sys.stderr)
            else:
                push.append(send(batch, "accepted"))
            if profile and last:
                prof.disable()
                order = os.environ.get("SYNC_BENCH_SORT", "cumulative")
                stats = pstats.Stats(prof, stream=sys.stderr).sort_stats(order)
                stats.print_stats(os.environ.get("SYNC_BENCH_FILTER", ""), 45)
                if os.environ.get("SYNC_BENCH_CALLERS"):
                    stats.print_callers(os.environ["SYNC_BENCH_CALLERS"])
        after = counts()
        load_replay = os.getloadavg()[0]
        replay = [send(batch, "duplicate") for batch in sent]
        assert counts() == after, "a replay wrote something"
        records = batches * BATCH
        wall = sum(x[0] for x in push)
        cpu = sum(x[1] for x in push)
        dbc = sum(x[2] for x in push)
        rounds_out.append(
            {
                "load": round(load_push, 2),
                "load_replay": round(load_replay, 2),
                "batch_wall_s": [round(x[0], 3) for x in push],
                "batch_cpu_s": [round(x[1], 3) for x in push],
                "batch_db_cpu_s": [round(x[2], 3) for x in push],
                "per_s_wall": round(records / wall),
                "per_app_cpu_s": round(records / cpu),
                "per_cpu_s": round(records / (cpu + dbc)),
                "replay_ratio": round(sum(x[0] for x in replay) / wall, 3),
                "replay_cpu_ratio": round(sum(x[1] + x[2] for x in replay) / (cpu + dbc), 3),
            }
        )
        log(f"round {rnd + 1}: {rounds_out[-1]}")
    push_rows = [a - b for a, b in zip(counts(), before, strict=True)]

    def spread(key: str) -> dict[str, float]:
        values = [r[key] for r in rounds_out]
        return {"median": statistics.median(values), "min": min(values), "max": max(values)}

    persons = Person.objects.filter(commune=commune).count()
    return {
        "database": connection.vendor,
        "households": Household.objects.filter(commune=commune).count(),
        "persons": persons,
        "push_rounds": rounds,
        "push_records_per_round": batches * BATCH,
        "push_rows_written": push_rows,
        "push_per_s_wall": spread("per_s_wall"),
        "push_per_app_cpu_s": spread("per_app_cpu_s"),
        "push_per_cpu_s": spread("per_cpu_s"),
        "replay_ratio": spread("replay_ratio"),
        "replay_cpu_ratio": spread("replay_cpu_ratio"),
        "rounds": rounds_out,
        "parallel_devices": devices,
        "parallel_records": parallel_records,
        "parallel_s": round(parallel_s, 2),
        "parallel_records_per_s": round(parallel_records / parallel_s),
        "parallel_errors": len(errors),
        "summary_visited": summary.households_visited,
        "recount_visited": visited,
        "summary_guided": summary.guided,
        "recount_guided": guided,
        "pull_pages": pages,
        "pull_changes": changes,
        "pull_bytes_gzip": wire,
        "pull_s": round(pull_s, 2),
        "pull_cpu_s": round(pull_cpu, 2),
        "pull_load": round(pull_load, 2),
        "idle_pull_bytes_gzip": idle,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=500)
    parser.add_argument("--batches", type=int, default=2)
    parser.add_argument("--devices", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "HOCVUSO_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--db-prefix", default=os.environ.get("HOCVUSO_BENCH_DB_PREFIX", "hocvuso"))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run(args.households, args.batches, args.devices, args.rounds)))
        return
    import psycopg

    tmp = tempfile.mkdtemp(prefix="hocvuso-sync-bench-")
    # A name of its own (a prefix, the process, a random tail): two runs never drop each other's.
    db = f"{args.db_prefix}_sync_bench_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(args.postgres_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {db}")
        conn.execute(f"CREATE DATABASE {db}")
    env = dict(
        os.environ,
        HOCVUSO_DATA_DIR=tmp,
        DJANGO_SETTINGS_MODULE="hocvuso.config.settings",
        DATABASE_URL=urlunparse(urlparse(args.postgres_url)._replace(path=f"/{db}")),
        HOCVUSO_REQUIRE_2FA="0",
    )
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--households", str(args.households),
             "--batches", str(args.batches), "--devices", str(args.devices),
             "--rounds", str(args.rounds)],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
    finally:
        with psycopg.connect(args.postgres_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {db}")
    sys.stderr.write(out.stderr[-20000:])
    if out.returncode != 0:
        sys.exit("the benchmark failed")
    r = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"work set: {r['households']:,} households, {r['persons']:,} persons")

    def mr(d: dict[str, float], fmt: str = ",.0f") -> str:
        return f"{d['median']:{fmt}} ({d['min']:{fmt}}–{d['max']:{fmt}})"

    loads = [x["load"] for x in r["rounds"]]
    print(
        f"push: {r['push_rounds']} rounds of {r['push_records_per_round']:,} visits (3 people, "
        f"2 gains each) in batches of {BATCH}, median (range), load {min(loads)}–{max(loads)}:"
    )
    print(f"  per second of wall time        {mr(r['push_per_s_wall'])}")
    print(f"  per CPU second, application    {mr(r['push_per_app_cpu_s'])}")
    print(
        f"  per CPU second, application + PostgreSQL backend  {mr(r['push_per_cpu_s'])} "
        "(target ≥ 5,000 per core)"
    )
    print(f"  rows written (visits, people at home, events) {r['push_rows_written']}")
    print(
        f"replay: {mr(r['replay_ratio'], '.3f')}× the first pass's wall time, "
        f"{mr(r['replay_cpu_ratio'], '.3f')}× its CPU (target ≤ 0.6), nothing written"
    )
    print(
        f"{r['parallel_devices']} devices at once: {r['parallel_records']:,} visits in "
        f"{r['parallel_s']} s = {r['parallel_records_per_s']:,} records/s, "
        f"{r['parallel_errors']} errors; summary visited {r['summary_visited']} = recount "
        f"{r['recount_visited']}, guided {r['summary_guided']} = recount {r['recount_guided']}"
    )
    print(
        f"first pull: {r['pull_changes']:,} changes in {r['pull_pages']} pages, "
        f"{r['pull_bytes_gzip'] / 1024:.0f} KB gzip (target ≤ 300 KB), {r['pull_s']} s "
        f"(target ≤ 2 s; {r['pull_cpu_s']} s of CPU, load {r['pull_load']}); "
        f"idle pull {r['idle_pull_bytes_gzip']} bytes (target ≤ 1 KB)"
    )
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(json.dumps({"bench": "sync", "machine": machine, **r}))


if __name__ == "__main__":
    main()
