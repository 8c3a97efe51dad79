"""An import job is claimed atomically: of two runs of the same job (a retried task, two
workers), one wins the claim and the other leaves the job alone; a run whose worker died is
claimed again only after its lease lapsed, and the dead run can then no longer write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hocvuso.registry.importing import jobs
from hocvuso.registry.importing.jobs import (
    CLAIM_LEASE,
    import_job_claim,
    import_job_create,
    import_job_run,
)
from hocvuso.registry.models import ImportJob, ImportStatus, Person
from tests.registry.test_import_service import MIXED, _csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(commune, officer, village, settings):  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    return import_job_create(actor=officer, commune=commune, filename="ds.csv", data=_csv(MIXED))


def _lapse(job_id):  # type: ignore[no-untyped-def]
    ImportJob.objects.filter(pk=job_id).update(
        updated_at=timezone.now() - CLAIM_LEASE - dt.timedelta(seconds=1)
    )


def test_of_two_claims_one_wins(job):
    first = import_job_claim(job_id=str(job.pk))
    second = import_job_claim(job_id=str(job.pk))
    assert first is not None
    assert second is None
    stored = ImportJob.objects.get(pk=job.pk)
    assert (stored.status, stored.started_at) == (ImportStatus.RUNNING, first.started_at)


def test_a_run_of_a_job_another_run_holds_imports_nothing(job, commune):
    held = import_job_claim(job_id=str(job.pk))
    assert held is not None
    again = import_job_run(job_id=str(job.pk))  # the retried task, while the first still runs
    assert again.status == ImportStatus.RUNNING
    assert again.started_at == held.started_at
    assert not Person.objects.filter(commune=commune).exists()
    # The first run finishes normally.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)
    done = import_job_run(job_id=str(job.pk))
    assert (done.status, done.inserted, done.rejected) == (ImportStatus.DONE, 3, 5)
    # A finished job is never claimed again.
    assert import_job_claim(job_id=str(job.pk)) is None
    assert import_job_run(job_id=str(job.pk)).finished_at == done.finished_at


def test_a_dead_runs_job_is_claimed_again_once_its_lease_lapsed(job):
    first = import_job_claim(job_id=str(job.pk))
    assert first is not None
    assert import_job_claim(job_id=str(job.pk)) is None  # still within the lease
    _lapse(job.pk)
    second = import_job_claim(job_id=str(job.pk))
    assert second is not None
    assert second.started_at > first.started_at


def test_a_run_that_lost_its_claim_cannot_write_the_job(job, monkeypatch):
    """While the first run imports, its lease lapses and another run claims the job: the first
    run's progress and its final result are refused; the job stays the second run's."""
    real = jobs.registry_import
    taken: dict[str, ImportJob] = {}

    def slow_import(**kwargs):  # type: ignore[no-untyped-def]
        _lapse(job.pk)
        claimed = import_job_claim(job_id=str(job.pk))
        assert claimed is not None
        taken["job"] = claimed
        return real(**kwargs)

    monkeypatch.setattr(jobs, "registry_import", slow_import)
    import_job_run(job_id=str(job.pk))
    stored = ImportJob.objects.get(pk=job.pk)
    assert (stored.status, stored.started_at) == (ImportStatus.RUNNING, taken["job"].started_at)
    assert (stored.inserted, stored.done, stored.finished_at) == (0, 0, None)
