"""A background job survives its worker: a real ``db_worker`` process is killed (SIGKILL) in the
middle of a summaries rebuild; the job is put back on the queue, another worker claims it and
resumes from its checkpoint, and the rows it leaves are those of an uninterrupted rebuild."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

HOCVUSO = [sys.executable, "-m", "hocvuso"]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOCVUSO_")}
    env.pop("DATABASE_URL", None)
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "HOCVUSO_DATA_DIR": str(tmp_path / "data"),
            "HOCVUSO_JOB_LEASE_SECONDS": "2",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [*HOCVUSO, *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _job(db: Path, job_id: str) -> dict[str, Any]:
    with sqlite3.connect(db, timeout=30) as conn:
        row = conn.execute(
            "SELECT status, done, total, attempts, resumed_from, checkpoint FROM core_job "
            "WHERE id = ?",
            [job_id.replace("-", "")],
        ).fetchone()
    status, done, total, attempts, resumed_from, checkpoint = row
    return {
        "status": status,
        "done": done,
        "total": total,
        "attempts": attempts,
        "resumed_from": resumed_from,
        "checkpoint": json.loads(checkpoint),
    }


def _digest(db: Path) -> str:
    """Every summary row (the update times aside), in key order."""
    queries = [
        "SELECT commune_id, village_id, birth_year, persons, vneid2, bank, basic, guided, traders,"
        " t1, t2, t3, t4, t_all FROM kpi_cohortsummary ORDER BY 1, 2, 3",
        "SELECT commune_id, village_id, households, households_trained, households_visited "
        "FROM kpi_villagesummary ORDER BY 1, 2",
        "SELECT commune_id, year, persons, persons_16, vneid2_16, bank_16, adults, basic_adults,"
        " households, households_trained FROM kpi_communesummary ORDER BY 1",
        "SELECT commune_id, month, persons, households FROM kpi_monthsummary ORDER BY 1, 2",
    ]
    h = hashlib.sha256()
    with sqlite3.connect(db, timeout=30) as conn:
        for q in queries:
            for row in conn.execute(q):
                h.update(repr(row).encode())
    return h.hexdigest()


def _wait(predicate: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_job_resumes_from_its_checkpoint_after_its_worker_is_killed(tmp_path: Path):
    env = _env(tmp_path)
    db = tmp_path / "db.sqlite3"
    _run(["migrate", "--noinput", "-v", "0"], env)
    _run(["load_units"], env)
    _run(["synth", "--commune", "00715", "--households", "120"], env)
    _run(["synth", "--commune", "00004", "--households", "60"], env)
    # Summaries as a rebuild leaves them, to compare with; then wrong, for the job to repair.
    _run(["rebuild_summaries", "--quiet"], env)
    want = _digest(db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE kpi_cohortsummary SET vneid2 = vneid2 + 3")
        conn.execute("DELETE FROM kpi_villagesummary")
    assert _digest(db) != want

    started = json.loads(_run(["jobs", "start", "kpi.rebuild", "--param", "batch=20"], env))
    job_id = started["id"]
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [*HOCVUSO, "db_worker", "--no-startup-delay", "--interval", "0.2", "--no-reload"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        # Some batches committed and reported, far from the end: kill it without warning.
        _wait(lambda: _job(db, job_id)["done"] >= 200, 300, "the first checkpoints")
        worker.kill()
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
        log.close()
    killed = _job(db, job_id)
    assert killed["status"] == "running", killed
    assert 200 <= killed["done"] < killed["total"], killed
    assert killed["attempts"] == 1
    assert killed["checkpoint"]["after"]  # where the next run resumes

    # The scheduler's revive (here by hand, once the lease has lapsed) and a second worker.
    time.sleep(2.5)
    assert job_id in json.loads(_run(["jobs", "revive"], env))["revived"]
    _run(["db_worker", "--batch", "--no-startup-delay", "--no-reload"], env)

    resumed = _job(db, job_id)
    assert resumed["status"] == "done", resumed
    assert resumed["attempts"] == 2
    # The second run began where the first left off, not from the start.
    assert resumed["resumed_from"] == killed["done"]
    assert resumed["done"] == resumed["total"] == killed["total"]
    assert _digest(db) == want  # the same rows as the uninterrupted rebuild
    _run(["check_summaries"], env)  # exits 1 on any difference
