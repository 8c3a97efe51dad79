"""Paged lists benchmark: what a page of a list costs as one commune grows (issue 15).

    python bench/pages_bench.py [--sizes 1000 10000 50000] [--db sqlite|postgres|both]
        [--before REV] [--after REV] [--rounds 3] [--repeat 10]
        [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]

For each database:

1. a fresh database of its own — PostgreSQL: ``hocvuso_pages_<pid>_<random>``, created and at the
   end dropped by the script (only that one); SQLite: a file in a temporary directory —,
   ``migrate``, ``load_units`` and one commune officer (with a passed second factor);
2. one commune grown to each size in turn with the synthetic population of ``hocvuso synth``
   (``registry.synthetic``: realistic households of ~3.5 persons, imported through
   ``registry_import`` as a user's import would be), nobody trained yet: everyone is on every
   worklist (the lists at their longest); then ``ANALYZE`` (fresh planner statistics, as
   autovacuum gathers them after a big import on PostgreSQL);
3. at each size, **paired rounds**: two worker processes serve the same database, one running
   the code of ``--before`` (a revision exported with ``git archive``, default the commit before
   the paged-list work), one the code of ``--after`` (default ``HEAD``, exported the same way:
   editing the working tree during a run changes nothing); each round runs both, alternating
   which goes first, and each worker requests every list at page 1 and page 50 with
   ``django.test.Client`` (2 warm-ups, then ``--repeat`` timed requests: the whole request,
   template and middleware included). The machine's 1-minute load is recorded at every round.

Lists: the commune page (its household list), the family, identity (VNeID) and 4T worklists, and
the API families list. Below 1,250 entries page 50 is past the end and the list answers its last
page (the paging rule of every list), so at 1,000 persons "page 50" is the last page.

It prints, per database and size, the p50 / p95 of each list and page for both codes, the median
of the per-round ratios (after / before p50) with their range, the load, and ends with one line
of JSON. Timing never fails anything: the figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# The main branch the paged-list work of issue 15 was rebased on (its "before").
DEFAULT_BEFORE = "111f326"
OFFICER = "bench.canbo"
LISTS = ("commune", "families", "identity", "t4", "api_families")
PAGES = (1, 50)
PERSONS_PER_HOUSEHOLD = 3.5
GIT = shutil.which("git") or "/usr/bin/git"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}Z] {msg}", file=sys.stderr, flush=True)


def load() -> float:
    return round(os.getloadavg()[0], 2)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return round(ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo), 1)


# --- In a child: set up and grow ----------------------------------------------------------------


def _django() -> None:
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def child_setup() -> dict[str, Any]:
    _django()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from hocvuso.accounts.models import Role
    from hocvuso.core.actors import SYSTEM
    from hocvuso.geo.models import Commune
    from hocvuso.roles.services import role_grant

    call_command("migrate", verbosity=0)
    call_command("load_units", verbosity=0, stdout=io.StringIO())
    commune = Commune.objects.filter(code="00715").first() or Commune.objects.order_by("code")[0]
    user = get_user_model().objects.create_user(
        username=OFFICER, password=None, display_name="Bench officer"
    )
    role_grant(actor=SYSTEM, user=user, role=Role.COMMUNE_OFFICER, commune=commune)
    return {"commune": commune.code}


def child_grow(code: str, persons: int) -> dict[str, Any]:
    """Import synthetic households into ``code`` until it holds about ``persons`` people."""
    _django()
    from hocvuso.core.actors import SYSTEM
    from hocvuso.geo.models import Commune
    from hocvuso.registry.importing.service import registry_import
    from hocvuso.registry.models import Household, Person
    from hocvuso.registry.synthetic import VILLAGE_NAMES, clean_csv, population_for

    commune = Commune.objects.get(code=code)
    t0 = time.perf_counter()
    batch = 0
    while (have := Person.objects.filter(commune=commune).count()) < persons * 0.98:
        batch += 1
        count = max(1, round((persons - have) / PERSONS_PER_HOUSEHOLD))
        population = population_for(commune.province_id, seed=persons * 100 + batch)
        households = list(
            population.households(count, VILLAGE_NAMES[:8], prefix=f"B{persons}x{batch}")
        )
        registry_import(
            actor=SYSTEM,
            commune=commune,
            data=clean_csv(households),
            filename="synthetic.csv",
            create_villages=True,
        )
    # Fresh statistics, as PostgreSQL's autovacuum would gather after a big import: without
    # them the planner takes a commune of 10,000 for 2 households and nests loops (a 10k-person
    # identity list measured 1.2 s instead of 17 ms). SQLite is given the same (ANALYZE).
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and os.environ.get("PAGES_BENCH_VACUUM") == "1":
            # --vacuum: the visibility map set too, as autovacuum leaves a table some minutes
            # after a big insert (PostgreSQL 13+ vacuums after inserts, not only after updates)
            # — index-only scans and counts then skip the table's pages.
            cursor.execute("VACUUM (ANALYZE)")
        else:
            cursor.execute("ANALYZE")
    return {
        "persons": Person.objects.filter(commune=commune).count(),
        "households": Household.objects.filter(commune=commune).count(),
        "grow_s": round(time.perf_counter() - t0, 1),
    }


# --- In a worker: serve timing requests ----------------------------------------------------------


def worker() -> None:
    """Reads one JSON command a line on stdin, answers one JSON line on stdout."""
    _django()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django_otp import DEVICE_ID_SESSION_KEY

    from hocvuso.accounts.models import Authenticator, new_authenticator_key

    user = get_user_model().objects.get(username=OFFICER)
    client = Client()
    client.force_login(user)
    device = Authenticator.objects.create(
        user=user, name="bench", confirmed=True, key=new_authenticator_key()
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    import hocvuso

    print(json.dumps({"ready": str(Path(hocvuso.__file__).parent)}), flush=True)
    for line in sys.stdin:
        cmd = json.loads(line)
        code, repeat = cmd["commune"], int(cmd["repeat"])
        urls = {
            "commune": reverse("ui:commune", args=[code]),
            "families": reverse("outreach:families", args=[code]),
            "identity": reverse("outreach:identity", args=[code]),
            "t4": reverse("outreach:t4", args=[code]),
            "api_families": reverse("api:outreach_families", args=[code]),
        }
        out: dict[str, Any] = {}
        for name, url in urls.items():
            for page in PAGES:
                for _ in range(2):
                    response = client.get(url, {"page": page})
                    assert response.status_code == 200, (name, response.status_code)
                times = []
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    client.get(url, {"page": page})
                    times.append((time.perf_counter() - t0) * 1000)
                with CaptureQueriesContext(connection) as ctx:
                    client.get(url, {"page": page})
                out[f"{name}@{page}"] = {"ms": times, "queries": len(ctx.captured_queries)}
        print(json.dumps(out), flush=True)


# --- The parent ----------------------------------------------------------------------------------


def short(rev: str) -> str:
    return subprocess.run(
        [GIT, "-C", str(ROOT), "rev-parse", "--short", rev],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout.strip()


def export_tree(rev: str, into: Path) -> Path:
    """The ``src`` tree of ``rev``, exported (no change to the repository or its worktrees)."""
    data = subprocess.run(
        [GIT, "-C", str(ROOT), "archive", "--format=tar", rev, "src"],
        check=True,
        stdout=subprocess.PIPE,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def run_child(env: dict[str, str], *args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, *args], env=env, stdout=subprocess.PIPE, text=True, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"child {args} failed (exit {out.returncode})")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


class Worker:
    def __init__(self, env: dict[str, str], src: Path) -> None:
        env = dict(env, PYTHONPATH=str(src))
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--worker"],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        loaded = json.loads(self.ask(None))["ready"]
        if not loaded.startswith(str(src)):  # the exported code, not the installed one
            raise RuntimeError(f"worker loaded {loaded}, not {src}")

    def ask(self, cmd: dict[str, Any] | None) -> str:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        if cmd is not None:
            self.proc.stdin.write(json.dumps(cmd) + "\n")
            self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("worker ended")
        return line

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


def bench_database(target: str, args: argparse.Namespace, srcs: dict[str, Path]) -> dict[str, Any]:
    tmp = tempfile.mkdtemp(prefix="hocvuso-pages-bench-")
    env = dict(os.environ, HOCVUSO_DATA_DIR=tmp, DJANGO_SETTINGS_MODULE="hocvuso.config.settings")
    if args.vacuum:
        env["PAGES_BENCH_VACUUM"] = "1"
    for name in ("HOCVUSO_DEBUG", "HOCVUSO_ALLOWED_HOSTS", "HOCVUSO_ENV", "PYTHONPATH"):
        env.pop(name, None)
    db_name = f"hocvuso_pages_{os.getpid()}_{secrets.token_hex(3)}"
    created = False
    workers: list[Worker] = []
    result: dict[str, Any] = {"database": target, "sizes": []}
    try:
        if target == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        else:
            import psycopg

            with psycopg.connect(args.postgres_url, autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {db_name}")
            created = True
            url = urlparse(args.postgres_url)._replace(path=f"/{db_name}")
            env["DATABASE_URL"] = urlunparse(url)
            result["db_name"] = db_name
        log(f"=== {target}: setup ===")
        code = run_child(env, "--setup")["commune"]
        for persons in args.sizes:
            grown = run_child(env, "--grow", code, str(persons))
            log(f"{target}: commune {code} grown to {grown}")
            if not workers:  # started once the data exists (the worker signs in)
                workers = [Worker(env, srcs["before"]), Worker(env, srcs["after"])]
            size: dict[str, Any] = {**grown, "target": persons, "rounds": []}
            runs: dict[str, dict[str, list[float]]] = {"before": {}, "after": {}}
            for r in range(args.rounds):
                order = ("before", "after") if r % 2 == 0 else ("after", "before")
                rnd: dict[str, Any] = {"load_1m": load(), "first": order[0]}
                for variant in order:
                    w = workers[0] if variant == "before" else workers[1]
                    got = json.loads(w.ask({"commune": code, "repeat": args.repeat}))
                    for key, v in got.items():
                        runs[variant].setdefault(key, []).extend(v["ms"])
                        rnd.setdefault(variant, {})[key] = {
                            "p50": pct(v["ms"], 0.5),
                            "queries": v["queries"],
                        }
                rnd["load_1m_end"] = load()
                size["rounds"].append(rnd)
                log(f"{target} {persons:,}: round {r + 1} (load {rnd['load_1m']})")
            size["lists"] = summarise(runs, size["rounds"])
            result["sizes"].append(size)
            print_size(target, size)
        return result
    finally:
        for w in workers:
            w.close()
        if created:
            import psycopg

            with psycopg.connect(args.postgres_url, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
        shutil.rmtree(tmp, ignore_errors=True)


def summarise(runs: dict[str, dict[str, list[float]]], rounds: list[dict[str, Any]]) -> Any:
    out: dict[str, Any] = {}
    for key in runs["after"]:
        ratios = [rnd["after"][key]["p50"] / rnd["before"][key]["p50"] for rnd in rounds]
        out[key] = {
            "before": {"p50": pct(runs["before"][key], 0.5), "p95": pct(runs["before"][key], 0.95)},
            "after": {"p50": pct(runs["after"][key], 0.5), "p95": pct(runs["after"][key], 0.95)},
            "queries": {
                "before": rounds[-1]["before"][key]["queries"],
                "after": rounds[-1]["after"][key]["queries"],
            },
            "ratio_median": round(statistics.median(ratios), 3),
            "ratio_range": [round(min(ratios), 3), round(max(ratios), 3)],
        }
    return out


def print_size(target: str, size: dict[str, Any]) -> None:
    loads = [r["load_1m"] for r in size["rounds"]] + [r["load_1m_end"] for r in size["rounds"]]
    print(
        f"\n{target}: {size['persons']:,} persons, {size['households']:,} households "
        f"(load 1m {min(loads)}–{max(loads)})"
    )
    print(f"{'list@page':<18}{'before p50/p95 ms':>20}{'after p50/p95 ms':>20}{'ratio':>8}  range")
    for key, v in size["lists"].items():
        b, a = v["before"], v["after"]
        lo, hi = v["ratio_range"]
        print(
            f"{key:<18}{b['p50']:>10}/{b['p95']:<9}{a['p50']:>10}/{a['p95']:<9}"
            f"{v['ratio_median']:>8}  {lo}–{hi}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--before", default=DEFAULT_BEFORE)
    parser.add_argument("--after", default="HEAD")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--vacuum",
        action="store_true",
        help="PostgreSQL: VACUUM (ANALYZE) after each growth (the visibility map set, as "
        "autovacuum leaves it), not only ANALYZE",
    )
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--grow", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        print(json.dumps(child_setup()))
        return
    if args.grow:
        print(json.dumps(child_grow(args.grow[0], int(args.grow[1]))))
        return
    if args.worker:
        worker()
        return
    tmp = Path(tempfile.mkdtemp(prefix="hocvuso-pages-before-"))
    try:
        srcs = {
            "before": export_tree(args.before, tmp / "before"),
            "after": export_tree(args.after, tmp / "after"),
        }
        out: dict[str, Any] = {
            "bench": "pages",
            "before": short(args.before),
            "after": short(args.after),
            "cpus": os.cpu_count(),
            "load_1m_start": load(),
            "rounds": args.rounds,
            "repeat": args.repeat,
            "results": [],
        }
        targets = ["sqlite", "postgres"] if args.db == "both" else [args.db]
        for target in targets:
            out["results"].append(bench_database(target, args, srcs))
        out["load_1m_end"] = load()
        print(json.dumps(out))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
