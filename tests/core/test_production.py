"""The production server: one command starts gunicorn and the worker in production mode, refuses
to start without its keys, answers the health check, and logs JSON lines with no identifier."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import DatabaseError
from django.urls import reverse

from tests.core.test_server_logs import CCCD, PHONE, _free_port, _run


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOCVUSO_")}
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "HOCVUSO_DATA_DIR": str(tmp_path / "data"),
            "HOCVUSO_ENV": "production",
            "HOCVUSO_SECRET_KEY": secrets.token_urlsafe(48),
            "HOCVUSO_ID_KEY": secrets.token_urlsafe(48),
            "HOCVUSO_SIGNING_KEY": secrets.token_urlsafe(48),
            "HOCVUSO_ALLOWED_HOSTS": "127.0.0.1",
            "HOCVUSO_SSL_REDIRECT": "0",
            "HOCVUSO_WEB_WORKERS": "2",
            "PYTHONUNBUFFERED": "1",
            **extra,
        }
    )
    return env


def test_serve_refuses_to_start_without_its_keys(tmp_path: Path):
    env = _production_env(tmp_path)
    del env["HOCVUSO_ID_KEY"]
    done = subprocess.run(
        [sys.executable, "-m", "hocvuso", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "HOCVUSO_ID_KEY must be set" in done.stderr


def test_serve_answers_health_and_logs_json_without_identifiers(tmp_path: Path):
    pytest.importorskip("gunicorn")
    port = _free_port()
    env = _production_env(tmp_path, HOCVUSO_BIND=f"127.0.0.1:{port}")
    _run(["migrate", "--noinput", "-v", "0"], env)
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        # The scheduler's own runs are tested in test_schedule.py; here the web and the worker.
        [sys.executable, "-m", "hocvuso", "serve", "--no-scheduler"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    health = None
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=30) as r:  # noqa: S310
                    health = (r.status, json.loads(r.read()), dict(r.headers))
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        for path in (f"/?q={CCCD}", f"/xa/00715/?q={PHONE}", f"/nguoi/{CCCD}/"):
            with contextlib.suppress(urllib.error.HTTPError):
                urllib.request.urlopen(f"{base}{path}", timeout=30)  # noqa: S310
    finally:
        server.terminate()
        assert server.wait(timeout=40) == 0  # a clean stop of both processes
        log.close()
    assert health is not None, (tmp_path / "serve.log").read_text()[-3000:]
    status, body, headers = health
    assert status == 200
    assert body["status"] == "ok", body
    assert body["database"]["ok"] is True
    assert body["queue"]["ready"] == 0
    assert "no-cache" in headers.get("Cache-Control", "")
    text = (tmp_path / "serve.log").read_text()
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    access = [e for e in lines if e.get("logger") == "gunicorn.access"]
    assert any("/healthz" in e["message"] for e in access)
    assert len(access) >= 4
    assert {"time", "level", "logger", "request_id", "message"} <= set(access[0])
    assert CCCD not in text
    assert PHONE not in text
    assert "912345678" not in text


@pytest.mark.django_db
def test_health_counts_the_waiting_tasks_and_says_when_the_worker_lags(client):
    import datetime as dt

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    url = reverse("healthz")
    body = client.get(url).json()
    assert (body["status"], body["queue"]["ready"]) == ("ok", 0)
    task = DBTaskResult.objects.create(
        status="READY",
        args_kwargs={"args": [], "kwargs": {}},
        task_path="hocvuso.kpi.tasks.nothing",
        queue_name="default",
        backend_name="default",
        priority=0,
    )
    DBTaskResult.objects.filter(pk=task.pk).update(
        enqueued_at=timezone.now() - dt.timedelta(minutes=20)
    )
    body = client.get(url).json()
    assert body["status"] == "degraded"
    assert body["queue"]["ready"] == 1
    assert body["queue"]["oldest_ready_s"] >= 1200


@pytest.mark.django_db
def test_health_is_503_when_the_database_is_down(client, monkeypatch):
    from hocvuso.config import health

    class Broken:
        def cursor(self):  # type: ignore[no-untyped-def]
            raise DatabaseError("connection refused")

    monkeypatch.setattr(health, "connection", Broken())
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "down", "database": {"ok": False}}
