"""No identifier reaches a log line: a real development server (its own process, its own
SQLite database) is asked for a search by CCCD and a phone number, and signed in to; its whole
output is then scanned for the numbers."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

CCCD = "002070115547"
PHONE = "0912345678"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(args: list[str], env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "hocvuso", *args], env=env, check=True, timeout=300)


def test_a_search_by_cccd_and_a_login_leave_no_number_in_the_logs(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOCVUSO_")}
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "HOCVUSO_DATA_DIR": str(tmp_path / "data"),
            "HOCVUSO_LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
    )
    _run(["migrate", "--noinput", "-v", "0"], env)
    _run(
        [
            "shell",
            "-c",
            "from hocvuso.accounts.models import User; "
            "User.objects.create_user(username='dan', password='cay-lua-xanh-2026')",
        ],
        env,
    )
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "hocvuso", "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/login/", timeout=2)  # noqa: S310
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        # A search typed into a URL by hand, a phone number in another, and failed and
        # successful sign-ins with an ID number and a phone number as the username.
        for path in (f"/?q={CCCD}", f"/xa/00715/?q={PHONE}", f"/nguoi/{CCCD}/"):
            with contextlib.suppress(urllib.error.HTTPError):
                urllib.request.urlopen(f"{base}{path}", timeout=5)  # noqa: S310
        for username in (CCCD, PHONE, "dan"):
            body = urllib.parse.urlencode({"username": username, "password": "sai"}).encode()
            with contextlib.suppress(urllib.error.HTTPError):
                urllib.request.urlopen(f"{base}/login/", data=body, timeout=5)  # noqa: S310
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
    text = (tmp_path / "server.log").read_text()
    assert "GET /" in text  # the access log was written …
    assert "[redacted-id]" in text  # … and redacted
    assert CCCD not in text
    assert PHONE not in text
    assert "912345678" not in text
