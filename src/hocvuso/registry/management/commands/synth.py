import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.core.actors import SYSTEM
from hocvuso.core.errors import NotFound
from hocvuso.geo.models import Commune
from hocvuso.geo.selectors import commune_get
from hocvuso.registry.importing.service import registry_import
from hocvuso.registry.synthetic import VILLAGE_NAMES, clean_csv, population_for


class Command(BaseCommand):
    help = (
        "Make a realistic synthetic population (no real person) for a commune or a province, "
        "and import it, or write it as a (messy) spreadsheet with --out."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--commune", help="official commune code")
        target.add_argument("--province", help="official province code (spreads over communes)")
        parser.add_argument("--households", type=int, help="households per commune")
        parser.add_argument("--persons", type=int, help="about this many persons in all")
        parser.add_argument("--villages", type=int, default=6, help="villages per commune")
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--out", type=Path, help="write a spreadsheet instead of importing")
        parser.add_argument("--format", choices=["csv", "csv-utf16", "xlsx"], default="xlsx")
        parser.add_argument("--messy", action="store_true", help="varied headers, bad rows …")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["commune"]:
                communes = [commune_get(code=options["commune"])]
            else:
                communes = list(Commune.objects.filter(province_id=options["province"].zfill(2)))
        except NotFound:
            raise CommandError("unknown commune code") from None
        if not communes:
            raise CommandError("unknown province code")
        per_commune = options["households"]
        if per_commune is None:
            persons = options["persons"] or 1000
            per_commune = max(1, round(persons / 3.5 / len(communes)))  # ~3.5 persons/household
        totals = {"communes": 0, "read": 0, "inserted": 0, "updated": 0, "unchanged": 0}
        totals["rejected"] = 0
        for i, commune in enumerate(communes):
            population = population_for(commune.province_id, seed=options["seed"] + i)
            villages = VILLAGE_NAMES[: options["villages"]]
            households = list(
                population.households(per_commune, villages, prefix=f"S{commune.code}")
            )
            if options["out"]:
                self._write(options, households, len(communes), i)
                continue
            outcome = registry_import(
                actor=SYSTEM,
                commune=commune,
                data=clean_csv(households),
                filename="synthetic.csv",
                create_villages=True,
            )
            totals["communes"] += 1
            for key, value in outcome.counts().items():
                totals[key] += value
        if not options["out"]:
            self.stdout.write(json.dumps(totals))

    def _write(self, options: dict[str, Any], households: list[Any], n: int, i: int) -> None:
        from hocvuso.registry.importing.messy import messy_file

        out: Path = options["out"]
        if n > 1:
            out = out.with_name(f"{out.stem}-{i + 1:03d}{out.suffix}")
        if options["messy"]:
            data, manifest = messy_file(households, fmt=options["format"], seed=options["seed"])
            self.stdout.write(json.dumps({"file": str(out), "rows": manifest["rows"]}))
        else:
            data = clean_csv(households)
        out.write_bytes(data)
