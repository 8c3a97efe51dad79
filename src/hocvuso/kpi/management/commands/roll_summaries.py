"""Daily: re-derive the age-based counts when the year turns, and open this month's rows."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from hocvuso.kpi import summaries


class Command(BaseCommand):
    help = "Roll the summary tables forward to today (run daily, e.g. from cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        rolled = summaries.roll_forward()
        self.stdout.write(json.dumps({"communes_rolled": rolled}))
