"""The monthly partitions of the append-only tables (PostgreSQL; nothing to do on SQLite)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.core import partitions


def _month(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(f"{text}-01")
    except ValueError:
        raise CommandError("give the month as YYYY-MM") from None


class Command(BaseCommand):
    help = (
        "Monthly partitions (PostgreSQL): 'ensure' makes this month's and the next three "
        "(daily, by the scheduler); 'list'; 'archive TABLE YYYY-MM FILE' detaches a month, "
        "dumps it (pg_dump) and drops it; 'restore TABLE YYYY-MM FILE' brings it back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action", nargs="?", default="ensure", choices=["ensure", "list", "archive", "restore"]
        )
        parser.add_argument("table", nargs="?")
        parser.add_argument("month", nargs="?")
        parser.add_argument("file", nargs="?", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "ensure":
            self.stdout.write(json.dumps({"made": partitions.extend_all()}))
            return
        if action == "list":
            self.stdout.write(
                json.dumps(
                    {
                        p.table: partitions.partitions_of(p.table)
                        for p in partitions.PARTITIONED
                        if partitions.is_partitioned(p.table)
                    }
                )
            )
            return
        table, month, path = options["table"], options["month"], options["file"]
        if not (table and month and path):
            raise CommandError(f"{action} needs TABLE YYYY-MM FILE")
        if not partitions.is_partitioned(table):
            raise CommandError(f"{table} is not partitioned here")
        if action == "archive":
            rows = partitions.archive(table, _month(month), path)
        else:
            rows = partitions.restore(table, _month(month), path)
        self.stdout.write(json.dumps({action: table, "month": month, "rows": rows}))
