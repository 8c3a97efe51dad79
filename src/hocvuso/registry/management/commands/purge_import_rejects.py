"""Drop the rejected rows of import jobs finished more than 30 days ago (run daily)."""

import json
from typing import Any

from django.core.management.base import BaseCommand

from hocvuso.registry.importing.jobs import import_rejects_purge


class Command(BaseCommand):
    help = (
        "Drop the sealed rejected rows (which hold ID numbers) of import jobs finished more "
        "than 30 days ago. Run it daily; running it again changes nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps({"jobs_emptied": import_rejects_purge()}))
