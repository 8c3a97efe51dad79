"""Settings come from the environment; production refuses to start without its keys."""

import os
import subprocess
import sys

import pytest

PROD_ENV = {
    "HOCVUSO_ENV": "production",
    "HOCVUSO_SECRET_KEY": "x7#kq2!vT9zL@p4mW8rN$c3bY6hJ1dF5gS0aE-uI+oQ=nR&tZ*wK^eX%yM(B)vC",
    "HOCVUSO_ID_KEY": "Qm3vZp8LxT2nRw6YkD9sHf4JbC7aGeU1oNqVtXyE5Mi",
    "HOCVUSO_SIGNING_KEY": "Zt8pW2qLm6XvR4nB9sKd1YfH7cJ3gA5eU0oNiVxTyE2",
    "HOCVUSO_ALLOWED_HOSTS": "hocvuso.example.vn",
    "DATABASE_URL": "sqlite:///:memory:",
}


def _run(env_overrides: dict[str, str], *args: str, tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOCVUSO_")}
    env.pop("DATABASE_URL", None)
    env["HOCVUSO_DATA_DIR"] = str(tmp_path / "data")
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-m", "hocvuso", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "missing",
    ["HOCVUSO_SECRET_KEY", "HOCVUSO_ID_KEY", "HOCVUSO_SIGNING_KEY", "HOCVUSO_ALLOWED_HOSTS"],
)
def test_production_refuses_to_start_without(missing, tmp_path):
    env = {k: v for k, v in PROD_ENV.items() if k != missing}
    result = _run(env, "check", tmp_path=tmp_path)
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr
    assert not (tmp_path / "data" / "secret_key").exists()


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("HOCVUSO_ID_KEY", "x", "at least 32 random bytes"),
        ("HOCVUSO_ID_KEY", "a" * 60, "at least 32 random bytes"),
        ("HOCVUSO_SECRET_KEY", "short-secret-0123456789", "at least 32 random bytes"),
        ("HOCVUSO_ALLOWED_HOSTS", "*", "not a wildcard"),
        ("HOCVUSO_ALLOWED_HOSTS", "hocvuso.example.vn,*.example.vn", "not a wildcard"),
    ],
)
def test_production_refuses_weak_keys_and_wildcard_hosts(name, value, said, tmp_path):
    result = _run({**PROD_ENV, name: value}, "check", tmp_path=tmp_path)
    assert result.returncode != 0
    assert said in result.stderr


def test_deploy_check_has_no_warnings(tmp_path):
    result = _run(PROD_ENV, "check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_development_generates_keys_once_into_the_data_folder(tmp_path):
    first = _run({}, "check", tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr
    secret = (tmp_path / "data" / "secret_key").read_text()
    id_key = (tmp_path / "data" / "id_key").read_text()
    assert len(secret) > 50
    assert len(id_key) > 50
    assert secret != id_key
    _run({}, "check", tmp_path=tmp_path)
    assert (tmp_path / "data" / "secret_key").read_text() == secret


def test_sqlite_waits_for_locks(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 1000
