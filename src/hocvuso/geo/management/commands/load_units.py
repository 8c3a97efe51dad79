import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hocvuso.geo.models import Commune, Province
from hocvuso.geo.services import units_load


class Command(BaseCommand):
    help = "Load or update the official provinces and communes (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--source",
            type=Path,
            help="a dataset.db in the vietnamadminunits layout (default: the installed package's)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = units_load(source=options["source"])
        self.stdout.write(
            f"{Province.objects.count()} provinces, {Commune.objects.count()} communes loaded"
        )
        self.stdout.write(json.dumps(result.as_dict()))
