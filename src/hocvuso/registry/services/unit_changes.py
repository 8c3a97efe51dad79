"""A newer official unit list retired a commune (``geo.services.units_load``): its villages,
households and people move to the successor, by a background job with progress.

``units_retired`` (a core hook) queues one :class:`UnitTransfer` per retired commune, run after
the load commits by ``registry.tasks.run_unit_transfer``. The job moves one village at a time —
the village, its households and their people (tombstones too) in one transaction — then the
households with no village in batches; each step wraps itself in ``facts_change``, so both
communes' summaries are right after every step, and a job interrupted and run again carries on
with what is left. A village name or a household code the successor already has is suffixed
with the retired commune's name or code (recorded in ``renamed``). One audit row
(``unit.transfer``) says what moved. What other apps keep on the retired commune (desk visits,
classes, teams) stays there, and the dashboards count it under the successor.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from hocvuso.core import hooks
from hocvuso.core.actors import SYSTEM
from hocvuso.core.audit import AuditAction, audit_record
from hocvuso.core.text import fold
from hocvuso.geo.models import Village
from hocvuso.registry.models import Household, Person, UnitTransfer, UnitTransferStatus
from hocvuso.registry.services.people import household_search_key

log = logging.getLogger(__name__)
BATCH = 500


def unit_transfers_queue(*, pairs: list[tuple[str, str]], actor: Any = SYSTEM) -> None:
    """One job per (retired, successor), run after the transaction commits."""
    for retired, successor in pairs:
        job, _created = UnitTransfer.objects.get_or_create(
            retired_id=retired, successor_id=successor
        )
        _enqueue(str(job.pk))


def _enqueue(job_id: str) -> None:
    from hocvuso.registry.tasks import run_unit_transfer

    transaction.on_commit(lambda: run_unit_transfer.enqueue(job_id))


def _move_households(job: UnitTransfer, ids: list[Any], village: Village | None) -> int:
    """Move households ``ids`` (and their people) of the retired commune to the successor."""
    successor = job.successor
    persons = list(Person.all_objects.filter(household_id__in=ids).values_list("pk", flat=True))
    live = list(Person.objects.filter(pk__in=persons).values_list("pk", flat=True))
    taken = set(Household.all_objects.filter(commune=successor).values_list("code", flat=True))
    with hooks.facts_change(persons=live, households=ids):
        if village is not None:
            village.commune = successor
            village.save(update_fields=["commune", "search_key", "name", "updated_at"])
        for h in Household.all_objects.filter(pk__in=ids):
            h.commune = successor
            if h.code in taken:
                new = f"{job.retired_id}-{h.code}"[:32]
                job.renamed.append(
                    {"kind": "household", "id": str(h.pk), "old": h.code, "new": new}
                )
                h.code = new
                h.search_key = household_search_key(h.code, h.address)
            taken.add(h.code)
            h.save(update_fields=["commune", "code", "search_key", "updated_at"])
        Person.all_objects.filter(pk__in=persons).update(
            commune=successor, updated_at=timezone.now()
        )
    job.persons += len(persons)
    return len(ids)


def unit_transfer_run(*, job_id: Any, batch_size: int = BATCH) -> UnitTransfer:
    """Run (or carry on) the move of one retired commune's registry. Safe to run again."""
    job = UnitTransfer.objects.select_related("retired", "successor").get(pk=job_id)
    if job.status == UnitTransferStatus.DONE:
        return job
    retired, successor = job.retired, job.successor
    job.status, job.started_at = UnitTransferStatus.RUNNING, job.started_at or timezone.now()
    job.total = job.done + Household.all_objects.filter(commune=retired).count()
    job.save(update_fields=["status", "started_at", "total", "updated_at"])
    try:
        names = set(Village.objects.filter(commune=successor).values_list("search_key", flat=True))
        for village in Village.objects.filter(commune=retired).order_by("name"):
            with transaction.atomic():
                if village.search_key in names:
                    old = village.name
                    village.name = f"{old} ({retired.short_name or retired.name})"[:100]
                    village.search_key = fold(village.name)
                    job.renamed.append(
                        {"kind": "village", "id": str(village.pk), "old": old, "new": village.name}
                    )
                names.add(village.search_key)
                ids = list(
                    Household.all_objects.filter(commune=retired, village=village).values_list(
                        "pk", flat=True
                    )
                )
                job.done += _move_households(job, ids, village)
                job.villages += 1
                job.save(update_fields=["done", "villages", "persons", "renamed", "updated_at"])
        while True:
            ids = list(
                Household.all_objects.filter(commune=retired, village__isnull=True)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                break
            with transaction.atomic():
                job.done += _move_households(job, ids, None)
                job.save(update_fields=["done", "persons", "renamed", "updated_at"])
        with transaction.atomic():
            # Anyone left without a household of the commune (none expected): moved too.
            Person.all_objects.filter(commune=retired).update(commune=successor)
            hooks.network_changed.send(communes=[retired.code, successor.code])
            job.status, job.finished_at = UnitTransferStatus.DONE, timezone.now()
            job.save(update_fields=["status", "finished_at", "updated_at"])
            audit_record(
                actor=SYSTEM,
                action=AuditAction.UNIT_TRANSFER,
                obj=job,
                changes={
                    "retired": retired.code,
                    "successor": successor.code,
                    "villages": job.villages,
                    "households": job.done,
                    "persons": job.persons,
                    "renamed": len(job.renamed),
                },
            )
    except Exception as exc:
        log.exception("unit transfer %s failed", job.pk)
        UnitTransfer.objects.filter(pk=job.pk).update(
            status=UnitTransferStatus.FAILED, error=str(exc)[:500], updated_at=timezone.now()
        )
        raise
    return job
