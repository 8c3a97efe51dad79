"""Recount every commune's summary rows from the raw records."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand

from hocvuso.kpi import summaries


class Command(BaseCommand):
    help = "Recount the dashboards' summary tables from the raw records (all communes)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet", action="store_true", help="no progress lines")
        parser.add_argument(
            "--history",
            type=int,
            default=0,
            metavar="MONTHS",
            help="also rebuild the month rows of the MONTHS months before this one from the "
            "dated records (for a first installation or after a repair)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()

        def progress(done: int, total: int, _last: str) -> None:
            if not options["quiet"]:
                self.stderr.write(f"{done}/{total} communes")

        communes = summaries.rebuild(progress=progress)
        months = 0
        if options["history"]:
            months = summaries.backfill_all(months=options["history"])
        seconds = round(time.perf_counter() - started, 2)
        self.stdout.write(
            json.dumps({"communes": communes, "month_rows": months, "seconds": seconds})
        )
