"""``hocvuso load_courses [--dir DIR]``: load the course files (a changed file: a new version)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.core.actors import SYSTEM
from hocvuso.learning.content import ContentInvalid
from hocvuso.learning.services import courses_load


class Command(BaseCommand):
    help = "Load the course files (Markdown + YAML front matter); a changed file is a new version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, default=None, help="a folder of course files")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            loaded = courses_load(actor=SYSTEM, directory=options["dir"])
        except ContentInvalid as exc:
            raise CommandError("course files are not valid:\n" + str(exc)) from exc
        for item in loaded:
            state = "new version" if item.new else "unchanged"
            self.stdout.write(
                f"{item.course.code}: v{item.version.number} {item.version.status} ({state})"
            )
