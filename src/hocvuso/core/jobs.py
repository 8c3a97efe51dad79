"""Long work as background jobs, with progress, a result to download, and resumption.

An app declares a *kind* of job once (in its ``jobs.py``, imported by its ``AppConfig.ready``)::

    @jobs.kind("kpi.rebuild", label=_("Rebuilding the dashboards' figures"), counting=_("communes"),
               allowed=can_rebuild_summaries)
    def rebuild(run: jobs.Run) -> None:
        after = run.checkpoint.get("after")
        ...  # a batch of work, committed
        run.progress(done, total, checkpoint={"after": last})

:func:`start` records a :class:`~hocvuso.core.models.Job` (at most one queued or running per kind,
unit and parameters: starting it again returns the one under way) and puts it on the database
task queue; the worker's task calls :func:`execute`, which *claims* the job with one
``UPDATE … WHERE`` only one worker can win (queued, or running with a heartbeat older than the
lease — its worker died), and calls the kind's function with a :class:`Run`.

A run reports after each committed batch: :meth:`Run.progress` saves done / total, the
checkpoint and a heartbeat in one statement that only succeeds while this run still holds the
claim (another worker took it over: :class:`Lost` stops this one). So a job is **resumable**: a
worker killed mid-job leaves its last checkpoint; :func:`revive` (called every minute by the
scheduler) puts jobs whose heartbeat is older than the lease back on the queue, and the next run
starts from the checkpoint. The kind's function must make each batch idempotent (the batch after
the checkpoint may have been half done, or done and not yet reported — it is done again).

The result (an export's file) is sealed at rest (:mod:`.crypto`, purpose ``job-result``) and kept
for the kind's ``keep`` time; :func:`result_of` opens it for the download, which the access
policy guards (``access.jobs``). The page shows done / total, the rate of the current run and
the time left.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from hocvuso.core import crypto
from hocvuso.core.actors import SYSTEM, user_or_none
from hocvuso.core.errors import NotFound
from hocvuso.core.models import Job, JobStatus

log = logging.getLogger(__name__)

RESULT_PURPOSE = "job-result"


class Lost(Exception):
    """This run no longer holds the job (its lease lapsed and another run claimed it)."""


@dataclass(frozen=True)
class Kind:
    code: str
    function: Callable[[Run], None]
    label: Any  # a lazy translated string
    counting: Any  # what done / total count ("communes", "people")
    # allowed(actor, level, code) -> bool: who may start it (and see it), from ``access``.
    allowed: Callable[[Any, str, str], bool]
    keep: dt.timedelta = dt.timedelta(days=7)  # how long a result is kept
    notes: dict[str, Any] = field(default_factory=dict)  # summary name → its label


KINDS: dict[str, Kind] = {}


def kind(
    code: str,
    *,
    label: Any,
    counting: Any,
    allowed: Callable[[Any, str, str], bool],
    keep: dt.timedelta = dt.timedelta(days=7),
    notes: dict[str, Any] | None = None,
) -> Callable[[Callable[[Run], None]], Callable[[Run], None]]:
    """Declare a kind of job (a decorator of its function); ``notes``: the label of each small
    figure its runs note (:meth:`Run.note`), shown on its page."""

    def register(function: Callable[[Run], None]) -> Callable[[Run], None]:
        KINDS[code] = Kind(code, function, label, counting, allowed, keep, dict(notes or {}))
        return function

    return register


def kind_of(code: str) -> Kind | None:
    return KINDS.get(code)


def lease() -> dt.timedelta:
    """A run silent for this long is taken for dead (``HOCVUSO_JOB_LEASE_SECONDS``)."""
    return dt.timedelta(seconds=getattr(settings, "HOCVUSO_JOB_LEASE_SECONDS", 120))


def _key(code: str, level: str, unit: str, params: dict[str, Any]) -> str:
    return f"{code}|{level}|{unit}|{json.dumps(params, sort_keys=True, separators=(',', ':'))}"[
        :255
    ]


def _enqueue(job_id: str) -> None:
    from hocvuso.core.tasks import run_job

    transaction.on_commit(lambda: run_job.enqueue(job_id))


def start(
    *, actor: Any, kind: str, level: str = "national", code: str = "", params: Any = None
) -> Job:
    """Record a job and queue it; the one already under way (same kind, unit and parameters)
    is returned instead. Not allowed: not found (the access policy decides, through the kind's
    ``allowed``)."""
    k = KINDS.get(kind)
    if k is None or not k.allowed(actor, level, code):
        raise NotFound()
    params = dict(params or {})
    key = _key(kind, level, code, params)
    under_way = Q(key=key, status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
    existing = Job.objects.filter(under_way).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind,
                params=params,
                key=key,
                level=level,
                code=code,
                created_by=user_or_none(actor),
            )
            _enqueue(str(job.pk))
    except IntegrityError:  # started by someone else at the same moment
        return Job.objects.get(under_way)
    return job


def claim(job_id: str) -> Job | None:
    """Claim the job for one run: one ``UPDATE … WHERE`` only one caller can win. ``None`` when
    another run holds it or it needs nothing (done, failed)."""
    now = timezone.now()
    won = (
        Job.objects.filter(pk=job_id)
        .filter(
            Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, heartbeat_at__lt=now - lease())
        )
        .update(
            status=JobStatus.RUNNING,
            claimed_at=now,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            resumed_from=F("done"),
        )
    )
    return Job.objects.get(pk=job_id) if won else None


@dataclass
class Run:
    """One run of a claimed job: its parameters, where to resume, and how to report."""

    job: Job
    checkpoint: dict[str, Any] = field(default_factory=dict)

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.job.params)

    @property
    def actor(self) -> Any:
        """Who the work is done as: the one who started it, or the system (a job started from
        the command line has no user; only the system may start one without)."""
        return self.job.created_by if self.job.created_by_id is not None else SYSTEM

    def _ours(self) -> Any:
        return Job.objects.filter(
            pk=self.job.pk, status=JobStatus.RUNNING, claimed_at=self.job.claimed_at
        )

    def progress(self, done: int, total: int, *, checkpoint: dict[str, Any] | None = None) -> None:
        """Report after a committed batch: done / total and where to resume, with a heartbeat.
        Raises :class:`Lost` when another run has taken the job over."""
        if checkpoint is not None:
            self.checkpoint = dict(checkpoint)
        updated = self._ours().update(
            done=done, total=total, checkpoint=self.checkpoint, heartbeat_at=timezone.now()
        )
        if not updated:
            raise Lost()
        self.job.done, self.job.total = done, total

    def keep_result(self, data: bytes, *, name: str, content_type: str) -> None:
        """The file to download when the job is done (sealed at rest until it expires)."""
        self.job.result = crypto.seal(RESULT_PURPOSE, base64.b64encode(data).decode())
        self.job.result_name = name
        self.job.result_type = content_type

    @contextlib.contextmanager
    def keeping_alive(self) -> Iterator[None]:
        """Around one long step that cannot report until it ends (a single transaction, such
        as the whole-table rebuild on PostgreSQL): a thread with its own connection renews
        the heartbeat every third of the lease, while this run still holds the claim, so the
        job is not taken for dead and revived under it. The step itself stays atomic: killed,
        it left nothing, and the next run does it again."""
        stop = threading.Event()

        def beat() -> None:
            try:
                while not stop.wait(lease().total_seconds() / 3):
                    if not self._ours().update(heartbeat_at=timezone.now()):
                        return
            finally:
                connections.close_all()  # this thread's own connections

        thread = threading.Thread(target=beat, name=f"job-{self.job.pk}-heartbeat", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def note(self, **summary: Any) -> None:
        """Small figures shown on the job's page (never personal data)."""
        self.job.summary = {**self.job.summary, **summary}


def execute(job_id: str) -> Job | None:
    """Run the job if this caller wins its claim (the worker's task). Safe to retry and to run
    twice at once; a run that loses its claim stops at its next report."""
    job = claim(job_id)
    if job is None:
        return Job.objects.filter(pk=job_id).first()
    k = KINDS.get(job.kind)
    run = Run(job, dict(job.checkpoint))
    status, error = JobStatus.DONE, ""
    try:
        if k is None:
            raise LookupError(f"unknown job kind {job.kind!r}")
        k.function(run)
    except Lost:
        log.warning("job %s: the claim lapsed, another run owns it", job.pk)
        return Job.objects.get(pk=job.pk)
    except Exception as exc:  # the job must end in a state its page can show; details to the log
        log.exception("job %s (%s) failed", job.pk, job.kind)
        status, error = JobStatus.FAILED, type(exc).__name__
    now = timezone.now()
    keep = k.keep if k else dt.timedelta(days=7)
    with transaction.atomic():
        finished = run._ours().update(
            status=status,
            error=error,
            finished_at=now,
            heartbeat_at=now,
            result=run.job.result,
            result_name=run.job.result_name,
            result_type=run.job.result_type,
            summary=run.job.summary,
            expires_at=now + keep if run.job.result else None,
        )
    if not finished:
        log.warning("job %s: the claim lapsed before the end, another run owns it", job.pk)
    return Job.objects.get(pk=job.pk)


def revive(now: dt.datetime | None = None) -> list[str]:
    """Put back on the queue every running job whose heartbeat is older than the lease (its
    worker died); the next run claims it and resumes from its checkpoint. Returns their ids."""
    now = now or timezone.now()
    stale = list(
        Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=now - lease()).values_list(
            "pk", flat=True
        )
    )
    for pk in stale:
        with transaction.atomic():
            _enqueue(str(pk))
    return [str(pk) for pk in stale]


def expire(now: dt.datetime | None = None) -> int:
    """Empty the results past their time (their row stays, saying it expired)."""
    now = now or timezone.now()
    return Job.objects.filter(expires_at__lte=now).exclude(result="").update(result="")


def result_of(job: Job, now: dt.datetime | None = None) -> bytes | None:
    """The job's result file, or ``None`` (not done, none, or expired)."""
    now = now or timezone.now()
    if job.status != JobStatus.DONE or not job.result:
        return None
    if job.expires_at is not None and job.expires_at <= now:
        return None
    return base64.b64decode(crypto.unseal(RESULT_PURPOSE, job.result))


@dataclass(frozen=True)
class Progress:
    """What the page shows: done / total, percent, the current run's rate, the time left."""

    done: int
    total: int
    percent: int | None
    rate: float | None  # per second, this run
    left: dt.timedelta | None


def progress_of(job: Job, now: dt.datetime | None = None) -> Progress:
    now = now or timezone.now()
    percent = min(100, job.done * 100 // job.total) if job.total else None
    rate = left = None
    if job.status == JobStatus.RUNNING and job.claimed_at and job.heartbeat_at:
        seconds = (job.heartbeat_at - job.claimed_at).total_seconds()
        moved = job.done - job.resumed_from
        if seconds > 0 and moved > 0:
            rate = moved / seconds
            if job.total:
                left = dt.timedelta(seconds=round(max(0, job.total - job.done) / rate))
    return Progress(job.done, job.total, percent, rate, left)
