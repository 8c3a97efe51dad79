import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.core.actors import SYSTEM
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.geo.selectors import commune_get
from hocvuso.registry.importing.service import registry_import, rejects_csv


class Command(BaseCommand):
    help = "Import a commune's resident list (CSV or XLSX). Ends with one line of JSON counts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--commune", required=True, help="official commune code, e.g. 00715")
        parser.add_argument("--sheet", default=None, help="XLSX sheet name (default: the first)")
        parser.add_argument("--dry-run", action="store_true", help="validate without writing")
        parser.add_argument(
            "--create-villages", action="store_true", help="create villages the file names"
        )
        parser.add_argument("--rejects", type=Path, help="write the rejected rows to this CSV")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            commune = commune_get(code=options["commune"])
        except NotFound:
            raise CommandError(f"unknown commune code {options['commune']!r}") from None
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"no such file: {path}")

        def progress(done: int, total: int) -> None:
            width = 30
            filled = width * done // total if total else width
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            sys.stderr.flush()

        try:
            outcome = registry_import(
                actor=SYSTEM,
                commune=commune,
                data=path.read_bytes(),
                filename=path.name,
                sheet=options["sheet"],
                dry_run=options["dry_run"],
                create_villages=options["create_villages"],
                progress=progress,
            )
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from None
        sys.stderr.write("\n")
        if outcome.unknown_columns:
            self.stdout.write("Ignored columns: " + ", ".join(outcome.unknown_columns))
        unknown_villages = [r for r in outcome.rejects if r.code == "unknown_village"]
        if unknown_villages:
            self.stdout.write(
                "Villages not in the commune (rows rejected; use --create-villages to create "
                "them): " + ", ".join(outcome.new_villages)
            )
        if options["rejects"] and outcome.rejects:
            options["rejects"].write_bytes(
                rejects_csv(outcome.header, [r.as_dict() for r in outcome.rejects])
            )
            self.stdout.write(f"Rejected rows written to {options['rejects']}")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
        self.stdout.write(json.dumps(outcome.counts()))
