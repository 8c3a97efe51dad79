"""Recount every commune from the raw records and compare with the summary tables."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand

from hocvuso.kpi import summaries


class Command(BaseCommand):
    help = (
        "Recount the dashboards' figures from the raw records and report every difference with "
        "the summary tables; exit 1 when there is one."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--limit", type=int, default=50, help="differences to print")

    def handle(self, *args: Any, **options: Any) -> None:
        found = summaries.check()
        for d in found[: options["limit"]]:
            self.stdout.write(str(d))
        if len(found) > options["limit"]:
            self.stdout.write(f"… {len(found) - options['limit']} more")
        self.stdout.write(json.dumps({"differences": len(found)}))
        if found:
            sys.exit(1)
