"""Backups that restore: the database to one file and back, on either engine.

- PostgreSQL: ``pg_dump`` in its custom format (compressed, restorable table by table) and
  ``pg_restore --clean --if-exists --no-owner`` into the configured database, both run as
  client programs against ``DATABASE_URL`` (the password, if any, through ``PGPASSWORD``, never on
  the command line).
- SQLite: the online backup API (a consistent copy while the site runs), and the same API the
  other way for a restore.

The keys are not in the database and so not in a backup: a backup without the ID key cannot
reveal a CCCD, ethnicity or special-needs note, nor open a TOTP secret (docs/operations.md says
how the keys are escrowed apart from the backups). :func:`content_digest` gives a checksum of every
row of every table, for a round trip to be checked.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connections


class BackupError(RuntimeError):
    """The backup or the restore could not be made; the message says why."""


def _pg_args(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: postgresql-client)")
    return found


def backup(path: Path, *, using: str = "default") -> Path:
    """Write a consistent copy of the database to ``path``; returns it."""
    conn = connections[using]
    path.parent.mkdir(parents=True, exist_ok=True)
    if conn.vendor == "postgresql":
        args, env = _pg_args(conn.settings_dict)
        command = [
            _program("pg_dump"),
            *args,
            "--format=custom",
            "--no-owner",
            "--file",
            str(path),
            str(conn.settings_dict["NAME"]),
        ]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            raise BackupError(done.stderr.strip() or "pg_dump failed")
        return path
    if conn.vendor == "sqlite":
        conn.ensure_connection()
        target = sqlite3.connect(path)
        try:
            conn.connection.backup(target)
        finally:
            target.close()
        return path
    raise BackupError(f"no backup for {conn.vendor}")


def restore(path: Path, *, using: str = "default") -> None:
    """Replace the database's content with the backup at ``path``."""
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    conn = connections[using]
    if conn.vendor == "postgresql":
        args, env = _pg_args(conn.settings_dict)
        conn.close()
        # The backup as SQL, run by psql in one transaction after the schema is emptied: all
        # or nothing. (``pg_restore --clean`` drops object by object, which a partitioned
        # table refuses: a partition's inherited key cannot be dropped on its own.)
        script = subprocess.run(  # noqa: S603
            [_program("pg_restore"), "--no-owner", "--file", "-", str(path)],
            env=env, capture_output=True, check=False,
        )  # fmt: skip
        if script.returncode != 0:
            raise BackupError(script.stderr.decode(errors="replace").strip() or "pg_restore failed")
        sql = b"DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n" + script.stdout
        done = subprocess.run(  # noqa: S603
            [_program("psql"), *args, "--no-psqlrc", "--quiet", "--single-transaction",
             "--set", "ON_ERROR_STOP=1", "--dbname", str(conn.settings_dict["NAME"])],
            env=env, input=sql, capture_output=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise BackupError(done.stderr.decode(errors="replace").strip() or "restore failed")
        return
    if conn.vendor == "sqlite":
        conn.ensure_connection()
        source = sqlite3.connect(path)
        try:
            source.backup(conn.connection)
        finally:
            source.close()
        return
    raise BackupError(f"no restore for {conn.vendor}")


def content_digest(*, using: str = "default") -> dict[str, tuple[int, str]]:
    """Every table of the project's models: its row count and a SHA-256 of its rows in primary
    key order (the same content gives the same digest on the same engine)."""
    conn = connections[using]
    out: dict[str, tuple[int, str]] = {}
    with conn.cursor() as cursor:
        for model in sorted(
            apps.get_models(include_auto_created=True), key=lambda m: m._meta.db_table
        ):
            if model._meta.proxy or not model._meta.managed:
                continue
            table = model._meta.db_table
            columns = ", ".join(conn.ops.quote_name(f.column) for f in model._meta.concrete_fields)
            pk = ", ".join(conn.ops.quote_name(f.column) for f in model._meta.pk_fields)
            cursor.execute(f"SELECT {columns} FROM {conn.ops.quote_name(table)} ORDER BY {pk}")  # noqa: S608
            digest = hashlib.sha256()
            count = 0
            for row in cursor.fetchall():
                values = tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                digest.update(repr(values).encode())
                count += 1
            out[table] = (count, digest.hexdigest())
    return out
