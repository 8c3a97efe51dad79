"""Recompute every person's digital status from their skill events.

    hocvuso rebuild_status            # repair, report the differences repaired
    hocvuso rebuild_status --check    # write nothing; exit 1 if anything differs

Ends with one line of JSON: {"persons": …, "differences": {field: rows}, "repaired": bool}.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hocvuso.skills.status import status_rebuild


class Command(BaseCommand):
    help = "Recompute each person's digital status from the skill events (--check: only compare)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="Compare only; exit 1 on a difference."
        )
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args: Any, check: bool, batch_size: int, **options: Any) -> None:
        started = time.perf_counter()
        result = status_rebuild(check=check, batch_size=batch_size)
        differences = dict(sorted(result.differences.items()))
        self.stdout.write(
            json.dumps(
                {
                    "persons": result.persons,
                    "differences": differences,
                    "repaired": bool(differences) and not check,
                    "seconds": round(time.perf_counter() - started, 3),
                },
                ensure_ascii=False,
            )
        )
        if check and differences:
            sys.exit(1)
