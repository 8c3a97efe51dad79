"""Write a consistent copy of the database to a file (pg_dump custom format, or SQLite's backup)."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back the database up to PATH (PostgreSQL: pg_dump custom format; SQLite: the online "
        "backup API). The keys are not in it: escrow them apart (docs/operations.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path = backup(options["path"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps({"backup": str(path), "bytes": path.stat().st_size}))
