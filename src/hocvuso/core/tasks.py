"""Background tasks of core: the scheduled jobs' runs (``core.schedule``) and the long jobs
(``core.jobs``)."""

from django_tasks import task

from hocvuso.core import jobs, schedule


@task()
def run_scheduled(run_id: int) -> None:
    schedule.run(run_id)


@task()
def run_job(job_id: str) -> None:
    jobs.execute(job_id)
