"""Read replicas for real: a throw-away primary and its streaming replica, the platform's web
server in front of them, and the reads that must land on each.

Which server answered is told by the data, not by the code under test: the replica's replay
is paused, a national target is then set on the primary, and a dashboard that shows the target
was read from the primary, one that does not from the replica.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from tests import pg_cluster
from tests.factories import OFFICER_PASSWORD

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="read replicas are PostgreSQL's: tested in the PostgreSQL run of make test",
)

TARGET = "87"
INDICATOR = "identity_level2"
DASHBOARD = "/bang-dieu-khien/ca-nuoc/"
TARGETS = "/bang-dieu-khien/chi-tieu/"
SHOWN = re.compile(r"/ (?:chỉ tiêu|target) 87(?:,0)?\s*%")


def _login(base: str, username: str) -> requests.Session:
    s = requests.Session()
    s.get(f"{base}/login/", timeout=30)
    r = s.post(
        f"{base}/login/",
        data={
            "username": username,
            "password": OFFICER_PASSWORD,
            "csrfmiddlewaretoken": s.cookies["csrftoken"],
        },
        timeout=30,
        allow_redirects=False,
    )
    assert r.status_code == 302, r.text[-2000:]
    return s


def _shows_target(s: requests.Session, base: str) -> bool:
    r = s.get(f"{base}{DASHBOARD}?i={INDICATOR}", timeout=60)
    assert r.status_code == 200, r.text[-2000:]
    assert "hocvuso_pin" not in r.headers.get("Set-Cookie", "")  # a read pins nobody
    return bool(SHOWN.search(r.text))


def _caught_up(primary: pg_cluster.Server, replica: pg_cluster.Server) -> None:
    position = primary.sql("SELECT pg_current_wal_lsn()")
    for _ in range(300):
        if replica.sql(f"SELECT pg_last_wal_replay_lsn() >= '{position}'::pg_lsn") == "t":
            return
        time.sleep(0.1)
    raise AssertionError("the replica did not catch up")


def test_reads_go_to_the_replica_writers_and_lag_to_the_primary(tmp_path: Path):
    bin = pg_cluster.require_pg_bin()
    with pg_cluster.private_folder() as folder:
        primary = pg_cluster.primary_server(folder, bin)
        replica = None
        try:
            primary.sql("CREATE DATABASE hocvuso")
            env = pg_cluster.platform_env(tmp_path / "data", f"{primary.url_base}/hocvuso")
            pg_cluster.hocvuso(["migrate", "--noinput", "-v", "0"], env)
            pg_cluster.hocvuso(
                [
                    "shell",
                    "-c",
                    "from tests.factories import make_user; "
                    "make_user('quantri', 'national_admin'); "
                    "make_user('quantri2', 'national_admin')",
                ],
                env,
            )
            replica = pg_cluster.replica_of(primary, folder)
            routed = {
                **env,
                "DATABASE_REPLICA_URLS": f"{replica.url_base}/hocvuso",
                "HOCVUSO_REPLICA_PIN_SECONDS": "7200",
            }
            # A: lag accepted up to an hour, the replica measured once (so a replica stopped
            # later fails inside a request: the view runs again on the primary).
            a_env = {
                **routed,
                "HOCVUSO_REPLICA_MAX_LAG_SECONDS": "3600",
                "HOCVUSO_REPLICA_CHECK_SECONDS": "3600",
            }
            # B: a replica more than a second behind is skipped; measured before every request.
            b_env = {
                **routed,
                "HOCVUSO_REPLICA_PIN_SECONDS": "3",
                "HOCVUSO_REPLICA_MAX_LAG_SECONDS": "1",
                "HOCVUSO_REPLICA_CHECK_SECONDS": "0",
            }
            with (
                pg_cluster.web_server(a_env, tmp_path / "a.log") as a,
                pg_cluster.web_server(b_env, tmp_path / "b.log") as b,
            ):
                writer = _login(a, "quantri")
                pin = writer.cookies.get("hocvuso_pin")
                assert pin is not None  # the log-in was a write: pinned
                assert float(pin) > time.time() + 7000
                reader = _login(a, "quantri2")
                del reader.cookies["hocvuso_pin"]  # its pin ended
                # A measures the replica once, at its first routed read: caught up by then (a
                # replica behind that has replayed nothing yet is of unknown lag: skipped).
                _caught_up(primary, replica)
                assert not _shows_target(reader, a)

                assert replica.sql("SELECT pg_wal_replay_pause()") == ""
                page = writer.get(f"{a}{TARGETS}", timeout=30)
                assert page.status_code == 200
                saved = writer.post(
                    f"{a}{TARGETS}",
                    data={
                        "unit": "",
                        "indicator": INDICATOR,
                        "year": str(dt.datetime.now(tz=ZoneInfo("Asia/Ho_Chi_Minh")).year),
                        "month": "",
                        "value": TARGET,
                        "csrfmiddlewaretoken": writer.cookies["csrftoken"],
                    },
                    timeout=30,
                    allow_redirects=False,
                )
                assert saved.status_code == 302, saved.text[-2000:]
                assert (
                    primary.sql("SELECT count(*) FROM kpi_target WHERE value = 87", "hocvuso")
                    == "1"
                )
                assert (
                    replica.sql("SELECT count(*) FROM kpi_target WHERE value = 87", "hocvuso")
                    == "0"
                )

                # The writer is pinned: the primary, their target is there.
                assert _shows_target(writer, a)
                # Another reader's dashboard comes from the (paused) replica: not yet.
                assert not _shows_target(reader, a)
                # A page not marked for replicas reads the primary, pinned or not.
                listed = reader.get(f"{a}{TARGETS}", timeout=30)
                assert listed.status_code == 200
                assert TARGET in listed.text

                # B skips the replica once it is more than a second behind: the primary.
                late = _login(b, "quantri2")
                time.sleep(3.2)  # B's pin after the log-in ends, the replica falls behind
                assert late.cookies.get("hocvuso_pin") is not None
                assert _shows_target(late, b)
                health = requests.get(f"{b}/healthz", timeout=30).json()
                assert health["status"] == "degraded"
                assert health["replicas"]["replica1"]["usable"] is False
                assert health["replicas"]["replica1"]["lag_s"] > 1

                # Replay resumes: the replica has the target, the reader sees it there.
                replica.sql("SELECT pg_wal_replay_resume()")
                _caught_up(primary, replica)
                assert _shows_target(reader, a)
                health = requests.get(f"{a}/healthz", timeout=30).json()
                assert health["replicas"]["replica1"]["usable"] is True

                # The replica stops: pages still open (from the primary), no error page.
                replica.stop("immediate")
                assert _shows_target(reader, a)  # A: failed inside the request, run again
                assert _shows_target(late, b)  # B: found unreachable before reading
                health = requests.get(f"{b}/healthz", timeout=30).json()
                assert health["replicas"]["replica1"]["usable"] is False
                assert health["replicas"]["replica1"]["reason"].startswith("unreachable")
        finally:
            if replica is not None:
                replica.stop("immediate")
            primary.stop()


# --- Exports in the worker ----------------------------------------------------------------------

EXPORT_TARGET = "63"


def _export(env: dict[str, str]) -> tuple[str, str]:
    """A national CSV export started as a job and run by a real ``db_worker`` (``env``: its
    database and replicas): the job's status and the national target of INDICATOR in the file
    ('' when the file has none)."""
    started = json.loads(
        pg_cluster.hocvuso(["jobs", "start", "kpi.export", "--param", "fmt=csv"], env)
    )
    pg_cluster.hocvuso(["db_worker", "--batch", "--no-startup-delay", "--no-reload"], env)
    out = pg_cluster.hocvuso(
        [
            "shell",
            "-c",
            "import csv, io, json; from hocvuso.core import jobs; "
            "from hocvuso.core.models import Job; "
            f"job = Job.objects.get(pk='{started['id']}'); data = jobs.result_of(job); "
            "rows = list(csv.DictReader(io.StringIO(data.decode().lstrip('\\ufeff')))) "
            "if data else []; "
            f"print(json.dumps([job.status, [r['target'] for r in rows "
            f"if r['level'] == 'national' and r['indicator'] == '{INDICATOR}']]))",
        ],
        env,
    )
    status, targets = json.loads(out.strip().splitlines()[-1])
    assert len(targets) <= 1, targets
    return status, (targets[0] if targets else "")


def test_export_jobs_in_the_worker_read_from_a_usable_replica(tmp_path: Path):
    """The worker's export reads the replica — told by the data: a target set on the primary
    while the replica's replay is paused is missing from the file —, the primary once the
    replica is further behind than accepted, and the primary, without failing, once it is
    stopped."""
    bin = pg_cluster.require_pg_bin()
    with pg_cluster.private_folder() as folder:
        primary = pg_cluster.primary_server(folder, bin)
        replica = None
        try:
            primary.sql("CREATE DATABASE hocvuso")
            env = pg_cluster.platform_env(tmp_path / "data", f"{primary.url_base}/hocvuso")
            pg_cluster.hocvuso(["migrate", "--noinput", "-v", "0"], env)
            replica = pg_cluster.replica_of(primary, folder)
            routed = {**env, "DATABASE_REPLICA_URLS": f"{replica.url_base}/hocvuso"}
            lenient = {
                **routed,
                "HOCVUSO_REPLICA_MAX_LAG_SECONDS": "3600",
                "HOCVUSO_REPLICA_PIN_SECONDS": "7200",
            }
            strict = {
                **routed,
                "HOCVUSO_REPLICA_PIN_SECONDS": "3",
                "HOCVUSO_REPLICA_MAX_LAG_SECONDS": "1",
                "HOCVUSO_REPLICA_CHECK_SECONDS": "0",
            }
            status, before = _export(lenient)  # the seeded national target
            assert status == "done"
            assert before
            assert float(before) != float(EXPORT_TARGET)
            _caught_up(primary, replica)
            assert replica.sql("SELECT pg_wal_replay_pause()") == ""
            year = dt.datetime.now(tz=ZoneInfo("Asia/Ho_Chi_Minh")).year
            pg_cluster.hocvuso(
                [
                    "shell",
                    "-c",
                    "from hocvuso.kpi.models import Indicator, Target; "
                    f"Target.objects.create(indicator=Indicator.objects.get(code='{INDICATOR}'), "
                    f"year={year}, value={EXPORT_TARGET})",
                ],
                env,
            )
            assert replica.sql("SELECT count(*) FROM kpi_target WHERE value = 63", "hocvuso") == "0"
            # Without replicas the worker reads the primary: the target is in the file.
            status, target = _export(env)
            assert status == "done"
            assert float(target) == float(EXPORT_TARGET)
            # With the (paused) replica accepted: the file is the replica's, the target before.
            assert _export(lenient) == ("done", before)
            # More than a second behind is too far for this worker: the primary's figures.
            time.sleep(1.5)
            status, target = _export(strict)
            assert status == "done"
            assert float(target) == float(EXPORT_TARGET)
            # Replay resumes: the replica has the target, and the file read there shows it.
            replica.sql("SELECT pg_wal_replay_resume()")
            _caught_up(primary, replica)
            status, target = _export(lenient)
            assert (status, float(target)) == ("done", float(EXPORT_TARGET))
            # The replica stops: the job still ends done, from the primary.
            replica.stop("immediate")
            status, target = _export(lenient)
            assert (status, float(target)) == ("done", float(EXPORT_TARGET))
        finally:
            if replica is not None:
                replica.stop("immediate")
            primary.stop()
