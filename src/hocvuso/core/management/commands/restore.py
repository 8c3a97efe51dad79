"""Replace the database's content with a backup made by ``hocvuso backup``."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore the database from PATH, replacing what it holds. Stop the web and worker "
        "processes first; run check_summaries afterwards."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--yes", action="store_true", help="confirm that the current content is replaced"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            raise CommandError("restore replaces the whole database: add --yes to confirm")
        try:
            restore(options["path"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps({"restored": str(options["path"])}))
