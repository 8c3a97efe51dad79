"""Run the platform in production: the web server (gunicorn) and the background worker."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Serve hocvuso in production: gunicorn (src/hocvuso/config/gunicorn.conf.py), the "
        "database task worker and the scheduler, stopped together. Settings refuse to load in "
        "production without the keys (HOCVUSO_ID_KEY, HOCVUSO_SIGNING_KEY, HOCVUSO_SECRET_KEY, "
        "HOCVUSO_ALLOWED_HOSTS)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-worker", action="store_true", help="web server only (no worker, no scheduler)"
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="no scheduler here (one runs elsewhere, or cron runs the periodic jobs)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if find_spec("gunicorn") is None:
            raise CommandError("gunicorn is not installed: pip install -e .")
        if not settings.PRODUCTION:
            self.stderr.write("HOCVUSO_ENV is not 'production': serving with development settings")
        config = Path(__file__).resolve().parents[3] / "config" / "gunicorn.conf.py"
        python = sys.executable
        commands = [[python, "-m", "gunicorn", "-c", str(config), "hocvuso.config.wsgi"]]
        if not options["no_worker"]:
            commands.append([python, "-m", "hocvuso", "db_worker"])
            if not options["no_scheduler"]:
                commands.append([python, "-m", "hocvuso", "scheduler"])
        processes = [subprocess.Popen(c) for c in commands]  # noqa: S603
        asked = []

        def stop(*_: Any) -> None:
            asked.append(True)
            for p in processes:
                if p.poll() is None:
                    p.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while all(p.poll() is None for p in processes):
                time.sleep(0.5)
        finally:
            stopped_by_us = bool(asked)
            stop()
            for p in processes:
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()
        codes = [p.returncode for p in processes]
        # Asked to stop (SIGTERM/SIGINT): the processes' own signal exits are a clean stop.
        if stopped_by_us and all(c in (0, -signal.SIGTERM) for c in codes):
            return
        if any(codes):
            raise CommandError(f"a process stopped: exit codes {codes}")
