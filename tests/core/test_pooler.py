"""The platform behind pgbouncer in transaction mode: migrations, the official units, an import
(twice: the second reads the first's people back), real requests (log-in, dashboards, an
export, a household list, writes and reading them back) by two web workers sharing two server
connections handed out in turn — every one through the pooler."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest

from tests import pg_cluster
from tests.core.test_replicas import _login

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="pgbouncer pools PostgreSQL: tested in the PostgreSQL run of make test",
)

SETUP = """
from hocvuso.geo.models import Commune
from hocvuso.registry.services import village_create
from tests.factories import make_user
commune = Commune.objects.get(code="00715")
make_user("quantri", "national_admin")
officer = make_user("canbo", "commune_officer", commune=commune)
village_create(actor=officer, commune=commune, name="Thôn Thèn Pả", is_remote=True)
"""


def test_requests_through_pgbouncer_in_transaction_mode(tmp_path: Path):
    import psycopg

    server = urlparse(os.environ["DATABASE_URL"])
    host, port = server.hostname or "127.0.0.1", server.port or 5432
    name = f"{(server.path or '/postgres').lstrip('/') or 'postgres'}_pooler"
    admin = {"host": host, "port": port, "user": server.username or "postgres"}
    if server.password:
        admin["password"] = server.password
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        with (
            pg_cluster.private_folder() as folder,
            pg_cluster.pgbouncer(folder, host, port, pool_size=2) as bouncer,
        ):
            user = server.username or "postgres"
            env = pg_cluster.platform_env(
                tmp_path / "data", f"postgres://{user}@127.0.0.1:{bouncer}/{name}"
            )
            pg_cluster.hocvuso(["migrate", "--noinput", "-v", "0"], env)
            pg_cluster.hocvuso(["load_units"], env)
            pg_cluster.hocvuso(["shell", "-c", SETUP], env)
            # An import twice: the second reads the commune's people back with .iterator()
            # outside a transaction (a server-side cursor would be lost between transactions).
            spreadsheet = tmp_path / "ho.csv"
            pg_cluster.hocvuso(
                ["synth", "--commune", "00715", "--households", "30", "--out", str(spreadsheet)],
                env,
            )
            for _ in range(2):
                pg_cluster.hocvuso(
                    [
                        "import_registry",
                        str(spreadsheet),
                        "--commune",
                        "00715",
                        "--create-villages",
                    ],
                    env,
                )
            with pg_cluster.web_server(env, tmp_path / "web.log", workers=2) as base:
                national = _login(base, "quantri")
                officer = _login(base, "canbo")
                # Each page several times: two workers' connections over two server
                # connections, so statements land on whichever server connection is free.
                for _ in range(6):
                    for s, path in (
                        (national, "/bang-dieu-khien/ca-nuoc/"),
                        (national, "/bang-dieu-khien/tinh/08/"),
                        (national, "/bang-dieu-khien/xa/00715/"),
                        (officer, "/xa/00715/"),
                        (officer, "/bang-dieu-khien/xa/00715/"),
                    ):
                        r = s.get(f"{base}{path}", timeout=60)
                        assert r.status_code == 200, (path, r.text[-2000:])
                export = national.get(f"{base}/bang-dieu-khien/tinh/08/xuat.xlsx", timeout=60)
                assert export.status_code == 200
                assert export.content[:2] == b"PK"  # an xlsx (zip) file

                # Writes, then reading them back.
                village = re.search(
                    r'<option value="([0-9a-f-]{36})"',
                    officer.get(f"{base}/xa/00715/ho/them/", timeout=30).text,
                )
                assert village is not None
                for n in range(1, 4):
                    r = officer.post(
                        f"{base}/xa/00715/ho/them/",
                        data={
                            "code": f"LC-90{n}",
                            "village": village.group(1),
                            "address": f"Số {n}, Thèn Pả",
                            "csrfmiddlewaretoken": officer.cookies["csrftoken"],
                        },
                        timeout=30,
                        allow_redirects=False,
                    )
                    assert r.status_code == 302, r.text[-2000:]
                listed = officer.get(f"{base}/xa/00715/?q=LC-90", timeout=30).text
                assert [f"LC-90{n}" in listed for n in range(1, 4)] == [True] * 3
                year = dt.datetime.now(tz=ZoneInfo("Asia/Ho_Chi_Minh")).year
                r = national.post(
                    f"{base}/bang-dieu-khien/chi-tieu/",
                    data={
                        "unit": "",
                        "indicator": "identity_level2",
                        "year": str(year),
                        "month": "",
                        "value": "87",
                        "csrfmiddlewaretoken": national.cookies["csrftoken"],
                    },
                    timeout=30,
                    allow_redirects=False,
                )
                assert r.status_code == 302, r.text[-2000:]
                health = national.get(f"{base}/healthz", timeout=30).json()
                assert health["database"]["ok"] is True

            # Every statement went through the pooler, in transaction mode.
            pools = pg_cluster.pgbouncer_show(bouncer, "POOLS", pg_cluster.pg_bin())
            ours = [p for p in pools if p["database"] == name]
            assert ours
            assert {p["pool_mode"] for p in ours} == {"transaction"}
            stats = pg_cluster.pgbouncer_show(bouncer, "STATS", pg_cluster.pg_bin())
            (mine,) = [s for s in stats if s["database"] == name]
            assert int(mine["total_xact_count"]) > 200
        with psycopg.connect(dbname=name, autocommit=True, **admin) as conn:
            (households,) = conn.execute(
                "SELECT count(*) FROM registry_household WHERE code LIKE 'LC-90%%'"
            ).fetchone()
            assert households == 3
            (imported,) = conn.execute(
                "SELECT count(*) FROM registry_household WHERE code NOT LIKE 'LC-90%%'"
            ).fetchone()
            assert imported == 30  # imported once, found again the second time
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
