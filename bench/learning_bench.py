"""Learning benchmark: a lesson page and a progress write under 50 and 200 concurrent learners,
served by a real WSGI server (gunicorn, started here) with a load generator on loopback.

    python bench/learning_bench.py [--db postgres|sqlite] [--learners 200]
        [--postgres-url postgres://postgres@127.0.0.1:5432/postgres] [--seconds 20]
        [--levels 50 200] [--workers 3] [--threads 8]

1. A fresh database (PostgreSQL: ``hocvuso_learning_bench``, created and dropped here; SQLite:
   a temporary file), ``migrate``, the official units, the shipped courses and one long bench
   course (3 lessons of 2,000 steps, so every write is a real step forward), ``--learners``
   accounts, each enrolled, with a session (for the pages) and a device token (for the API).
2. gunicorn (``gthread``, ``--workers`` × ``--threads``) on a free loopback port.
3. For each level of concurrency: that many simulated learners, each in a loop for
   ``--seconds`` — open lesson 1 of the smartphone course (GET, the page), then mark their next
   step of the bench course done (POST ``/api/v1/learning/courses/bench-long/steps``). A new
   connection per request (what a phone on a mobile network does more often than not).
   Requests per second and p50 / p95 per kind; errors counted.

It prints a table and ends with one line of JSON. Timing never fails anything.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
PG_DB = "hocvuso_learning_bench"
LONG_STEPS = 2000


def _bench_course(directory: Path) -> None:
    lines = [
        "---",
        "code: bench-long",
        "title: Khóa đo tải",
        'area: "0"',
        "order: 99",
        'skills: ["0.1"]',
        "pass_mark: 5",
        "retry_wait_minutes: 0",
        "---",
    ]
    for lesson in range(1, 4):
        lines.append(f"# Bài {lesson}")
        for step in range(LONG_STEPS):
            lines += [f"## Bước {step + 1}", "Đọc đoạn này."]
    lines.append("# Kiểm tra {quiz}")
    for n in range(5):
        lines += [f"## Câu {n + 1}", "- [x] Đúng", "- [ ] Sai"]
    (directory / "bench-long.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def setup(out: Path, learners: int) -> None:
    """Runs in a child process with the bench's environment."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from hocvuso.accounts.models import User
    from hocvuso.accounts.services.tokens import token_create
    from hocvuso.core.actors import SYSTEM
    from hocvuso.core.ids import uuid7
    from hocvuso.learning.models import Course
    from hocvuso.learning.services import courses_load, enrollment_start

    call_command("migrate", verbosity=0)
    call_command("load_units", verbosity=0)
    courses_load(actor=SYSTEM)
    with tempfile.TemporaryDirectory() as tmp:
        _bench_course(Path(tmp))
        courses_load(actor=SYSTEM, directory=Path(tmp))
    short = Course.objects.get(code="dien-thoai-an-toan")
    long = Course.objects.get(code="bench-long")
    accounts = []
    for i in range(learners):
        user = User.objects.create_user(username=f"bench{i:04d}", password=None)
        enrollment_start(actor=user, course=short, id=uuid7())
        enrollment_start(actor=user, course=long, id=uuid7())
        client = Client()
        client.force_login(user)
        _token, secret = token_create(actor=user, name="bench")
        accounts.append({"session": client.cookies["sessionid"].value, "token": secret})
    out.write_text(json.dumps(accounts))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _request(port: int, raw: bytes) -> tuple[int, float]:
    start = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(raw)
    await writer.drain()
    data = await reader.read()
    writer.close()
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, (time.perf_counter() - start) * 1000


def _get(path: str, session: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: sessionid={session}\r\n"
        "Accept-Language: vi\r\nConnection: close\r\n\r\n"
    ).encode()


def _post(path: str, token: str, body: dict[str, Any]) -> bytes:
    payload = json.dumps(body).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    return head + payload


async def _learner(
    port: int, account: dict[str, str], until: float, first_step: int, out: dict[str, list]
) -> int:
    step = first_step
    while time.perf_counter() < until:
        status, ms = await _request(
            port, _get("/hoc/dien-thoai-an-toan/bai/1/", account["session"])
        )
        out["page"].append(ms)
        if status != 200:
            out["errors"].append(f"page {status}")
        body = {"id": str(uuid.uuid4()), "step": step, "seconds": 30}
        status, ms = await _request(
            port, _post("/api/v1/learning/courses/bench-long/steps", account["token"], body)
        )
        out["write"].append(ms)
        if status != 200:
            out["errors"].append(f"write {status}")
        else:
            step += 1
    return step


async def _level(port: int, accounts: list[dict[str, str]], seconds: float, steps: list[int]):
    out: dict[str, list] = {"page": [], "write": [], "errors": []}
    until = time.perf_counter() + seconds
    started = time.perf_counter()
    results = await asyncio.gather(
        *(_learner(port, a, until, steps[i], out) for i, a in enumerate(accounts))
    )
    elapsed = time.perf_counter() - started
    for i, s in enumerate(results):
        steps[i] = s
    return out, elapsed


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def _pg_admin(url: str, sql: str) -> None:
    subprocess.run(["psql", url, "-q", "-c", sql], check=True, capture_output=True)  # noqa: S607


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--levels", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--_setup", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._setup:
        setup(Path(args._setup), args.learners)
        return
    learners = max(args.learners, *args.levels)
    data_dir = Path(tempfile.mkdtemp(prefix="hocvuso-learning-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOCVUSO_")}
    env.update(
        HOCVUSO_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="hocvuso.config.settings",
        HOCVUSO_REQUIRE_2FA="0",
        HOCVUSO_TASK_BACKEND="django_tasks.backends.dummy.DummyBackend",
    )
    if args.db == "postgres":
        parts = urlparse(args.postgres_url)
        db_url = urlunparse(parts._replace(path=f"/{PG_DB}"))
        _pg_admin(args.postgres_url, f"DROP DATABASE IF EXISTS {PG_DB}")
        _pg_admin(args.postgres_url, f"CREATE DATABASE {PG_DB}")
        env["DATABASE_URL"] = db_url
    else:
        env["DATABASE_URL"] = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    accounts_file = data_dir / "accounts.json"
    python = sys.executable
    t0 = time.perf_counter()
    subprocess.run(
        [python, __file__, "--_setup", str(accounts_file), "--learners", str(learners)],
        env=env,
        check=True,
    )
    setup_s = time.perf_counter() - t0
    accounts = json.loads(accounts_file.read_text())
    port = _free_port()
    gunicorn = shutil.which("gunicorn", path=str(Path(python).parent)) or "gunicorn"
    server = subprocess.Popen(
        [gunicorn, "hocvuso.config.wsgi", "-b", f"127.0.0.1:{port}", "-k", "gthread",
         "-w", str(args.workers), "--threads", str(args.threads), "--backlog", "2048",
         "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    results: dict[str, Any] = {}
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        steps = [0] * len(accounts)
        asyncio.run(_level(port, accounts[:10], 3, steps))  # warm-up
        for level in args.levels:
            out, elapsed = asyncio.run(_level(port, accounts[:level], args.seconds, steps))
            n_page, n_write = len(out["page"]), len(out["write"])
            results[str(level)] = {
                "requests_per_s": round((n_page + n_write) / elapsed, 1),
                "page_per_s": round(n_page / elapsed, 1),
                "write_per_s": round(n_write / elapsed, 1),
                "page_p50_ms": round(_pct(out["page"], 50), 1),
                "page_p95_ms": round(_pct(out["page"], 95), 1),
                "write_p50_ms": round(_pct(out["write"], 50), 1),
                "write_p95_ms": round(_pct(out["write"], 95), 1),
                "errors": len(out["errors"]),
                "first_errors": sorted(set(out["errors"]))[:3],
            }
    finally:
        server.terminate()
        server.wait(timeout=30)
        if args.db == "postgres":
            _pg_admin(args.postgres_url, f"DROP DATABASE IF EXISTS {PG_DB}")
        shutil.rmtree(data_dir, ignore_errors=True)
    print(
        f"setup {setup_s:.1f} s; gunicorn gthread {args.workers} workers × {args.threads} threads"
    )
    print(f"{'learners':>9} {'req/s':>7} {'page/s':>7} {'write/s':>8} "
          f"{'page p50/p95 ms':>16} {'write p50/p95 ms':>17} {'errors':>6}")  # fmt: skip
    for level, r in results.items():
        print(
            f"{level:>9} {r['requests_per_s']:>7} {r['page_per_s']:>7} {r['write_per_s']:>8} "
            f"{r['page_p50_ms']:>7} / {r['page_p95_ms']:<6} {r['write_p50_ms']:>8} / "
            f"{r['write_p95_ms']:<6} {r['errors']:>6}"
        )
    summary = {
        "bench": "learning",
        "db": args.db,
        "workers": args.workers,
        "threads": args.threads,
        "seconds": args.seconds,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "levels": results,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
