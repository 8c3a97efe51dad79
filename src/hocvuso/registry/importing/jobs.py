"""Import jobs: an upload becomes a job, a background task runs it, the officer follows it."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.access.registry import can_reveal_cccd
from hocvuso.access.units import ensure_commune
from hocvuso.core.actors import user_or_none
from hocvuso.core.audit import AuditAction, audit_record
from hocvuso.core.errors import CoreError, DomainError, NotFound
from hocvuso.geo.models import Commune
from hocvuso.registry import cccd as cccd_lib
from hocvuso.registry.cccd import mask_cccd_cell
from hocvuso.registry.errors import RegistryError
from hocvuso.registry.importing.headers import cccd_columns
from hocvuso.registry.importing.service import registry_import, rejects_csv
from hocvuso.registry.models import ImportJob, ImportStatus

log = logging.getLogger(__name__)


def _enqueue(job: ImportJob) -> None:
    from hocvuso.registry.tasks import run_import_job

    job_id = str(job.pk)
    transaction.on_commit(lambda: run_import_job.enqueue(job_id))


@transaction.atomic
def import_job_create(
    *,
    actor: Any,
    commune: Commune,
    filename: str,
    data: bytes,
    sheet: str = "",
    dry_run: bool = False,
    create_villages: bool = False,
) -> ImportJob:
    """Store the upload (sealed: it holds ID numbers) and queue its processing."""
    ensure_commune(actor, commune.code, write=True)
    if not data:
        raise DomainError(RegistryError.UNSUPPORTED_FILE, _("The file is empty."), "file")
    job = ImportJob.objects.create(
        commune=commune,
        created_by=user_or_none(actor),
        filename=filename[:255],
        sheet=sheet,
        data=cccd_lib.seal(data),
        dry_run=dry_run,
        create_villages=create_villages,
    )
    audit_record(
        actor=actor, action=AuditAction.IMPORT_CREATE, obj=job, changes={"filename": filename}
    )
    _enqueue(job)
    return job


@transaction.atomic
def import_job_confirm_villages(
    *, actor: Any, job: ImportJob, decisions: dict[str, str]
) -> ImportJob:
    """The officer's answer for each new village name: "create", an existing village id, or
    "reject" (its rows are rejected). Queues the job again."""
    ensure_commune(actor, job.commune_id, write=True)
    if job.status != ImportStatus.NEEDS_CONFIRMATION:
        raise DomainError(CoreError.INVALID, _("This import is not waiting for villages."))
    missing = [name for name in job.new_villages if name not in decisions]
    if missing:
        raise DomainError(
            CoreError.REQUIRED,
            _("Choose what to do with every new village: %(names)s")
            % {"names": ", ".join(missing)},
            "villages",
        )
    job.village_decisions = {**job.village_decisions, **decisions}
    job.status = ImportStatus.QUEUED
    job.save(update_fields=["village_decisions", "status", "updated_at"])
    audit_record(
        actor=actor, action=AuditAction.IMPORT_CONFIRM_VILLAGES, obj=job, changes=decisions
    )
    _enqueue(job)
    return job


# A run reports progress as it goes (each report renews its claim); a run silent for this long
# is taken for dead (its worker was killed) and the job may be claimed again.
CLAIM_LEASE = dt.timedelta(minutes=15)


def import_job_claim(*, job_id: str) -> ImportJob | None:
    """Claim a queued job for one run, atomically: a single ``UPDATE … WHERE`` that only one
    caller can win — the job is queued, or running under a claim whose lease lapsed. Returns the
    claimed job (its ``started_at`` is the claim's mark), or ``None`` when another run holds it
    or it needs nothing (finished, waiting for the officer)."""
    now = timezone.now()
    won = (
        ImportJob.objects.filter(pk=job_id)
        .filter(
            Q(status=ImportStatus.QUEUED)
            | Q(status=ImportStatus.RUNNING, updated_at__lt=now - CLAIM_LEASE)
        )
        .update(status=ImportStatus.RUNNING, started_at=now, updated_at=now)
    )
    if not won:
        return None
    return ImportJob.objects.select_related("commune", "created_by").get(pk=job_id)


def _still_ours(job: ImportJob) -> Any:
    """The job's row, if this run's claim still holds (another run claims it only once the lease
    lapsed, with a new mark)."""
    return ImportJob.objects.filter(
        pk=job.pk, status=ImportStatus.RUNNING, started_at=job.started_at
    )


def import_job_run(*, job_id: str) -> ImportJob:
    """Run one job (called by the background task). Safe to retry and to run twice at once:
    the job is claimed atomically (:func:`import_job_claim`), so a second run of the same job
    finds it held or finished and leaves it alone; the import itself is idempotent."""
    if not ImportJob.objects.filter(pk=job_id).exists():
        raise NotFound()
    job = import_job_claim(job_id=job_id)
    if job is None:
        return ImportJob.objects.select_related("commune", "created_by").get(pk=job_id)

    def progress(done: int, total: int) -> None:
        _still_ours(job).update(done=done, total=total, updated_at=timezone.now())

    try:
        outcome = registry_import(
            actor=job.created_by,
            commune=job.commune,
            data=cccd_lib.unseal(job.data),
            filename=job.filename,
            sheet=job.sheet or None,
            dry_run=job.dry_run,
            create_villages=job.create_villages,
            village_decisions=job.village_decisions,
            stop_for_villages=True,
            progress=progress,
        )
    except DomainError as exc:
        job.status, job.error = ImportStatus.FAILED, f"{exc.code}: {exc.message}"
    except Exception:  # the job must end in a state the officer can see; details go to the log
        log.exception("import job %s failed", job.pk)
        job.status, job.error = ImportStatus.FAILED, _("Unexpected error; the team has the log.")
    else:
        job.new_villages = outcome.new_villages
        job.unknown_columns = outcome.unknown_columns
        job.header = outcome.header
        if outcome.needs_confirmation:
            job.status = ImportStatus.NEEDS_CONFIRMATION
        else:
            job.status = ImportStatus.DONE
            for name, value in outcome.counts().items():
                setattr(job, name, value)
            job.done = job.total = outcome.read
            job.rejects_sealed = cccd_lib.seal(
                json.dumps(
                    [r.as_dict() for r in sorted(outcome.rejects, key=lambda r: r.row)],
                    ensure_ascii=False,
                ).encode()
            )
            job.data = b""  # the upload is no longer needed
    job.finished_at = timezone.now()
    with transaction.atomic():
        if not _still_ours(job).select_for_update().exists():
            log.warning("import job %s: the claim lapsed, another run owns it", job.pk)
            return ImportJob.objects.get(pk=job.pk)
        job.save()
    return job


# The rejected rows hold what the officer uploaded, ID numbers included: kept sealed, and only
# long enough to fix and upload them again.
REJECTS_KEPT = dt.timedelta(days=30)


def rejects_expired(job: ImportJob, now: dt.datetime | None = None) -> bool:
    """The job's rejected rows are gone (or go now): 30 days after it finished."""
    if not job.finished_at:
        return False
    return (now or timezone.now()) >= job.finished_at + REJECTS_KEPT


def import_job_rejects(*, actor: Any, job: ImportJob) -> list[dict[str, Any]]:
    ensure_commune(actor, job.commune_id, write=True)
    if not job.rejects_sealed or rejects_expired(job):
        return []
    rejects: list[dict[str, Any]] = json.loads(cccd_lib.unseal(job.rejects_sealed))
    return rejects


def import_job_rejects_csv(*, actor: Any, job: ImportJob) -> bytes:
    """The rejected rows to fix, audited. The CCCD cells are whole only for a reader who may
    reveal a CCCD in the commune; others get them masked like everywhere else."""
    rejects = import_job_rejects(actor=actor, job=job)
    full = can_reveal_cccd(actor, job.commune_id)
    if not full:
        columns = cccd_columns(job.header)
        rejects = [
            {
                **r,
                "original": [
                    mask_cccd_cell(str(c)) if i in columns else c
                    for i, c in enumerate(r.get("original") or [])
                ],
            }
            for r in rejects
        ]
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT_DOWNLOAD_REJECTS,
        obj=job,
        changes={"rows": len(rejects), "full_cccd": full},
    )
    return rejects_csv(job.header, rejects)


def import_rejects_purge(*, now: dt.datetime | None = None) -> int:
    """Drop the sealed rejected rows of every job finished more than 30 days ago (daily, by
    ``hocvuso purge_import_rejects``). Returns the jobs emptied; running again changes nothing."""
    limit = (now or timezone.now()) - REJECTS_KEPT
    return (
        ImportJob.objects.filter(finished_at__lte=limit)
        .exclude(rejects_sealed=b"")
        .update(rejects_sealed=b"")
    )
