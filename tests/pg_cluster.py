"""Throw-away PostgreSQL servers (a primary and its streaming replica), pgbouncer, and the
platform's own web server in front of them, for the tests that need the real thing.

The server binaries are Debian's (``/usr/lib/postgresql/<major>/bin``, or ``HOCVUSO_PG_BIN``).
``initdb`` and pgbouncer refuse to run as root: as root they run as the ``postgres`` system user
(``runuser``), in a folder of their own that this user may enter (pytest's temporary folders
are private to root); the folder is removed at the end.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pg_bin() -> Path | None:
    """The folder of the PostgreSQL server binaries, or None."""
    configured = os.environ.get("HOCVUSO_PG_BIN", "")
    candidates = [configured] if configured else sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    for folder in reversed(candidates):
        if folder and all(
            (Path(folder) / b).exists() for b in ("initdb", "pg_ctl", "pg_basebackup")
        ):
            return Path(folder)
    return None


def require_pg_bin() -> Path:
    folder = pg_bin()
    if folder is None:
        pytest.skip(
            "PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) not found in "
            "/usr/lib/postgresql/*/bin (Debian's postgresql package; or set HOCVUSO_PG_BIN)"
        )
    return folder


def _as_user(command: list[str]) -> list[str]:
    """``command`` as the postgres system user when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def run_as_postgres(command: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _as_user(command),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        **kw,  # type: ignore[arg-type]
    )


@contextlib.contextmanager
def private_folder() -> Iterator[Path]:
    """A folder the postgres system user owns (when we are root), removed at the end."""
    folder = Path(tempfile.mkdtemp(prefix="hocvuso-pg-"))
    try:
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# Small and quick for tests (a bench passes its own: the default configuration).
TEST_OPTIONS = "-c shared_buffers=32MB -c fsync=off -c max_connections=40"


@dataclass
class Server:
    data: Path
    port: int
    bin: Path

    @property
    def url_base(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}"

    def start(self, options: str = TEST_OPTIONS) -> None:
        run_as_postgres(
            [
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.data.parent / f"{self.data.name}.log"),
                "-w",
                "-t",
                "60",
                "-o",
                f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data.parent} {options}",
                "start",
            ]
        )

    @property
    def pid(self) -> int:
        """The postmaster's process id."""
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def stop(self, mode: str = "fast") -> None:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            run_as_postgres(
                [str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]
            )

    def sql(self, statement: str, database: str = "postgres") -> str:
        done = run_as_postgres(
            [
                str(self.bin / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                database,
                "-At",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                statement,
            ]
        )
        return done.stdout.strip()


def primary_server(folder: Path, bin: Path) -> Server:
    server = Server(folder / "primary", free_port(), bin)
    run_as_postgres(
        [
            str(bin / "initdb"),
            "-D",
            str(server.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ]
    )
    server.start()
    return server


def replica_of(primary: Server, folder: Path, options: str = TEST_OPTIONS) -> Server:
    """A streaming replica of ``primary`` (pg_basebackup -R: standby.signal and the
    connection to the primary written for it)."""
    server = Server(folder / "replica", free_port(), primary.bin)
    run_as_postgres(
        [
            str(primary.bin / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "postgres",
            "-D",
            str(server.data),
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
        ]
    )
    server.start(options)
    return server


def pgbouncer_bin() -> str | None:
    found = shutil.which("pgbouncer")
    if found:
        return found
    return "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None


@contextlib.contextmanager
def pgbouncer(folder: Path, host: str, port: int, pool_size: int = 2) -> Iterator[int]:
    """Debian's pgbouncer in transaction mode on a free port, in front of ``host:port``
    (trusting the user ``postgres``, as the test server does); its port while it runs. Its
    server connections are opened ahead and handed out in turn (round robin), so two
    transactions in a row of one client land on different server connections: whatever a
    transaction leaves on its connection is missing from the next."""
    binary = pgbouncer_bin()
    if binary is None:
        pytest.skip(
            "pgbouncer is not installed (Debian's pgbouncer: make installs it when run as root)"
        )
    listen = free_port()
    (folder / "users.txt").write_text('"postgres" ""\n')
    ini = folder / "pgbouncer.ini"
    ini.write_text(
        "[databases]\n"
        f"* = host={host} port={port}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {listen}\nunix_socket_dir = {folder}\n"
        f"auth_type = trust\nauth_file = {folder / 'users.txt'}\nadmin_users = postgres\n"
        f"pool_mode = transaction\ndefault_pool_size = {pool_size}\nmax_client_conn = 200\n"
        f"min_pool_size = {pool_size}\nserver_round_robin = 1\n"
        f"logfile = {folder / 'pgbouncer.log'}\npidfile = {folder / 'pgbouncer.pid'}\n"
        "ignore_startup_parameters = extra_float_digits\n"
    )
    if os.geteuid() == 0:
        for f in (ini, folder / "users.txt"):
            shutil.chown(f, "postgres", "postgres")
    process = subprocess.Popen(
        _as_user([binary, str(ini)]), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", listen), 1):
                break
            assert process.poll() is None, (folder / "pgbouncer.log").read_text()[-2000:]
            time.sleep(0.1)
        yield listen
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def pgbouncer_show(port: int, what: str, bin: Path | None) -> list[dict[str, str]]:
    """``SHOW <what>`` on pgbouncer's admin console (simple protocol: through psql)."""
    psql = str(bin / "psql") if bin else "psql"
    done = run_as_postgres(
        [
            psql,
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            "-d",
            "pgbouncer",
            "-A",
            "-F",
            "\t",
            "-P",
            "footer=off",
            "-c",
            f"SHOW {what}",
        ]
    )
    header, *rows = done.stdout.strip().splitlines()
    names = header.split("\t")
    return [dict(zip(names, row.split("\t"), strict=False)) for row in rows]


# --- The platform's own processes ---------------------------------------------------------------


def platform_env(data_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOCVUSO_", "DATABASE_"))}
    env.update(
        {
            "DATABASE_URL": database_url,
            "HOCVUSO_DATA_DIR": str(data_dir),
            "HOCVUSO_REQUIRE_2FA": "0",
            "PYTHONUNBUFFERED": "1",
            # This checkout's code first (an editable install may point at another one).
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
            "DJANGO_SETTINGS_MODULE": "hocvuso.config.settings",
            **extra,
        }
    )
    return env


def hocvuso(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "hocvuso", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@contextlib.contextmanager
def web_server(
    env: dict[str, str], log: Path, workers: int = 1, pids: list[int] | None = None
) -> Iterator[str]:
    """gunicorn with the project's configuration, its base URL while it runs (its master's
    process id appended to ``pids``)."""
    port = free_port()
    env = {**env, "HOCVUSO_BIND": f"127.0.0.1:{port}", "HOCVUSO_WEB_WORKERS": str(workers)}
    config = ROOT / "src" / "hocvuso" / "config" / "gunicorn.conf.py"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(config), "hocvuso.config.wsgi"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        if pids is not None:
            pids.append(process.pid)
        try:
            for _ in range(300):
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=30) as r:  # noqa: S310
                        json.loads(r.read())
                    break
                except urllib.error.HTTPError:
                    break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    assert process.poll() is None, log.read_text()[-3000:]
                    time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
