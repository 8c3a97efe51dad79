"""Load or update the official provinces and communes (idempotent).

    hocvuso load_units
    hocvuso load_units --source newer/dataset.db --successors merged.csv

``--successors``: a CSV of ``retired code,successor code`` (the newer list's "merged into"
mapping, a header row allowed): each commune missing from the list is retired with its
successor, and a background job moves its villages, households and people there. Without it,
missing communes are only reported.
"""

import csv
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hocvuso.core.actors import SYSTEM
from hocvuso.core.errors import DomainError
from hocvuso.geo.models import Commune, Province
from hocvuso.geo.services import units_load


def read_successors(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.reader(f):
            if len(row) >= 2 and row[0].strip().isdigit() and row[1].strip().isdigit():
                out[row[0].strip().zfill(5)] = row[1].strip().zfill(5)
    return out


class Command(BaseCommand):
    help = "Load or update the official provinces and communes (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--source",
            type=Path,
            help="a dataset.db in the vietnamadminunits layout (default: the installed package's)",
        )
        parser.add_argument(
            "--successors",
            type=Path,
            help="CSV 'retired code,successor code': retire the communes missing from the list",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        successors = read_successors(options["successors"]) if options["successors"] else None
        try:
            result = units_load(source=options["source"], successors=successors, actor=SYSTEM)
        except DomainError as exc:
            self.stderr.write(exc.message)
            sys.exit(1)
        active = Commune.objects.filter(retired_at__isnull=True).count()
        self.stdout.write(f"{Province.objects.count()} provinces, {active} communes loaded")
        if result.missing and successors is None:
            self.stdout.write(
                f"{len(result.missing)} communes are missing from the list: "
                "give --successors to retire them"
            )
        self.stdout.write(json.dumps(result.as_dict()))
