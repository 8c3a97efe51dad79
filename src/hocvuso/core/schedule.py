"""The platform's own scheduler: the periodic jobs the operator would otherwise leave to cron.

:data:`SCHEDULE` lists each job with its time (Vietnam's local time). ``hocvuso scheduler``
(started by ``hocvuso serve``) calls :func:`tick` every minute: for each job whose latest due time
has passed, it records a :class:`~hocvuso.core.models.ScheduledRun` — once, whatever the number
of scheduler processes (a unique constraint) — and puts the run on the database task queue,
whose worker runs the job's management command and records its end. :func:`missed` names the
jobs whose latest due run has not finished well within its grace time; the health check shows
them.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone


@dataclass(frozen=True)
class Job:
    """A management command run at ``at`` every day, or on ``weekday`` (0 = Monday) only."""

    command: str
    at: dt.time
    weekday: int | None = None
    grace: dt.timedelta = dt.timedelta(hours=2)  # a run later than this is reported missed


SCHEDULE: tuple[Job, ...] = (
    Job("roll_summaries", dt.time(0, 5)),  # 1 January ages; the month's trend rows
    Job("purge_import_rejects", dt.time(0, 20)),  # rejected rows 30 days after their import
    Job("check_summaries", dt.time(1, 0), weekday=0),  # the weekly recount, exits 1 on a difference
    Job("partitions", dt.time(0, 30)),  # PostgreSQL: the next months' partitions, made ahead
)


def latest_due(job: Job, now: dt.datetime) -> dt.datetime:
    """The job's most recent due time at or before ``now`` (aware, local time)."""
    local = timezone.localtime(now)
    day = local.date()
    for back in range(8):
        candidate_day = day - dt.timedelta(days=back)
        if job.weekday is not None and candidate_day.weekday() != job.weekday:
            continue
        due = timezone.make_aware(dt.datetime.combine(candidate_day, job.at))
        if due <= local:
            return due
    raise AssertionError("a job is due at least once a week")


def tick(now: dt.datetime | None = None) -> list[str]:
    """Record and enqueue every job due and not yet recorded; returns the jobs enqueued."""
    from hocvuso.core.models import ScheduledRun
    from hocvuso.core.tasks import run_scheduled

    now = now or timezone.now()
    started = []
    for job in SCHEDULE:
        due = latest_due(job, now)
        if ScheduledRun.objects.filter(job=job.command, due_at=due).exists():
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=job.command, due_at=due)
                transaction.on_commit(partial(run_scheduled.enqueue, run.pk))
        except IntegrityError:
            continue  # another scheduler recorded it first
        started.append(job.command)
    return started


def run(run_id: int) -> None:
    """Run one recorded job (from the task queue) and record how it ended; a run already
    started is left alone (a retried task never runs a job twice)."""
    from django.core.management import call_command

    from hocvuso.core.models import ScheduledRun

    with transaction.atomic():
        claimed = ScheduledRun.objects.filter(pk=run_id, started_at__isnull=True).update(
            started_at=timezone.now()
        )
    if not claimed:
        return
    out = io.StringIO()
    ok = True
    try:
        job = ScheduledRun.objects.get(pk=run_id).job
        call_command(job, stdout=out, stderr=out)
    except SystemExit as exc:  # check_summaries exits 1 on a difference
        ok = exc.code in (0, None)
    except Exception as exc:
        ok = False
        out.write(f"{type(exc).__name__}: {exc}")
    ScheduledRun.objects.filter(pk=run_id).update(
        finished_at=timezone.now(), ok=ok, output=out.getvalue()[-4000:]
    )


def missed(now: dt.datetime | None = None) -> list[str]:
    """Jobs whose latest due run has not finished well within its grace time: failed, still
    running, or never recorded although the scheduler had recorded an earlier one."""
    from hocvuso.core.models import ScheduledRun

    now = now or timezone.now()
    late = []
    for job in SCHEDULE:
        due = latest_due(job, now)
        if now - due < job.grace:
            continue
        runs = ScheduledRun.objects.filter(job=job.command)
        if runs.filter(due_at=due, ok=True).exists():
            continue
        if runs.filter(
            due_at=due, finished_at__isnull=True, enqueued_at__gt=now - job.grace
        ).exists():
            continue  # recorded late (the scheduler was down) and still within its grace
        # Recorded and not finished well, or not recorded though the scheduler ran before
        # (a new installation, whose scheduler has never run, has missed nothing yet).
        if runs.filter(due_at=due).exists() or runs.filter(due_at__lt=due).exists():
            late.append(job.command)
    return late
