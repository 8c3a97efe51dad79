"""Background tasks of the registry (django-tasks, database backend: no broker needed)."""

from django_tasks import task

from hocvuso.registry.importing.jobs import import_job_run


@task()
def run_import_job(job_id: str) -> None:
    import_job_run(job_id=job_id)


@task()
def run_unit_transfer(job_id: str) -> None:
    from hocvuso.registry.services.unit_changes import unit_transfer_run

    unit_transfer_run(job_id=job_id)
