"""Record and enqueue the platform's scheduled jobs as they fall due (``core.schedule``)."""

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hocvuso.core import jobs
from hocvuso.core.schedule import tick


class Command(BaseCommand):
    help = (
        "Every minute, record each scheduled job that fell due and put it on the task queue "
        "(roll_summaries, purge_import_rejects and partitions daily, check_summaries weekly). "
        "Any number of schedulers may run: each due run is recorded once. Background jobs whose "
        "worker died are put back on the queue. --once: one tick and exit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--interval", type=float, default=60.0)

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            started = tick()
            # Long jobs whose worker died go back on the queue (they resume from their
            # checkpoint); results past their time are emptied.
            revived = jobs.revive()
            jobs.expire()
            if revived:
                self.stdout.write(json.dumps({"revived": revived}))
            if started or options["once"]:
                self.stdout.write(json.dumps({"enqueued": started}))
            if options["once"]:
                return
            time.sleep(options["interval"])
