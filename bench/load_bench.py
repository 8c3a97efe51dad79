"""Load test: the production web server (gunicorn with the project's configuration) on loopback
over a national population, with a streaming read replica, at 50 and 200 concurrent users.

    python bench/load_bench.py [--persons 1000000] [--levels 50 200] [--seconds 20]
        [--no-replica] [--workers N] [--threads N] [--sequential 40]

1. A throw-away PostgreSQL primary (``initdb`` on a free port, as the ``postgres`` system user
   when run as root, default configuration but for the port), ``migrate``, the official units,
   a synthetic population of ``--persons`` written with set-based SQL (``dashboard_bench``'s:
   villages, households of ~3.6, status rows, one team per commune, visits to 30% of the
   households), ``rebuild_summaries``, twelve months of trend; accounts with sessions: a
   national admin, the officer of the largest commune, learners enrolled in the smartphone
   course (some steps done), and a member with a field device in each of the 200 largest
   communes' teams.
2. A streaming replica of it (``pg_basebackup -R``) unless ``--no-replica``; gunicorn then runs
   with ``DATABASE_REPLICA_URLS``: the dashboards read from the replica (its transaction count
   is shown), everything else from the primary.
3. For each level and each endpoint — the national, province (largest) and commune (largest)
   dashboards, the commune's household list, the sync push (10 visits, 3 people at home each, 2
   skills gained, one device per user: 60 skill events a push) and lesson 1 of the smartphone
   course — that many users in a loop for ``--seconds``, a new connection per request (what a
   phone on a mobile network does more often than not). Requests/s, p50, p95, errors; the
   replica's lag sampled every 0.5 s meanwhile (max and p95); the CPU time per request of the
   web server, the primary and the replica (their process trees, from /proc): what a request
   costs whatever else shares the machine.
4. The dashboards one request at a time (``--sequential`` each, after warm-ups), through the
   router: the p95 a single user sees.
5. Rows and bytes with indexes (``pg_total_relation_size``) of the big tables after the load,
   bytes per row: the base of docs/scaling.md.

It prints tables and ends with one line of JSON. Timing never fails anything.
``LOAD_BENCH_DEBUG=1`` logs each failed request and keeps the data folder (gunicorn's log).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

ENDPOINTS = ("national", "province", "commune", "households", "sync_push", "lesson")
PUSH_VISITS = 10
PUSH_USERS = 200
LEARNERS = 50
COURSE = "dien-thoai-an-toan"
TABLES = (
    "registry_person",
    "registry_household",
    "geo_village",
    "skills_personskillstatus",
    "skills_skillevent",
    "teams_visit",
    "teams_visitperson",
    "learning_learningevent",
    "learning_enrollment",
    "core_auditlog",
    "sync_syncrecord",
    "kpi_cohortsummary",
    "kpi_villagesummary",
    "kpi_communesummary",
    "kpi_monthsummary",
)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}Z] {msg}", file=sys.stderr, flush=True)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --- 1. The data (a child process with the bench's environment) ---------------------------------


def setup(out: Path, persons: int) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    import dashboard_bench as db_bench
    from hocvuso.core.actors import SYSTEM
    from hocvuso.core.ids import uuid7
    from hocvuso.geo.models import Village
    from hocvuso.kpi import summaries
    from hocvuso.learning.models import Course
    from hocvuso.learning.services import courses_load, enrollment_start, step_done
    from hocvuso.registry.models import Person
    from hocvuso.sync.services import device_register
    from hocvuso.teams.services import team_create, team_member_add

    call_command("migrate", verbosity=0)
    call_command("load_units", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    counts = db_bench.build_population(persons, timings)
    plan = counts.pop("plan")
    log(f"population: {counts} in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    summaries.rebuild()
    db_bench.month_history()
    for table in ("cohort", "village", "commune", "month"):
        db_bench.execute(f"VACUUM ANALYZE kpi_{table}summary")
    log(f"summaries rebuilt in {time.perf_counter() - t0:.1f} s")

    by_province: dict[str, int] = {}
    for p in plan:
        by_province[p["province"]] = by_province.get(p["province"], 0) + p["persons"]
    province = max(by_province, key=lambda c: by_province[c])
    largest = sorted(plan, key=lambda p: -p["persons"])
    commune = largest[0]["code"]

    User = get_user_model()
    admin = db_bench.national_admin()
    admin_client, _how = db_bench.logged_in_client(admin)
    from tests.factories import make_user

    officer = make_user("bench.canbo", "commune_officer", commune=_commune(commune))
    officer_client, _how = db_bench.logged_in_client(officer)

    pushers = []
    for i, p in enumerate(largest[:PUSH_USERS]):
        villages = list(Village.objects.filter(commune_id=p["code"]).order_by("pk")[:5])
        team = team_create(
            actor=SYSTEM, commune=_commune(p["code"]), name=f"Tổ đo tải {i}", villages=villages
        )
        user = User.objects.create_user(username=f"bench.to{i:03d}", password=None)
        team_member_add(actor=SYSTEM, team=team, user=user)
        _device, secret = device_register(actor=user, name=f"Máy {i}")
        households: dict[str, list[str]] = {}
        people = Person.objects.filter(
            commune_id=p["code"], household__village__in=villages
        ).values_list("pk", "household_id")[:3000]
        for pk, hh in people:
            households.setdefault(str(hh), []).append(str(pk))
        pushers.append(
            {"token": secret, "households": {h: m[:3] for h, m in list(households.items())[:400]}}
        )

    courses_load(actor=SYSTEM)
    course = Course.objects.get(code=COURSE)
    learners = []
    for i in range(LEARNERS):
        user = User.objects.create_user(username=f"bench.hoc{i:03d}", password=None)
        enrollment = enrollment_start(actor=user, course=course, id=uuid7())
        for step in range(min(10, enrollment.version.steps)):
            step_done(actor=user, enrollment=enrollment, id=uuid7(), step=step, seconds=30)
        client, _how = db_bench.logged_in_client(user)
        learners.append(client.cookies["sessionid"].value)
    connection.close()
    out.write_text(
        json.dumps(
            {
                "counts": counts,
                "province": [province, by_province[province]],
                "commune": [commune, largest[0]["persons"]],
                "admin": admin_client.cookies["sessionid"].value,
                "officer": officer_client.cookies["sessionid"].value,
                "pushers": pushers,
                "learners": learners,
            }
        )
    )


def _commune(code: str) -> Any:
    from hocvuso.geo.models import Commune

    return Commune.objects.select_related("province").get(code=code)


# --- 3. The load generator ------------------------------------------------------------------------


async def _request(port: int, raw: bytes) -> tuple[int, float, bytes]:
    start = time.perf_counter()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(raw)
        await writer.drain()
        data = await reader.read()
        writer.close()
    except OSError:
        return 0, (time.perf_counter() - start) * 1000, b""
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, (time.perf_counter() - start) * 1000, data.partition(b"\r\n\r\n")[2]


def _get(path: str, session: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: sessionid={session}\r\n"
        "Accept-Language: vi\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n"
    ).encode()


def _post(path: str, token: str, body: dict[str, Any]) -> bytes:
    payload = json.dumps(body).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    return head + payload


class Pusher:
    """One field device: its next sequence number and the households of its team."""

    def __init__(self, data: dict[str, Any], seed: int) -> None:
        self.token = data["token"]
        self.households = list(data["households"].items())
        self.seq = 0
        self.random = random.Random(seed)

    def batch(self) -> dict[str, Any]:
        from hocvuso.core.ids import uuid7

        records = []
        now = dt.datetime.now(dt.UTC)
        for _ in range(PUSH_VISITS):
            hh, members = self.random.choice(self.households)
            self.seq += 1
            at = (now - dt.timedelta(minutes=self.random.randint(5, 600))).isoformat()
            records.append(
                {
                    "id": str(uuid7()), "seq": self.seq, "kind": "visit", "at": at,
                    "data": {"household_id": hh, "visited_at": at, "present": [
                        {"person_id": p, "guided": ["vneid.install"],
                         "gained": ["bank.account", "3.1"]} for p in members]},
                }
            )  # fmt: skip
        return {"records": records}


def _raw_for(endpoint: str, user: int, ctx: dict[str, Any]) -> bytes:
    if endpoint == "national":
        return _get("/bang-dieu-khien/ca-nuoc/", ctx["admin"])
    if endpoint == "province":
        return _get(f"/bang-dieu-khien/tinh/{ctx['province'][0]}/", ctx["admin"])
    if endpoint == "commune":
        return _get(f"/bang-dieu-khien/xa/{ctx['commune'][0]}/", ctx["admin"])
    if endpoint == "households":
        return _get(f"/xa/{ctx['commune'][0]}/", ctx["officer"])
    if endpoint == "lesson":
        learners = ctx["learners"]
        return _get(f"/hoc/{COURSE}/bai/1/", learners[user % len(learners)])
    pusher: Pusher = ctx["push"][user % len(ctx["push"])]
    return _post("/api/v1/sync/push", pusher.token, pusher.batch())


async def _user(port: int, endpoint: str, user: int, until: float, ctx: dict[str, Any], out: Any):
    while time.perf_counter() < until:
        status, ms, body = await _request(port, _raw_for(endpoint, user, ctx))
        out["ms"].append(ms)
        if status != 200:
            out["errors"].append(status)
            if os.environ.get("LOAD_BENCH_DEBUG"):
                log(f"{endpoint} {status}: {body[:300]!r}")
        elif endpoint == "sync_push":  # every visit must be accepted (written), not refused
            answers = json.loads(body)["answers"]
            refused = [a for a in answers if a["status"] != "accepted"]
            if refused:
                out["errors"].append(f"{refused[0]['status']}:{refused[0].get('code')}")
                if os.environ.get("LOAD_BENCH_DEBUG"):
                    log(f"refused: {refused[0]}")


async def _level(port: int, endpoint: str, users: int, seconds: float, ctx: dict[str, Any]):
    out: dict[str, list[Any]] = {"ms": [], "errors": []}
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(*(_user(port, endpoint, u, until, ctx, out) for u in range(users)))
    return out, time.perf_counter() - started


def pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


class LagSampler:
    """The replica's lag every half second (core.replicas.lag_seconds), in a thread."""

    def __init__(self, primary_url: str, replica_url: str) -> None:
        import psycopg

        self.primary = psycopg.connect(primary_url, autocommit=True)
        self.replica = psycopg.connect(replica_url, autocommit=True)
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> LagSampler:
        from hocvuso.core.replicas import lag_seconds

        def run() -> None:
            while not self._stop.wait(0.5):
                lag = lag_seconds(self.primary, self.replica)
                self.samples.append(lag if lag is not None else float("nan"))

        self.samples = []
        self._stop.clear()
        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()

    def commits(self) -> int:
        row = self.replica.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
        return int(row[0]) if row else 0


def cpu_seconds(root: int) -> float:
    """CPU time (user + system) of a process and all its descendants, the exited ones
    included (their time is in their parent's cumulative fields once reaped)."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        # After the name: state, ppid, …; utime, stime, cutime, cstime are fields 14-17.
        stats[int(entry.name)] = (int(fields[1]), sum(int(f) for f in fields[11:15]) / tick)
    children: dict[int, list[int]] = {}
    for pid, (ppid, _cpu) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += stats.get(pid, (0, 0.0))[1]
        todo.extend(children.get(pid, []))
    return total


# --- The parent --------------------------------------------------------------------------------


def sizes(url: str) -> dict[str, dict[str, float]]:
    import psycopg

    out = {}
    with psycopg.connect(url, autocommit=True) as conn:
        for table in TABLES:
            rows = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            # A partitioned table (core/partitions.py) keeps its rows in its partitions.
            total, heap = conn.execute(
                "SELECT sum(pg_total_relation_size(r))::bigint,"
                " sum(pg_relation_size(r))::bigint FROM ("
                " SELECT %s::regclass AS r UNION ALL"
                " SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = %s::regclass) t",
                [table, table],
            ).fetchone()
            out[table] = {
                "rows": rows,
                "bytes": total,
                "heap_bytes": heap,
                "bytes_per_row": round(total / rows, 1) if rows else None,
            }
        out["database"] = {
            "bytes": conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--levels", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--endpoints", nargs="+", default=list(ENDPOINTS), choices=ENDPOINTS)
    parser.add_argument("--no-replica", action="store_true")
    parser.add_argument("--workers", type=int, default=0, help="default: the config's")
    parser.add_argument("--threads", type=int, default=0, help="default: the config's")
    parser.add_argument("--sequential", type=int, default=40)
    parser.add_argument("--_setup", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._setup:
        setup(Path(args._setup), args.persons)
        return
    from tests import pg_cluster

    binaries = pg_cluster.pg_bin()
    if binaries is None:
        sys.exit("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin)")
    result: dict[str, Any] = {
        "bench": "load",
        "persons": args.persons,
        "seconds": args.seconds,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_start": load(),
    }
    with contextlib.ExitStack() as stack:
        folder = stack.enter_context(pg_cluster.private_folder())
        primary = pg_cluster.Server(folder / "primary", pg_cluster.free_port(), binaries)
        pg_cluster.run_as_postgres(
            [str(binaries / "initdb"), "-D", str(primary.data), "-U", "postgres",
             "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]
        )  # fmt: skip
        primary.start(options="-c max_connections=300")
        stack.callback(primary.stop)
        primary.sql("CREATE DATABASE hocvuso")
        result["server"] = primary.sql("SELECT version()").split(" on ")[0]
        data_dir = Path(tempfile.mkdtemp(prefix="hocvuso-load-"))
        if not os.environ.get("LOAD_BENCH_DEBUG"):
            stack.callback(shutil.rmtree, data_dir, ignore_errors=True)
        env = pg_cluster.platform_env(
            data_dir,
            f"{primary.url_base}/hocvuso",
            HOCVUSO_TASK_BACKEND="django_tasks.backends.dummy.DummyBackend",
            HOCVUSO_LOG_LEVEL="WARNING",
        )
        t0 = time.perf_counter()
        ctx_file = data_dir / "ctx.json"
        subprocess.run(
            [sys.executable, __file__, "--_setup", str(ctx_file), "--persons", str(args.persons)],
            env=env,
            check=True,
        )
        result["setup_s"] = round(time.perf_counter() - t0, 1)
        ctx = json.loads(ctx_file.read_text())
        ctx["push"] = [Pusher(p, i) for i, p in enumerate(ctx["pushers"])]
        result["counts"] = ctx["counts"]
        result["units"] = {"province": ctx["province"], "commune": ctx["commune"]}
        sampler = None
        if not args.no_replica:
            t0 = time.perf_counter()
            replica = pg_cluster.replica_of(primary, folder, "-c max_connections=300")
            stack.callback(replica.stop)
            result["replica_setup_s"] = round(time.perf_counter() - t0, 1)
            env["DATABASE_REPLICA_URLS"] = f"{replica.url_base}/hocvuso"
            sampler = LagSampler(f"{primary.url_base}/hocvuso", f"{replica.url_base}/hocvuso")
        if args.workers:
            env["HOCVUSO_WEB_WORKERS"] = str(args.workers)
        if args.threads:
            env["HOCVUSO_WEB_THREADS"] = str(args.threads)
        workers = int(env.get("HOCVUSO_WEB_WORKERS", 2 * (os.cpu_count() or 1) + 1))
        threads = int(env.get("HOCVUSO_WEB_THREADS", 1))
        result["gunicorn"] = {"workers": workers, "threads": threads}
        web_pids: list[int] = []
        base = stack.enter_context(
            pg_cluster.web_server(env, data_dir / "web.log", workers=workers, pids=web_pids)
        )
        roots = {"web": web_pids[0], "primary": primary.pid}
        if not args.no_replica:
            roots["replica"] = replica.pid
        port = int(base.rsplit(":", 1)[1])
        for endpoint in args.endpoints:  # warm every worker
            asyncio.run(_level(port, endpoint, workers * 2, 2, ctx))
        levels: dict[str, Any] = {}
        for users in args.levels:
            for endpoint in args.endpoints:
                commits = sampler.commits() if sampler else 0
                cpu = {k: cpu_seconds(pid) for k, pid in roots.items()}
                with sampler or contextlib.nullcontext():
                    out, elapsed = asyncio.run(_level(port, endpoint, users, args.seconds, ctx))
                n = max(len(out["ms"]), 1)
                cpu_ms = {
                    f"{k}_cpu_ms": round((cpu_seconds(pid) - cpu[k]) * 1000 / n, 1)
                    for k, pid in roots.items()
                }
                lag = [s for s in (sampler.samples if sampler else []) if s == s]
                row = {
                    "requests": len(out["ms"]),
                    "per_s": round(len(out["ms"]) / elapsed, 1),
                    "p50_ms": round(pct(out["ms"], 50), 1),
                    "p95_ms": round(pct(out["ms"], 95), 1),
                    "errors": len(out["errors"]),
                    "error_codes": sorted(set(out["errors"]))[:5],
                    "load": load(),
                    **cpu_ms,
                }
                if sampler:
                    row["replica_commits"] = sampler.commits() - commits
                    row["lag_max_s"] = round(max(lag), 3) if lag else None
                    row["lag_p95_s"] = round(pct(lag, 95), 3) if lag else None
                levels.setdefault(str(users), {})[endpoint] = row
                log(f"{users} users, {endpoint}: {row}")
        result["levels"] = levels
        sequential = {}
        for endpoint in ("national", "province", "commune"):
            times = []
            for i in range(args.sequential + 3):
                status, ms, _body = asyncio.run(_request(port, _raw_for(endpoint, 0, ctx)))
                assert status == 200, status
                if i >= 3:
                    times.append(ms)
            sequential[endpoint] = {
                "p50_ms": round(pct(times, 50), 1),
                "p95_ms": round(pct(times, 95), 1),
            }
        result["sequential"] = sequential
        result["sizes"] = sizes(f"{primary.url_base}/hocvuso")
        result["load_end"] = load()
    report(result)
    print(json.dumps(result))


def report(r: dict[str, Any]) -> None:
    print(
        f"{r['server']}; {r['persons']:,} persons; gunicorn {r['gunicorn']['workers']} workers "
        f"× {r['gunicorn']['threads']} threads; {r['seconds']} s per level; load "
        f"{r['load_start']} → {r['load_end']}"
    )
    print(f"{'users':>5} {'endpoint':<11} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6} "
          f"{'replica tx':>10} {'lag max/p95 s':>14} "
          f"{'CPU ms/req web/primary/replica':>31}")  # fmt: skip
    for users, rows in r["levels"].items():
        for endpoint, row in rows.items():
            lag = (
                f"{row['lag_max_s']} / {row['lag_p95_s']}"
                if row.get("lag_max_s") is not None
                else ""
            )
            print(
                f"{users:>5} {endpoint:<11} {row['per_s']:>7} {row['p50_ms']:>8} "
                f"{row['p95_ms']:>8} {row['errors']:>6} {row.get('replica_commits', ''):>10} "
                f"{lag:>14} {row['web_cpu_ms']:>9} / {row['primary_cpu_ms']} / "
                f"{row.get('replica_cpu_ms', '')}"
            )
    print("one user at a time (through the router):", r["sequential"])
    print(f"{'table':<28} {'rows':>12} {'MB with indexes':>16} {'bytes/row':>10}")
    for table, s in r["sizes"].items():
        if table != "database":
            print(
                f"{table:<28} {s['rows']:>12,} {s['bytes'] / 1e6:>16.1f} "
                f"{s['bytes_per_row'] or '':>10}"
            )
    print(f"database: {r['sizes']['database']['bytes'] / 1e9:.2f} GB")


if __name__ == "__main__":
    main()
