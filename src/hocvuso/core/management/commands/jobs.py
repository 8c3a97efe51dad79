"""Background jobs from the command line: start one, list them, show one, revive the stale."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.core import jobs
from hocvuso.core.actors import SYSTEM
from hocvuso.core.errors import NotFound
from hocvuso.core.models import Job


def _value(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        return text


def _row(job: Job) -> dict[str, Any]:
    p = jobs.progress_of(job)
    return {
        "id": str(job.pk),
        "kind": job.kind,
        "level": job.level,
        "code": job.code,
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "rate_per_s": round(p.rate, 2) if p.rate is not None else None,
        "left_s": round(p.left.total_seconds()) if p.left is not None else None,
        "attempts": job.attempts,
        "summary": job.summary,
    }


class Command(BaseCommand):
    help = (
        "Background jobs: 'start KIND [--level L --code C] [--param name=value …]' queues one "
        "(as the system) and prints its id; 'list'; 'show ID'; 'revive' puts the jobs whose "
        f"worker died back on the queue. Kinds: {', '.join(sorted(jobs.KINDS)) or '(none)'}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["start", "list", "show", "revive"])
        parser.add_argument("target", nargs="?", help="the kind (start) or the id (show)")
        parser.add_argument("--level", default="national")
        parser.add_argument("--code", default="")
        parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")

    def handle(self, *args: Any, **options: Any) -> None:
        action, target = options["action"], options["target"]
        if action == "start":
            params = {}
            for item in options["param"]:
                name, _sep, value = item.partition("=")
                params[name] = _value(value)
            try:
                job = jobs.start(
                    actor=SYSTEM,
                    kind=target or "",
                    level=options["level"],
                    code=options["code"],
                    params=params,
                )
            except NotFound:
                raise CommandError(f"unknown kind of job {target!r}") from None
            self.stdout.write(json.dumps(_row(job)))
        elif action == "show":
            found = Job.objects.defer("result").filter(pk=target).first()
            if found is None:
                raise CommandError("no such job")
            self.stdout.write(json.dumps(_row(found)))
        elif action == "list":
            for job in Job.objects.defer("result").order_by("-created_at")[:50]:
                self.stdout.write(json.dumps(_row(job)))
        else:
            self.stdout.write(json.dumps({"revived": jobs.revive()}))
